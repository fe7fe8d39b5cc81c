"""Public pages of advisory bodies, under /<lang>/c/<slug>/advisory/."""

from django.urls import URLPattern, URLResolver

app_name = "advisory"
urlpatterns: list[URLPattern | URLResolver] = []
