"""Forms of a member's practices (staff side) and of the public list's filters.

Forms give the field-by-field messages; the services stay the judges (they check
everything again, the file's content included).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.network import practice_services as services
from infitah.network.models import TITLE_MAX, Event, Theme
from infitah.network.practice_selectors import QUERY_MAX, practice_events


def _line(label: Any, *, lang: str = "", max_length: int = TITLE_MAX, **extra: Any) -> Any:
    attrs = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"} if lang else {"dir": "auto"}
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
        **extra,
    )


def _text(label: Any, *, lang: str, max_length: int, rows: int = 5) -> Any:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(
            attrs={"rows": rows, "lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
        ),
    )


class EventChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        event: Event = obj
        title = f"{event.parent.title} — {event.title}" if event.parent else event.title
        return f"{event.starts_at:%Y-%m-%d} — {title}"


class PracticeForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=[("", "—"), *Theme.choices], required=True)
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    summary_ar = _text(_("Summary in Arabic"), lang="ar", max_length=services.SUMMARY_MAX, rows=3)
    summary_fr = _text(_("Summary in French"), lang="fr", max_length=services.SUMMARY_MAX, rows=3)
    body_ar = _text(_("Description in Arabic"), lang="ar", max_length=services.BODY_MAX, rows=10)
    body_fr = _text(_("Description in French"), lang="fr", max_length=services.BODY_MAX, rows=10)
    contact_name = _line(
        _("Contact's name"),
        max_length=services.NAME_MAX,
        help_text=_("Published on the practice's page."),
    )
    contact_email = forms.EmailField(
        label=_("Contact's e-mail"),
        required=False,
        max_length=254,
        help_text=_("Published on the practice's page: give a work address."),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )
    contact_phone = _line(
        _("Contact's phone"),
        max_length=services.PHONE_MAX,
        help_text=_("Published on the practice's page."),
    )
    event = EventChoice(
        label=_("Presented at a network event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label="—",
    )

    # The services' field names are the form's; nothing to map.
    service_names: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = practice_events()  # type: ignore[attr-defined]
        self.fields["title_fr"].help_text = _("Give the title in one language at least.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("title_ar") and not data.get("title_fr"):
            self.add_error("title_ar", _("Give a title in Arabic or in French."))
        return data


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to publish."),
            "empty": _("The file is empty."),
        },
    )
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = services.document_accepted()
        self.fields["title_fr"].help_text = _("The file's name when no title is given.")


class ConfirmForm(forms.Form):
    """A button: the POST is the confirmation."""


class PracticeFilterForm(forms.Form):
    """The public list's filters (GET); bad values are dropped by the selector."""

    q = forms.CharField(label=_("Search"), required=False, max_length=QUERY_MAX)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *Theme.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *regions]  # type: ignore[attr-defined]
