"""The search form of the public search page (GET)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from infitah.search.analyzer import MAX_QUERY_CHARS

_code = RegexValidator(r"^[A-Za-z0-9_.-]*$", _("Use letters, digits, dots or hyphens."))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words to find"), required=False, max_length=MAX_QUERY_CHARS)
    collectivity = forms.SlugField(label=_("Collectivity"), required=False, max_length=120)
    category = forms.CharField(
        label=_("Category"), required=False, max_length=64, validators=[_code]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    file_type = forms.CharField(
        label=_("File type"), required=False, max_length=16, validators=[_code]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
