"""Public pages of petitions.

c/<slug>/petitions/…   a collectivity's petitions, the drafting form, a petition's page
                       and its signing form;
petitions/…            the secret links of e-mails (agent, signatories) and the network's
                       integrity settings (network administrators only).
"""

from django.urls import path

from infitah.petitions import views

app_name = "petitions"
urlpatterns = [
    path("c/<slug:slug>/petitions/", views.home, name="home"),
    path("c/<slug:slug>/petitions/new/", views.draft, name="draft"),
    path("c/<slug:slug>/petitions/new/sent/", views.draft_sent, name="draft-sent"),
    path("c/<slug:slug>/petitions/<int:pk>/", views.detail, name="detail"),
    path("c/<slug:slug>/petitions/<int:pk>/sign/", views.sign, name="sign"),
    path("c/<slug:slug>/petitions/<int:pk>/sign/sent/", views.sign_sent, name="sign-sent"),
    path("petitions/confirm/<str:token>/", views.agent_confirm, name="agent-confirm"),
    path("petitions/manage/<str:token>/", views.manage, name="manage"),
    path("petitions/manage/<str:token>/receipt.pdf", views.manage_receipt, name="manage-receipt"),
    path("petitions/manage/<str:token>/<str:action>/", views.manage_action, name="manage-action"),
    path(
        "petitions/signatures/confirm/<str:token>/",
        views.signature_confirm,
        name="signature-confirm",
    ),
    path("petitions/integrity/settings/", views.integrity_settings, name="integrity-settings"),
]
