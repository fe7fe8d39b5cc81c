"""What people and collectivities took part in: `trainings_followed(user)` for the staff
workspace and `events_of(collectivity)` for a collectivity's page, with their include
templates."""

from __future__ import annotations

import pytest

from django.template.loader import render_to_string
from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.network.event_selectors import events_of, trainings_followed
from infitah.network.models import EventStatus, Registration
from infitah.network.tests.test_events_support import make_event, register, soon
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def test_trainings_followed_by_account_and_by_address(staff_a: User) -> None:
    older = make_event(title_fr="Older", starts_at=soon(-200))
    newer = make_event(title_fr="Newer", starts_at=soon(-20))
    absent = make_event(starts_at=soon(-10))
    draft = make_event(status=EventStatus.DRAFT, starts_at=soon(-5))
    Registration.objects.create(
        event=older,
        user=staff_a,
        full_name="S",
        email="old@example.test",
        role="staff",
        attended=True,
    )
    # Registered before having an account: found by the address (any case).
    Registration.objects.create(
        event=newer, full_name="S", email=staff_a.email, role="focal_point", attended=True
    )
    Registration.objects.create(
        event=absent,
        user=staff_a,
        full_name="S",
        email=staff_a.email,
        role="staff",
        attended=False,
    )
    Registration.objects.create(
        event=draft, user=staff_a, full_name="S", email=staff_a.email, role="staff", attended=True
    )
    gone = Registration.objects.create(
        event=make_event(starts_at=soon(-3)),
        user=staff_a,
        full_name="S",
        email=staff_a.email,
        role="staff",
        attended=True,
        cancelled_at=timezone.now(),
    )
    register(newer, 3, attended=True)  # other people
    followed = trainings_followed(staff_a)
    assert [r.event_id for r in followed] == [newer.pk, older.pk]
    assert gone.pk not in {r.pk for r in followed}


def test_nobody_follows_anything_anonymously() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert trainings_followed(AnonymousUser()) == []  # type: ignore[arg-type]


def test_trainings_followed_include(staff_a: User, django_assert_num_queries) -> None:
    event = make_event(title_ar="تكوين نقط الارتكاز", starts_at=soon(-30))
    Registration.objects.create(
        event=event,
        user=staff_a,
        full_name="S",
        email=staff_a.email,
        role="focal_point",
        attended=True,
    )
    with django_assert_num_queries(1):
        followed = trainings_followed(staff_a)
    with translation.override("ar"):
        html = render_to_string("network/events/_followed.html", {"trainings_followed": followed})
    assert "تكوين نقط الارتكاز" in html
    assert f"/ar/network/events/{event.pk}/" in html
    assert (
        render_to_string("network/events/_followed.html", {"trainings_followed": []}).strip() == ""
    )


def test_events_of_counts_the_people_present(
    collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    gathering = make_event(title_fr="Gathering", starts_at=soon(-300))
    training = make_event(title_fr="Training", starts_at=soon(-30))
    missed = make_event(starts_at=soon(-10))
    register(gathering, 3, collectivity=collectivity_a, attended=True)
    register(gathering, 2, prefix="abs", collectivity=collectivity_a, attended=False)
    register(gathering, 4, prefix="b", collectivity=collectivity_b, attended=True)
    register(training, 1, prefix="t", collectivity=collectivity_a, attended=True)
    register(missed, 2, prefix="m", collectivity=collectivity_a, attended=False)
    found = events_of(collectivity_a)
    assert [(e.pk, getattr(e, "n_attended", None)) for e in found] == [
        (training.pk, 1),
        (gathering.pk, 3),
    ]
    assert [(e.pk, getattr(e, "n_attended", None)) for e in events_of(collectivity_b)] == [
        (gathering.pk, 4)
    ]
    with translation.override("fr"):
        html = render_to_string("network/events/_member_events.html", {"member_events": found})
    assert "Gathering" in html and "Training" in html
    assert "Secret Name" not in html


def test_events_of_runs_one_query(collectivity_a: Collectivity, django_assert_num_queries) -> None:
    for i in range(5):
        register(
            make_event(starts_at=soon(-i - 1)),
            2,
            prefix=f"x{i}",
            collectivity=collectivity_a,
            attended=True,
        )
    with django_assert_num_queries(1):
        assert len(events_of(collectivity_a)) == 5
