"""Writes of collective-intelligence labs: the staff create labs, seed and moderate
statements; verified participants write statements and vote.

The opinion groups are never computed here. A change that alters the maths (a vote, a
moderation decision) bumps `Lab.revision` and, at most once every `RECOMPUTE_EVERY` per
lab, enqueues `tasks.lab_report_refresh` when the transaction commits. A change made
inside that window leaves the lab "dirty" (`revision > computed_revision`);
`labs_recompute_due` (run by `manage.py tick`) enqueues those once the window has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.lib.casework import require_text, too_long
from infitah.participation.labs.models import (
    DESCRIPTION_MAX,
    QUESTION_MAX,
    REASON_MAX,
    STATEMENT_MAX,
    Lab,
    Statement,
    StatementStatus,
    Vote,
    Voter,
)
from infitah.participation.labs.tasks import lab_report_refresh
from infitah.participation.models import Audience, Participant
from infitah.participation.services import (
    audience_error,
    audience_locked_error,
    eligibility_refusal,
)
from infitah.territories.models import Collectivity

# At most one recomputation enqueued per lab in this window (the sweep catches the rest).
RECOMPUTE_EVERY = timedelta(seconds=60)
# Statements one participant may write in one lab (pending and approved together).
STATEMENTS_PER_PARTICIPANT = 20
# Statements the staff may seed in one go.
SEED_BATCH_MAX = 200


class LabRefused(Exception):
    """The lab does not take this participant's contribution now (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LabClosed(LabRefused):
    """The lab is not open: nothing is accepted (HTTP 409)."""


class NotEligible(LabRefused):
    """The participant is not of the lab's audience (a lab of the network addressed to
    its members): nothing is accepted (HTTP 409)."""


def _require_eligible(lab: Lab, participant: Participant) -> None:
    refusal = eligibility_refusal(audience=lab.audience, participant=participant)
    if refusal is not None:
        raise NotEligible(refusal)


class StatementUnavailable(Exception):
    """No approved statement of this lab has this id (HTTP 404)."""


def closed_message(lab: Lab) -> str:
    if lab.is_upcoming:
        return _("This lab is not open yet.")
    return _("This lab is closed: it accepts no more votes or statements.")


def _require_open(lab: Lab) -> None:
    if not lab.is_open:
        raise LabClosed(closed_message(lab))


# ------------------------------------------------------------------------ recomputation


def _recompute_claim(lab_id: int, now: datetime) -> bool:
    """Claim the right to enqueue (compare-and-set: two processes never both win)."""
    return (
        Lab.objects.filter(pk=lab_id)
        .filter(
            Q(recompute_queued_at__isnull=True) | Q(recompute_queued_at__lte=now - RECOMPUTE_EVERY)
        )
        .update(recompute_queued_at=now)
        == 1
    )


def _enqueue_on_commit(lab_id: int) -> None:
    transaction.on_commit(lambda: lab_report_refresh.enqueue(lab_id))


def lab_changed(*, lab: Lab) -> None:
    """Mark the lab's report stale and enqueue its recomputation when allowed.

    Call inside the transaction of the change. The UPDATE locks the lab row until the
    transaction ends, which also serialises the allocation of voter numbers.
    """
    Lab.objects.filter(pk=lab.pk).update(revision=F("revision") + 1)
    now = timezone.now()
    queued = lab.recompute_queued_at
    if queued is not None and queued > now - RECOMPUTE_EVERY:
        return  # enqueued moments ago (as this copy of the lab knows): no query
    if _recompute_claim(lab.pk, now):
        lab.recompute_queued_at = now
        _enqueue_on_commit(lab.pk)


def labs_recompute_due(*, now: datetime | None = None) -> int:
    """Enqueue the recomputation of every lab whose report is stale and whose last
    enqueue is older than RECOMPUTE_EVERY (for `manage.py tick`). Returns how many."""
    now = now or timezone.now()
    due = Lab.objects.filter(revision__gt=F("computed_revision")).filter(
        Q(recompute_queued_at__isnull=True) | Q(recompute_queued_at__lte=now - RECOMPUTE_EVERY)
    )
    count = 0
    for lab_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            if _recompute_claim(lab_id, now):
                _enqueue_on_commit(lab_id)
                count += 1
    return count


@transaction.atomic
def lab_recompute_request(*, lab: Lab, actor: User) -> bool:
    """The staff ask for a recomputation now (still throttled). True if enqueued."""
    if _recompute_claim(lab.pk, timezone.now()):
        _enqueue_on_commit(lab.pk)
        event_record(
            obj=lab, action="labs.recompute_requested", actor=actor, collectivity=lab.collectivity
        )
        return True
    return False


# --------------------------------------------------------------------------------- labs


@dataclass
class LabInput:
    question_ar: str
    question_fr: str
    description_ar: str
    description_fr: str
    opens_at: datetime | None
    closes_at: datetime | None
    moderate_statements: bool
    # Audience.LOCAL everywhere but in the network's own space (a network audience).
    audience: str = Audience.LOCAL


def _has_contributions(lab: Lab) -> bool:
    return (
        lab.votes.exists()  # type: ignore[attr-defined]
        or Statement.objects.filter(lab=lab, author__isnull=False).exists()
    )


def _lab_clean(
    data: LabInput, collectivity: Collectivity, lab: Lab | None = None
) -> dict[str, Any]:
    """The lab's field values, or ValidationError naming each field in error. The
    audience is a network one in the network's own space and Audience.LOCAL elsewhere,
    and changes only while nobody has voted or written a statement."""
    errors: dict[str, str] = {}
    wrong_audience = audience_error(collectivity=collectivity, audience=data.audience)
    if wrong_audience is not None:
        errors["audience"] = wrong_audience
    elif lab is not None and lab.audience != data.audience and _has_contributions(lab):
        errors["audience"] = audience_locked_error()
    values: dict[str, str] = {}
    try:
        values["question_ar"] = require_text(
            data.question_ar,
            "question_ar",
            _("Write the question in Arabic."),
            max_length=QUESTION_MAX,
        )
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    for name, limit in (
        ("question_fr", QUESTION_MAX),
        ("description_ar", DESCRIPTION_MAX),
        ("description_fr", DESCRIPTION_MAX),
    ):
        text = str(getattr(data, name)).strip()
        if len(text) > limit:
            errors[name] = too_long(limit)
        elif "\x00" in text:
            errors[name] = _("This text contains a forbidden character.")
        values[name] = text
    if data.opens_at is None:
        errors["opens_at"] = _("Give the opening date and time.")
    if data.closes_at is None:
        errors["closes_at"] = _("Give the closing date and time.")
    elif data.opens_at is not None and data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The lab must close after it opens.")
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "opens_at": data.opens_at,
        "closes_at": data.closes_at,
        "moderate_statements": bool(data.moderate_statements),
        "audience": data.audience,
    }


@transaction.atomic
def lab_create(
    *, collectivity: Collectivity, actor: User | None, data: LabInput, seed: int | None = None
) -> Lab:
    """A new lab of `collectivity` (ValidationError per field on bad input). Its random
    seed is drawn now unless given, and never changes."""
    lab = Lab(collectivity=collectivity, created_by=actor, **_lab_clean(data, collectivity))
    if seed is not None:
        lab.seed = seed
    lab.save()
    event_record(
        obj=lab,
        action="labs.created",
        actor=actor,
        process="" if actor is not None else "labs",
        collectivity=collectivity,
    )
    return lab


@transaction.atomic
def lab_update(*, lab: Lab, actor: User, data: LabInput) -> Lab:
    """Change the question, description, dates or moderation of a lab (not its seed)."""
    for field, value in _lab_clean(data, lab.collectivity, lab).items():
        setattr(lab, field, value)
    lab.save()
    event_record(obj=lab, action="labs.updated", actor=actor, collectivity=lab.collectivity)
    return lab


# --------------------------------------------------------------------------- statements


def statement_text_clean(text: str, *, field: str = "text") -> str:
    """One statement's text: spaces collapsed, 1 to STATEMENT_MAX characters."""
    text = " ".join(str(text).split())
    if not text:
        raise ValidationError({field: _("Write the statement.")})
    if len(text) > STATEMENT_MAX:
        raise ValidationError({field: too_long(STATEMENT_MAX)})
    if "\x00" in text:
        raise ValidationError({field: _("This text contains a forbidden character.")})
    return text


def _duplicate(lab: Lab, text: str) -> bool:
    return Statement.objects.filter(lab=lab, text=text).exists()


@transaction.atomic
def statements_seed(*, lab: Lab, actor: User | None, texts: list[str]) -> list[Statement]:
    """The collectivity's own statements, approved at once. Every text is checked before
    any is saved; texts already in the lab (or repeated) are skipped."""
    if len(texts) > SEED_BATCH_MAX:
        raise ValidationError(
            {"texts": _("At most %(max)d statements at once.") % {"max": SEED_BATCH_MAX}}
        )
    cleaned: list[str] = []
    for number, raw in enumerate(texts, start=1):
        if not str(raw).strip():
            continue
        try:
            text = statement_text_clean(raw, field="texts")
        except ValidationError as exc:
            message = " ".join(exc.message_dict["texts"])
            raise ValidationError(
                {"texts": _("Line %(line)d: %(error)s") % {"line": number, "error": message}}
            ) from exc
        if text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise ValidationError({"texts": _("Write at least one statement.")})
    existing = set(
        Statement.objects.filter(lab=lab, text__in=cleaned).values_list("text", flat=True)
    )
    now = timezone.now()
    created = [
        Statement.objects.create(
            lab=lab,
            text=text,
            status=StatementStatus.APPROVED,
            is_seed=True,
            created_by=actor,
            moderated_at=now,
            moderated_by=actor,
        )
        for text in cleaned
        if text not in existing
    ]
    if created:
        event_record(
            obj=lab,
            action="labs.statements_seeded",
            actor=actor,
            process="" if actor is not None else "labs",
            collectivity=lab.collectivity,
            data={"count": len(created)},
        )
    return created


@transaction.atomic
def statement_submit(*, lab: Lab, participant: Participant, text: str) -> Statement:
    """A participant's statement: pending moderation when the lab moderates, approved
    otherwise. LabClosed outside the lab's dates, NotEligible for a participant outside
    its audience; ValidationError on bad text, a statement already in the lab, or past
    STATEMENTS_PER_PARTICIPANT."""
    _require_open(lab)
    _require_eligible(lab, participant)
    text = statement_text_clean(text)
    if _duplicate(lab, text):
        raise ValidationError({"text": _("This statement is already in the lab.")})
    if Statement.objects.filter(lab=lab, author=participant).count() >= STATEMENTS_PER_PARTICIPANT:
        raise ValidationError(
            {
                "text": _("You have already written %(max)d statements in this lab.")
                % {"max": STATEMENTS_PER_PARTICIPANT}
            }
        )
    status = StatementStatus.PENDING if lab.moderate_statements else StatementStatus.APPROVED
    statement = Statement.objects.create(
        lab=lab,
        text=text,
        status=status,
        author=participant,
        moderated_at=None if status == StatementStatus.PENDING else timezone.now(),
    )
    return statement


class ModerationNotAllowed(Exception):
    """The statement's status does not allow this decision (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Moderation: a pending statement is approved or rejected; an approved one may still be
# withdrawn (rejected: its votes leave the maths); a rejected one stays rejected.
MODERATION: dict[str, frozenset[str]] = {
    StatementStatus.PENDING: frozenset({StatementStatus.APPROVED, StatementStatus.REJECTED}),
    StatementStatus.APPROVED: frozenset({StatementStatus.REJECTED}),
    StatementStatus.REJECTED: frozenset(),
}


@transaction.atomic
def statement_moderate(
    *, statement: Statement, actor: User, approve: bool, reason: str = ""
) -> Statement:
    """Approve or reject (with a reason) a statement. Rejecting an approved statement
    takes its votes out of the next report."""
    locked = (
        Statement.objects.select_for_update()
        .select_related("lab__collectivity")
        .get(pk=statement.pk)
    )
    to = StatementStatus.APPROVED if approve else StatementStatus.REJECTED
    if to not in MODERATION[locked.status]:
        raise ModerationNotAllowed(_("This statement has already been moderated."))
    reason = reason.strip()
    if not approve:
        reason = require_text(
            reason, "reason", _("Give the reason of the rejection."), max_length=REASON_MAX
        )
    before = locked.status
    locked.status = to
    locked.rejection_reason = "" if approve else reason
    locked.moderated_at = timezone.now()
    locked.moderated_by = actor
    locked.save(update_fields=["status", "rejection_reason", "moderated_at", "moderated_by"])
    event_record(
        obj=locked,
        action="labs.statement_approved" if approve else "labs.statement_rejected",
        actor=actor,
        collectivity=locked.lab.collectivity,
        from_state=before,
        to_state=to,
        note=locked.rejection_reason,
    )
    if before == StatementStatus.APPROVED and locked.votes.exists():
        lab_changed(lab=locked.lab)
    return locked


# -------------------------------------------------------------------------------- votes


def vote_value_clean(value: object) -> int:
    """-1, 0 or 1 (also given as text); ValidationError otherwise."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 4:
        value = int(value.strip())
    if value not in (-1, 0, 1):
        raise ValidationError({"vote": _("A vote is agree (1), disagree (-1) or pass (0).")})
    return int(value)  # type: ignore[call-overload]


def _voter_ensure(lab: Lab, participant: Participant) -> Voter:
    """The participant's number in the lab, the next one on a first vote. The caller
    holds the lab row's lock (lab_changed), so two first votes never take one number."""
    voter = Voter.objects.filter(lab=lab, participant=participant).first()
    if voter is None:
        top = Voter.objects.filter(lab=lab).aggregate(top=Max("number"))["top"] or 0
        voter = Voter.objects.create(lab=lab, participant=participant, number=top + 1)
    return voter


@transaction.atomic
def vote_cast(
    *, lab: Lab, participant: Participant, statement_id: int, value: object
) -> tuple[Vote, bool]:
    """Record the participant's vote on an approved statement of an open lab, or change
    it. Returns (vote, created). ValidationError on a bad value, LabClosed outside the
    dates, NotEligible for a participant outside the lab's audience,
    StatementUnavailable for an unknown, pending or rejected statement.

    Never computes the report: it marks the lab stale and may enqueue the task."""
    clean = vote_value_clean(value)
    _require_open(lab)
    _require_eligible(lab, participant)
    statement = (
        Statement.objects.approved().filter(lab=lab, pk=statement_id).only("pk", "lab_id").first()
    )
    if statement is None:
        raise StatementUnavailable
    existing = Vote.objects.filter(statement=statement, participant=participant).first()
    if existing is not None and existing.value == clean:
        return existing, False
    # From here the lab row is locked until commit: the checks below cannot race.
    lab_changed(lab=lab)
    _voter_ensure(lab, participant)
    if existing is None:
        # Read again under the lock: a concurrent first vote may have committed since.
        existing = Vote.objects.filter(statement=statement, participant=participant).first()
    if existing is None:
        vote = Vote.objects.create(
            lab=lab, statement=statement, participant=participant, value=clean
        )
        return vote, True
    existing.value = clean
    existing.save(update_fields=["value", "updated_at"])
    return existing, False
