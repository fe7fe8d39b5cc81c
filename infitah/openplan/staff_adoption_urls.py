"""Staff: consultation on the draft, adoption and amendments, evaluation and closing,
CSV export and import."""

from django.urls import URLPattern, path

from infitah.openplan import adoption_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/adoption/", views.adoption_page, name="adoption"),
    path("<int:pk>/adoption/act/<str:action>/", views.adoption_action, name="adoption-action"),
    path("<int:pk>/adoption/import/", views.adoption_import, name="adoption-import"),
    path("<int:pk>/adoption/commitments.csv", views.adoption_csv, name="adoption-csv"),
    path(
        "<int:pk>/adoption/versions/<int:number>/",
        views.adoption_version,
        name="adoption-version",
    ),
]
