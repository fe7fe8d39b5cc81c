"""Forms of the minutes: the secretariat's draft, and anyone's signed-PDF check."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from infitah.council.minutes import TEXT_MAX

# The largest PDF the public check accepts (signed minutes weigh tens of kilobytes).
CHECK_MAX_BYTES = 20 * 1024 * 1024


class MinutesForm(forms.Form):
    text_ar = forms.CharField(
        label=_("Minutes in Arabic"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 16, "lang": "ar", "dir": "rtl"}),
    )
    text_fr = forms.CharField(
        label=_("Minutes in French"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 16, "lang": "fr", "dir": "ltr"}),
    )


class MinutesCheckForm(forms.Form):
    file = forms.FileField(
        label=_("A PDF file of these minutes"),
        allow_empty_file=True,
        error_messages={"required": _("Choose the PDF file to check.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].help_text = check_help_text()
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"


def check_help_text() -> str:
    return str(_("A PDF file of at most %(max)s. It is checked, not kept.")) % {
        "max": filesizeformat(CHECK_MAX_BYTES)
    }


def too_large_message() -> str:
    return str(_("This file is too large to be checked here (at most %(size)s).")) % {
        "size": filesizeformat(CHECK_MAX_BYTES)
    }
