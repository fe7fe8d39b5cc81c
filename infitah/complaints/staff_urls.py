"""The complaints unit's pages, under /<lang>/staff/<slug>/complaints/."""

from django.urls import path

from infitah.complaints import views

app_name = "complaints-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("settings/", views.staff_settings, name="settings"),
    path("settings/categories/", views.staff_category_save, name="category-create"),
    path("settings/categories/<int:pk>/", views.staff_category_save, name="category-edit"),
    path("settings/explanations/", views.staff_explanation_save, name="explanation-save"),
    path("id/<int:pk>/", views.staff_by_id, name="by-id"),
    path("<str:reference>/", views.staff_detail, name="detail"),
    path("<str:reference>/files/<int:pk>", views.staff_attachment, name="attachment"),
    path("<str:reference>/files/<int:pk>/preview", views.staff_preview, name="preview"),
    path("<str:reference>/<str:action>/", views.staff_action, name="action"),
]
