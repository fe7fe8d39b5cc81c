from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "infitah.accounts"
    label = "accounts"
