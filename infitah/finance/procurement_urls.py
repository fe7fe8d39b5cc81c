"""Public procurement pages: the forecast programme of a year, processes."""

from django.urls import URLPattern, path

from infitah.finance.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("procurement/<int:year>/", todo, name="procurement"),
    path("procurement/processes/<int:pk>/", todo, name="process"),
    path("procurement/processes/<int:pk>/documents/<int:doc>/", todo, name="process-document"),
]
