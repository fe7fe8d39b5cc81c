"""Public pages of complaints, observations and suggestions.

c/<slug>/complaints/…  a collectivity's page (statistics, published answers) and form;
complaints/…           the citizen's secret links.
"""

from django.urls import path

from infitah.complaints import views

app_name = "complaints"
urlpatterns = [
    path("c/<slug:slug>/complaints/", views.home, name="home"),
    path("c/<slug:slug>/complaints/new/", views.submit, name="submit"),
    path("complaints/track/<str:token>/", views.track, name="track"),
    # The same page under a short address, for SMS (docs/sms.md).
    path("t/c/<str:token>", views.track, name="track-short"),
    path("complaints/track/<str:token>/receipt.pdf", views.receipt, name="receipt"),
    path("complaints/track/<str:token>/files/<int:pk>", views.attachment, name="attachment"),
    path("complaints/track/<str:token>/<str:action>/", views.track_action, name="track-action"),
    path("complaints/confirm/<str:token>/", views.confirm, name="confirm"),
    path("complaints/recover/", views.recover, name="recover"),
]
