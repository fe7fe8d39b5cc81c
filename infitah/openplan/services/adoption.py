"""From draft to adopted programme: the public consultation on the draft, the council's
adoption and amendments (each frozen as a version), evaluation, closing, abandoning.

- `programme_consult` puts the draft to public consultation with the consultation
  module (participation.consultations), one section per commitment; the synthesis and
  the responses per section are written on the consultation's own staff pages, and
  `consultation_changes` shows, commitment by commitment, what was said and whether the
  text changed since;
- `programme_adopt` / `programme_amend` need a decision of the collectivity's council
  (an agenda item the council adopted, with its decision, used by no other version):
  the programme's JSON export (`exchange.programme_export`) is frozen as the version's
  file and appended to the publication register;
- `programme_schedule` puts the adoption (or an amendment) on the agenda of a council
  session in preparation, for a user who also holds the council's permission.

Every transition goes through the case engine (`case_transition`): the table decides
what is allowed from which state, and the clocks move with it (`adopt` opens the
`update` clock: the public page is due for an update every 4 months; `close` cancels
the clocks). Consulting, adopting, amending, evaluating and closing change what the
public page shows: its stamp moves (`core.programme_touch`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.cases.services import case_transition
from infitah.council import services as council_services
from infitah.council.models import TITLE_MAX as ITEM_TITLE_MAX
from infitah.council.models import AgendaItem, ItemResult, Session
from infitah.council.workflow import Status as SessionStatus
from infitah.lib.casework import TEXT_MAX as COUNCIL_TEXT_MAX
from infitah.lib.cleaning import Errors, clean_text, raise_errors
from infitah.openplan.exchange import export_bytes, programme_export
from infitah.openplan.models import TEXT_MAX, Commitment, Programme, Version
from infitah.openplan.process import PROCESS
from infitah.openplan.register import version_register
from infitah.openplan.services.core import programme_touch, record, require
from infitah.openplan.workflow import Action, Status
from infitah.participation.consultations import services as consultation_services
from infitah.participation.consultations.models import TEXT_MAX as SECTION_TEXT_MAX
from infitah.participation.consultations.models import TITLE_MAX as SECTION_TITLE_MAX
from infitah.participation.consultations.models import Comment, Consultation, Section, Stance
from infitah.participation.consultations.workflow import CommentStatus, Phase, StanceValue
from infitah.participation.consultations.workflow import Kind as ConsultationKind

# A decision is recorded in a sitting that took place (convened with its quorum, held,
# or with its summary published).
DECIDED_SESSION_STATES = frozenset(
    {SessionStatus.CONVENED, SessionStatus.HELD, SessionStatus.SUMMARY_PUBLISHED}
)
# How many decisions the adoption form offers (the latest first).
CANDIDATES_MAX = 50
FINAL = frozenset({Status.CLOSED, Status.ABANDONED})

# The parts of a commitment's section, with their headings. Literal texts, not
# translated: a section is compared with the text built again later, so its headings
# must never move with a translation.
SECTION_PARTS = {
    "ar": (
        ("problem", "الإشكالية العمومية"),
        ("description", "ما هو الالتزام؟"),
        ("solution", "كيف يعالج الإشكالية؟"),
    ),
    "fr": (
        ("problem", "Le problème public"),
        ("description", "En quoi consiste l'engagement"),
        ("solution", "Comment il résout le problème"),
    ),
}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section_text(commitment: Commitment) -> dict[str, str]:
    """The section of the consultation a commitment becomes (numbered by the consultation
    with the commitment's number, its `order`): its title and its body, the problem, what it is and how it solves it, each under its heading (in
    each language where the commitment has them)."""
    values: dict[str, str] = {}
    for lang, parts in SECTION_PARTS.items():
        title = getattr(commitment, f"title_{lang}")
        values[f"title_{lang}"] = _shorten(title, SECTION_TITLE_MAX) if title else ""
        blocks = [
            f"{heading}\n{text}"
            for name, heading in parts
            if (text := getattr(commitment, f"{name}_{lang}"))
        ]
        values[f"body_{lang}"] = "\n\n".join(blocks)
    return values


# --- consultation ------------------------------------------------------------------------


def _sections_check(commitments: list[Commitment]) -> dict[int, dict[str, str]]:
    """The section of each commitment, or ValidationError naming those that cannot be
    one (no commitment, no text, a text too long)."""
    if not commitments:
        raise ValidationError(
            {"commitments": _("Add at least one commitment before the consultation.")}
        )
    texts: dict[int, dict[str, str]] = {}
    problems = []
    for commitment in commitments:
        text = section_text(commitment)
        if not (text["body_ar"] or text["body_fr"]):
            problems.append(
                _(
                    "Commitment %(number)d has no text to consult on: write its problem, "
                    "what it is or how it solves it."
                )
                % {"number": commitment.number}
            )
        elif max(len(text["body_ar"]), len(text["body_fr"])) > SECTION_TEXT_MAX:
            problems.append(
                _("The texts of commitment %(number)d are too long for one section.")
                % {"number": commitment.number}
            )
        texts[commitment.pk] = text
    if problems:
        raise ValidationError({"commitments": problems})
    return texts


@transaction.atomic
def programme_consult(
    *,
    programme: Programme,
    actor: User,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    moderation: str,
) -> Consultation:
    """Put the draft to public consultation: a consultation of the collectivity (an
    action plan; its title and presentation the programme's), one section per
    commitment in their order (title "N. title", body the problem, what it is and how it
    solves it), each commitment pointing at its section.

    Preconditions: Perm.OPENPLAN_MANAGE and Perm.PARTICIPATION_MANAGE (the consultation's
    own pages need it) (else PermissionDenied); the programme in co-creation (else
    TransitionNotAllowed); at least one commitment, each with a text; valid dates
    (closing after opening, in the future) and moderation (else ValidationError, nothing
    written). Side effects: the consultation's ledger events; `openplan.consult`.
    """
    require(actor, programme.collectivity)
    require(actor, programme.collectivity, Perm.PARTICIPATION_MANAGE)
    found: dict[str, Consultation] = {}

    def guard(locked: Programme) -> None:
        if locked.consultation_id is not None:
            raise ValidationError(_("The draft of this programme was already consulted."))

    def consult(locked: Programme) -> dict[str, Any]:
        commitments = list(Commitment.objects.filter(programme=locked).order_by("number", "pk"))
        texts = _sections_check(commitments)
        consultation = consultation_services.consultation_create(
            collectivity=locked.collectivity,
            actor=actor,
            data=consultation_services.ConsultationInput(
                kind=ConsultationKind.ACTION_PLAN,
                title_ar=_shorten(locked.title_ar, SECTION_TITLE_MAX),
                title_fr=_shorten(locked.title_fr, SECTION_TITLE_MAX),
                description_ar=locked.summary_ar[:SECTION_TEXT_MAX],
                description_fr=locked.summary_fr[:SECTION_TEXT_MAX],
                opens_at=opens_at,
                closes_at=closes_at,
                moderation=moderation,
            ),
        )
        for commitment in commitments:
            text = texts[commitment.pk]
            section = consultation_services.section_save(
                consultation=consultation,
                actor=actor,
                order=commitment.number,
                title_ar=text["title_ar"],
                title_fr=text["title_fr"],
                body_ar=text["body_ar"],
                body_fr=text["body_fr"],
            )
            Commitment.objects.filter(pk=commitment.pk).update(section=section)
        found["consultation"] = consultation
        return {"consultation": consultation}

    case_transition(PROCESS, programme, Action.CONSULT, actor=actor, guard=guard, changes=consult)
    programme_touch(programme)
    return found["consultation"]


@dataclass(frozen=True)
class CommitmentConsulted:
    """What the consultation said about one commitment, and whether it changed since."""

    commitment: Commitment
    section: Section | None
    comments: int
    supports: int
    opposes: int

    @property
    def is_consulted(self) -> bool:
        return self.section is not None

    @property
    def response(self) -> str:
        return self.section.response if self.section is not None else ""

    @property
    def has_changed(self) -> bool:
        """Its title or texts differ from the section it was consulted as."""
        if self.section is None:
            return False
        text = section_text(self.commitment)
        return any(getattr(self.section, name) != value for name, value in text.items())


def consultation_changes(programme: Programme) -> list[CommitmentConsulted]:
    """For each commitment of `programme` (in order): its section of the consultation
    on the draft, if it had one, the published comments and the stances on it, the
    response, and whether its text changed since (`has_changed`). Three queries."""
    commitments = list(
        Commitment.objects.filter(programme=programme)
        .select_related("section")
        .order_by("number", "pk")
    )
    comments: Counter[int] = Counter()
    stances: dict[tuple[int, str], int] = {}
    if programme.consultation_id is not None:
        comments.update(
            dict(
                Comment.objects.filter(
                    consultation_id=programme.consultation_id, status=CommentStatus.PUBLISHED
                )
                .values("section")
                .annotate(n=Count("pk"))
                .values_list("section", "n")
            )
        )
        stances = {
            (section, value): n
            for section, value, n in Stance.objects.filter(
                consultation_id=programme.consultation_id
            )
            .values("section", "value")
            .annotate(n=Count("pk"))
            .values_list("section", "value", "n")
        }
    return [
        CommitmentConsulted(
            commitment=c,
            section=c.section,
            comments=comments[c.section_id] if c.section_id else 0,
            supports=stances.get((c.section_id, StanceValue.SUPPORT), 0) if c.section_id else 0,
            opposes=stances.get((c.section_id, StanceValue.OPPOSE), 0) if c.section_id else 0,
        )
        for c in commitments
    ]


# --- the council's decision ----------------------------------------------------------------


def _decided_items(collectivity_id: int) -> QuerySet[AgendaItem]:
    return (
        AgendaItem.objects.filter(
            session__collectivity_id=collectivity_id,
            session__status__in=DECIDED_SESSION_STATES,
            session__deleted=False,
            deleted=False,
            result=ItemResult.ADOPTED,
        )
        .exclude(decision_ar="", decision_fr="")
        .exclude(decided_at__isnull=True, session__held_on__isnull=True)
    )


def decision_candidates(programme: Programme) -> list[AgendaItem]:
    """The decisions of the collectivity's council that may adopt or amend `programme`:
    items adopted with a decision, used by no version yet; the latest first (at most
    CANDIDATES_MAX), with their session."""
    used = Version.objects.values("agenda_item_id")
    return list(
        _decided_items(programme.collectivity_id)
        .exclude(pk__in=used)
        .select_related("session")
        .order_by("-session__starts_at", "-session__pk", "number")[:CANDIDATES_MAX]
    )


def decision_date(item: AgendaItem) -> dt.date:
    """The day of the decision: when it was recorded, else the sitting's day."""
    if item.decided_at is not None:
        return timezone.localdate(item.decided_at)
    held = item.session.held_on
    assert held is not None  # _decided_items requires one of them
    return held


def _decision(programme: Programme, agenda_item: AgendaItem) -> AgendaItem:
    """The agenda item, locked, if it is a decision of the programme's council that no
    version uses (else ValidationError on `agenda_item`). The lock makes two adoptions
    with one decision wait for each other: the second sees the first's version."""
    item = (
        _decided_items(programme.collectivity_id)
        .select_for_update(of=("self",))
        .select_related("session")
        .filter(pk=agenda_item.pk)
        .first()
    )
    if item is None:
        if agenda_item.session.collectivity_id != programme.collectivity_id:
            message = _("Choose a decision of this collectivity's council.")
        else:
            message = _("Choose an item the council adopted, with its decision recorded.")
        raise ValidationError({"agenda_item": message})
    if Version.objects.filter(agenda_item=item).exists():
        raise ValidationError(
            {"agenda_item": _("This decision already adopted a version of a programme.")}
        )
    consultation = programme.consultation
    if consultation is not None and decision_date(item) < timezone.localdate(
        consultation.closes_at
    ):
        raise ValidationError(
            {
                "agenda_item": _(
                    "This decision is dated before the consultation on the draft closed: "
                    "choose the council's decision that followed it."
                )
            }
        )
    return item


def _note(note: str, *, required: bool) -> str:
    errors: Errors = {}
    text = clean_text(
        errors,
        {"note": note},
        "note",
        TEXT_MAX,
        required=_("Say what this amendment changes.") if required else "",
    )
    raise_errors(errors)
    return text


def _freeze(
    programme: Programme, *, number: int, item: AgendaItem, note: str, actor: User
) -> Version:
    """Version `number` of the programme as it is now: its JSON export written as the
    version's file (canonical bytes, their size and SHA-256), appended to the register."""
    version = Version.objects.create(
        programme=programme,
        number=number,
        agenda_item=item,
        adopted_on=decision_date(item),
        note=note,
        created_by=actor,
        name=f"{programme.reference or programme.pk}-v{number}.json",
        content_type="application/json",
        size=0,
        sha256="",
    )
    content = export_bytes(programme_export(programme))
    version.file.save(f"version-{number}.json", ContentFile(content), save=False)
    version.size = len(content)
    version.sha256 = hashlib.sha256(content).hexdigest()
    version.save(update_fields=["file", "size", "sha256"])
    version_register(version)
    return version


def _version_event(number: int, item: AgendaItem) -> dict[str, Any]:
    return {
        "version": number,
        "agenda_item": item.pk,
        "session": item.session.reference,
        "decision_number": item.decision_number,
    }


def _adopt_or_amend(
    programme: Programme, *, actor: User, agenda_item: AgendaItem, note: str, action: Action
) -> Version:
    require(actor, programme.collectivity)
    note = _note(note, required=action == Action.AMEND)
    # The programme first, then the decision: the order of every adoption (the case
    # engine locks the programme again, a no-op, and checks its state).
    locked = Programme.objects.select_for_update(of=("self",)).get(pk=programme.pk)
    item = _decision(locked, agenda_item)
    number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1

    def guard(case: Programme) -> None:
        if not case.commitments.exists():
            raise ValidationError(_("Add at least one commitment before the adoption."))
        consultation = case.consultation
        if consultation is not None and consultation.phase() != Phase.CLOSED:
            raise ValidationError(
                _("The consultation on the draft is not over: adopt the programme after it closes.")
            )

    case_transition(
        PROCESS,
        programme,
        action,
        actor=actor,
        note=note,
        guard=guard if action == Action.ADOPT else None,
        data=_version_event(number, item),
    )
    version = _freeze(programme, number=number, item=item, note=note, actor=actor)
    programme_touch(programme)
    return version


@transaction.atomic
def programme_adopt(
    *, programme: Programme, actor: User, agenda_item: AgendaItem, note: str = ""
) -> Version:
    """The council adopted the programme: freeze it as version 1.

    Preconditions: Perm.OPENPLAN_MANAGE (else PermissionDenied); in co-creation or under
    consultation (else TransitionNotAllowed); the consultation on the draft, if any,
    closed; at least one commitment; `agenda_item` an item of the collectivity's council
    adopted with its decision, used by no other version (else ValidationError, nothing
    written). Side effects: the state "adopted" and the `update` clock opened (the public
    page is due for an update within 4 months); the version's JSON file, appended to the
    publication register; ledger event `openplan.adopt`. The adoption date is the
    decision's (`decided_at`, else the sitting's day).
    """
    return _adopt_or_amend(
        programme, actor=actor, agenda_item=agenda_item, note=note, action=Action.ADOPT
    )


@transaction.atomic
def programme_amend(
    *, programme: Programme, actor: User, agenda_item: AgendaItem, note: str
) -> Version:
    """The council amended the adopted programme: freeze the next version with its own
    decision and what changed (`note`, required).

    Preconditions: as `programme_adopt`, from "adopted" or "in evaluation". Side effects:
    the version's file in the register; ledger event `openplan.amend`.
    """
    return _adopt_or_amend(
        programme, actor=actor, agenda_item=agenda_item, note=note, action=Action.AMEND
    )


# --- the end of the cycle ----------------------------------------------------------------------


@transaction.atomic
def programme_evaluate(*, programme: Programme, actor: User, note: str = "") -> Programme:
    """Implementation is over: the programme is in evaluation.

    Preconditions: Perm.OPENPLAN_MANAGE; adopted (else TransitionNotAllowed); a note of
    at most TEXT_MAX characters. Side effect: ledger event `openplan.evaluate`.
    """
    require(actor, programme.collectivity)
    note = _note(note, required=False)
    changed = case_transition(PROCESS, programme, Action.EVALUATE, actor=actor, note=note)
    programme_touch(programme)
    return changed


@transaction.atomic
def programme_close(*, programme: Programme, actor: User, note: str = "") -> Programme:
    """Close the cycle (after implementation or evaluation).

    Preconditions: Perm.OPENPLAN_MANAGE; adopted or in evaluation (else
    TransitionNotAllowed). Side effects: the `update` and `inception` clocks cancelled;
    `closed_at`; ledger event `openplan.close`.
    """
    require(actor, programme.collectivity)
    note = _note(note, required=False)
    changed = case_transition(PROCESS, programme, Action.CLOSE, actor=actor, note=note)
    programme_touch(programme)
    return changed


@transaction.atomic
def programme_abandon(*, programme: Programme, actor: User, reason: str) -> Programme:
    """Abandon a programme before its adoption (it leaves the public pages).

    Preconditions: Perm.OPENPLAN_MANAGE; in co-creation or under consultation (else
    TransitionNotAllowed); a reason (else ValidationError). Side effects: an open
    consultation on its draft is closed now; the `inception` clock cancelled; ledger
    event `openplan.abandon` with the reason.
    """
    require(actor, programme.collectivity)
    errors: Errors = {}
    reason = clean_text(
        errors, {"reason": reason}, "reason", TEXT_MAX, required=_("Give the reason.")
    )
    raise_errors(errors)
    changed = case_transition(PROCESS, programme, Action.ABANDON, actor=actor, note=reason)
    consultation = changed.consultation
    if consultation is not None and consultation.phase() == Phase.OPEN:
        consultation_services.consultation_close(consultation=consultation, actor=actor)
    return changed


# --- the council's agenda ---------------------------------------------------------------------


def sessions_to_schedule(programme: Programme) -> list[Session]:
    """The collectivity's council sessions whose agenda is in preparation (soonest
    first): where the adoption can be put."""
    return list(
        Session.objects.filter(
            collectivity_id=programme.collectivity_id,
            status=SessionStatus.DRAFT,
            deleted=False,
        ).order_by("starts_at", "pk")
    )


def _agenda_texts(programme: Programme) -> dict[str, str]:
    """The agenda item's titles and description (a record in both languages)."""
    amend = programme.status in (Status.ADOPTED, Status.EVALUATING)
    title_ar = programme.title_ar or programme.title_fr
    title_fr = programme.title_fr or programme.title_ar
    lines = [programme.reference, programme.summary_ar, programme.summary_fr]
    return {
        "title_ar": _shorten(f"{'تعديل' if amend else 'المصادقة على'} {title_ar}", ITEM_TITLE_MAX),
        "title_fr": _shorten(
            f"{'Modification' if amend else 'Adoption'} : {title_fr}", ITEM_TITLE_MAX
        ),
        "description": "\n\n".join(line for line in lines if line)[:COUNCIL_TEXT_MAX],
    }


@transaction.atomic
def programme_schedule(*, programme: Programme, actor: User, session: Session) -> AgendaItem:
    """Put the programme's adoption (its amendment, once adopted) on the agenda of a
    council session in preparation: a new item at the end of the agenda.

    Preconditions: Perm.OPENPLAN_MANAGE and the council's Perm.COUNCIL_MANAGE (else
    PermissionDenied); the programme neither closed nor abandoned, the session of the
    same collectivity (else ValidationError); its agenda in preparation (else
    TransitionNotAllowed). Side effects: ledger events `council.item_added` and
    `openplan.scheduled`.
    """
    require(actor, programme.collectivity)
    require(actor, programme.collectivity, Perm.COUNCIL_MANAGE)
    if programme.status in FINAL:
        raise ValidationError(_("This programme is closed: it can no longer change."))
    if session.collectivity_id != programme.collectivity_id:
        raise ValidationError({"session": _("Choose a session of this collectivity's council.")})
    texts = _agenda_texts(programme)
    item = council_services.item_add(
        session=session,
        actor=actor,
        data=council_services.ItemInput(
            title_ar=texts["title_ar"],
            title_fr=texts["title_fr"],
            description=texts["description"],
        ),
    )
    record(programme, "scheduled", actor, session=session.pk, item=item.pk)
    return item
