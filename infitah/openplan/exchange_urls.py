"""Public files of the programme: adopted versions (JSON) and the commitments' CSV."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("<int:pk>/versions/<int:number>/", todo, name="version"),
    path("<int:pk>/commitments.csv", todo, name="commitments-csv"),
]
