"""The OParl 1.1 API, under /oparl/v1/."""

from django.urls import URLPattern, URLResolver

app_name = "oparl"
urlpatterns: list[URLPattern | URLResolver] = []
