"""Public files of the programme: adopted versions (JSON) and the commitments' CSV."""

from django.urls import URLPattern, path

from infitah.openplan import adoption_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/versions/<int:number>/", views.version_file, name="version"),
    path("<int:pk>/commitments.csv", views.commitments_csv_file, name="commitments-csv"),
]
