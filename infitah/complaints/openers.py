"""Complaints received on paper: opened as cases from their correspondence register entry.

A citizen may hand in or post a complaint, an observation or a suggestion. The letter is
registered in the correspondence register, then opened from its entry (the page
`…/correspondence/<year>/<number>/open/complaint/`): the officer types the form's fields,
prefilled from the entry, and the complaint is received at once (the signed letter is
the citizen's act; no e-mail confirmation). Registered from `ComplaintsConfig.ready()`
(infitah/correspondence/cases.py describes the contract).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.complaints import selectors, services
from infitah.complaints.forms import PaperComplaintForm, complaint_input_of
from infitah.complaints.models import Complaint
from infitah.complaints.workflow import Kind
from infitah.correspondence.cases import register_case_opener, register_case_type
from infitah.correspondence.models import Entry
from infitah.territories.models import Collectivity

COMPLAINT = Complaint._meta.label_lower


def _initial(entry: Entry) -> dict[str, Any]:
    return {
        "kind": Kind.COMPLAINT,
        "name": entry.correspondent,
        "description": entry.summary or entry.subject,
    }


def _open(entry: Entry, user: User, data: dict[str, Any]) -> tuple[str, str, str]:
    try:
        complaint, _token = services.complaint_submit(
            collectivity=entry.collectivity,
            data=complaint_input_of(data),
            files=data.get("attachments") or [],
            actor=user,
            email_confirmed=True,
            paper=True,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "files" in exc.error_dict:
            errors = dict(exc.error_dict)
            errors["attachments"] = errors.pop("files")
            raise ValidationError(errors) from exc
        raise
    return COMPLAINT, str(complaint.pk), complaint.reference


def _find(collectivity: Collectivity, reference: str) -> str | None:
    found = selectors.staff_complaint_get(collectivity=collectivity, reference=reference)
    return str(found.pk) if found is not None else None


def _url(collectivity: Collectivity, case_id: str, reference: str) -> str:
    return reverse(
        "complaints-staff:detail", kwargs={"slug": collectivity.slug, "reference": reference}
    )


def register_complaint_opener() -> None:
    register_case_type(COMPLAINT, label=_("Complaint"), find=_find, url=_url)
    register_case_opener(
        "complaint",
        label=_("Open a complaint, an observation or a suggestion"),
        form_class=PaperComplaintForm,
        open=_open,
        initial=_initial,
        perm=Perm.COMPLAINTS_HANDLE,
        available=lambda collectivity: collectivity.is_network_member,
    )
