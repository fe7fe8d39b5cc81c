"""Staff pages of collective-intelligence labs, under /<lang>/staff/<slug>/labs/."""

from django.urls import URLPattern, URLResolver

app_name = "labs-staff"
urlpatterns: list[URLPattern | URLResolver] = []
