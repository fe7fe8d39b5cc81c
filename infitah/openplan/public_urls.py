"""Public programme pages: the list, a programme, a commitment, evidence files."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("", todo, name="home"),
    path("<int:pk>/", todo, name="programme"),
    path("<int:pk>/commitments/<int:number>/", todo, name="commitment"),
    path("<int:pk>/evidence/<int:evidence>/", todo, name="evidence"),
]
