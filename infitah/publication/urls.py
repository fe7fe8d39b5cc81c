"""Public pages, under /<lang>/c/<slug>/documents/."""

from django.urls import path

from infitah.publication import views

app_name = "publication"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("compliance/", views.compliance, name="compliance"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/file", views.document_file, name="file"),
]
