"""Accounts and invitations for network administrators, under /<lang>/network/office/
accounts/ (NetworkPerm.ACCOUNTS_MANAGE)."""

from django.urls import URLPattern, URLResolver

app_name = "network-accounts"
urlpatterns: list[URLPattern | URLResolver] = []
