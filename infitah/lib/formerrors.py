"""A service's ValidationError shown on the form that fed it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the form's fields (or above the form when
    it names no field of the form). A form may map the service's names onto its fields
    with a `service_names` dict; a field that already has an error keeps only its own."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    aliases: dict[str, str] = getattr(form, "service_names", {})
    for key, errors in exc.message_dict.items():
        name = aliases.get(key, key)
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, errors)
        else:
            form.add_error(None, errors)
