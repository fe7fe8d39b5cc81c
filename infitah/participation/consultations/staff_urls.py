"""Staff pages of public consultations, under /<lang>/staff/<slug>/consultations/."""

from django.urls import URLPattern, URLResolver, path

from infitah.participation.consultations import views

app_name = "consultations-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_create, name="create"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/close/", views.staff_close, name="close"),
    path("<int:pk>/sections/", views.staff_section_save, name="section-create"),
    path("<int:pk>/sections/<int:section_pk>/", views.staff_section_save, name="section-edit"),
    path(
        "<int:pk>/sections/<int:section_pk>/delete/",
        views.staff_section_delete,
        name="section-delete",
    ),
    path("<int:pk>/moderation/", views.staff_moderation, name="moderation"),
    path(
        "<int:pk>/comments/<int:comment_pk>/<str:action>/",
        views.staff_moderate,
        name="moderate",
    ),
    path("<int:pk>/synthesis/", views.staff_synthesis, name="synthesis"),
    path("<int:pk>/report/", views.staff_report, name="report"),
    path("<int:pk>/report.csv", views.staff_report_csv, name="report-csv"),
    path("<int:pk>/report.pdf", views.staff_report_pdf, name="report-pdf"),
]
