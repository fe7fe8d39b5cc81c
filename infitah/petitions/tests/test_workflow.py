"""Every state × every action through the services, and what each transition writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.numbering.services import number_peek
from infitah.petitions import services
from infitah.petitions.models import Petition
from infitah.petitions.services import ThresholdNotMet, TransitionNotAllowed
from infitah.petitions.tests.conftest import AGENT_EMAIL, petition_input
from infitah.petitions.workflow import TRANSITIONS, Action, Status, is_allowed

CHECKLIST_OK = {"competence": True, "signatures": True, "documents": True}


def _act(petition: Petition, action: Action, bureau) -> Petition:
    if action == Action.CONFIRM_AGENT:
        return services.petition_confirm_agent(petition=petition)
    if action == Action.LODGE:
        return services.petition_lodge(petition=petition)
    if action == Action.REVIEW:
        return services.petition_review_start(petition=petition, actor=bureau)
    if action == Action.ACCEPT:
        return services.petition_accept(
            petition=petition, actor=bureau, checklist=CHECKLIST_OK, note=""
        )
    if action == Action.SCHEDULE:
        return services.petition_schedule(
            petition=petition, actor=bureau, session_date=date(2026, 10, 5), session_title="Oct"
        )
    if action == Action.DECIDE:
        return services.petition_decide(petition=petition, actor=bureau, decision_ar="قرار")
    if action == Action.REJECT:
        return services.petition_reject(petition=petition, actor=bureau, reasons="Not competent.")
    return services.petition_withdraw(petition=petition)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(Status))
def test_every_state_and_action(state, action, make_petition, bureau_a, sign):
    petition = make_petition(state)
    assert petition.status == state
    if action == Action.LODGE and state == Status.COLLECTING:
        sign(petition, 2)
    if is_allowed(state, action):
        after = _act(petition, action, bureau_a)
        assert after.status == TRANSITIONS[action].target
        assert Petition.objects.get(pk=petition.pk).status == after.status
        assert Event.objects.filter(
            object_id=str(petition.pk), action=f"petitions.{action.value}"
        ).exists()
    else:
        with pytest.raises(TransitionNotAllowed):
            _act(petition, action, bureau_a)
        assert Petition.objects.get(pk=petition.pk).status == state


def test_draft_sends_the_confirmation_link_and_the_private_link(collectivity_a, low_threshold):
    petition, token = services.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language="fr"
    )
    assert petition.status == Status.DRAFT
    mail = OutboundEmail.objects.get(to=AGENT_EMAIL)
    assert token in mail.body
    assert services.petition_by_manage_token(token) == petition
    assert services.petition_by_manage_token("nope") is None
    assert services.petition_by_manage_token("x" * 500) is None
    confirm = next(
        line.strip().rstrip("/").rsplit("/", 1)[-1]
        for line in mail.body.splitlines()
        if "://" in line
    )
    assert services.petition_by_confirm_token(confirm) == petition
    services.petition_confirm_agent(petition=petition)
    # The confirmation link works once.
    assert services.petition_by_confirm_token(confirm) is None
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING
    assert petition.collecting_since is not None
    assert petition.manage_digest != token  # stored hashed


def test_lodging_numbers_opens_the_clock_and_notifies(make_petition, collectivity_a):
    petition = make_petition(Status.LODGED)
    today = timezone.localdate()
    assert petition.reference == f"PET-{today.year}-COMMUNE-A-000001"
    assert number_peek(collectivity=collectivity_a, series="petition", year=today.year) == 1
    assert petition.lodged_on == today
    deadline = Deadline.objects.get(subject_type="petitions.petition", subject_id=str(petition.pk))
    assert deadline.limit.code == "petition.decision.commune"
    assert deadline.due_date == petition.decision_due
    # Communes: three calendar months.
    assert today + timedelta(days=88) <= petition.decision_due <= today + timedelta(days=92)
    assert petition.confirmed_at_lodging == 2
    assert petition.threshold_at_lodging == 2
    subjects = list(OutboundEmail.objects.filter(to=AGENT_EMAIL).values_list("subject", flat=True))
    with translation.override(petition.language):
        lodged = translation.gettext("%(reference)s: petition lodged")
    assert lodged % {"reference": petition.reference} in subjects


def test_lodging_below_the_threshold_is_refused_with_the_shortfall(make_petition, sign):
    petition = make_petition(Status.COLLECTING)
    sign(petition, 1)
    with pytest.raises(ThresholdNotMet) as exc:
        services.petition_lodge(petition=petition)
    assert "1" in exc.value.message and "2" in exc.value.message
    assert Petition.objects.get(pk=petition.pk).status == Status.COLLECTING


def test_decision_and_rejection_close_the_clock(make_petition):
    decided = make_petition(Status.DELIBERATED)
    rejected = make_petition(Status.REJECTED)
    for petition in (decided, rejected):
        deadline = Deadline.objects.get(
            subject_id=str(petition.pk), subject_type="petitions.petition"
        )
        assert deadline.status == DeadlineStatus.MET
        assert petition.closed_at is not None
        assert petition.final_confirmed == 2
    assert decided.decision_fr == "Adopté"


def test_withdrawal_after_lodging_cancels_the_clock(make_petition):
    petition = make_petition(Status.LODGED)
    services.petition_withdraw(petition=petition)
    deadline = Deadline.objects.get(subject_id=str(petition.pk), subject_type="petitions.petition")
    assert deadline.status == DeadlineStatus.CANCELLED
    petition.refresh_from_db()
    assert petition.status == Status.WITHDRAWN
    assert petition.withdrawn_on == timezone.localdate()


def test_rejection_needs_reasons_and_tells_the_agent(make_petition, bureau_a):
    petition = make_petition(Status.BUREAU_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.petition_reject(petition=petition, actor=bureau_a, reasons="  ")
    assert "reasons" in exc.value.message_dict
    services.petition_reject(
        petition=petition, actor=bureau_a, reasons="La demande sort des compétences."
    )
    mail = OutboundEmail.objects.filter(to=AGENT_EMAIL).order_by("-pk").first()
    with translation.override(petition.language):
        rejected = translation.gettext("%(reference)s: petition rejected")
    assert mail.subject == rejected % {"reference": petition.reference}
    assert "La demande sort des compétences." in mail.body


def test_accepting_needs_every_checklist_item(make_petition, bureau_a):
    petition = make_petition(Status.BUREAU_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.petition_accept(
            petition=petition, actor=bureau_a, checklist={"competence": True}, note=""
        )
    message = exc.value.message_dict["checklist"][0]
    assert "signatures" in message.lower() and "documents" in message.lower()
    services.petition_accept(petition=petition, actor=bureau_a, checklist=CHECKLIST_OK, note="ok")
    petition.refresh_from_db()
    assert petition.checklist == {**CHECKLIST_OK, "association": True}


def test_association_item_is_required_for_an_association(make_petition, bureau_a, collectivity_a):
    founded = timezone.localdate() - timedelta(days=365 * 5)
    petition = make_petition(
        Status.BUREAU_REVIEW,
        petitioner_kind="association",
        association_name="Association Al Amal",
        association_founded_on=founded,
        association_seat="commune-a",
        association_good_standing=True,
        association_object="Environnement",
        association_object_related=True,
    )
    with pytest.raises(ValidationError):
        services.petition_accept(petition=petition, actor=bureau_a, checklist=CHECKLIST_OK)


def test_schedule_needs_a_session(make_petition, bureau_a):
    petition = make_petition(Status.ACCEPTED)
    with pytest.raises(ValidationError) as exc:
        services.petition_schedule(
            petition=petition, actor=bureau_a, session_date=None, session_title=""
        )
    assert set(exc.value.message_dict) == {"session_date", "session_title"}
    services.petition_schedule(
        petition=petition, actor=bureau_a, session_date=date(2026, 10, 6), session_title="Oct"
    )
    # Rescheduling (a postponed session) is allowed.
    services.petition_schedule(
        petition=petition, actor=bureau_a, session_date=date(2026, 10, 20), session_title="Oct 2"
    )
    petition.refresh_from_db()
    assert (petition.session_date, petition.status) == (date(2026, 10, 20), Status.SCHEDULED)


def test_decision_needs_a_text(make_petition, bureau_a):
    petition = make_petition(Status.SCHEDULED)
    with pytest.raises(ValidationError):
        services.petition_decide(petition=petition, actor=bureau_a, decision_ar="", decision_fr="")


def test_every_transition_notifies_the_agent_once(make_petition):
    petition = make_petition(Status.DELIBERATED)
    subjects = list(
        OutboundEmail.objects.filter(to=AGENT_EMAIL)
        .order_by("pk")
        .values_list("subject", flat=True)
    )
    ref = {"reference": petition.reference}
    with translation.override(petition.language):
        expected = [
            translation.gettext("Confirm your e-mail to open your petition to signatures"),
            translation.gettext("Your petition is open to signatures"),
            translation.gettext("%(reference)s: petition lodged") % ref,
            translation.gettext("%(reference)s: under review by the council bureau") % ref,
            translation.gettext("%(reference)s: petition accepted") % ref,
            translation.gettext("%(reference)s: placed on the agenda of a session") % ref,
            translation.gettext("%(reference)s: the council has deliberated") % ref,
        ]
    assert subjects == expected
    keys = list(OutboundEmail.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_bureau_actions_of_another_collectivity_are_refused(make_petition, charlie):
    petition = make_petition(Status.LODGED)
    with pytest.raises(PermissionDenied):
        services.petition_review_start(petition=petition, actor=charlie)
    with pytest.raises(PermissionDenied):
        services.petition_withdraw(petition=petition, actor=charlie)
    assert Petition.objects.get(pk=petition.pk).status == Status.LODGED


def test_paper_registration(collectivity_a, bureau_a, charlie):
    received = timezone.localdate() - timedelta(days=3)
    petition = services.petition_register_paper(
        collectivity=collectivity_a,
        data=petition_input(agent_email="", agent_phone=""),
        actor=bureau_a,
        lodged_on=received,
    )
    assert petition.status == Status.LODGED
    assert petition.channel == "paper"
    assert petition.lodged_on == received
    assert petition.reference.startswith(f"PET-{received.year}-")
    assert petition.threshold_at_lodging == 200  # below it: the checklist shows it
    deadline = Deadline.objects.get(subject_id=str(petition.pk), subject_type="petitions.petition")
    assert deadline.start_date == received
    with pytest.raises(PermissionDenied):
        services.petition_register_paper(
            collectivity=collectivity_a, data=petition_input(), actor=charlie
        )
    with pytest.raises(ValidationError) as exc:
        services.petition_register_paper(
            collectivity=collectivity_a,
            data=petition_input(),
            actor=bureau_a,
            lodged_on=timezone.localdate() + timedelta(days=1),
        )
    assert "lodged_on" in exc.value.message_dict


def test_paper_registration_needs_some_contact(collectivity_a, bureau_a):
    with pytest.raises(ValidationError) as exc:
        services.petition_register_paper(
            collectivity=collectivity_a,
            data=petition_input(agent_email="", agent_phone="", agent_address=""),
            actor=bureau_a,
        )
    assert "agent_address" in exc.value.message_dict or "agent_email" in exc.value.message_dict
