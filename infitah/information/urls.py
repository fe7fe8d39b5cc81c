"""Public pages of access to information.

c/<slug>/information/…  a collectivity's page, request form and register;
information/…           the requester's secret links and the network register.
"""

from django.urls import path

from infitah.information import views

app_name = "information"
urlpatterns = [
    path("c/<slug:slug>/information/", views.home, name="home"),
    path("c/<slug:slug>/information/request/", views.file, name="file"),
    path("c/<slug:slug>/information/register/", views.register, name="register"),
    path("c/<slug:slug>/information/register.csv", views.register_csv, name="register-csv"),
    path("information/", views.register, name="network-register"),
    path("information/register.csv", views.register_csv, name="network-register-csv"),
    path("information/r/<str:reference>/", views.register_detail, name="register-detail"),
    path(
        "information/r/<str:reference>/files/<int:pk>",
        views.public_attachment,
        name="public-attachment",
    ),
    path("information/track/<str:token>/", views.track, name="track"),
    # The same page under a short address, for SMS (docs/sms.md).
    path("t/i/<str:token>", views.track, name="track-short"),
    path("information/track/<str:token>/receipt.pdf", views.receipt, name="receipt"),
    path("information/track/<str:token>/file.pdf", views.case_file, name="case-file"),
    path("information/track/<str:token>/files/<int:pk>", views.attachment, name="attachment"),
    path("information/track/<str:token>/<str:action>/", views.track_action, name="track-action"),
    path("information/confirm/<str:token>/", views.confirm, name="confirm"),
    path("information/recover/", views.recover, name="recover"),
]
