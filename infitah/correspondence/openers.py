"""The case opener this app registers itself: access-to-information requests on paper.

A requester may file a request of law 31.13 on the paper form at the bureau d'ordre. The
letter is registered, then opened from its entry as a request: the officer types the
form's fields (prefilled from the entry), confirms that the requester signed it, and the
request is filed as received at once (no e-mail confirmation: the signed paper is the
requester's act). Registered from `CorrespondenceConfig.ready()`; other apps register
theirs the same way (infitah/correspondence/cases.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.correspondence.cases import register_case_opener, register_case_type
from infitah.correspondence.forms import PaperInformationRequestForm
from infitah.correspondence.models import Entry
from infitah.information import selectors as information_selectors
from infitah.information.services import NotAccepting, request_file
from infitah.territories.models import Collectivity

INFORMATION_REQUEST = "information.informationrequest"


def _initial(entry: Entry) -> dict[str, Any]:
    first_name, _sep, last_name = entry.correspondent.strip().partition(" ")
    subject_max = getattr(PaperInformationRequestForm.base_fields["subject"], "max_length", None)
    return {
        "first_name": first_name,
        "last_name": last_name.strip(),
        "subject": entry.subject[:subject_max],
        "description": entry.summary,
    }


def _open(entry: Entry, user: User, data: dict[str, Any]) -> tuple[str, str, str]:
    try:
        request, _token = request_file(
            collectivity=entry.collectivity,
            data=data["request_input"],
            actor=user,
            email_confirmed=True,
        )
    except NotAccepting as exc:
        raise ValidationError(exc.message) from exc
    return request._meta.label_lower, str(request.pk), request.reference


def _find(collectivity: Collectivity, reference: str) -> str | None:
    found = information_selectors.staff_request_get(collectivity=collectivity, reference=reference)
    return str(found.pk) if found is not None else None


def _url(collectivity: Collectivity, case_id: str, reference: str) -> str:
    return reverse(
        "information-staff:detail", kwargs={"slug": collectivity.slug, "reference": reference}
    )


def register_information_opener() -> None:
    register_case_type(
        INFORMATION_REQUEST, label=_("Access-to-information request"), find=_find, url=_url
    )
    register_case_opener(
        "information",
        label=_("Open an access-to-information request"),
        form_class=PaperInformationRequestForm,
        open=_open,
        initial=_initial,
        perm=Perm.INFORMATION_HANDLE,
        available=information_selectors.is_accepting,
    )
