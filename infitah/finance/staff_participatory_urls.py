"""Staff: participatory budgets (campaigns, projects, votes, retained projects)."""

from django.urls import URLPattern, path

from infitah.finance import participatory_views as views

YEAR = "budgets/<int:year>/participatory/"
CAMPAIGN = f"{YEAR}<int:pk>/"
PROJECT = f"{CAMPAIGN}projects/<int:project>/"

urlpatterns: list[URLPattern] = [
    path(YEAR, views.staff_participatory, name="participatory"),
    path(f"{YEAR}add/", views.campaign_add, name="participatory-add"),
    path(f"{CAMPAIGN}edit/", views.campaign_edit, name="participatory-edit"),
    path(f"{CAMPAIGN}votes/", views.votes_record, name="participatory-votes"),
    path(f"{CAMPAIGN}projects/add/", views.project_add, name="participatory-project-add"),
    path(PROJECT, views.project_edit, name="participatory-project-edit"),
    path(f"{PROJECT}delete/", views.project_delete, name="participatory-project-delete"),
    path(f"{PROJECT}retain/", views.project_retain, name="participatory-project-retain"),
    path(f"{PROJECT}release/", views.project_release, name="participatory-project-release"),
]
