"""Staff: forum and monitoring committee, meetings, documents, OGP Local candidacy,
submission and inception assessment."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("<int:pk>/forum/", todo, name="forum"),
    path("candidacy/", todo, name="candidacy"),
]
