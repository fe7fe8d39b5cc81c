"""Practice pages of the network (included by network/urls.py, namespace `network`)."""

from django.urls import URLPattern, URLResolver, path

from infitah.network import practice_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.practices, name="practices"),
    path("<int:pk>/", views.practice, name="practice"),
    path("<int:pk>/documents/<int:doc_pk>/", views.practice_document, name="practice-document"),
]
