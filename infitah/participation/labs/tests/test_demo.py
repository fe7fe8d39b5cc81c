"""The demo lab: seeded statements, synthetic participants with planted opinions, and a
computed report that finds the planted camps."""

from __future__ import annotations

import pytest

from infitah.accounts.models import Membership, Role, User
from infitah.participation.labs import demo
from infitah.participation.labs.math import adjusted_rand_index
from infitah.participation.labs.models import Lab, LabReport, Statement, StatementStatus, Vote
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def test_the_demo_lab(collectivity_a: Collectivity) -> None:
    focal = User.objects.create_user(email=demo.FOCAL_POINT_EMAIL, password="x-demo-123456")
    Membership.objects.create(user=focal, collectivity=collectivity_a, role=Role.FOCAL_POINT)
    lines: list[str] = []
    lab = demo.labs_demo(collectivity_a, log=lines.append)
    assert lab.is_open and lab.seed == demo.SEED
    statuses = list(Statement.objects.filter(lab=lab).values_list("status", flat=True))
    assert statuses.count(StatementStatus.APPROVED) == 20
    assert statuses.count(StatementStatus.PENDING) == 2
    assert statuses.count(StatementStatus.REJECTED) == 1
    people = Participant.objects.filter(email__endswith="@demo.infitah.ma")
    assert people.count() == demo.PARTICIPANTS
    assert all(p.is_verified for p in people)
    report = LabReport.objects.get(lab=lab)
    lab.refresh_from_db()
    assert not lab.is_dirty
    assert report.params["voter_count"] == 60
    # The maths finds the three planted camps (voters are numbered in camp order).
    planted = [camp for camp, size in demo.CAMPS for _ in range(size)]
    found = {p["participant_id"]: p["group"] for p in report.result["participants"]}
    assert len(report.result["groups"]) == 3
    assert adjusted_rand_index(planted, [found[n] for n in range(1, 61)]) > 0.8
    assert report.result["consensus"]
    assert "3 groups" in lines[-1]

    votes = Vote.objects.count()
    again = demo.labs_demo(collectivity_a, log=lines.append)
    assert again.pk == lab.pk
    assert Vote.objects.count() == votes
    assert Lab.objects.count() == 1
