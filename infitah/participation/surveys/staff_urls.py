"""Staff pages of surveys, under /<lang>/staff/<slug>/surveys/."""

from django.urls import URLPattern, URLResolver

app_name = "surveys-staff"
urlpatterns: list[URLPattern | URLResolver] = []
