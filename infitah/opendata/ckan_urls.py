"""The CKAN Action API (read actions): /api/3/action/<name> and /api/action/<name>."""

from django.urls import URLPattern

app_name = "ckan"
urlpatterns: list[URLPattern] = []
