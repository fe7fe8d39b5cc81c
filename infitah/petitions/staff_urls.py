"""The petitions bureau's pages, under /<lang>/staff/<slug>/petitions/."""

from django.urls import path

from infitah.petitions import views

app_name = "petitions-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("register/", views.staff_register, name="register"),
    path("settings/", views.staff_settings, name="settings"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/receipt.pdf", views.staff_receipt, name="receipt"),
    path("<int:pk>/signatures/", views.staff_signatures, name="signatures"),
    path("<int:pk>/signatures/add/", views.staff_signature_add, name="signature-add"),
    path("<int:pk>/signatures/import/", views.staff_signatures_import, name="signatures-import"),
    path("<int:pk>/integrity/", views.staff_integrity, name="integrity"),
    path("<int:pk>/act/<str:action>/", views.staff_action, name="action"),
]
