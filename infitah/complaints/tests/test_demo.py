"""`manage.py demo` records the demo units, categories and complaints of Aït Melloul, once."""

from __future__ import annotations

from typing import Any

import pytest

from django.core.management import call_command

from infitah.complaints.demo import CATEGORIES, COMMUNE_SLUG, COMPLAINTS, EXPLANATIONS
from infitah.complaints.models import Category, Complaint, ComplaintSettings, StateExplanation
from infitah.complaints.workflow import Status
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.models import Deadline
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail


def _snapshot() -> tuple[Any, ...]:
    return (
        list(ServiceUnit.objects.order_by("pk").values_list("name_ar", "name_fr")),
        list(
            ComplaintSettings.objects.order_by("pk").values_list(
                "complaints_unit__name_fr", "reopen_days", "publish_answered"
            )
        ),
        list(Category.objects.order_by("pk").values_list("name_fr", "service__name_fr")),
        list(StateExplanation.objects.order_by("pk").values_list("status", "text_fr")),
        list(
            Complaint.objects.order_by("pk").values_list(
                "reference",
                "status",
                "acknowledge_deadline__due_date",
                "answer_deadline__due_date",
                "service__name_fr",
            )
        ),
        Deadline.objects.count(),
        OutboundEmail.objects.count(),
        Event.objects.count(),
    )


@pytest.mark.django_db
def test_demo_submits_complaints_in_several_states_once() -> None:
    call_command("demo", "--no-dataset")
    first = _snapshot()
    call_command("demo", "--no-dataset")
    assert _snapshot() == first

    complaints = Complaint.objects.filter(collectivity__slug=COMMUNE_SLUG).select_related(
        "category", "service"
    )
    assert complaints.count() == len(COMPLAINTS) == 7
    assert {c.status for c in complaints} == {
        Status.AWAITING_CONFIRMATION,
        Status.RECEIVED,
        Status.IN_PROCESS,
        Status.INFO_REQUESTED,
        Status.ANSWERED,
        Status.RATED,
    }
    assert sorted(c.number for c in complaints) == list(range(1, 8))
    assert {c.language for c in complaints} == {"ar", "fr"}
    assert {c.kind for c in complaints} == {"complaint", "observation", "suggestion"}
    for c in complaints:
        assert c.email.endswith("@example.org")
        assert c.category is not None
        if c.status == Status.AWAITING_CONFIRMATION:
            assert c.received_on is None and c.answer_by is None
        else:
            # Routed to the category's unit.
            assert c.service == c.category.service and c.answer_by is not None
    reopened = complaints.get(reopen_count=1)
    assert reopened.status == Status.IN_PROCESS and reopened.reopened_on is not None
    assert complaints.filter(is_published=True).count() == 3

    settings = ComplaintSettings.objects.get(collectivity__slug=COMMUNE_SLUG)
    assert settings.complaints_unit is not None and settings.publish_answered
    categories = Category.objects.filter(collectivity__slug=COMMUNE_SLUG)
    assert {c.name_fr for c in categories} == {names[3] for names in CATEGORIES.values()}
    assert all(c.name_ar and c.service is not None for c in categories)
    explanations = StateExplanation.objects.filter(collectivity__slug=COMMUNE_SLUG)
    assert {e.status for e in explanations} == set(EXPLANATIONS)
    assert all(e.text_ar and e.text_fr for e in explanations)
