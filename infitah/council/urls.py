"""Public pages of a council, under /<lang>/c/<slug>/council/ (owner: public pages)."""

from django.urls import URLPattern, URLResolver, include, path

from infitah.council import public_views

app_name = "council"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", public_views.home, name="home"),
    path("sessions/<int:pk>/", public_views.session, name="session"),
    path("members/<int:pk>/", public_views.member, name="member"),
    path("documents/<int:pk>/", public_views.document, name="document"),
    path("decisions/", public_views.decisions, name="decisions"),
    # Signed minutes: download and signature check (owner: minutes).
    path("", include("infitah.council.minutes_urls")),
]
