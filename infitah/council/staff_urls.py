"""The council secretariat's pages, under /<lang>/staff/<slug>/council/."""

from django.urls import URLPattern, URLResolver, include, path

from infitah.council import staff_views as views

app_name = "council-staff"
urlpatterns: list[URLPattern | URLResolver] = [
    # Sessions: the secretariat's pages (owner: sessions).
    path("", views.home, name="home"),
    path("sessions/new/", views.session_new, name="session-new"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/act/<str:action>/", views.session_action, name="session-action"),
    path("sessions/<int:pk>/items/<int:item>/", views.item_page, name="item"),
    path(
        "sessions/<int:pk>/items/<int:item>/act/<str:action>/",
        views.item_action,
        name="item-action",
    ),
    path("sessions/<int:pk>/documents/<int:document>/", views.document_file, name="document"),
    # A council member's documents, each opening recorded (owner: sessions).
    path("my/", views.my_documents, name="my-documents"),
    path("my/documents/<int:pk>/", views.my_document, name="my-document"),
    # The council's organs: terms, members, committees, settings (owner: organs).
    path("", include("infitah.council.organs_urls")),
    # Minutes: draft, approve, sign (owner: minutes).
    path("", include("infitah.council.minutes_staff_urls")),
]
