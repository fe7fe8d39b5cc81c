"""Staff pages of advisory bodies and referrals, under /<lang>/staff/<slug>/advisory/."""

from django.urls import URLPattern, URLResolver, path

from infitah.advisory import staff_views as views

app_name = "advisory-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("bodies/required/", views.bodies_required, name="bodies-required"),
    path("bodies/new/", views.body_create, name="body-create"),
    path("bodies/<int:pk>/", views.body, name="body"),
    path("bodies/<int:pk>/edit/", views.body_update, name="body-update"),
    path("bodies/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("bodies/<int:pk>/members/<int:member>/", views.member_update, name="member-update"),
    path("bodies/<int:pk>/members/<int:member>/end/", views.member_end, name="member-end"),
    path("bodies/<int:pk>/meetings/add/", views.meeting_add, name="meeting-add"),
    path("bodies/<int:pk>/meetings/<int:meeting>/", views.meeting_update, name="meeting-update"),
    path("bodies/<int:pk>/documents/add/", views.document_add, name="document-add"),
    path("bodies/<int:pk>/documents/<int:doc>/", views.document_file, name="document"),
    path(
        "bodies/<int:pk>/documents/<int:doc>/delete/",
        views.document_delete,
        name="document-delete",
    ),
    path("bodies/<int:pk>/opinions/new/", views.opinion_initiate, name="opinion-initiate"),
    path("referrals/new/", views.referral_create, name="referral-create"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/act/<str:action>/", views.referral_action, name="referral-action"),
]
