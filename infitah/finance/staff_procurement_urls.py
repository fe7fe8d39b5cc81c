"""Staff: the procurement forecast programme and the processes, stage by stage."""

from django.urls import URLPattern, path

from infitah.finance.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("procurement/<int:year>/", todo, name="procurement"),
    path("procurement/processes/<int:pk>/", todo, name="process"),
]
