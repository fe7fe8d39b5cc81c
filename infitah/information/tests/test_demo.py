"""`manage.py demo` records the demo desks and requests of access to information, once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from django.core.management import call_command

from infitah.accounts.models import User
from infitah.deadlines.models import Deadline
from infitah.information.demo import COMMUNE_SLUG, DEMO_CNDP, OFFICER_EMAIL, REGION_SLUG, REQUESTS
from infitah.information.models import InformationRequest, InformationSettings, Message
from infitah.information.workflow import Status
from infitah.ledger.models import Event
from infitah.lib.pii import pii_decrypt
from infitah.notifications.models import OutboundEmail
from infitah.numbering.models import Counter
from infitah.publication.demo import seeds_path


def _snapshot() -> tuple[Any, ...]:
    return (
        list(
            InformationSettings.objects.order_by("pk").values_list(
                "collectivity__slug", "cndp_authorisation", "desk_email", "clarification_clock"
            )
        ),
        list(
            InformationRequest.objects.order_by("pk").values_list(
                "reference",
                "status",
                "answer_deadline__due_date",
                "outcome",
                "head_deadline__due_date",
            )
        ),
        list(Counter.objects.order_by("pk").values_list("series", "year", "last")),
        Message.objects.count(),
        Deadline.objects.count(),
        OutboundEmail.objects.count(),
        Event.objects.count(),
    )


@pytest.mark.django_db
def test_demo_files_requests_in_every_state_once() -> None:
    call_command("demo", "--no-dataset")
    first = _snapshot()
    call_command("demo", "--no-dataset")
    assert _snapshot() == first

    requests = InformationRequest.objects.filter(collectivity__slug=COMMUNE_SLUG)
    assert requests.count() == len(REQUESTS) == 6
    by_status = {r.status: r for r in requests}
    assert set(by_status) == {
        Status.AWAITING_CONFIRMATION,
        Status.IN_PROGRESS,
        Status.ANSWERED,
        Status.PARTIALLY_ANSWERED,
        Status.REFUSED,
        Status.INTERNAL_COMPLAINT,
    }
    # References are gapless: 1 to 6 in this year.
    assert sorted(r.number for r in requests) == list(range(1, 7))
    assert by_status[Status.AWAITING_CONFIRMATION].received_on is None
    assert by_status[Status.IN_PROGRESS].due_date is not None
    assert by_status[Status.REFUSED].refusal_reasons
    complaint = by_status[Status.INTERNAL_COMPLAINT]
    assert complaint.refusal_reasons and complaint.complaint_due_date is not None
    answered = by_status[Status.ANSWERED]
    if seeds_path().is_dir():
        assert answered.answer_document is not None
        assert answered.answer_document.collectivity_id == answered.collectivity_id
    assert {r.language for r in requests} == {"ar", "fr"}
    # Made-up identities: numbers of Z's and zeros, stored encrypted and masked only.
    for r in requests:
        assert r.email.endswith("@example.org")
        assert re.fullmatch(r"Z{2,3}0+[1-9]", pii_decrypt(r.id_number_encrypted))
        assert r.id_number_masked.startswith("•")

    desks = {
        s.collectivity.slug: s for s in InformationSettings.objects.select_related("collectivity")
    }
    assert set(desks) == {COMMUNE_SLUG, REGION_SLUG}
    assert all(s.is_accepting and s.cndp_authorisation == DEMO_CNDP for s in desks.values())
    assert "DEMO" in DEMO_CNDP
    assert desks[COMMUNE_SLUG].desk_address_ar and desks[COMMUNE_SLUG].desk_address_fr
    assert User.objects.get(email=OFFICER_EMAIL).full_name


@pytest.mark.django_db
def test_demo_names_the_officer_when_the_name_is_empty() -> None:
    call_command("demo", "--no-dataset")
    User.objects.filter(email=OFFICER_EMAIL).update(full_name="")
    call_command("demo", "--no-dataset")
    assert User.objects.get(email=OFFICER_EMAIL).full_name
