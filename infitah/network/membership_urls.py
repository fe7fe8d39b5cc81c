"""Membership pages of the network (included by network/urls.py, namespace `network`):
the public members list, the charter and the application form, and the office pages of
network administrators (under office/)."""

from django.urls import URLPattern, URLResolver, path

from infitah.network import membership_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("members/", views.members, name="members"),
    path("charter/", views.charter, name="charter"),
    path("members/apply/", views.apply, name="apply"),
    path("members/apply/sent/", views.application_sent, name="application-sent"),
    path("office/applications/", views.office_applications, name="office-applications"),
    path("office/applications/<int:pk>/", views.office_application, name="office-application"),
    path(
        "office/applications/<int:pk>/deliberation",
        views.office_deliberation,
        name="office-deliberation",
    ),
    path("office/members/<slug:slug>/", views.office_member, name="office-member"),
    path("office/charter/", views.office_charter, name="office-charter"),
    path("office/invite-to-apply/", views.office_invite_apply, name="office-invite-apply"),
]
