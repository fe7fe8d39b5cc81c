"""Open311 GeoReport v2, under /open311/v2/ (docs/open311.md): each resource in XML (the
specification's default) or JSON, by the extension of its path."""

from django.urls import re_path

from infitah.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,64})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<reference>[^/]{1,64})" + FMT, views.request_detail, name="request"),
    re_path(r"^servicerequestupdates" + FMT, views.request_updates, name="updates"),
]
