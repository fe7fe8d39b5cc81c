"""Staff pages of the minutes, inside the `council-staff` namespace."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
