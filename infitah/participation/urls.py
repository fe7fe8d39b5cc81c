"""Public pages of participation: joining, confirming, the participant's own page."""

from django.urls import path

from infitah.participation import views

app_name = "participation"
urlpatterns = [
    path("participation/join/", views.join, name="join"),
    path("participation/confirm/<str:token>/", views.confirm, name="confirm"),
    path("participation/me/", views.me, name="me"),
    path("participation/leave/", views.leave, name="leave"),
]
