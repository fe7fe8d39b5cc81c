"""Accounts and invitations for network administrators, under /<lang>/network/office/
accounts/ (NetworkPerm.ACCOUNTS_MANAGE)."""

from django.urls import URLPattern, URLResolver, path

from infitah.accounts import network_views

app_name = "network-accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", network_views.account_list, name="account-list"),
    path("<int:pk>/", network_views.account_detail, name="account-detail"),
    path("<int:pk>/deactivate/", network_views.account_deactivate, name="account-deactivate"),
    path("<int:pk>/reactivate/", network_views.account_reactivate, name="account-reactivate"),
    path("invitations/", network_views.invitation_list, name="invitation-list"),
    path(
        "invitations/<int:pk>/revoke/",
        network_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "invitations/<int:pk>/resend/",
        network_views.invitation_resend,
        name="invitation-resend",
    ),
    path("invite/", network_views.invite, name="invite"),
    path("c/<slug:slug>/", network_views.collectivity_team, name="collectivity"),
]
