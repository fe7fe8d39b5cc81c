"""Officers' pages, under /<lang>/staff/<slug>/information/."""

from django.urls import path

from infitah.information import views

app_name = "information-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("settings/", views.staff_settings, name="settings"),
    path("id/<int:pk>/", views.staff_by_id, name="by-id"),
    path("<str:reference>/", views.staff_detail, name="detail"),
    path("<str:reference>/<str:action>/", views.staff_action, name="action"),
]
