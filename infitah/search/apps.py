from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "infitah.search"
    label = "search"
