"""Staff: programmes, phases, axes, commitments, milestones, indicators, reports,
assessments. `commitment` in a URL is the commitment's id (the public pages use its
number)."""

from django.urls import URLPattern, path

from infitah.openplan import staff_views as views

C = "<int:pk>/commitments/<int:commitment>/"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("new/", views.programme_create, name="programme-create"),
    path("<int:pk>/", views.programme, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<int:pk>/phases/<str:kind>/", views.phase_set, name="phase-set"),
    path("<int:pk>/phases/<str:kind>/delete/", views.phase_delete, name="phase-delete"),
    path("<int:pk>/axes/add/", views.axis_add, name="axis-add"),
    path("<int:pk>/axes/<int:axis>/", views.axis_edit, name="axis-edit"),
    path("<int:pk>/axes/<int:axis>/delete/", views.axis_delete, name="axis-delete"),
    path("<int:pk>/commitments/new/", views.commitment_create, name="commitment-create"),
    path(C, views.commitment, name="commitment"),
    path(f"{C}edit/", views.commitment_edit, name="commitment-edit"),
    path(f"{C}delete/", views.commitment_delete, name="commitment-delete"),
    path(f"{C}milestones/add/", views.milestone_add, name="milestone-add"),
    path(f"{C}milestones/<int:milestone>/", views.milestone_edit, name="milestone-edit"),
    path(
        f"{C}milestones/<int:milestone>/delete/",
        views.milestone_delete,
        name="milestone-delete",
    ),
    path(f"{C}report/", views.report, name="report"),
    path(f"{C}indicators/add/", views.indicator_add, name="indicator-add"),
    path(f"{C}indicators/<int:indicator>/", views.indicator_edit, name="indicator-edit"),
    path(
        f"{C}indicators/<int:indicator>/delete/",
        views.indicator_delete,
        name="indicator-delete",
    ),
    path(f"{C}indicators/<int:indicator>/values/add/", views.value_record, name="value-record"),
    path(
        f"{C}indicators/<int:indicator>/values/<int:value>/delete/",
        views.value_delete,
        name="value-delete",
    ),
    path(f"{C}assessment/", views.assessment, name="assessment"),
]
