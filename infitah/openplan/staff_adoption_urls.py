"""Staff: consultation on the draft, adoption and amendments, evaluation and closing,
CSV export and import."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [path("<int:pk>/adoption/", todo, name="adoption")]
