"""The network's pages, under /<lang>/network/ (namespace `network`).

Each area keeps its own URL module, included here without a namespace of its own:
membership (charter, members, applications), events, practices, the network's
participation list, and the back office of network administrators (`office/`).
"""

from django.urls import URLPattern, URLResolver, include, path

app_name = "network"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("infitah.network.membership_urls")),
    path("events/", include("infitah.network.event_urls")),
    path("practices/", include("infitah.network.practice_urls")),
    path("office/", include("infitah.network.office_urls")),
]
