"""Public pages of the open-data catalogue (under /<lang>/): /data/, /c/<slug>/data/…"""

from django.urls import URLPattern, path

from infitah.opendata import views

app_name = "opendata"
urlpatterns: list[URLPattern] = [
    path("data/", views.catalogue, name="catalogue"),
    path("data/<slug:name>/", views.dataset_detail, name="dataset"),
    path("c/<slug:slug>/data/", views.collectivity_datasets, name="collectivity"),
]
