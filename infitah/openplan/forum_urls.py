"""Public pages of the forum and monitoring committee, documents, the candidacy."""

from django.urls import URLPattern, path

from infitah.openplan import forum_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/forum/", views.forum, name="forum"),
    path("<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path(
        "<int:pk>/meetings/<int:meeting>/documents/<int:doc>/",
        views.meeting_document,
        name="meeting-document",
    ),
    path("candidacies/<int:candidacy>/", views.candidacy, name="candidacy"),
    path(
        "candidacies/<int:candidacy>/letters/<int:letter>/",
        views.letter,
        name="candidacy-letter",
    ),
]
