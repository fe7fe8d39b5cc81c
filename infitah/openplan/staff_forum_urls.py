"""Staff: forum and monitoring committee, meetings, documents, OGP Local candidacy,
submission and inception assessment."""

from django.urls import URLPattern, path

from infitah.openplan import forum_staff_views as views

_F = "<int:pk>/forum/"
_M = f"{_F}meetings/<int:meeting>/"
_C = "candidacy/<int:candidacy>/"

urlpatterns: list[URLPattern] = [
    path(_F, views.forum, name="forum"),
    path(f"{_F}members/add/", views.member_add, name="forum-member-add"),
    path(f"{_F}members/<int:member>/", views.member_edit, name="forum-member-edit"),
    path(f"{_F}members/<int:member>/end/", views.member_end, name="forum-member-end"),
    path(f"{_F}members/<int:member>/delete/", views.member_delete, name="forum-member-delete"),
    path(f"{_F}meetings/add/", views.meeting_add, name="forum-meeting-add"),
    path(_M, views.meeting_edit, name="forum-meeting-edit"),
    path(f"{_M}delete/", views.meeting_delete, name="forum-meeting-delete"),
    path(f"{_M}documents/add/", views.meeting_document_add, name="forum-meeting-document-add"),
    path(f"{_M}documents/<int:doc>/", views.meeting_document_file, name="forum-meeting-document"),
    path(
        f"{_M}documents/<int:doc>/delete/",
        views.meeting_document_delete,
        name="forum-meeting-document-delete",
    ),
    path(f"{_F}documents/add/", views.document_add, name="forum-document-add"),
    path(f"{_F}documents/<int:doc>/", views.document_file, name="forum-document"),
    path(f"{_F}documents/<int:doc>/delete/", views.document_delete, name="forum-document-delete"),
    path(f"{_F}submit/", views.submit, name="forum-submit"),
    path(f"{_F}inception/", views.inception, name="forum-inception"),
    path("candidacy/", views.candidacy, name="candidacy"),
    path("candidacy/new/", views.candidacy_new, name="candidacy-new"),
    path(_C, views.candidacy_file, name="candidacy-file"),
    path(f"{_C}edit/", views.candidacy_edit, name="candidacy-edit"),
    path(f"{_C}letters/add/", views.letter_add, name="candidacy-letter-add"),
    path(f"{_C}letters/<int:letter>/", views.letter_file, name="candidacy-letter"),
    path(f"{_C}letters/<int:letter>/delete/", views.letter_delete, name="candidacy-letter-delete"),
    path(f"{_C}submit/", views.candidacy_submit, name="candidacy-submit"),
    path(f"{_C}accept/", views.candidacy_accept, name="candidacy-accept"),
    path(f"{_C}link/", views.candidacy_link, name="candidacy-link"),
]
