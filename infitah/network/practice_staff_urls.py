"""A member's practices, under /<lang>/staff/<slug>/practices/ (PRACTICES_PUBLISH)."""

from django.urls import URLPattern, URLResolver

app_name = "practices-staff"
urlpatterns: list[URLPattern | URLResolver] = []
