"""Writes of public consultations: every change goes through one of these functions, in
one transaction with its ledger event.

Two kinds of refusal: `ValidationError` (bad input, one message per field: HTTP 400, the
form shown again) and `NotAllowed` (the calendar or the comment's state does not allow
it now: HTTP 409, a message on the page). Either way nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.lib.casework import require_text, too_long
from infitah.participation.consultations.models import (
    COMMENT_MAX,
    REASON_NOTE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Comment,
    Consultation,
    Section,
    Stance,
)
from infitah.participation.consultations.workflow import (
    TRANSITIONS,
    CommentStatus,
    Kind,
    Moderation,
    ModerationAction,
    Phase,
    RejectionReason,
    StanceValue,
    is_allowed,
)
from infitah.participation.models import Audience, Participant
from infitah.participation.services import (
    audience_error,
    audience_locked_error,
    eligibility_refusal,
)
from infitah.territories.models import Collectivity

# A participant who sends the same text twice on the same section within this time
# (a double click, a resent form) gets the first comment back, not a second one.
DUPLICATE_WINDOW = timedelta(minutes=10)
WITHDRAW = "withdraw"


class NotAllowed(Exception):
    """The consultation's calendar or a comment's state does not allow this now (409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ConsultationInput:
    kind: str = Kind.OTHER
    title_ar: str = ""
    title_fr: str = ""
    description_ar: str = ""
    description_fr: str = ""
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    moderation: str = Moderation.PRE
    # Audience.LOCAL everywhere but in the network's own space (a network audience).
    audience: str = Audience.LOCAL


def _check_text(errors: dict[str, str], name: str, value: str, limit: int) -> str:
    value = value.strip()
    if "\x00" in value:
        errors[name] = _("This text contains a forbidden character.")
    elif len(value) > limit:
        errors[name] = too_long(limit)
    return value


def _clean_consultation(data: ConsultationInput, collectivity: Collectivity) -> dict[str, Any]:
    errors: dict[str, str] = {}
    wrong_audience = audience_error(collectivity=collectivity, audience=data.audience)
    if wrong_audience is not None:
        errors["audience"] = wrong_audience
    clean: dict[str, Any] = {
        name: _check_text(errors, name, getattr(data, name), limit)
        for name, limit in (
            ("title_ar", TITLE_MAX),
            ("title_fr", TITLE_MAX),
            ("description_ar", TEXT_MAX),
            ("description_fr", TEXT_MAX),
        )
    }
    if not (clean["title_ar"] or clean["title_fr"]) and "title_ar" not in errors:
        errors["title_ar"] = _("Give the title in Arabic or in French.")
    if data.kind not in Kind.values:
        errors["kind"] = _("Choose the kind of draft from the list.")
    if data.moderation not in Moderation.values:
        errors["moderation"] = _("Choose the moderation from the list.")
    if data.opens_at is None:
        errors["opens_at"] = _("Give the opening date and time.")
    if data.closes_at is None:
        errors["closes_at"] = _("Give the closing date and time.")
    elif data.opens_at is not None and data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The consultation must close after it opens.")
    if errors:
        raise ValidationError(errors)
    clean.update(
        audience=data.audience,
        kind=data.kind,
        moderation=data.moderation,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
    )
    return clean


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


def _locked(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("collectivity")
        .get(pk=consultation.pk)
    )


@transaction.atomic
def consultation_create(
    *, collectivity: Collectivity, actor: User, data: ConsultationInput
) -> Consultation:
    """Create a consultation of `collectivity`; its sections are added next
    (`section_save`). It must close in the future; its audience is that of a network
    item in the network's own space, Audience.LOCAL elsewhere (`audience_error`)."""
    clean = _clean_consultation(data, collectivity)
    if clean["closes_at"] <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date must be in the future.")})
    consultation = Consultation.objects.create(
        collectivity=collectivity, created_by=actor, created_at=timezone.now(), **clean
    )
    event_record(
        obj=consultation,
        action="consultations.created",
        actor=actor,
        collectivity=collectivity,
        data={
            "opens_at": clean["opens_at"].isoformat(),
            "closes_at": clean["closes_at"].isoformat(),
            "audience": clean["audience"],
        },
    )
    return consultation


@transaction.atomic
def consultation_update(
    *, consultation: Consultation, actor: User, data: ConsultationInput
) -> Consultation:
    """Change a consultation that has not closed yet.

    Once it is open its opening stays as it was and its closing may move, but not into
    the past (closing early is allowed: set it to a time to come). After closing
    nothing changes but the synthesis and the responses (`synthesis_save`). The
    audience changes only while nobody has commented or taken a stance.
    """
    locked = _locked(consultation)
    now = timezone.now()
    phase = locked.phase(now)
    if phase == Phase.CLOSED:
        raise NotAllowed(_("This consultation is closed: it can no longer be changed."))
    clean = _clean_consultation(data, locked.collectivity)
    if clean["audience"] != locked.audience and _has_contributions(locked):
        raise ValidationError({"audience": audience_locked_error()})
    if phase == Phase.OPEN:
        # Forms give minutes: the same minute is the same opening (seconds kept).
        if _minute(clean["opens_at"]) != _minute(locked.opens_at):
            raise ValidationError(
                {"opens_at": _("The consultation is open: its opening can no longer change.")}
            )
        clean["opens_at"] = locked.opens_at
    if clean["closes_at"] <= now:
        raise ValidationError({"closes_at": _("The closing date must be in the future.")})
    before = {"opens_at": locked.opens_at.isoformat(), "closes_at": locked.closes_at.isoformat()}
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    for name in clean:
        setattr(consultation, name, getattr(locked, name))
    event_record(
        obj=locked,
        action="consultations.updated",
        actor=actor,
        collectivity=locked.collectivity,
        data={
            "before": before,
            "after": {
                "opens_at": locked.opens_at.isoformat(),
                "closes_at": locked.closes_at.isoformat(),
            },
        },
    )
    return locked


@transaction.atomic
def consultation_close(*, consultation: Consultation, actor: User) -> Consultation:
    """Close an open consultation now, before its planned closing; the ledger keeps the
    planned date."""
    locked = _locked(consultation)
    now = timezone.now()
    if locked.phase(now) != Phase.OPEN:
        raise NotAllowed(_("Only an open consultation can be closed early."))
    planned = locked.closes_at
    locked.closes_at = now
    locked.save(update_fields=["closes_at"])
    consultation.closes_at = now
    event_record(
        obj=locked,
        action="consultations.closed",
        actor=actor,
        collectivity=locked.collectivity,
        data={"planned": planned.isoformat()},
    )
    return locked


def _has_contributions(consultation: Consultation) -> bool:
    return (
        Comment.objects.filter(consultation=consultation).exists()
        or Stance.objects.filter(consultation=consultation).exists()
    )


def section_has_reactions(section: Section) -> bool:
    return (
        Comment.objects.filter(section=section).exists()
        or Stance.objects.filter(section=section).exists()
    )


@transaction.atomic
def section_save(
    *,
    consultation: Consultation,
    actor: User,
    title_ar: str,
    title_fr: str,
    body_ar: str,
    body_fr: str,
    order: int | None = None,
    section: Section | None = None,
) -> Section:
    """Add a section (no `section`) or change one.

    Allowed until the consultation closes; a section that has received comments or
    stances keeps its text (they answer that text), only its order may change.
    """
    locked = _locked(consultation)
    if locked.phase() == Phase.CLOSED:
        raise NotAllowed(_("This consultation is closed: its sections can no longer change."))
    if section is not None and section.consultation_id != locked.pk:
        raise ValidationError({"section": _("Choose a section of this consultation.")})
    errors: dict[str, str] = {}
    values = {
        "title_ar": _check_text(errors, "title_ar", title_ar, TITLE_MAX),
        "title_fr": _check_text(errors, "title_fr", title_fr, TITLE_MAX),
        "body_ar": _check_text(errors, "body_ar", body_ar, TEXT_MAX),
        "body_fr": _check_text(errors, "body_fr", body_fr, TEXT_MAX),
    }
    if not (values["title_ar"] or values["title_fr"]) and "title_ar" not in errors:
        errors["title_ar"] = _("Give the title in Arabic or in French.")
    if not (values["body_ar"] or values["body_fr"]) and "body_ar" not in errors:
        errors["body_ar"] = _("Give the text in Arabic or in French.")
    if order is not None and not 1 <= order <= 999:
        errors["order"] = _("Give a number from 1 to 999.")
    if errors:
        raise ValidationError(errors)
    if order is None:
        order = (section.order if section is not None else 0) or (
            locked.sections.count() + 1  # type: ignore[attr-defined]
        )
    if section is not None and section_has_reactions(section):
        unchanged = all(getattr(section, name) == value for name, value in values.items())
        if not unchanged:
            raise NotAllowed(
                _("Participants have reacted to this section: its text can no longer change.")
            )
    target = section or Section(consultation=locked)
    for name, value in values.items():
        setattr(target, name, value)
    target.order = order
    target.save()
    event_record(
        obj=locked,
        action="consultations.section_saved",
        actor=actor,
        collectivity=locked.collectivity,
        data={"section": target.pk, "created": section is None},
    )
    return target


@transaction.atomic
def section_delete(*, section: Section, actor: User) -> None:
    """Delete a section nobody has reacted to, before the consultation closes."""
    locked = _locked(section.consultation)
    if locked.phase() == Phase.CLOSED:
        raise NotAllowed(_("This consultation is closed: its sections can no longer change."))
    if section_has_reactions(section):
        raise NotAllowed(_("Participants have reacted to this section: it cannot be deleted."))
    pk = section.pk
    section.delete()
    event_record(
        obj=locked,
        action="consultations.section_deleted",
        actor=actor,
        collectivity=locked.collectivity,
        data={"section": pk},
    )


def _require_open(consultation: Consultation, *, now: dt.datetime | None = None) -> None:
    phase = consultation.phase(now)
    if phase == Phase.UPCOMING:
        raise NotAllowed(_("This consultation is not open yet."))
    if phase == Phase.CLOSED:
        raise NotAllowed(_("This consultation is closed: it no longer accepts contributions."))


def _require_verified(participant: Participant) -> None:
    if participant.verified_at is None:
        raise NotAllowed(_("Confirm your e-mail address before taking part."))


def _require_eligible(consultation: Consultation, participant: Participant) -> None:
    """NotAllowed for a participant outside the consultation's audience (an item of the
    network addressed to its members takes only those who speak for a member)."""
    refusal = eligibility_refusal(audience=consultation.audience, participant=participant)
    if refusal is not None:
        raise NotAllowed(refusal)


@transaction.atomic
def comment_post(
    *, section: Section, participant: Participant, text: str, parent: Comment | None = None
) -> Comment:
    """A verified participant comments on a section, or replies to a published comment
    of it (one level of replies).

    Published at once under "post" moderation; waits for a moderator under "pre".
    The same text sent again by the same participant on the same spot within
    DUPLICATE_WINDOW returns the first comment. NotAllowed for a participant outside
    the consultation's audience (nothing is recorded).
    """
    consultation = section.consultation
    _require_verified(participant)
    _require_open(consultation)
    _require_eligible(consultation, participant)
    text = require_text(text, "text", _("Write your comment."), max_length=COMMENT_MAX)
    if parent is not None:
        if parent.section_id != section.pk or parent.status != CommentStatus.PUBLISHED:
            raise ValidationError({"parent": _("Reply to a published comment of this section.")})
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("Reply to the comment itself, not to a reply.")})
    now = timezone.now()
    earlier = Comment.objects.filter(
        section=section,
        participant=participant,
        parent=parent,
        text=text,
        created_at__gte=now - DUPLICATE_WINDOW,
    ).first()
    if earlier is not None:
        return earlier
    status = (
        CommentStatus.PUBLISHED
        if consultation.moderation == Moderation.POST
        else CommentStatus.PENDING
    )
    comment = Comment.objects.create(
        consultation=consultation,
        section=section,
        parent=parent,
        participant=participant,
        text=text,
        status=status,
        created_at=now,
    )
    event_record(
        obj=comment,
        action="consultations.comment_posted",
        process="participant",
        collectivity=consultation.collectivity,
        to_state=status,
        data={"section": section.pk, "parent": parent.pk if parent is not None else None},
    )
    return comment


@transaction.atomic
def comment_moderate(
    *, comment: Comment, actor: User, action: str, reason: str = "", note: str = ""
) -> Comment:
    """Approve, reject (pre-moderation) or hide (post-moderation) a comment.

    Rejecting and hiding need a reason code (shown to the author, with the optional
    note); approving clears them. Allowed whatever the calendar.
    """
    try:
        move = ModerationAction(action)
    except ValueError as exc:
        raise ValidationError({"action": _("Unknown moderation action.")}) from exc
    _sources, to, needs_reason = TRANSITIONS[move]
    note = note.strip()
    if needs_reason:
        errors: dict[str, str] = {}
        if reason not in RejectionReason.values:
            errors["reason"] = _("Choose the reason from the list.")
        if len(note) > REASON_NOTE_MAX:
            errors["note"] = too_long(REASON_NOTE_MAX)
        elif "\x00" in note:
            errors["note"] = _("This text contains a forbidden character.")
        if errors:
            raise ValidationError(errors)
    else:
        reason, note = "", ""
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation__collectivity")
        .get(pk=comment.pk)
    )
    if not is_allowed(locked.status, move):
        raise NotAllowed(
            _("This comment is “%(status)s”: this action is not possible now.")
            % {"status": locked.get_status_display()}
        )
    before = locked.status
    locked.status, locked.reason, locked.reason_note = to, reason, note
    locked.moderated_at, locked.moderated_by = timezone.now(), actor
    locked.save(update_fields=["status", "reason", "reason_note", "moderated_at", "moderated_by"])
    for name in ("status", "reason", "reason_note", "moderated_at", "moderated_by"):
        setattr(comment, name, getattr(locked, name))
    event_record(
        obj=locked,
        action=f"consultations.{move.value}",
        actor=actor,
        collectivity=locked.consultation.collectivity,
        from_state=before,
        to_state=to,
        data={"reason": reason} if reason else {},
    )
    return locked


@transaction.atomic
def stance_set(*, section: Section, participant: Participant, value: str) -> Stance | None:
    """Support or oppose a section (one stance per participant and section), change it,
    or withdraw it (`value` "withdraw"); only while the consultation is open, and only
    for a participant of its audience."""
    consultation = section.consultation
    _require_verified(participant)
    if value not in (*StanceValue.values, WITHDRAW):
        raise ValidationError({"value": _("Choose to support or to oppose.")})
    _require_open(consultation)
    _require_eligible(consultation, participant)
    now = timezone.now()
    existing = (
        Stance.objects.select_for_update().filter(section=section, participant=participant).first()
    )
    before = existing.value if existing is not None else ""
    if value == WITHDRAW:
        if existing is not None:
            existing.delete()
        stance = None
    elif existing is not None:
        if existing.value != value:
            existing.value, existing.updated_at = value, now
            existing.save(update_fields=["value", "updated_at"])
        stance = existing
    else:
        try:
            # Two requests of one participant at once: the unique constraint keeps one.
            with transaction.atomic():
                stance = Stance.objects.create(
                    consultation=consultation,
                    section=section,
                    participant=participant,
                    value=value,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            stance = Stance.objects.get(section=section, participant=participant)
            stance.value, stance.updated_at = value, now
            stance.save(update_fields=["value", "updated_at"])
    after = stance.value if stance is not None else ""
    if after != before:
        event_record(
            obj=section,
            action="consultations.stance_set",
            process="participant",
            collectivity=consultation.collectivity,
            from_state=before,
            to_state=after,
        )
    return stance


def _synthesis_write(
    *,
    consultation: Consultation,
    actor: User,
    synthesis_ar: str,
    synthesis_fr: str,
    responses: dict[int, tuple[str, str]],
    publish: bool,
) -> Consultation:
    locked = _locked(consultation)
    if locked.phase() != Phase.CLOSED:
        raise NotAllowed(_("The synthesis is written once the consultation has closed."))
    errors: dict[str, str] = {}
    synthesis_ar = _check_text(errors, "synthesis_ar", synthesis_ar, TEXT_MAX)
    synthesis_fr = _check_text(errors, "synthesis_fr", synthesis_fr, TEXT_MAX)
    if publish and not (synthesis_ar or synthesis_fr) and not errors:
        errors["synthesis_ar"] = _("Write the synthesis in Arabic or in French.")
    sections = {s.pk: s for s in locked.sections.all()}  # type: ignore[attr-defined]
    clean: dict[int, tuple[str, str]] = {}
    for pk, (text_ar, text_fr) in responses.items():
        if pk not in sections:
            errors["responses"] = _("Choose a section of this consultation.")
            continue
        clean[pk] = (
            _check_text(errors, f"response_ar_{pk}", text_ar, TEXT_MAX),
            _check_text(errors, f"response_fr_{pk}", text_fr, TEXT_MAX),
        )
    if errors:
        raise ValidationError(errors)
    for pk, (text_ar, text_fr) in clean.items():
        section = sections[pk]
        if (section.response_ar, section.response_fr) != (text_ar, text_fr):
            section.response_ar, section.response_fr = text_ar, text_fr
            section.save(update_fields=["response_ar", "response_fr"])
    first_publication = publish and locked.synthesis_published_at is None
    locked.synthesis_ar, locked.synthesis_fr = synthesis_ar, synthesis_fr
    if first_publication:
        locked.synthesis_published_at = timezone.now()
    locked.save(update_fields=["synthesis_ar", "synthesis_fr", "synthesis_published_at"])
    for name in ("synthesis_ar", "synthesis_fr", "synthesis_published_at"):
        setattr(consultation, name, getattr(locked, name))
    event_record(
        obj=locked,
        action="consultations.synthesis_published"
        if first_publication
        else "consultations.synthesis_saved",
        actor=actor,
        collectivity=locked.collectivity,
        data={"published": locked.synthesis_published_at is not None},
    )
    return locked


@transaction.atomic
def synthesis_save(
    *,
    consultation: Consultation,
    actor: User,
    synthesis_ar: str,
    synthesis_fr: str,
    responses: dict[int, tuple[str, str]],
) -> Consultation:
    """Save the synthesis and the responses per section (`{section id: (ar, fr)}`) of a
    closed consultation. Not public until `synthesis_publish`; once published, a save
    changes the public text at once."""
    return _synthesis_write(
        consultation=consultation,
        actor=actor,
        synthesis_ar=synthesis_ar,
        synthesis_fr=synthesis_fr,
        responses=responses,
        publish=False,
    )


@transaction.atomic
def synthesis_publish(
    *,
    consultation: Consultation,
    actor: User,
    synthesis_ar: str,
    synthesis_fr: str,
    responses: dict[int, tuple[str, str]],
) -> Consultation:
    """Save and publish the synthesis and the responses of a closed consultation (a
    synthesis in one language at least). The ledger records the first publication."""
    return _synthesis_write(
        consultation=consultation,
        actor=actor,
        synthesis_ar=synthesis_ar,
        synthesis_fr=synthesis_fr,
        responses=responses,
        publish=True,
    )
