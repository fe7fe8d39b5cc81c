"""Pages of the correspondence register, under /<lang>/staff/<slug>/correspondence/.

An entry's pages are under its number: `2026/123/` for the entry 2026/000123.
"""

from django.urls import path

from infitah.correspondence import views

app_name = "correspondence-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_register, name="register"),
    path("export.csv", views.staff_export, name="export"),
    path("services/", views.staff_units, name="units"),
    path("services/<int:pk>/", views.staff_unit_edit, name="unit-edit"),
    path("<int:year>/<int:number>/", views.staff_detail, name="detail"),
    path("<int:year>/<int:number>/letter", views.staff_attachment, name="attachment"),
    path("<int:year>/<int:number>/open/<str:key>/", views.staff_open_case, name="open-case"),
    path("<int:year>/<int:number>/<str:action>/", views.staff_action, name="action"),
]
