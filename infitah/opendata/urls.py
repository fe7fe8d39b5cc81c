"""Public pages of the open-data catalogue (under /<lang>/): /data/, /c/<slug>/data/…"""

from django.urls import URLPattern

app_name = "opendata"
urlpatterns: list[URLPattern] = []
