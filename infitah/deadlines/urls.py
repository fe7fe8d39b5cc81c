from django.urls import path

from infitah.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("overrides/", views.override_add, name="override-add"),
]
