"""Co-creation: workshops, proposals (problems and proposed solutions), their comments
and supports, moderation, grouping duplicates, and turning retained proposals into draft
commitments that keep the link to them ("your proposal became commitment 3").

Who may do what:

- staff (Perm.OPENPLAN_MANAGE, `core.require`) hold the workshops, record on-site
  contributions, group duplicates and make commitments, while the programme is in
  co-creation (`COCREATION`: drafting or under consultation on the draft); moderation
  (hide / restore) is open in every state: an abusive text must be removable even after
  adoption;
- a verified participant proposes in a workshop while its online window is open (the
  calendar: `Workshop.is_open`), and comments on and supports published proposals while
  the programme is in co-creation (an on-site proposal can be supported online too).

Two kinds of refusal, as in the consultations: `ValidationError` with a message per
field (bad input: the form again, 400) and `NotAllowed` (the calendar, the programme's
state or the proposal's state does not allow it now: 409, a message on the page). Either way
nothing is written. Every write runs in one transaction with a ledger event
(`openplan.<action>`, `core.record`) and marks the public page updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.cases.notify import SIGNATURE, site_url
from infitah.lib.casework import site_language
from infitah.lib.cleaning import Errors, clean_pair, clean_text, raise_errors
from infitah.notifications.services import email_queue
from infitah.openplan.models import (
    COMMENT_MAX,
    NAME_MAX,
    PROPOSAL_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Axis,
    Commitment,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.services import core
from infitah.openplan.workflow import ProposalKind, ProposalStatus, Status, WorkshopMode
from infitah.participation.models import Participant

# The programme states in which co-creation goes on (proposals, grouping, commitments
# drawn from proposals).
COCREATION = frozenset({Status.DRAFTING, Status.CONSULTING})
# A participant who sends the same text twice in the same place within this time (a
# double click, a resent form) gets the first one back, not a second one.
DUPLICATE_WINDOW = timedelta(minutes=10)
REASON_MAX = 500
PARTICIPANTS_MAX = 100_000


class NotAllowed(Exception):
    """The calendar, the programme's state or the proposals' grouping does not allow
    this now (the pages answer 409 with the message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- shared checks ---------------------------------------------------------------------


def _require_cocreation(programme: Programme) -> None:
    if programme.status not in COCREATION:
        raise NotAllowed(
            _("The co-creation of this programme is over: its proposals can no longer change.")
        )


def _require_verified(participant: Participant) -> None:
    if not participant.is_verified:
        raise NotAllowed(_("Confirm your e-mail address before taking part."))


def _clean_moment(errors: Errors, data: Mapping[str, Any], name: str) -> dt.datetime | None:
    """`data[name]` as an aware datetime (a datetime, or ISO 8601 text); naive values are
    read in the site's time zone."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = _("Enter a valid date and time.")
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _axis_of(programme: Programme, value: Any) -> Axis | None:
    """`value` (an Axis, its pk, or empty) as one of the programme's axes; ValueError
    when it names none of them."""
    if value is None or value == "":
        return None
    if isinstance(value, Axis):
        if value.programme_id != programme.pk:
            raise ValueError(value)
        return value
    raw = str(value).strip()
    found = (
        Axis.objects.filter(programme=programme, pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 10
        else None
    )
    if found is None:
        raise ValueError(value)
    return found


def _proposal_axis(workshop: Workshop, value: Any) -> Axis | None:
    """The axis of a proposal made in `workshop`: the workshop's own axis (another one is
    refused), else one of the programme's axes (required when the programme has some)."""
    programme = workshop.programme
    try:
        axis = _axis_of(programme, value)
    except ValueError:
        raise ValidationError({"axis": _("Choose one of the programme's axes.")}) from None
    if workshop.axis_id is not None:
        if axis is not None and axis.pk != workshop.axis_id:
            raise ValidationError({"axis": _("This workshop is about another axis.")})
        return workshop.axis
    if axis is None and programme.axes.exists():
        raise ValidationError({"axis": _("Choose one of the programme's axes.")})
    return axis


def _clean_proposal(data: Mapping[str, Any]) -> tuple[str, str]:
    errors: Errors = {}
    kind = data.get("kind")
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choose a problem or a proposed solution.")
    text = clean_text(
        errors, data, "text", PROPOSAL_MAX, required=_("Write your problem or your solution.")
    )
    raise_errors(errors)
    return str(kind), text


def _require_same_programme(workshop: Workshop, programme: Programme) -> None:
    if workshop.programme_id != programme.pk:
        raise PermissionDenied


# --- workshops -------------------------------------------------------------------------

WORKSHOP_FIELDS = (
    "axis",
    "title_ar",
    "title_fr",
    "description_ar",
    "description_fr",
    "mode",
    "place",
    "held_at",
    "opens_at",
    "closes_at",
    "onsite_participants",
)


def _workshop_clean(programme: Programme, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    values: dict[str, Any] = {
        "title_ar": title_ar,
        "title_fr": title_fr,
        "description_ar": clean_text(errors, data, "description_ar", TEXT_MAX),
        "description_fr": clean_text(errors, data, "description_fr", TEXT_MAX),
        "place": clean_text(errors, data, "place", TITLE_MAX),
        "held_at": _clean_moment(errors, data, "held_at"),
        "opens_at": _clean_moment(errors, data, "opens_at"),
        "closes_at": _clean_moment(errors, data, "closes_at"),
    }
    try:
        values["axis"] = _axis_of(programme, data.get("axis"))
    except ValueError:
        errors["axis"] = _("Choose one of the programme's axes.")
    mode = data.get("mode")
    if mode not in WorkshopMode.values:
        errors["mode"] = _("Choose how the workshop is held.")
    values["mode"] = mode
    raw = data.get("onsite_participants")
    if raw in (None, ""):
        values["onsite_participants"] = 0
    elif not str(raw).isascii() or not str(raw).isdigit() or int(raw) > PARTICIPANTS_MAX:
        errors["onsite_participants"] = _("Enter a whole number from 0 to %(max)d.") % {
            "max": PARTICIPANTS_MAX
        }
    else:
        values["onsite_participants"] = int(raw)
    opens_at, closes_at = values["opens_at"], values["closes_at"]
    if mode in (WorkshopMode.ONLINE, WorkshopMode.HYBRID):
        if opens_at is None and "opens_at" not in errors:
            errors["opens_at"] = _("Give the opening of the online contributions.")
        if closes_at is None and "closes_at" not in errors:
            errors["closes_at"] = _("Give the closing of the online contributions.")
    elif mode == WorkshopMode.ON_SITE and (opens_at is not None or closes_at is not None):
        errors["opens_at"] = _(
            "An on-site workshop takes no online contributions: leave the window empty."
        )
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("The contributions must close after they open.")
    if (
        mode in (WorkshopMode.ON_SITE, WorkshopMode.HYBRID)
        and values["held_at"] is None
        and "held_at" not in errors
    ):
        errors["held_at"] = _("Give the date and time of the workshop.")
    raise_errors(errors)
    return values


@transaction.atomic
def workshop_save(
    *,
    programme: Programme,
    actor: User,
    data: Mapping[str, Any],
    workshop: Workshop | None = None,
) -> Workshop:
    """Add a workshop to the programme, or change `workshop`.

    `data`: `axis` (an axis of the programme, its pk, or empty for every axis), titles
    and presentations in Arabic and French, `mode`, `place`, `held_at`, the online window
    `opens_at` / `closes_at` (required online or hybrid, refused on site),
    `onsite_participants`. A workshop that has received proposals keeps its axis.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation (NotAllowed);
    valid fields (ValidationError). Side effects: ledger event `openplan.workshop`.
    """
    core.require(actor, programme.collectivity)
    if workshop is not None:
        _require_same_programme(workshop, programme)
    _require_cocreation(programme)
    values = _workshop_clean(programme, data)
    if workshop is None:
        workshop = Workshop(programme=programme)
        changed = list(WORKSHOP_FIELDS)
    else:
        changed = [name for name in WORKSHOP_FIELDS if values[name] != getattr(workshop, name)]
        if "axis" in changed and workshop.proposals.exists():
            raise ValidationError(
                {"axis": _("This workshop has proposals: its axis can no longer change.")}
            )
        if not changed:
            return workshop
    created = workshop.pk is None
    for name in WORKSHOP_FIELDS:
        setattr(workshop, name, values[name])
    workshop.save()
    core.record(
        programme,
        "workshop",
        actor,
        workshop=workshop.pk,
        created=created,
        fields=sorted(changed) if not created else [],
    )
    core.programme_touch(programme)
    return workshop


@transaction.atomic
def workshop_delete(*, workshop: Workshop, actor: User) -> None:
    """Remove a workshop that has no proposal (else NotAllowed: they came from it).

    Side effects: ledger event `openplan.workshop_removed`."""
    programme = workshop.programme
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    if workshop.proposals.exists():
        raise NotAllowed(_("This workshop has proposals: it cannot be removed."))
    pk = workshop.pk
    workshop.delete()
    core.record(programme, "workshop_removed", actor, workshop=pk)
    core.programme_touch(programme)


# --- proposals -------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(
    *,
    workshop: Workshop,
    participant: Participant,
    kind: str,
    text: str,
    axis: Axis | int | str | None = None,
) -> Proposal:
    """A verified participant proposes a problem or a solution in `workshop`.

    The axis is the workshop's, or one of the programme's axes when the workshop has
    none. Published at once (moderated afterwards: `proposal_hide`). The same text sent
    again by the same participant in the same workshop within DUPLICATE_WINDOW returns
    the first proposal.

    Preconditions: a verified participant; the programme in co-creation and the
    workshop's online window open now (NotAllowed); a kind and a text of at most
    PROPOSAL_MAX characters (ValidationError). Side effects: ledger event
    `openplan.proposal`.
    """
    programme = workshop.programme
    _require_verified(participant)
    _require_cocreation(programme)
    if not workshop.is_open:
        raise NotAllowed(_("This workshop does not take online contributions now."))
    kind, text = _clean_proposal({"kind": kind, "text": text})
    chosen = _proposal_axis(workshop, axis)
    now = timezone.now()
    earlier = Proposal.objects.filter(
        workshop=workshop,
        participant=participant,
        kind=kind,
        text=text,
        created_at__gte=now - DUPLICATE_WINDOW,
    ).first()
    if earlier is not None:
        return earlier
    proposal = Proposal.objects.create(
        programme=programme,
        workshop=workshop,
        axis=chosen,
        kind=kind,
        text=text,
        participant=participant,
        created_at=now,
    )
    core.record(programme, "proposal", None, proposal=proposal.pk, workshop=workshop.pk, kind=kind)
    core.pages_bump()
    return proposal


@transaction.atomic
def proposal_record(
    *,
    workshop: Workshop,
    actor: User,
    kind: str,
    text: str,
    axis: Axis | int | str | None = None,
    author_label: str = "",
) -> Proposal:
    """Staff record a contribution made on site in `workshop` (whatever its online
    window), with who said it (`author_label`: a name, an association, "table 3"…).

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation; valid fields.
    Side effects: ledger event `openplan.proposal_recorded`.
    """
    programme = workshop.programme
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    errors: Errors = {}
    label = clean_text(errors, {"author_label": author_label}, "author_label", NAME_MAX)
    try:
        kind, text = _clean_proposal({"kind": kind, "text": text})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_errors(errors)
    chosen = _proposal_axis(workshop, axis)
    proposal = Proposal.objects.create(
        programme=programme,
        workshop=workshop,
        axis=chosen,
        kind=kind,
        text=text,
        recorded_by=actor,
        author_label=label,
    )
    core.record(
        programme,
        "proposal_recorded",
        actor,
        proposal=proposal.pk,
        workshop=workshop.pk,
        kind=kind,
    )
    core.programme_touch(programme)
    return proposal


def _require_published(proposal: Proposal) -> None:
    if not proposal.is_published:
        raise NotAllowed(_("This proposal is hidden by the moderator."))


@transaction.atomic
def proposal_comment(*, proposal: Proposal, participant: Participant, text: str) -> ProposalComment:
    """A verified participant comments on a published proposal, published at once.

    Preconditions: a verified participant; the programme in co-creation; the proposal
    published (NotAllowed); a text of at most COMMENT_MAX characters (ValidationError).
    The same text again within DUPLICATE_WINDOW returns the first comment. Side effects:
    ledger event `openplan.proposal_comment`.
    """
    programme = proposal.programme
    _require_verified(participant)
    _require_cocreation(programme)
    _require_published(proposal)
    errors: Errors = {}
    text = clean_text(
        errors, {"text": text}, "text", COMMENT_MAX, required=_("Write your comment.")
    )
    raise_errors(errors)
    now = timezone.now()
    earlier = ProposalComment.objects.filter(
        proposal=proposal,
        participant=participant,
        text=text,
        created_at__gte=now - DUPLICATE_WINDOW,
    ).first()
    if earlier is not None:
        return earlier
    comment = ProposalComment.objects.create(
        proposal=proposal, participant=participant, text=text, created_at=now
    )
    core.record(programme, "proposal_comment", None, proposal=proposal.pk, comment=comment.pk)
    core.pages_bump()
    return comment


@transaction.atomic
def proposal_support(*, proposal: Proposal, participant: Participant) -> bool:
    """A verified participant supports a published proposal; supporting it again changes
    nothing. Returns whether a support was added.

    Preconditions: as `proposal_comment`. Side effects: ledger event
    `openplan.proposal_supported` when a support is added.
    """
    programme = proposal.programme
    _require_verified(participant)
    _require_cocreation(programme)
    _require_published(proposal)
    try:
        # Two requests of one participant at once: the unique constraint keeps one.
        with transaction.atomic():
            _support, created = ProposalSupport.objects.get_or_create(
                proposal=proposal, participant=participant
            )
    except IntegrityError:
        created = False
    if created:
        core.record(programme, "proposal_supported", None, proposal=proposal.pk)
        core.pages_bump()
    return created


@transaction.atomic
def proposal_unsupport(*, proposal: Proposal, participant: Participant) -> bool:
    """Withdraw one's support (none: nothing changes). Returns whether one was removed.

    Preconditions: a verified participant; the programme in co-creation. Side effects:
    ledger event `openplan.proposal_unsupported` when a support is removed."""
    programme = proposal.programme
    _require_verified(participant)
    _require_cocreation(programme)
    removed, _detail = ProposalSupport.objects.filter(
        proposal=proposal, participant=participant
    ).delete()
    if removed:
        core.record(programme, "proposal_unsupported", None, proposal=proposal.pk)
        core.pages_bump()
    return bool(removed)


# --- moderation ------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    errors: Errors = {}
    text = clean_text(
        errors, {"reason": reason}, "reason", REASON_MAX, required=_("Give the reason.")
    )
    raise_errors(errors)
    return text


@transaction.atomic
def proposal_hide(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """Hide a published proposal from the public, with the reason (shown in its place).

    Refused (NotAllowed) for a proposal already hidden, one that has duplicates grouped
    under it (ungroup them first: they would vanish with it) and one that became a
    commitment (unlink it first: the trail would break). Allowed whatever the programme's
    state. Side effects: ledger event `openplan.proposal_hidden`.
    """
    programme = proposal.programme
    core.require(actor, programme.collectivity)
    reason = _clean_reason(reason)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_published:
        raise NotAllowed(_("This proposal is already hidden."))
    if locked.duplicates.exists():  # type: ignore[attr-defined]
        raise NotAllowed(
            _("Similar proposals are grouped under this one: ungroup them before hiding it.")
        )
    if locked.commitments.exists():  # type: ignore[attr-defined]
        raise NotAllowed(_("This proposal became a commitment: unlink it before hiding it."))
    locked.status, locked.hidden_reason = ProposalStatus.HIDDEN, reason
    locked.save(update_fields=["status", "hidden_reason"])
    proposal.status, proposal.hidden_reason = locked.status, reason
    core.record(programme, "proposal_hidden", actor, proposal=proposal.pk, reason=reason)
    core.programme_touch(programme)
    return proposal


@transaction.atomic
def proposal_restore(*, proposal: Proposal, actor: User) -> Proposal:
    """Publish a hidden proposal again. Side effects: ledger event
    `openplan.proposal_restored`."""
    programme = proposal.programme
    core.require(actor, programme.collectivity)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.is_published:
        raise NotAllowed(_("This proposal is already published."))
    locked.status, locked.hidden_reason = ProposalStatus.PUBLISHED, ""
    locked.save(update_fields=["status", "hidden_reason"])
    proposal.status, proposal.hidden_reason = locked.status, ""
    core.record(programme, "proposal_restored", actor, proposal=proposal.pk)
    core.programme_touch(programme)
    return proposal


@transaction.atomic
def comment_hide(*, comment: ProposalComment, actor: User, reason: str) -> ProposalComment:
    """Hide a published comment (the reason is kept in the ledger event
    `openplan.proposal_comment_hidden`). Allowed whatever the programme's state."""
    programme = comment.proposal.programme
    core.require(actor, programme.collectivity)
    reason = _clean_reason(reason)
    updated = ProposalComment.objects.filter(pk=comment.pk, status=ProposalStatus.PUBLISHED).update(
        status=ProposalStatus.HIDDEN
    )
    if not updated:
        raise NotAllowed(_("This comment is already hidden."))
    comment.status = ProposalStatus.HIDDEN
    core.record(programme, "proposal_comment_hidden", actor, comment=comment.pk, reason=reason)
    core.programme_touch(programme)
    return comment


@transaction.atomic
def comment_restore(*, comment: ProposalComment, actor: User) -> ProposalComment:
    """Publish a hidden comment again. Side effects: ledger event
    `openplan.proposal_comment_restored`."""
    programme = comment.proposal.programme
    core.require(actor, programme.collectivity)
    updated = ProposalComment.objects.filter(pk=comment.pk, status=ProposalStatus.HIDDEN).update(
        status=ProposalStatus.PUBLISHED
    )
    if not updated:
        raise NotAllowed(_("This comment is already published."))
    comment.status = ProposalStatus.PUBLISHED
    core.record(programme, "proposal_comment_restored", actor, comment=comment.pk)
    core.programme_touch(programme)
    return comment


# --- grouping duplicates ---------------------------------------------------------------


def _chosen(programme: Programme, proposals: Iterable[Proposal], message: str) -> list[Proposal]:
    """The distinct proposals given, all of `programme` (else ValidationError on
    `proposals`), at least one."""
    chosen = {p.pk: p for p in proposals}
    if not chosen:
        raise ValidationError({"proposals": message})
    if any(p.programme_id != programme.pk for p in chosen.values()):
        raise ValidationError({"proposals": _("Choose proposals of this programme.")})
    return list(chosen.values())


@transaction.atomic
def proposal_group(*, proposals: Iterable[Proposal], under: Proposal, actor: User) -> int:
    """Group `proposals` as duplicates of `under` (the group's main proposal, shown on
    the board with the others folded in it). Returns how many proposals moved.

    No chains: `under` must be a main proposal (not itself grouped under another) and
    published; a chosen proposal that already has duplicates brings them along (they
    all move under `under`). `under` among `proposals` is ignored. All of the same
    programme and of the same kind (a problem is not a duplicate of a solution).

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation. Side effects:
    ledger event `openplan.proposals_grouped`.
    """
    programme = under.programme
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    chosen = [
        p
        for p in _chosen(programme, proposals, _("Choose the proposals to group."))
        if p.pk != under.pk
    ]
    if not chosen:
        raise ValidationError({"proposals": _("Choose other proposals than the main one.")})
    locked = Proposal.objects.select_for_update().get(pk=under.pk)
    if locked.duplicate_of_id is not None:
        raise ValidationError(
            {"under": _("This proposal is grouped under another one: choose the main one.")}
        )
    if not locked.is_published:
        raise ValidationError(
            {"under": _("This proposal is hidden: choose a published one as the main one.")}
        )
    if any(p.kind != locked.kind for p in chosen):
        raise ValidationError(
            {"proposals": _("Group problems with problems and solutions with solutions.")}
        )
    pks = [p.pk for p in chosen]
    moved = set(
        Proposal.objects.filter(Q(pk__in=pks) | Q(duplicate_of__in=pks))
        .exclude(pk=locked.pk)
        .exclude(duplicate_of=locked)
        .values_list("pk", flat=True)
    )
    Proposal.objects.filter(pk__in=moved).update(duplicate_of=locked)
    for proposal in chosen:
        proposal.duplicate_of = locked
    core.record(programme, "proposals_grouped", actor, under=locked.pk, proposals=sorted(moved))
    core.programme_touch(programme)
    return len(moved)


@transaction.atomic
def proposal_ungroup(*, proposal: Proposal, actor: User) -> Proposal:
    """Take a proposal out of its group: it is a main proposal again.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation; the proposal
    grouped (NotAllowed). Side effects: ledger event `openplan.proposal_ungrouped`."""
    programme = proposal.programme
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    main = proposal.duplicate_of_id
    if main is None:
        raise NotAllowed(_("This proposal is not grouped under another one."))
    Proposal.objects.filter(pk=proposal.pk).update(duplicate_of=None)
    proposal.duplicate_of = None
    core.record(programme, "proposal_ungrouped", actor, proposal=proposal.pk, under=main)
    core.programme_touch(programme)
    return proposal


# --- proposals → commitments -------------------------------------------------------------


def _retained(programme: Programme, proposals: Iterable[Proposal]) -> list[Proposal]:
    chosen = _chosen(programme, proposals, _("Choose the proposals it comes from."))
    if any(not p.is_published for p in chosen):
        raise ValidationError({"proposals": _("A hidden proposal cannot become a commitment.")})
    return chosen


def _link(commitment: Commitment, chosen: list[Proposal]) -> list[int]:
    """Link `chosen` and their duplicates to `commitment`; the pks newly linked."""
    pks = [p.pk for p in chosen]
    group = set(
        Proposal.objects.filter(Q(pk__in=pks) | Q(duplicate_of__in=pks)).values_list(
            "pk", flat=True
        )
    )
    already = set(commitment.proposals.filter(pk__in=group).values_list("pk", flat=True))
    new = sorted(group - already)
    if new:
        commitment.proposals.add(*new)
        _notify_authors(commitment, new)
    return new


def _notify_authors(commitment: Commitment, pks: list[int]) -> None:
    """E-mail the online authors of the published proposals `pks` that their proposal
    became `commitment`, in their language; once per proposal and commitment."""
    programme = commitment.programme
    found = (
        Proposal.objects.filter(
            pk__in=pks, participant__isnull=False, status=ProposalStatus.PUBLISHED
        )
        .select_related("participant")
        .order_by("pk")
    )
    for proposal in found:
        participant = proposal.participant
        assert participant is not None  # filtered above
        with translation.override(site_language(participant.language)):
            params = {
                "number": commitment.number,
                "title": commitment.title,
                "programme": programme.title,
                "text": proposal.text[:200],
                "link": site_url(
                    "openplan:commitment",
                    slug=programme.collectivity.slug,
                    pk=programme.pk,
                    number=commitment.number,
                ),
                "proposal": site_url(
                    "openplan:proposal",
                    slug=programme.collectivity.slug,
                    pk=programme.pk,
                    proposal=proposal.pk,
                ),
            }
            subject = _("Your proposal became commitment %(number)s") % params
            body = (
                _(
                    "Your proposal to “%(programme)s”:\n\n%(text)s\n\nbecame commitment "
                    "%(number)s of the draft programme, “%(title)s”:\n%(link)s\n\n"
                    "Your proposal and its trail:\n%(proposal)s"
                )
                % params
            )
        email_queue(
            key=f"openplan.proposal:{proposal.pk}:commitment:{commitment.pk}",
            to=participant.email,
            subject=subject,
            body=body + SIGNATURE,
        )


@transaction.atomic
def proposals_to_commitment(
    *,
    programme: Programme,
    actor: User,
    proposals: Iterable[Proposal],
    data: Mapping[str, Any],
) -> Commitment:
    """Turn retained proposals into a new draft commitment (`core.commitment_create` with
    `data`; without an axis in `data`, the proposals' axis when they share one), linked
    to them and to their duplicates. Their online authors are told by e-mail.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation; published
    proposals of the programme; valid commitment fields. Side effects: ledger events
    `openplan.commitment` and `openplan.proposals_linked`; e-mails queued.
    """
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    chosen = _retained(programme, proposals)
    values = dict(data)
    if values.get("axis") in (None, ""):
        axes = {p.axis_id for p in chosen}
        values["axis"] = axes.pop() if len(axes) == 1 else None
    commitment = core.commitment_create(programme=programme, actor=actor, data=values)
    linked = _link(commitment, chosen)
    core.record(programme, "proposals_linked", actor, commitment=commitment.pk, proposals=linked)
    return commitment


@transaction.atomic
def proposals_link(
    *, commitment: Commitment, proposals: Iterable[Proposal], actor: User
) -> list[int]:
    """Link retained proposals (and their duplicates) to an existing commitment of the
    same programme; returns the pks newly linked. Their online authors are told.

    Preconditions: as `proposals_to_commitment`. Side effects: ledger event
    `openplan.proposals_linked` when something changed; e-mails queued.
    """
    programme = commitment.programme
    core.require(actor, programme.collectivity)
    _require_cocreation(programme)
    chosen = _retained(programme, proposals)
    linked = _link(commitment, chosen)
    if linked:
        core.record(
            programme, "proposals_linked", actor, commitment=commitment.pk, proposals=linked
        )
        core.programme_touch(programme)
    return linked


@transaction.atomic
def proposal_unlink(*, proposal: Proposal, commitment: Commitment, actor: User) -> list[int]:
    """Unlink a proposal, and the duplicates grouped under it, from `commitment` (the
    reverse of `proposals_link`); returns the pks unlinked.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation; the proposal
    linked to the commitment (NotAllowed). Side effects: ledger event
    `openplan.proposal_unlinked`.
    """
    programme = commitment.programme
    core.require(actor, programme.collectivity)
    if proposal.programme_id != programme.pk:
        raise PermissionDenied
    _require_cocreation(programme)
    if not commitment.proposals.filter(pk=proposal.pk).exists():
        raise NotAllowed(_("This proposal is not linked to this commitment."))
    pks = sorted(
        commitment.proposals.filter(Q(pk=proposal.pk) | Q(duplicate_of=proposal)).values_list(
            "pk", flat=True
        )
    )
    commitment.proposals.remove(*pks)
    core.record(programme, "proposal_unlinked", actor, commitment=commitment.pk, proposals=pks)
    core.programme_touch(programme)
    return pks
