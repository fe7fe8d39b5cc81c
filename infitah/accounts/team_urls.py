"""A collectivity's team, under /<lang>/staff/<slug>/team/ (Perm.MEMBERS_MANAGE)."""

from django.urls import URLPattern, URLResolver, path

from infitah.accounts import team_views

app_name = "team"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", team_views.team_home, name="home"),
    path("invite/", team_views.invite, name="invite"),
    path("members/<int:user_id>/roles/", team_views.member_roles, name="member-roles"),
    path("members/<int:user_id>/remove/", team_views.member_remove, name="member-remove"),
    path("invitations/<int:pk>/revoke/", team_views.invitation_revoke, name="invitation-revoke"),
]
