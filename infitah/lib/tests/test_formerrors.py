"""A service's ValidationError lands beside the form's fields, above the form otherwise."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from infitah.lib.formerrors import service_errors


class _Form(forms.Form):
    title = forms.CharField(required=False)
    amount = forms.CharField(required=False)
    service_names = {"amount_mad": "amount"}


def _form() -> _Form:
    form = _Form(data={"title": "x", "amount": "1"})
    assert form.is_valid()
    return form


def test_field_errors_go_beside_their_field_and_the_others_above() -> None:
    form = _form()
    service_errors(form, ValidationError({"title": "too short", "other": "nope"}))
    assert form.errors["title"] == ["too short"]
    assert form.non_field_errors() == ["nope"]


def test_a_service_name_is_mapped_onto_the_form_field() -> None:
    form = _form()
    service_errors(form, ValidationError({"amount_mad": "negative"}))
    assert form.errors["amount"] == ["negative"]


def test_a_message_without_field_goes_above_the_form() -> None:
    form = _form()
    service_errors(form, ValidationError("closed"))
    assert form.non_field_errors() == ["closed"]


def test_a_field_with_its_own_error_keeps_only_it() -> None:
    form = _Form(data={"title": "x", "amount": "1"})
    assert form.is_valid()
    form.add_error("title", "first")
    service_errors(form, ValidationError({"title": "second"}))
    assert form.errors["title"] == ["first"]
