"""The form of the keys page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.open311.models import ORGANISATION_MAX


class SenderKeyForm(forms.Form):
    organisation = forms.CharField(
        label=_("Sending organisation"),
        max_length=ORGANISATION_MAX,
        help_text=_("Who will send complaints with this key, e.g. an association's reporting app."),
    )
