"""Public pages of public consultations, under /<lang>/c/<slug>/consultations/."""

from django.urls import URLPattern, URLResolver, path

from infitah.participation.consultations import views

app_name = "consultations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/consultations/", views.consultation_list, name="list"),
    path("c/<slug:slug>/consultations/<int:pk>/", views.consultation_detail, name="detail"),
    path(
        "c/<slug:slug>/consultations/<int:pk>/sections/<int:section_pk>/",
        views.section_detail,
        name="section",
    ),
    path(
        "c/<slug:slug>/consultations/<int:pk>/sections/<int:section_pk>/comment/",
        views.comment_create,
        name="comment",
    ),
    path(
        "c/<slug:slug>/consultations/<int:pk>/sections/<int:section_pk>/stance/",
        views.stance_create,
        name="stance",
    ),
]
