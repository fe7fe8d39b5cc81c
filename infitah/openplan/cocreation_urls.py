"""Public co-creation pages: the trail of proposals, workshops, proposals."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [
    path("<int:pk>/cocreation/", todo, name="cocreation"),
    path("<int:pk>/workshops/<int:workshop>/", todo, name="workshop"),
    path("<int:pk>/proposals/<int:proposal>/", todo, name="proposal"),
]
