"""Publication editors' pages, under /<lang>/staff/<slug>/publication/."""

from django.urls import path

from infitah.publication import views

app_name = "publication_staff"
urlpatterns = [
    path("", views.staff_document_list, name="document-list"),
    path("new/", views.staff_document_new, name="document-new"),
    path("<int:pk>/version/", views.staff_document_version, name="document-version"),
    path("<int:pk>/withdraw/", views.staff_document_withdraw, name="document-withdraw"),
]
