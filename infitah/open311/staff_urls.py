"""The Open311 keys of a collectivity, under /<lang>/staff/<slug>/open311/ (its admin)."""

from django.urls import path

from infitah.open311 import views

app_name = "open311-staff"
urlpatterns = [
    path("", views.keys, name="keys"),
    path("<int:pk>/revoke/", views.key_revoke, name="key-revoke"),
]
