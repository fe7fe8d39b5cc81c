"""Public pages of collective-intelligence labs."""

from django.urls import URLPattern, URLResolver

app_name = "labs"
urlpatterns: list[URLPattern | URLResolver] = []
