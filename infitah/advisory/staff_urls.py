"""Staff pages of advisory bodies and referrals, under /<lang>/staff/<slug>/advisory/."""

from django.urls import URLPattern, URLResolver

app_name = "advisory-staff"
urlpatterns: list[URLPattern | URLResolver] = []
