"""The network's page comparing every programme, under /<lang>/programmes/."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

app_name = "openplan-network"
urlpatterns: list[URLPattern] = [path("", todo, name="index")]
