"""The council secretariat's pages, under /<lang>/staff/<slug>/council/."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "council-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    # The council's organs: terms, members, committees, settings (owner: organs).
    path("", include("infitah.council.organs_urls")),
    # Minutes: draft, approve, sign (owner: minutes).
    path("", include("infitah.council.minutes_staff_urls")),
]
