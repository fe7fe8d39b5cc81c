"""A member's practices, under /<lang>/staff/<slug>/practices/ (PRACTICES_PUBLISH)."""

from django.urls import URLPattern, URLResolver, path

from infitah.network import practice_views as views

app_name = "practices-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/documents/add/", views.document_add, name="document-add"),
    path(
        "<int:pk>/documents/<int:doc_pk>/delete/",
        views.document_delete,
        name="document-delete",
    ),
]
