"""Staff: workshops, on-site proposals, moderation, grouping, proposals → commitments."""

from django.urls import URLPattern, path

from infitah.openplan.placeholder import todo

urlpatterns: list[URLPattern] = [path("<int:pk>/cocreation/", todo, name="cocreation")]
