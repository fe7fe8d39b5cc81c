"""Public pages of signed minutes, inside the `council` namespace."""

from django.urls import URLPattern, URLResolver, path

from infitah.council import minutes_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/<int:pk>/minutes.pdf", minutes_views.minutes_pdf, name="minutes-pdf"),
    path("sessions/<int:pk>/minutes/check/", minutes_views.minutes_check, name="minutes-check"),
]
