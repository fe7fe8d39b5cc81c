"""Staff pages of the council's organs, inside the `council-staff` namespace."""

from django.urls import URLPattern, URLResolver, path

from infitah.council import organs_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("organs/", views.overview, name="organs"),
    path("organs/terms/new/", views.term_new, name="term-new"),
    path("organs/terms/<int:pk>/", views.term_edit, name="term-edit"),
    path("organs/members/new/", views.member_new, name="member-new"),
    path("organs/members/<int:pk>/", views.member_edit, name="member-edit"),
    path("organs/committees/new/", views.committee_new, name="committee-new"),
    path("organs/committees/<int:pk>/", views.committee_edit, name="committee-edit"),
    path("organs/settings/", views.settings_edit, name="organs-settings"),
]
