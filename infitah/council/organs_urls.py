"""Staff pages of the council's organs, inside the `council-staff` namespace."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
