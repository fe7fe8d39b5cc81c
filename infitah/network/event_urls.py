"""Event pages of the network (included by network/urls.py, namespace `network`)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
