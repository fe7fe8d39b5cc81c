"""Staff: programmes, phases, axes, commitments, milestones, indicators, reports,
assessments."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("", todo, name="home"),
    path("<int:pk>/", todo, name="programme"),
    path("<int:pk>/commitments/<int:commitment>/", todo, name="commitment"),
]
