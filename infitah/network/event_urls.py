"""Event pages of the network (included by network/urls.py, namespace `network`):
public pages under /<lang>/network/events/, the office's under …/events/office/."""

from django.urls import URLPattern, URLResolver, path

from infitah.network import event_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="events"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>/register/", views.event_register, name="event-register"),
    path("<int:pk>/documents/<int:doc_pk>/", views.event_document, name="event-document"),
    path("office/", views.office_events, name="office-events"),
    path("office/new/", views.office_event_create, name="office-event-create"),
    path("office/<int:pk>/", views.office_event, name="office-event"),
    path(
        "office/<int:pk>/registrations/",
        views.office_event_registrations,
        name="office-event-registrations",
    ),
    path("office/<int:pk>/documents/", views.office_event_documents, name="office-event-documents"),
    path("office/<int:pk>/report/", views.office_event_report, name="office-event-report"),
]
