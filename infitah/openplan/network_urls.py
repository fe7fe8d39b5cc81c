"""The network's page comparing every programme, under /<lang>/programmes/."""

from django.urls import URLPattern, path

from infitah.openplan import public_views

app_name = "openplan-network"
urlpatterns: list[URLPattern] = [path("", public_views.network, name="index")]
