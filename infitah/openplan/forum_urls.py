"""Public pages of the forum and monitoring committee, documents, the candidacy."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("<int:pk>/forum/", todo, name="forum"),
    path("<int:pk>/documents/<int:doc>/", todo, name="document"),
    path("<int:pk>/meetings/<int:meeting>/documents/<int:doc>/", todo, name="meeting-document"),
    path("candidacies/<int:candidacy>/", todo, name="candidacy"),
]
