"""Pages of the openness index (under /<lang>/): /openness/…, /c/<slug>/openness/."""

from django.urls import URLPattern, path

from infitah.openness import views

app_name = "openness"
urlpatterns: list[URLPattern] = [
    path("openness/", views.index, name="index"),
    path("openness/method/", views.method, name="method"),
    path("openness/weights/", views.weights, name="weights"),
    path("c/<slug:slug>/openness/", views.collectivity, name="collectivity"),
]
