"""The network's own consultations, surveys and labs, under /<lang>/network/participation/."""

from django.urls import URLPattern, URLResolver

app_name = "network-participation"
urlpatterns: list[URLPattern | URLResolver] = []
