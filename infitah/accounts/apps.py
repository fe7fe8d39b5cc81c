from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "infitah.accounts"
    label = "accounts"


class VerifiedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, whose default site requires the second factor
    (infitah/accounts/admin_site.py); INSTALLED_APPS names it instead of the stock one."""

    # Not the configuration of the accounts app: INSTALLED_APPS names it explicitly.
    default = False
    default_site = "infitah.accounts.admin_site.VerifiedAdminSite"
