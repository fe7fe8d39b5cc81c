"""Staff pages of petitions, under /<lang>/staff/<slug>/petitions/."""

from django.urls import URLPattern, URLResolver

app_name = "petitions-staff"
urlpatterns: list[URLPattern | URLResolver] = []
