"""The generated files (no language prefix): /data/<name>.csv, .json, /data/<name>/datapackage.json."""

from django.urls import URLPattern

app_name = "opendata-files"
urlpatterns: list[URLPattern] = []
