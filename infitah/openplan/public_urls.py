"""Public programme pages: the list, a programme, a commitment, evidence files."""

from django.urls import URLPattern, path

from infitah.openplan import public_views

urlpatterns: list[URLPattern] = [
    path("", public_views.home, name="home"),
    path("<int:pk>/", public_views.programme, name="programme"),
    path("<int:pk>/commitments/<int:number>/", public_views.commitment, name="commitment"),
    path("<int:pk>/evidence/<int:evidence>/", public_views.evidence, name="evidence"),
]
