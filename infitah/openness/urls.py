"""Pages of the openness index (under /<lang>/): /openness/…, /c/<slug>/openness/."""

from django.urls import URLPattern

app_name = "openness"
urlpatterns: list[URLPattern] = []
