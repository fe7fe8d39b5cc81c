"""Staff pages of collective-intelligence labs, under /<lang>/staff/<slug>/labs/."""

from django.urls import path

from infitah.participation.labs import views

app_name = "labs-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_create, name="create"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/seed/", views.staff_seed, name="seed"),
    path("<int:pk>/moderation/", views.staff_moderation, name="moderation"),
    path(
        "<int:pk>/statements/<int:statement_pk>/<str:action>/",
        views.staff_moderate,
        name="moderate",
    ),
    path("<int:pk>/recompute/", views.staff_recompute, name="recompute"),
]
