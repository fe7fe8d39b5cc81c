"""`consultations_demo(collectivity)`: one open consultation with comments and stances,
one closed with its synthesis; a second run changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from django.test import Client

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.participation.consultations import selectors
from infitah.participation.consultations.demo import (
    PLAN_SECTIONS,
    RULES_SECTIONS,
    consultations_demo,
)
from infitah.participation.consultations.models import Comment, Consultation, Stance
from infitah.participation.consultations.workflow import Phase
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[Any, ...]:
    return (
        list(
            Consultation.objects.order_by("pk").values_list(
                "pk", "closes_at", "synthesis_published_at"
            )
        ),
        list(Comment.objects.order_by("pk").values_list("pk", "status")),
        Stance.objects.count(),
        Participant.objects.count(),
        Event.objects.count(),
    )


def test_demo_once(collectivity_a: Collectivity, focal: User) -> None:
    logged: list[str] = []
    plan, rules = consultations_demo(collectivity_a, log=logged.append)
    first = _snapshot()
    assert consultations_demo(collectivity_a, log=logged.append) == [plan, rules]
    assert _snapshot() == first
    assert len(logged) == 2

    assert plan.phase() == Phase.OPEN and plan.days_left == 20
    assert plan.kind == "action_plan" and plan.moderation == "pre"
    assert [s.title_ar for s in plan.sections.all()] == [s.title_ar for s in PLAN_SECTIONS]  # type: ignore[attr-defined]
    statuses = sorted(plan.comments.values_list("status", flat=True))  # type: ignore[attr-defined]
    assert statuses == ["pending", "published", "published", "published", "published", "rejected"]
    threads = selectors.published_threads(consultation=plan)
    assert any(t.replies for ts in threads.values() for t in ts)

    rules.refresh_from_db()
    assert rules.phase() == Phase.CLOSED and rules.is_synthesis_published
    assert rules.synthesis_ar and rules.synthesis_fr
    responses = list(rules.sections.values_list("response_fr", flat=True))  # type: ignore[attr-defined]
    assert responses == [s.response_fr for s in RULES_SECTIONS]
    assert rules.comments.filter(status="hidden").count() == 1  # type: ignore[attr-defined]

    report = selectors.consultation_report(consultation=plan)
    assert report.participants == 6
    assert {r.key for r in report.by_gender if r.participants} == {"female", "male", "undisclosed"}
    assert report.by_commune[0].key == collectivity_a.slug
    assert all(p.email.endswith("@demo.infitah.ma") for p in Participant.objects.all())


def test_demo_without_staff_is_skipped(collectivity_a: Collectivity) -> None:
    logged: list[str] = []
    assert consultations_demo(collectivity_a, log=logged.append) == []
    assert not Consultation.objects.exists() and len(logged) == 1


def test_demo_refused_in_production(
    collectivity_a: Collectivity, focal: User, settings: Any
) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(RuntimeError):
        consultations_demo(collectivity_a)


def test_demo_pages_are_light(collectivity_a: Collectivity, focal: User) -> None:
    """The first view of each public page stays under 30 KB with the demo's content."""
    plan, rules = consultations_demo(collectivity_a, log=lambda line: None)
    for lang in ("ar", "fr"):
        base = f"/{lang}/c/{collectivity_a.slug}/consultations/"
        for url in (base, f"{base}{plan.pk}/", f"{base}{rules.pk}/"):
            response = Client().get(url)
            assert response.status_code == 200, url
            assert len(response.content) < 30_000, (url, len(response.content))
