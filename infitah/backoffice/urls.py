from django.urls import path

from infitah.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
]
