from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "infitah.notifications"
    label = "notifications"
