"""The programme's core writes: creation as a case, axes, commitments, milestones and
the roll-up kept on the rows; permissions and tenancy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.openplan.models import Axis, Commitment, Milestone, Programme
from infitah.openplan.services import cocreation, core
from infitah.openplan.tests.conftest import PROGRAMME_DATA
from infitah.openplan.workflow import ProposalKind, Status, WorkshopMode
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def test_a_programme_is_a_case_in_co_creation_with_a_reference(programme: Programme) -> None:
    assert programme.status == Status.DRAFTING
    assert programme.reference == "PRG-2027-1"
    assert Event.objects.filter(action="openplan.created").count() == 1
    assert [a.title_fr for a in programme.axes.all()] == ["Gouvernance", "Culture"]


def test_charlie_and_a_monitor_may_not_create(
    collectivity_a: Collectivity, charlie: User, monitor: User
) -> None:
    for actor in (charlie, monitor):
        with pytest.raises(PermissionDenied):
            core.programme_create(collectivity=collectivity_a, actor=actor, data=PROGRAMME_DATA)
    assert not Programme.objects.exists()


def test_bad_input_names_each_field_and_writes_nothing(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    data = {"kind": "nope", "title_ar": "", "starts_on": "2027-13-01", "ends_on": "2026-01-01"}
    with pytest.raises(ValidationError) as caught:
        core.programme_create(collectivity=collectivity_a, actor=focal_point, data=data)
    assert set(caught.value.message_dict) == {"kind", "title_ar", "starts_on"}
    assert not Programme.objects.exists()


def test_milestones_roll_up_to_the_commitment_and_the_programme(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    first = core.milestone_create(
        commitment=commitment, actor=focal_point, data={"title_ar": "أ", "weight": "3"}
    )
    core.milestone_create(
        commitment=commitment, actor=focal_point, data={"title_ar": "ب", "weight": "1"}
    )
    core.milestone_progress_set(milestone=first, progress=Decimal(100))
    commitment.refresh_from_db()
    programme.refresh_from_db()
    assert commitment.progress == Decimal("75.00")
    # A second commitment at 0: the programme is the plain mean.
    core.commitment_create(programme=programme, actor=focal_point, data={"title_fr": "Deux"})
    programme.refresh_from_db()
    assert programme.progress == Decimal("37.50")


def test_a_milestone_cannot_be_put_under_itself(commitment: Commitment, focal_point: User) -> None:
    top = core.milestone_create(commitment=commitment, actor=focal_point, data={"title_ar": "أ"})
    child = core.milestone_create(
        commitment=commitment, actor=focal_point, data={"title_ar": "ب", "parent": top.pk}
    )
    with pytest.raises(ValidationError) as caught:
        core.milestone_update(
            milestone=top, actor=focal_point, data={"title_ar": "أ", "parent": child.pk}
        )
    assert "parent" in caught.value.message_dict
    assert Milestone.objects.get(pk=top.pk).parent_id is None


def test_what_participants_do_does_not_count_as_an_update_of_the_page(
    programme: Programme, focal_point: User, axis: Axis, participant: Participant
) -> None:
    """OGP asks the collectivity to update its page: a proposal or a support by a
    participant leaves the stamp of the 4-month warning as it was; staff work moves it."""
    now = timezone.now()
    workshop = cocreation.workshop_save(
        programme=programme,
        actor=focal_point,
        data={
            "title_ar": "ورشة",
            "mode": WorkshopMode.ONLINE,
            "axis": axis.pk,
            "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=1),
        },
    )
    Programme.objects.filter(pk=programme.pk).update(public_updated_at=now - dt.timedelta(days=200))
    before = Programme.objects.get(pk=programme.pk).public_updated_at
    proposal = cocreation.proposal_submit(
        workshop=workshop, participant=participant, kind=ProposalKind.SOLUTION, text="حل"
    )
    cocreation.proposal_support(proposal=proposal, participant=participant)
    assert Programme.objects.get(pk=programme.pk).public_updated_at == before
    core.axis_save(programme=programme, actor=focal_point, data={"title_fr": "Nouvel axe"})
    assert Programme.objects.get(pk=programme.pk).public_updated_at > before
