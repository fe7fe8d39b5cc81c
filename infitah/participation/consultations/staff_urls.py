"""Staff pages of public consultations, under /<lang>/staff/<slug>/consultations/."""

from django.urls import URLPattern, URLResolver

app_name = "consultations-staff"
urlpatterns: list[URLPattern | URLResolver] = []
