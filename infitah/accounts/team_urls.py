"""A collectivity's team, under /<lang>/staff/<slug>/team/ (Perm.MEMBERS_MANAGE)."""

from django.urls import URLPattern, URLResolver

app_name = "team"
urlpatterns: list[URLPattern | URLResolver] = []
