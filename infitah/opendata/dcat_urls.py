"""The DCAT-AP 3.0.1 catalogue: /catalog.(ttl|jsonld|rdf) and /c/<slug>/catalog.(ttl|jsonld|rdf)."""

from django.urls import URLPattern

app_name = "dcat"
urlpatterns: list[URLPattern] = []
