"""Staff pages of the minutes, inside the `council-staff` namespace."""

from django.urls import URLPattern, URLResolver, path

from infitah.council import minutes_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/<int:pk>/minutes/", minutes_views.minutes_staff, name="minutes"),
    path("sessions/<int:pk>/minutes.pdf", minutes_views.minutes_staff_pdf, name="minutes-pdf"),
]
