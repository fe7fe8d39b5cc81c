"""Public pages of a council, under /<lang>/c/<slug>/council/ (owner: public pages)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "council"
urlpatterns: list[URLPattern | URLResolver] = [
    # Signed minutes: download and signature check (owner: minutes).
    path("", include("infitah.council.minutes_urls")),
]
