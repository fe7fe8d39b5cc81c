from django.urls import path

from infitah.territories import views

app_name = "territories"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.collectivity_home, name="collectivity"),
]
