"""The DCAT-AP 3.0.1 catalogue: /catalog.(ttl|jsonld|rdf) and /c/<slug>/catalog.(ttl|jsonld|rdf),
with the IRIs it mints (/catalog, /c/<slug>/catalog, /dataset/<uuid>…), which redirect."""

from django.urls import URLPattern, path, re_path

from infitah.opendata import dcat_views as views

app_name = "dcat"
urlpatterns: list[URLPattern] = [
    re_path(r"^catalog\.(?P<ext>ttl|jsonld|rdf)$", views.catalog, name="catalog"),
    re_path(
        r"^c/(?P<slug>[-a-zA-Z0-9_]+)/catalog\.(?P<ext>ttl|jsonld|rdf)$",
        views.collectivity_catalog,
        name="collectivity-catalog",
    ),
    path("catalog", views.catalog_any, name="catalog-any"),
    path("c/<slug:slug>/catalog", views.collectivity_catalog_any, name="collectivity-catalog-any"),
    path("dataset/<uuid:dataset_id>", views.dataset, name="dataset"),
    path(
        "dataset/<uuid:dataset_id>/resource/<uuid:resource_id>",
        views.distribution,
        name="distribution",
    ),
]
