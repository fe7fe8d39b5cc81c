"""Membership services: the charter, applications (submit, accept, reject, invite to
apply) and a member's life (suspend, reinstate, leave), with their flags, history,
ledger events and e-mails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.accounts import permissions
from infitah.accounts.models import Invitation, Role, User
from infitah.ledger.models import Event
from infitah.network import membership_selectors as selectors
from infitah.network import membership_services as services
from infitah.network.models import (
    Application,
    ApplicationStatus,
    ChangeKind,
    Charter,
    Member,
    MemberChange,
    MemberStatus,
)
from infitah.network.tests import test_membership_world as world
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return world.media_use(settings, tmp_path)


@pytest.fixture
def charter(db: None) -> Charter:
    return world.charter_create()


@pytest.fixture
def pending(collectivity_b: Collectivity, charter: Charter, media: Path) -> Application:
    """Commune B's application, pending."""
    return world.submit(collectivity_b, charter)


def _actions(obj: Any) -> list[str]:
    return list(Event.objects.for_object(obj).order_by("pk").values_list("action", flat=True))


# --- The charter ---------------------------------------------------------------------------


def test_charter_versions_follow_each_other_in_the_ledger(network_admin: User) -> None:
    assert selectors.charter_current() is None
    texts = {"title_ar": "م", "title_fr": "C", "body_ar": "ن", "body_fr": "T"}
    first = services.charter_publish(actor=network_admin, **texts)
    second = services.charter_publish(actor=network_admin, **{**texts, "body_fr": "T2"})
    assert (first.version, second.version) == (1, 2)
    assert selectors.charter_current() == second
    assert [c.version for c in selectors.charter_list()] == [2, 1]
    assert _actions(second) == ["network.charter.published"]
    assert selectors.charter_next_version() == 3


def test_charter_needs_both_languages(network_admin: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.charter_publish(
            actor=network_admin, title_ar="", title_fr="C", body_ar="ن", body_fr=" "
        )
    assert set(exc.value.message_dict) == {"title_ar", "body_fr"}
    assert not Charter.objects.exists()


# --- Submitting ----------------------------------------------------------------------------


def test_submit_keeps_everything_and_sends_a_receipt(
    collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    application = world.submit(collectivity_b, charter, motivation="Open budget", language="ar")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert application.charter == charter and application.charter_accepted_at is not None
    assert application.language == "ar" and application.motivation == "Open budget"
    assert (application.focal_point_email, application.admin_email) == (
        "focal@example.test",
        "admin@example.test",
    )
    # Stored under a random name, the bytes as sent.
    name = str(application.deliberation.name)
    assert name.startswith("network/deliberations/") and name.endswith(".pdf")
    assert "deliberation" not in Path(name).name
    assert (media / name).read_bytes() == world.PDF
    event = Event.objects.for_object(application).get()
    assert event.action == "network.application.submitted"
    assert event.process == "public-form" and event.actor is None
    assert event.data == {"charter_version": 1, "publish_email": True, "publish_phone": False}
    assert selectors.application_consents(application) == {
        "publish_email": True,
        "publish_phone": False,
    }
    receipt = OutboundEmail.objects.get(to="applicant@example.test")
    assert "D-2024-12" in receipt.body and collectivity_b.name_ar in receipt.body
    # Nothing changes for the collectivity until the decision.
    collectivity_b.refresh_from_db()
    assert not collectivity_b.is_network_member
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision_date": timezone.localdate() + dt.timedelta(days=1)}, "decision_date"),
        ({"charter_version": 7}, "charter_accepted"),
        ({"admin_email": ""}, "admin_email"),
        ({"content": b"%!PS-Adobe-3.0 not a pdf"}, "deliberation"),
        ({"content": b"PK\x03\x04 a zip", "name": "deliberation.docx"}, "deliberation"),
        ({"content": b""}, "deliberation"),
        ({"name": "deliberation"}, "deliberation"),
    ],
)
def test_submit_refuses_bad_input_and_stores_nothing(
    changes: dict[str, Any], field: str, collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    with pytest.raises(ValidationError) as exc:
        world.submit(collectivity_b, charter, **changes)
    assert field in exc.value.message_dict
    assert not Application.objects.exists()
    assert not Event.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_submit_refuses_a_file_over_10_mb(
    collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    big = world.PDF + b"%" * (services.DELIBERATION_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as exc:
        world.submit(collectivity_b, charter, content=big)
    assert "deliberation" in exc.value.message_dict
    assert not Application.objects.exists()


def test_submit_refuses_a_member_and_a_second_pending_application(
    collectivity_a: Collectivity, pending: Application, charter: Charter
) -> None:
    with pytest.raises(ValidationError) as exc:
        world.submit(collectivity_a, charter)
    assert "already a member" in exc.value.message_dict["collectivity"][0]
    with pytest.raises(ValidationError) as exc:
        world.submit(pending.collectivity, charter)
    assert "already being examined" in exc.value.message_dict["collectivity"][0]
    assert Application.objects.count() == 1


def test_submit_without_a_charter_is_refused(collectivity_b: Collectivity, media: Path) -> None:
    fake = Charter(version=1)
    with pytest.raises(ValidationError, match="not published yet"):
        world.submit(collectivity_b, fake)
    assert not Application.objects.exists()


# --- Accepting and rejecting ----------------------------------------------------------------


def test_accept_opens_the_membership(
    pending: Application,
    network_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    collectivity = pending.collectivity
    cache.set("pagever:territories", 5, None)
    cache.set("pagever:complaints", 5, None)
    with django_capture_on_commit_callbacks(execute=True):
        member = services.application_accept(actor=network_admin, application=pending)
    today = timezone.localdate()
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.ACCEPTED and pending.decided_by == network_admin
    collectivity.refresh_from_db()
    assert collectivity.is_network_member and collectivity.joined_network_on == today
    assert member.status == MemberStatus.ACTIVE and member.joined_on == today
    # The focal point agreed to publish the e-mail, not the phone.
    assert member.focal_point_public_email == "focal@example.test"
    assert member.focal_point_public_phone == ""
    change = MemberChange.objects.get(collectivity=collectivity)
    assert (change.kind, change.on, change.application, change.actor) == (
        ChangeKind.JOINED,
        today,
        pending,
        network_admin,
    )
    assert _actions(pending) == ["network.application.submitted", "network.application.accepted"]
    assert _actions(member) == ["network.member.joined"]
    invitations = {i.email: i.roles for i in Invitation.objects.filter(collectivity=collectivity)}
    assert invitations == {
        "focal@example.test": [Role.FOCAL_POINT],
        "admin@example.test": [Role.ADMIN],
    }
    assert OutboundEmail.objects.filter(
        to="applicant@example.test", key__endswith=":accepted"
    ).exists()
    # The pages built from the flags are stale (the module pages of members included).
    assert cache.get("pagever:territories") > 5 and cache.get("pagever:complaints") == 6
    # Decided once.
    with pytest.raises(ValidationError, match="already decided"):
        services.application_accept(actor=network_admin, application=pending)


def test_one_invitation_when_focal_point_and_admin_share_an_address(
    collectivity_b: Collectivity, charter: Charter, media: Path, network_admin: User
) -> None:
    application = world.submit(collectivity_b, charter, admin_email="focal@example.test")
    services.application_accept(actor=network_admin, application=application)
    invitation = Invitation.objects.get(collectivity=collectivity_b)
    assert sorted(invitation.roles) == sorted([Role.FOCAL_POINT, Role.ADMIN])


def test_the_team_is_invited_even_by_an_admin_without_the_accounts_permission(
    collectivity_b: Collectivity,
    charter: Charter,
    media: Path,
    network_admin: User,
    monkeypatch: Any,
) -> None:
    monkeypatch.setitem(
        permissions.NETWORK_ROLE_PERMISSIONS,
        "network_admin",
        frozenset({permissions.NetworkPerm.MEMBERS_MANAGE}),
    )
    application = world.submit(collectivity_b, charter)
    services.application_accept(actor=network_admin, application=application)
    invitation = Invitation.objects.get(email="focal@example.test")
    assert invitation.invited_by is None
    assert Event.objects.for_object(invitation).get().process == "network-membership"


def test_accept_refuses_when_the_collectivity_is_already_a_member(
    pending: Application, network_admin: User
) -> None:
    Collectivity.objects.filter(pk=pending.collectivity_id).update(is_network_member=True)
    with pytest.raises(ValidationError, match="already a member"):
        services.application_accept(actor=network_admin, application=pending)
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.PENDING
    assert not Member.objects.exists() and not Invitation.objects.exists()


def test_reject_needs_a_note_and_tells_the_applicant(
    pending: Application, network_admin: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.application_reject(actor=network_admin, application=pending, note="  ")
    assert "note" in exc.value.message_dict
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.PENDING
    services.application_reject(
        actor=network_admin, application=pending, note="The deliberation is unsigned."
    )
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.REJECTED
    assert pending.decision_note == "The deliberation is unsigned."
    assert _actions(pending)[-1] == "network.application.rejected"
    mail = OutboundEmail.objects.get(key__endswith=":rejected")
    assert "The deliberation is unsigned." in mail.body and mail.to == "applicant@example.test"
    pending.collectivity.refresh_from_db()
    assert not pending.collectivity.is_network_member and not Member.objects.exists()
    # It may apply again.
    assert services.membership_refusal(pending.collectivity) == ""


# --- A member's life ----------------------------------------------------------------------


@pytest.fixture
def member(pending: Application, network_admin: User) -> Member:
    return services.application_accept(actor=network_admin, application=pending)


def test_suspend_keeps_the_flag_reinstate_and_leave_clears_it(
    member: Member, network_admin: User
) -> None:
    collectivity = member.collectivity
    today = timezone.localdate()
    services.member_suspend(actor=network_admin, collectivity=collectivity, on=today, note="audit")
    collectivity.refresh_from_db()
    member.refresh_from_db()
    assert member.status == MemberStatus.SUSPENDED and collectivity.is_network_member
    assert [r.collectivity for r in selectors.member_rows() if r.is_suspended] == [collectivity]

    services.member_reinstate(actor=network_admin, collectivity=collectivity, on=today)
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE

    services.member_leave(actor=network_admin, collectivity=collectivity, on=today, note="council")
    member.refresh_from_db()
    collectivity.refresh_from_db()
    assert member.status == MemberStatus.LEFT
    assert not collectivity.is_network_member and collectivity.joined_network_on is None
    assert list(
        MemberChange.objects.filter(collectivity=collectivity)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["joined", "suspended", "reinstated", "left"]
    assert _actions(member) == [
        "network.member.joined",
        "network.member.suspended",
        "network.member.reinstated",
        "network.member.left",
    ]
    assert selectors.member_rows() == []


@pytest.mark.parametrize(
    ("steps", "change", "message"),
    [
        ([], "reinstate", "Only a suspended member"),
        (["suspend"], "suspend", "Only an active member"),
        (["leave"], "leave", "already left"),
        (["leave"], "suspend", "Only an active member"),
    ],
)
def test_impossible_transitions_are_refused(
    steps: list[str], change: str, message: str, member: Member, network_admin: User
) -> None:
    today = timezone.localdate()
    verbs = {
        "suspend": services.member_suspend,
        "reinstate": services.member_reinstate,
        "leave": services.member_leave,
    }
    for step in steps:
        verbs[step](actor=network_admin, collectivity=member.collectivity, on=today)
    before = MemberChange.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError, match=message):
        verbs[change](actor=network_admin, collectivity=member.collectivity, on=today)
    assert (MemberChange.objects.count(), Event.objects.count()) == before


def test_a_change_is_dated_between_the_last_change_and_today(
    member: Member, network_admin: User
) -> None:
    today = timezone.localdate()
    for on in (today + dt.timedelta(days=1), today - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.member_suspend(actor=network_admin, collectivity=member.collectivity, on=on)
        assert "on" in exc.value.message_dict
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE


def test_a_former_member_comes_back_through_a_new_application(
    member: Member, network_admin: User, charter: Charter
) -> None:
    collectivity = member.collectivity
    past = timezone.localdate() - dt.timedelta(days=3)
    Member.objects.filter(pk=member.pk).update(joined_on=past - dt.timedelta(days=30))
    MemberChange.objects.filter(collectivity=collectivity).update(on=past - dt.timedelta(days=30))
    services.member_leave(actor=network_admin, collectivity=collectivity, on=past)
    collectivity.refresh_from_db()
    again = world.submit(collectivity, charter)
    back = services.application_accept(actor=network_admin, application=again)
    assert back.pk == member.pk and back.status == MemberStatus.ACTIVE
    assert back.joined_on == timezone.localdate()
    assert list(
        MemberChange.objects.filter(collectivity=collectivity)
        .order_by("on", "pk")
        .values_list("kind", flat=True)
    ) == ["joined", "left", "joined"]
    collectivity.refresh_from_db()
    assert collectivity.is_network_member


def test_a_member_by_flag_only_gets_its_record_on_its_first_change(
    collectivity_a: Collectivity, network_admin: User
) -> None:
    Collectivity.objects.filter(pk=collectivity_a.pk).update(joined_network_on=dt.date(2023, 1, 5))
    collectivity_a.refresh_from_db()
    services.member_suspend(
        actor=network_admin, collectivity=collectivity_a, on=timezone.localdate()
    )
    member = Member.objects.get(collectivity=collectivity_a)
    assert member.status == MemberStatus.SUSPENDED and member.joined_on == dt.date(2023, 1, 5)
    assert list(
        MemberChange.objects.filter(collectivity=collectivity_a)
        .order_by("on")
        .values_list("kind", "on")
    ) == [("joined", dt.date(2023, 1, 5)), ("suspended", timezone.localdate())]


def test_a_non_member_cannot_be_suspended(
    collectivity_b: Collectivity, network_admin: User
) -> None:
    with pytest.raises(ValidationError, match="not a member"):
        services.member_suspend(
            actor=network_admin, collectivity=collectivity_b, on=timezone.localdate()
        )
    assert not Member.objects.exists()


def test_contact_update_is_public_and_in_the_ledger(member: Member, network_admin: User) -> None:
    services.member_contact_update(
        actor=network_admin,
        collectivity=member.collectivity,
        name="New Focal",
        email="Public@Commune.ma",
        phone="0528 00 00 00",
    )
    member.refresh_from_db()
    assert selectors.public_contact(member) == {
        "name": "New Focal",
        "email": "public@commune.ma",
        "phone": "0528 00 00 00",
    }
    assert _actions(member)[-1] == "network.member.contact_updated"


# --- Inviting to apply ------------------------------------------------------------------------


def test_invitation_to_apply_is_signed_mailed_and_recorded(
    collectivity_b: Collectivity, network_admin: User
) -> None:
    link = services.application_invite(
        actor=network_admin, collectivity=collectivity_b, email="DGS@Commune.ma", language="fr"
    )
    assert "/fr/network/members/apply/?invitation=" in link
    token = link.split("invitation=", 1)[1]
    invitation = selectors.apply_invitation_read(token)
    assert invitation is not None
    assert (invitation.collectivity, invitation.email) == (collectivity_b, "dgs@commune.ma")
    mail = OutboundEmail.objects.get(to="dgs@commune.ma")
    assert link in mail.body
    assert _actions(collectivity_b) == ["network.application.invited"]
    assert selectors.apply_invitation_read(token[:-2] + "xx") is None


def test_no_invitation_to_apply_for_a_member(
    collectivity_a: Collectivity, network_admin: User
) -> None:
    with pytest.raises(ValidationError):
        services.application_invite(
            actor=network_admin, collectivity=collectivity_a, email="x@example.test", language="ar"
        )
    assert not OutboundEmail.objects.exists()
