"""Public procurement pages: the forecast programme of a year, processes."""

from django.urls import URLPattern, path

from infitah.finance import procurement_views as views

urlpatterns: list[URLPattern] = [
    path("procurement/<int:year>/", views.procurement, name="procurement"),
    path("procurement/processes/<int:pk>/", views.process, name="process"),
    path(
        "procurement/processes/<int:pk>/documents/<int:doc>/",
        views.process_document,
        name="process-document",
    ),
]
