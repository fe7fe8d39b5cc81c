"""Staff: workshops, on-site proposals, moderation, grouping, proposals → commitments."""

from django.urls import URLPattern, path

from infitah.openplan import cocreation_staff_views as views

P = "<int:pk>/cocreation/"
PROPOSAL = f"{P}proposals/<int:proposal>/"

urlpatterns: list[URLPattern] = [
    path(P, views.board, name="cocreation"),
    path(f"{P}act/", views.act, name="cocreation-act"),
    path(f"{P}workshops/new/", views.workshop_new, name="cocreation-workshop-new"),
    path(f"{P}workshops/<int:workshop>/", views.workshop_edit, name="cocreation-workshop"),
    path(
        f"{P}workshops/<int:workshop>/delete/",
        views.workshop_delete,
        name="cocreation-workshop-delete",
    ),
    path(f"{P}record/", views.record, name="cocreation-record"),
    path(PROPOSAL, views.proposal, name="cocreation-proposal"),
    path(f"{PROPOSAL}hide/", views.proposal_hide, name="cocreation-proposal-hide"),
    path(f"{PROPOSAL}restore/", views.proposal_restore, name="cocreation-proposal-restore"),
    path(f"{PROPOSAL}ungroup/", views.proposal_ungroup, name="cocreation-proposal-ungroup"),
    path(
        f"{PROPOSAL}unlink/<int:commitment>/",
        views.proposal_unlink,
        name="cocreation-proposal-unlink",
    ),
    path(
        f"{PROPOSAL}comments/<int:comment>/hide/",
        views.comment_hide,
        name="cocreation-comment-hide",
    ),
    path(
        f"{PROPOSAL}comments/<int:comment>/restore/",
        views.comment_restore,
        name="cocreation-comment-restore",
    ),
]
