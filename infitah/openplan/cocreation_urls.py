"""Public co-creation pages: the board, workshops, proposals, and the participants'
POST routes (propose, comment, support)."""

from django.urls import URLPattern, path

from infitah.openplan import cocreation_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/cocreation/", views.cocreation, name="cocreation"),
    path("<int:pk>/workshops/<int:workshop>/", views.workshop, name="workshop"),
    path(
        "<int:pk>/workshops/<int:workshop>/propose/",
        views.proposal_submit,
        name="proposal-submit",
    ),
    path("<int:pk>/proposals/<int:proposal>/", views.proposal, name="proposal"),
    path(
        "<int:pk>/proposals/<int:proposal>/comment/",
        views.proposal_comment,
        name="proposal-comment",
    ),
    path(
        "<int:pk>/proposals/<int:proposal>/support/",
        views.proposal_support,
        name="proposal-support",
    ),
]
