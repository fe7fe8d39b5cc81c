"""Staff: the procurement forecast programme and the processes, stage by stage."""

from django.urls import URLPattern, path

from infitah.finance import procurement_staff_views as views

urlpatterns: list[URLPattern] = [
    path("procurement/<int:year>/", views.procurement_page, name="procurement"),
    path("procurement/<int:year>/items/add/", views.item_add, name="procurement-item-add"),
    path("procurement/<int:year>/items/<int:item>/", views.item_edit, name="procurement-item-edit"),
    path(
        "procurement/<int:year>/items/<int:item>/delete/",
        views.item_delete,
        name="procurement-item-delete",
    ),
    path("procurement/<int:year>/publish/", views.plan_publish, name="procurement-publish"),
    path("procurement/<int:year>/processes/new/", views.process_create, name="process-create"),
    path("procurement/processes/<int:pk>/", views.process_page, name="process"),
    path(
        "procurement/processes/<int:pk>/documents/<int:doc>/",
        views.process_document,
        name="process-document",
    ),
    path(
        "procurement/processes/<int:pk>/contracts/<int:contract>/<slug:step>/",
        views.contract_step,
        name="contract-step",
    ),
    path("procurement/processes/<int:pk>/<slug:step>/", views.process_step, name="process-step"),
]
