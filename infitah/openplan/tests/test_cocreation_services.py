"""Co-creation services: workshops, proposals online (the calendar's window) and on
site, comments and supports, moderation, grouping duplicates, proposals → commitments
and the trail; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.openplan import cocreation_selectors as selectors
from infitah.openplan.models import (
    PROPOSAL_MAX,
    Axis,
    Commitment,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.services import cocreation, core
from infitah.openplan.services.cocreation import NotAllowed
from infitah.openplan.tests.cocreation_world import (
    online_workshop,
    onsite_workshop,
    person,
    propose,
)
from infitah.openplan.tests.conftest import PROGRAMME_DATA
from infitah.openplan.workflow import ProposalKind, ProposalStatus, Status, WorkshopMode
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SOLUTION = ProposalKind.SOLUTION
PROBLEM = ProposalKind.PROBLEM


def _events(action: str) -> int:
    return Event.objects.filter(action=f"openplan.{action}").count()


def _set_status(programme: Programme, status: str) -> None:
    Programme.objects.filter(pk=programme.pk).update(status=status)
    programme.status = status


@pytest.fixture
def other_axis(programme: Programme) -> Axis:
    return programme.axes.order_by("order").last()  # type: ignore[return-value]


@pytest.fixture
def workshop(programme: Programme, focal_point: User, axis: Axis) -> Workshop:
    return online_workshop(programme, focal_point, axis=axis)


@pytest.fixture
def open_all(programme: Programme, focal_point: User) -> Workshop:
    """An open online workshop on every axis."""
    return online_workshop(programme, focal_point)


@pytest.fixture
def programme_b(collectivity_b: Collectivity, charlie: User) -> Programme:
    programme = core.programme_create(
        collectivity=collectivity_b, actor=charlie, data=PROGRAMME_DATA
    )
    core.axis_save(programme=programme, actor=charlie, data={"title_fr": "Culture"})
    return programme


# --- workshops -------------------------------------------------------------------------


def test_a_workshop_is_saved_with_its_window_and_an_event(
    programme: Programme, focal_point: User, axis: Axis
) -> None:
    workshop = online_workshop(programme, focal_point, axis=axis)
    assert workshop.axis == axis and workshop.mode == WorkshopMode.ONLINE
    assert workshop.is_open
    assert _events("workshop") == 1
    onsite = onsite_workshop(programme, focal_point)
    assert onsite.onsite_participants == 42 and not onsite.is_open
    changed = cocreation.workshop_save(
        programme=programme,
        actor=focal_point,
        workshop=onsite,
        data={**_data_of(onsite), "place": "دار الشباب"},
    )
    assert changed.place == "دار الشباب" and _events("workshop") == 3
    # Nothing changed: no event.
    cocreation.workshop_save(
        programme=programme, actor=focal_point, workshop=onsite, data=_data_of(onsite)
    )
    assert _events("workshop") == 3


def _data_of(workshop: Workshop) -> dict[str, Any]:
    return {name: getattr(workshop, name) for name in cocreation.WORKSHOP_FIELDS}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"title_ar": "x" * 301}, "title_ar"),
        ({"title_fr": "bad\x00"}, "title_fr"),
        ({"mode": "radio"}, "mode"),
        ({"opens_at": ""}, "opens_at"),
        ({"closes_at": "not a date"}, "closes_at"),
        ({"closes_at": "2020-01-01T10:00"}, "closes_at"),
        ({"mode": WorkshopMode.ON_SITE, "held_at": "2027-01-01T10:00"}, "opens_at"),
        ({"mode": WorkshopMode.HYBRID}, "held_at"),
        ({"axis": "abc"}, "axis"),
        ({"axis": "99999999999999999999"}, "axis"),
        ({"onsite_participants": "-3"}, "onsite_participants"),
        ({"onsite_participants": "1000001"}, "onsite_participants"),
        ({"place": "p" * 301}, "place"),
        ({"description_ar": "x" * 20_001}, "description_ar"),
    ],
)
def test_bad_workshop_input_writes_nothing(
    programme: Programme, focal_point: User, change: dict[str, Any], field: str
) -> None:
    now = timezone.now()
    data = {
        "title_ar": "ورشة",
        "mode": WorkshopMode.ONLINE,
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=3)).isoformat(),
        **change,
    }
    with pytest.raises(ValidationError) as caught:
        cocreation.workshop_save(programme=programme, actor=focal_point, data=data)
    assert field in caught.value.message_dict
    assert not Workshop.objects.exists() and _events("workshop") == 0


def test_a_workshop_takes_only_its_programme_s_axes(
    programme: Programme, programme_b: Programme, focal_point: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        online_workshop(programme, focal_point, axis=programme_b.axes.get())
    assert "axis" in caught.value.message_dict
    assert not Workshop.objects.filter(programme=programme).exists()


def test_only_the_programme_s_staff_hold_workshops(
    programme: Programme, charlie: User, monitor: User, focal_point: User
) -> None:
    for outsider in (charlie, monitor):
        with pytest.raises(PermissionDenied):
            online_workshop(programme, outsider)
    workshop = online_workshop(programme, focal_point)
    for outsider in (charlie, monitor):
        with pytest.raises(PermissionDenied):
            cocreation.workshop_delete(workshop=workshop, actor=outsider)
    assert Workshop.objects.count() == 1


def test_a_workshop_of_another_programme_cannot_be_saved_through_this_one(
    programme: Programme, programme_b: Programme, focal_point: User, charlie: User
) -> None:
    theirs = online_workshop(programme_b, charlie)
    with pytest.raises(PermissionDenied):
        cocreation.workshop_save(
            programme=programme, actor=focal_point, workshop=theirs, data=_data_of(theirs)
        )


def test_no_workshop_once_the_co_creation_is_over(programme: Programme, focal_point: User) -> None:
    _set_status(programme, Status.ADOPTED)
    with pytest.raises(NotAllowed):
        online_workshop(programme, focal_point)
    assert not Workshop.objects.exists()


def test_a_workshop_with_proposals_keeps_its_axis_and_cannot_be_removed(
    programme: Programme,
    focal_point: User,
    workshop: Workshop,
    other_axis: Axis,
    participant: Participant,
) -> None:
    propose(workshop, participant)
    with pytest.raises(ValidationError) as caught:
        cocreation.workshop_save(
            programme=programme,
            actor=focal_point,
            workshop=workshop,
            data={**_data_of(workshop), "axis": other_axis.pk},
        )
    assert "axis" in caught.value.message_dict
    with pytest.raises(NotAllowed):
        cocreation.workshop_delete(workshop=workshop, actor=focal_point)
    workshop.refresh_from_db()
    assert workshop.axis_id != other_axis.pk
    empty = onsite_workshop(programme, focal_point)
    cocreation.workshop_delete(workshop=empty, actor=focal_point)
    assert not Workshop.objects.filter(pk=empty.pk).exists()
    assert _events("workshop_removed") == 1


# --- proposals online: the window ----------------------------------------------------


def test_a_verified_participant_proposes_while_the_window_is_open(
    workshop: Workshop, participant: Participant, axis: Axis
) -> None:
    proposal = propose(workshop, participant, kind=SOLUTION)
    assert proposal.status == ProposalStatus.PUBLISHED
    assert proposal.axis == axis and proposal.participant == participant
    assert proposal.programme_id == workshop.programme_id
    assert _events("proposal") == 1
    # The same text again (a double click): the same proposal.
    assert propose(workshop, participant, kind=SOLUTION) == proposal
    assert Proposal.objects.count() == 1


def test_the_window_follows_the_calendar(
    programme: Programme, focal_point: User, participant: Participant
) -> None:
    opens = timezone.now() + dt.timedelta(days=2)
    workshop = online_workshop(
        programme, focal_point, opens=dt.timedelta(days=2), closes=dt.timedelta(days=5)
    )
    axis = programme.axes.first()
    with pytest.raises(NotAllowed):
        propose(workshop, participant, axis=axis)
    with time_machine.travel(opens + dt.timedelta(minutes=1)):
        assert propose(workshop, participant, axis=axis).pk
    with time_machine.travel(opens + dt.timedelta(days=4)), pytest.raises(NotAllowed):
        propose(workshop, participant, "أخرى", axis=axis)
    assert Proposal.objects.count() == 1


def test_no_online_proposal_in_an_on_site_workshop(
    programme: Programme, focal_point: User, participant: Participant, axis: Axis
) -> None:
    workshop = onsite_workshop(programme, focal_point, axis=axis)
    with pytest.raises(NotAllowed):
        propose(workshop, participant)
    assert not Proposal.objects.exists()


def test_an_unverified_participant_is_refused(workshop: Workshop) -> None:
    stranger = Participant.objects.create(email="new@example.test", display_name="جديد")
    with pytest.raises(NotAllowed):
        propose(workshop, stranger)
    assert not Proposal.objects.exists() and _events("proposal") == 0


def test_no_proposal_once_the_co_creation_is_over(
    programme: Programme, workshop: Workshop, participant: Participant
) -> None:
    _set_status(programme, Status.ADOPTED)
    with pytest.raises(NotAllowed):
        propose(workshop, participant)
    assert not Proposal.objects.exists()


def test_the_axis_is_the_workshop_s_or_one_of_the_programme_s(
    workshop: Workshop,
    open_all: Workshop,
    participant: Participant,
    axis: Axis,
    other_axis: Axis,
    programme_b: Programme,
) -> None:
    with pytest.raises(ValidationError) as caught:
        propose(workshop, participant, axis=other_axis)
    assert "axis" in caught.value.message_dict
    assert propose(workshop, participant, axis=axis).axis == axis
    # A workshop on every axis: the participant chooses one of the programme's.
    with pytest.raises(ValidationError):
        propose(open_all, participant, "ب")
    with pytest.raises(ValidationError):
        propose(open_all, participant, "ب", axis=programme_b.axes.get())
    for bad in ("abc", "0", "99999999999999999999"):
        with pytest.raises(ValidationError):
            cocreation.proposal_submit(
                workshop=open_all, participant=participant, kind=PROBLEM, text="ب", axis=bad
            )
    assert propose(open_all, participant, "ب", axis=other_axis).axis == other_axis
    assert Proposal.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [
        (PROBLEM, "", "text"),
        (PROBLEM, "   ", "text"),
        (PROBLEM, "x" * (PROPOSAL_MAX + 1), "text"),
        (PROBLEM, "abc\x00def", "text"),
        ("wish", "نص", "kind"),
    ],
)
def test_bad_proposals_write_nothing(
    workshop: Workshop, participant: Participant, kind: str, text: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        cocreation.proposal_submit(workshop=workshop, participant=participant, kind=kind, text=text)
    assert field in caught.value.message_dict
    assert not Proposal.objects.exists() and _events("proposal") == 0


# --- proposals recorded on site ------------------------------------------------------


def test_staff_record_on_site_proposals_whatever_the_window(
    programme: Programme, focal_point: User, charlie: User, axis: Axis
) -> None:
    workshop = onsite_workshop(programme, focal_point)
    proposal = cocreation.proposal_record(
        workshop=workshop,
        actor=focal_point,
        kind=SOLUTION,
        text="نشر الميزانية بصيغة مفتوحة",
        axis=axis,
        author_label="جمعية الأمل",
    )
    assert proposal.recorded_by == focal_point and proposal.participant is None
    assert proposal.author_label == "جمعية الأمل" and not proposal.is_online
    assert _events("proposal_recorded") == 1
    with pytest.raises(PermissionDenied):
        cocreation.proposal_record(
            workshop=workshop, actor=charlie, kind=SOLUTION, text="x", axis=axis
        )
    with pytest.raises(ValidationError) as caught:
        cocreation.proposal_record(
            workshop=workshop, actor=focal_point, kind="x", text="", author_label="a" * 201
        )
    assert set(caught.value.message_dict) >= {"kind", "text", "author_label"}
    _set_status(programme, Status.CLOSED)
    with pytest.raises(NotAllowed):
        cocreation.proposal_record(
            workshop=workshop, actor=focal_point, kind=SOLUTION, text="x", axis=axis
        )
    assert Proposal.objects.count() == 1


# --- comments and supports -------------------------------------------------------------


def test_comments_on_a_published_proposal(
    programme: Programme, workshop: Workshop, participant: Participant
) -> None:
    proposal = propose(workshop, participant)
    other = person(2)
    comment = cocreation.proposal_comment(proposal=proposal, participant=other, text=" أتفق ")
    assert comment.text == "أتفق" and comment.status == ProposalStatus.PUBLISHED
    assert cocreation.proposal_comment(proposal=proposal, participant=other, text="أتفق") == comment
    for bad in ("", "x" * 2001, "a\x00"):
        with pytest.raises(ValidationError):
            cocreation.proposal_comment(proposal=proposal, participant=other, text=bad)
    stranger = Participant.objects.create(email="new@example.test", display_name="جديد")
    with pytest.raises(NotAllowed):
        cocreation.proposal_comment(proposal=proposal, participant=stranger, text="نعم")
    _set_status(programme, Status.ADOPTED)
    with pytest.raises(NotAllowed):
        cocreation.proposal_comment(proposal=proposal, participant=other, text="نعم")
    assert ProposalComment.objects.count() == 1 and _events("proposal_comment") == 1


def test_a_participant_supports_once(workshop: Workshop, participant: Participant) -> None:
    proposal = propose(workshop, participant)
    fan = person(2)
    assert cocreation.proposal_support(proposal=proposal, participant=fan)
    assert not cocreation.proposal_support(proposal=proposal, participant=fan)
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 1
    assert _events("proposal_supported") == 1
    assert cocreation.proposal_unsupport(proposal=proposal, participant=fan)
    assert not cocreation.proposal_unsupport(proposal=proposal, participant=fan)
    assert not ProposalSupport.objects.exists()
    assert _events("proposal_unsupported") == 1
    stranger = Participant.objects.create(email="new@example.test", display_name="جديد")
    with pytest.raises(NotAllowed):
        cocreation.proposal_support(proposal=proposal, participant=stranger)
    assert not ProposalSupport.objects.exists()


def test_hidden_proposals_take_no_comment_nor_support(
    workshop: Workshop, participant: Participant, focal_point: User
) -> None:
    proposal = propose(workshop, participant)
    cocreation.proposal_hide(proposal=proposal, actor=focal_point, reason="إساءة")
    with pytest.raises(NotAllowed):
        cocreation.proposal_support(proposal=proposal, participant=participant)
    with pytest.raises(NotAllowed):
        cocreation.proposal_comment(proposal=proposal, participant=participant, text="نعم")
    assert not ProposalSupport.objects.exists() and not ProposalComment.objects.exists()


# --- moderation ------------------------------------------------------------------------


def test_hide_and_restore_a_proposal(
    programme: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    charlie: User,
) -> None:
    proposal = propose(workshop, participant)
    for bad in ("", "r" * 501, "a\x00"):
        with pytest.raises(ValidationError) as caught:
            cocreation.proposal_hide(proposal=proposal, actor=focal_point, reason=bad)
        assert "reason" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        cocreation.proposal_hide(proposal=proposal, actor=charlie, reason="x")
    proposal.refresh_from_db()
    assert proposal.is_published
    # Moderation stays possible after adoption.
    _set_status(programme, Status.ADOPTED)
    cocreation.proposal_hide(proposal=proposal, actor=focal_point, reason="إساءة")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.HIDDEN and proposal.hidden_reason == "إساءة"
    with pytest.raises(NotAllowed):
        cocreation.proposal_hide(proposal=proposal, actor=focal_point, reason="إساءة")
    cocreation.proposal_restore(proposal=proposal, actor=focal_point)
    proposal.refresh_from_db()
    assert proposal.is_published and proposal.hidden_reason == ""
    with pytest.raises(NotAllowed):
        cocreation.proposal_restore(proposal=proposal, actor=focal_point)
    assert (_events("proposal_hidden"), _events("proposal_restored")) == (1, 1)


def test_a_main_proposal_or_a_retained_one_is_not_hidden(
    programme: Programme, workshop: Workshop, participant: Participant, focal_point: User
) -> None:
    main, twin = propose(workshop, participant), propose(workshop, person(2), "نفس المشكل")
    cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    with pytest.raises(NotAllowed):
        cocreation.proposal_hide(proposal=main, actor=focal_point, reason="x")
    cocreation.proposals_to_commitment(
        programme=programme, actor=focal_point, proposals=[twin], data={"title_fr": "Budget"}
    )
    with pytest.raises(NotAllowed):
        cocreation.proposal_hide(proposal=twin, actor=focal_point, reason="x")
    assert Proposal.objects.filter(status=ProposalStatus.HIDDEN).count() == 0


def test_hide_and_restore_a_comment(
    workshop: Workshop, participant: Participant, focal_point: User, charlie: User
) -> None:
    proposal = propose(workshop, participant)
    comment = cocreation.proposal_comment(proposal=proposal, participant=participant, text="نعم")
    with pytest.raises(ValidationError):
        cocreation.comment_hide(comment=comment, actor=focal_point, reason="")
    with pytest.raises(PermissionDenied):
        cocreation.comment_hide(comment=comment, actor=charlie, reason="x")
    cocreation.comment_hide(comment=comment, actor=focal_point, reason="خارج الموضوع")
    comment.refresh_from_db()
    assert comment.status == ProposalStatus.HIDDEN
    with pytest.raises(NotAllowed):
        cocreation.comment_hide(comment=comment, actor=focal_point, reason="x")
    event = Event.objects.get(action="openplan.proposal_comment_hidden")
    assert event.data["reason"] == "خارج الموضوع"
    cocreation.comment_restore(comment=comment, actor=focal_point)
    comment.refresh_from_db()
    assert comment.status == ProposalStatus.PUBLISHED
    with pytest.raises(NotAllowed):
        cocreation.comment_restore(comment=comment, actor=focal_point)


# --- grouping --------------------------------------------------------------------------


def test_group_duplicates_under_a_main_proposal_and_count_the_group_s_supporters(
    programme: Programme, workshop: Workshop, participant: Participant, focal_point: User
) -> None:
    main = propose(workshop, participant, "الولوج إلى المعلومات صعب")
    twins = [propose(workshop, person(n), f"نفس المشكل {n}") for n in (2, 3)]
    fans = [person(n) for n in (10, 11, 12)]
    cocreation.proposal_support(proposal=main, participant=fans[0])
    cocreation.proposal_support(proposal=twins[0], participant=fans[0])  # the same person
    cocreation.proposal_support(proposal=twins[1], participant=fans[1])
    moved = cocreation.proposal_group(proposals=[*twins, main], under=main, actor=focal_point)
    assert moved == 2
    assert set(main.duplicates.values_list("pk", flat=True)) == {t.pk for t in twins}
    assert _events("proposals_grouped") == 1
    found = selectors.proposal_get(programme=programme, pk=main.pk)
    assert found is not None
    assert (found.n_supports, found.n_group, found.n_duplicates) == (1, 2, 2)  # type: ignore[attr-defined]
    # The board shows the main proposal only.
    blocks = selectors.board(programme, preview=5)
    shown = [p.pk for b in blocks for p in b.problems.items]
    assert shown == [main.pk]
    cocreation.proposal_ungroup(proposal=twins[0], actor=focal_point)
    twins[0].refresh_from_db()
    assert twins[0].duplicate_of is None and _events("proposal_ungrouped") == 1
    with pytest.raises(NotAllowed):
        cocreation.proposal_ungroup(proposal=twins[0], actor=focal_point)


def test_no_chains_a_main_proposal_brings_its_duplicates_along(
    workshop: Workshop, participant: Participant, focal_point: User
) -> None:
    a, b, c, d = (propose(workshop, person(n), f"مشكل {n}") for n in range(4))
    cocreation.proposal_group(proposals=[b, c], under=a, actor=focal_point)
    # b is a duplicate: it cannot be the main one.
    with pytest.raises(ValidationError) as caught:
        cocreation.proposal_group(proposals=[d], under=b, actor=focal_point)
    assert "under" in caught.value.message_dict
    # a (with b and c under it) is grouped under d: all three move under d.
    assert cocreation.proposal_group(proposals=[a], under=d, actor=focal_point) == 3
    assert set(d.duplicates.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert not Proposal.objects.filter(duplicate_of__duplicate_of__isnull=False).exists()


def test_grouping_rules(
    programme: Programme,
    programme_b: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    charlie: User,
) -> None:
    main = propose(workshop, participant)
    solution = propose(workshop, person(2), "حل", kind=SOLUTION)
    theirs_workshop = online_workshop(programme_b, charlie, axis=programme_b.axes.get())
    theirs = propose(theirs_workshop, person(3))
    with pytest.raises(ValidationError) as caught:
        cocreation.proposal_group(proposals=[solution], under=main, actor=focal_point)
    assert "proposals" in caught.value.message_dict
    with pytest.raises(ValidationError):
        cocreation.proposal_group(proposals=[theirs], under=main, actor=focal_point)
    with pytest.raises(ValidationError):
        cocreation.proposal_group(proposals=[], under=main, actor=focal_point)
    with pytest.raises(ValidationError):
        cocreation.proposal_group(proposals=[main], under=main, actor=focal_point)
    with pytest.raises(PermissionDenied):
        cocreation.proposal_group(proposals=[theirs], under=main, actor=charlie)
    hidden = propose(workshop, person(4), "مخفي")
    cocreation.proposal_hide(proposal=hidden, actor=focal_point, reason="x")
    twin = propose(workshop, person(5), "توأم")
    with pytest.raises(ValidationError) as caught:
        cocreation.proposal_group(proposals=[twin], under=hidden, actor=focal_point)
    assert "under" in caught.value.message_dict
    _set_status(programme, Status.ADOPTED)
    with pytest.raises(NotAllowed):
        cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    assert not Proposal.objects.filter(duplicate_of__isnull=False).exists()
    assert _events("proposals_grouped") == 0


# --- proposals → commitments -----------------------------------------------------------


def test_retained_proposals_become_a_draft_commitment_with_the_trail(
    programme: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    axis: Axis,
) -> None:
    main = propose(workshop, participant, "نشر الميزانية", kind=SOLUTION)
    twin = propose(workshop, person(2), "ميزانية مفتوحة", kind=SOLUTION)
    onsite = cocreation.proposal_record(
        workshop=workshop, actor=focal_point, kind=SOLUTION, text="منصة", axis=axis
    )
    cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    commitment = cocreation.proposals_to_commitment(
        programme=programme,
        actor=focal_point,
        proposals=[main, onsite],
        data={"title_ar": "الميزانية المفتوحة", "title_fr": "Budget ouvert"},
    )
    assert commitment.number == 1 and commitment.axis == axis
    assert set(commitment.proposals.values_list("pk", flat=True)) == {main.pk, twin.pk, onsite.pk}
    assert _events("commitment") == 1 and _events("proposals_linked") == 1
    assert selectors.trail(twin) == [commitment]
    # The two online authors are told, in their language, once.
    emails = list(OutboundEmail.objects.order_by("to"))
    assert [e.to for e in emails] == sorted([participant.email, "p2@example.test"])
    link = f"/ar/c/commune-a/programmes/{programme.pk}/commitments/1/"
    assert all(link in e.body for e in emails)
    linked = cocreation.proposals_link(commitment=commitment, proposals=[main], actor=focal_point)
    assert linked == [] and OutboundEmail.objects.count() == 2


def test_a_commitment_is_not_drafted_from_bad_input(
    programme: Programme,
    programme_b: Programme,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
    charlie: User,
) -> None:
    proposal = propose(workshop, participant)
    hidden = propose(workshop, person(2), "مخفي")
    cocreation.proposal_hide(proposal=hidden, actor=focal_point, reason="x")
    theirs = propose(online_workshop(programme_b, charlie, axis=programme_b.axes.get()), person(3))
    cases: list[tuple[list[Proposal], dict[str, Any], str]] = [
        ([proposal], {"title_ar": "", "title_fr": ""}, "title_ar"),
        ([proposal], {"title_ar": "x" * 301}, "title_ar"),
        ([proposal], {"title_fr": "a\x00"}, "title_fr"),
        ([], {"title_fr": "Budget"}, "proposals"),
        ([hidden], {"title_fr": "Budget"}, "proposals"),
        ([theirs], {"title_fr": "Budget"}, "proposals"),
    ]
    for proposals, data, field in cases:
        with pytest.raises(ValidationError) as caught:
            cocreation.proposals_to_commitment(
                programme=programme, actor=focal_point, proposals=proposals, data=data
            )
        assert field in caught.value.message_dict, (data, field)
    with pytest.raises(PermissionDenied):
        cocreation.proposals_to_commitment(
            programme=programme, actor=charlie, proposals=[proposal], data={"title_fr": "B"}
        )
    assert not Commitment.objects.filter(programme=programme).exists()
    assert not OutboundEmail.objects.exists() and _events("proposals_linked") == 0


def test_link_and_unlink_proposals_and_their_duplicates(
    programme: Programme,
    commitment: Commitment,
    workshop: Workshop,
    participant: Participant,
    focal_point: User,
) -> None:
    main, twin = propose(workshop, participant), propose(workshop, person(2), "نفس")
    cocreation.proposal_group(proposals=[twin], under=main, actor=focal_point)
    assert cocreation.proposals_link(
        commitment=commitment, proposals=[main], actor=focal_point
    ) == sorted([main.pk, twin.pk])
    assert OutboundEmail.objects.count() == 2
    with pytest.raises(NotAllowed):
        cocreation.proposal_unlink(
            proposal=propose(workshop, person(3), "آخر"), commitment=commitment, actor=focal_point
        )
    assert cocreation.proposal_unlink(
        proposal=main, commitment=commitment, actor=focal_point
    ) == sorted([main.pk, twin.pk])
    assert not commitment.proposals.exists()
    assert (_events("proposals_linked"), _events("proposal_unlinked")) == (1, 1)
    _set_status(programme, Status.ADOPTED)
    with pytest.raises(NotAllowed):
        cocreation.proposals_link(commitment=commitment, proposals=[main], actor=focal_point)
