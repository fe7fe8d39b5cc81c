"""The OParl 1.1 API, under /oparl/v1/ (docs/oparl.md). Object ids are these URLs."""

from django.urls import URLPattern, URLResolver, path

from infitah.oparl import views
from infitah.oparl.objects import FILE_KINDS
from infitah.oparl.sources import BODY_LISTS, BY_ID

app_name = "oparl"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.root, name="root"),
    path("system", views.system, name="system"),
    path("bodies", views.body_list, name="bodies"),
    path("body/<slug:slug>", views.body_detail, name="body"),
    *(
        path(
            f"body/<slug:slug>/{segment}",
            views.body_items,
            {"segment": segment},
            name=f"body-{segment}",
        )
        for segment in BODY_LISTS
    ),
    path("organization/council/<slug:slug>", views.council_detail, name="organization-council"),
    path(
        "organization/council/<slug:slug>/meeting",
        views.council_meetings,
        name="organization-council-meetings",
    ),
    path(
        "organization/advisory/<int:pk>/meeting",
        views.advisory_meetings,
        name="organization-advisory-meetings",
    ),
    *(
        path(f"{prefix}/<int:pk>", views.detail, {"prefix": prefix}, name=prefix.replace("/", "-"))
        for prefix in BY_ID
    ),
    *(
        path(
            f"file/{kind}/<int:pk>/download",
            views.download,
            {"kind": kind},
            name=f"file-{kind}-download",
        )
        for kind in FILE_KINDS
    ),
]
