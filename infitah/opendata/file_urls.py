"""The generated files (no language prefix): /data/<name>.csv, .json, /data/<name>/datapackage.json."""

from django.urls import URLPattern, path

from infitah.opendata import files

app_name = "opendata-files"
urlpatterns: list[URLPattern] = [
    path("<slug:name>.csv", files.dataset_csv, name="csv"),
    path("<slug:name>.json", files.dataset_json, name="json"),
    path("<slug:name>/datapackage.json", files.dataset_datapackage, name="datapackage"),
]
