"""Forms of participation; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from infitah.participation.models import DISPLAY_NAME_MAX, EMAIL_MAX, Audience, Gender
from infitah.territories.models import Collectivity, Kind

COMMUNE_QUERY_MAX = 200


def commune_find(value: str) -> Collectivity | None:
    """The commune named by its slug or its exact Arabic or French name."""
    value = " ".join(value.split())
    if not value or len(value) > COMMUNE_QUERY_MAX or "\x00" in value:
        return None
    return (
        Collectivity.objects.filter(kind=Kind.COMMUNE)
        .filter(Q(slug=value.lower()) | Q(name_ar=value) | Q(name_fr__iexact=value))
        .order_by("pk")
        .first()
    )


def audience_field() -> forms.ChoiceField:
    """Whom a consultation, survey or lab of the network's own space addresses: the
    citizens of every member, or the members themselves (the services check it)."""
    return forms.ChoiceField(
        label=_("Addressed to"),
        choices=[
            (Audience.NETWORK_CITIZENS.value, Audience.NETWORK_CITIZENS.label),
            (Audience.NETWORK_MEMBERS.value, Audience.NETWORK_MEMBERS.label),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "The members take part through the e-mail address of a staff account of a "
            "member collectivity, and speak for it."
        ),
    )


class JoinForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=EMAIL_MAX)
    display_name = forms.CharField(
        label=_("Name shown next to your contributions"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("Your first name, initials or a pseudonym: it is public."),
    )
    commune = forms.CharField(
        label=_("Commune where you live (optional)"),
        required=False,
        max_length=COMMUNE_QUERY_MAX,
        help_text=_("Its name in Arabic or French, e.g. Aït Melloul."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        initial=Gender.UNDISCLOSED,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my e-mail address is used to confirm my participation and that "
            "my commune and gender are used in anonymous statistics."
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune_found: Collectivity | None = None

    def clean_commune(self) -> str:
        value: str = self.cleaned_data.get("commune") or ""
        if value.strip():
            self.commune_found = commune_find(value)
            if self.commune_found is None:
                raise forms.ValidationError(
                    _("No commune has this name. Write it as on its page, or leave it empty.")
                )
        return value
