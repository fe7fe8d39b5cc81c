"""Staff pages of the opening programme, under /<lang>/staff/<slug>/programmes/."""

from django.urls import URLPattern, URLResolver

from infitah.openplan import (
    staff_adoption_urls,
    staff_cocreation_urls,
    staff_core_urls,
    staff_forum_urls,
)

app_name = "openplan-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    *staff_core_urls.urlpatterns,
    *staff_cocreation_urls.urlpatterns,
    *staff_forum_urls.urlpatterns,
    *staff_adoption_urls.urlpatterns,
]
