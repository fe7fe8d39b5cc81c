"""The CKAN Action API (read actions): /api/3/action/<name> and /api/action/<name>
(docs/ckan.md). /api/v1/ stays django-ninja's."""

from django.urls import URLPattern, path

from infitah.opendata import ckan_views

app_name = "ckan"
urlpatterns: list[URLPattern] = [
    path("api/3/action/<str:name>", ckan_views.action, name="action"),
    path("api/action/<str:name>", ckan_views.action, name="action-unversioned"),
]
