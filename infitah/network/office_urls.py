"""Office pages of the network (included by network/urls.py, namespace `network`)."""

from django.urls import URLPattern, URLResolver, path

from infitah.network import office_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.office, name="office"),
    path("health/", views.office_health, name="office-health"),
    path("space/", views.office_space, name="office-space"),
]
