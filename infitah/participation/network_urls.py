"""The network's own consultations, surveys and labs, under /<lang>/network/participation/."""

from django.urls import URLPattern, URLResolver, path

from infitah.participation import network_views

app_name = "network-participation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", network_views.participation_list, name="list"),
]
