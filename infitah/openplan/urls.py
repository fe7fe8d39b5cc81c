"""Public pages of the opening programme, under /<lang>/c/<slug>/programmes/."""

from django.urls import URLPattern, URLResolver

from infitah.openplan import cocreation_urls, exchange_urls, forum_urls, public_urls

app_name = "openplan"
urlpatterns: list[URLPattern | URLResolver] = [
    *public_urls.urlpatterns,
    *cocreation_urls.urlpatterns,
    *forum_urls.urlpatterns,
    *exchange_urls.urlpatterns,
]
