"""Writes of petitions (organic laws 111.14, 112.14, 113.14): the life of a petition.

Every change of state goes through the case engine (`infitah.cases`): the table of
`workflow.py` and the clock of `process.py` say what is allowed and when the decision
period (`petition.decision.<level>`) opens and closes; the engine locks the row, checks,
writes the state and its ledger event in one transaction. Each step tells the agent by
e-mail (outbox, idempotency key per stage and event). Signatures are written by
`signatures.py`.
"""

from __future__ import annotations

import secrets
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.services import (
    case_created,
    case_lock,
    case_transition,
    clocks_sweep,
    refused,
    settings_save,
)
from infitah.lib.casework import site_language, token_digest, too_long
from infitah.lib.pii import pii_encrypt, pii_mask
from infitah.numbering.services import number_next, reference_make
from infitah.petitions import notify
from infitah.petitions.models import (
    ADDRESS_MAX,
    BASIS_MAX,
    CNDP_MAX,
    NAME_MAX,
    PHONE_MAX,
    REASONS_MAX,
    REQUEST_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Petition,
    PetitionSettings,
)
from infitah.petitions.process import PROCESS
from infitah.petitions.selectors import (
    checklist_facts,
    counts_by_province_exact,
    petition_settings_get,
    province_progress,
    threshold_for,
)
from infitah.petitions.signatures import (
    cin_clean,
    email_clean,
    in_territory,
    signatures_close,
    tallies_prepare,
)
from infitah.petitions.workflow import (
    CHECKLIST,
    DRAFTED,
    REGISTERED_PAPER,
    Action,
    Channel,
    PetitionerKind,
    Status,
    TransitionNotAllowed,
    is_allowed,
)
from infitah.territories.models import Collectivity

PAGE_CACHE_NAMESPACE = PROCESS.name
SERIES = "petition"
SESSION_MAX = 300


class ThresholdNotMet(TransitionNotAllowed):
    """Online lodging needs the threshold (and, for a region, the per-province spread)."""


@dataclass
class PetitionInput:
    """What the agent (or the bureau, for a paper petition) enters. Text as typed; dates
    as `date` (forms) or ISO text (JSON); declarations as booleans."""

    petitioner_kind: str = PetitionerKind.CITIZENS
    title: str = ""
    text: str = ""
    request: str = ""
    agent_name: str = ""
    agent_cin: str = ""
    agent_email: str = ""
    agent_phone: str = ""
    agent_address: str = ""
    association_name: str = ""
    association_founded_on: date | str | None = None
    association_seat: str = ""  # the slug of the commune of the seat or branch
    association_good_standing: bool = False
    association_object: str = ""
    association_object_related: bool = False


@dataclass
class CleanPetition:
    petitioner_kind: str
    title: str
    text: str
    request: str
    agent_name: str
    agent_cin: str
    agent_email: str
    agent_phone: str
    agent_address: str
    association_name: str
    association_founded_on: date | None
    association_seat: Collectivity | None
    association_good_standing: bool
    association_object: str
    association_object_related: bool


def years_after(day: date, years: int) -> date:
    """`day` moved `years` years on (29 February becomes 28 February)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, monthrange(year, day.month)[1]))


def _text(value: str, field: str, limit: int, errors: dict[str, str], empty: str) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors[field] = _("This text contains a forbidden character.")
    elif len(value) > limit:
        errors[field] = too_long(limit)
    elif not value and empty:
        errors[field] = empty
    return value


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


def _phone(value: str, errors: dict[str, str], *, required: bool) -> str:
    phone = (value or "").strip()
    if not phone:
        if required:
            errors["agent_phone"] = _("Give a phone number, e.g. 0612345678.")
        return ""
    digits = phone.replace(" ", "").replace("-", "").replace(".", "").lstrip("+")
    if len(phone) > PHONE_MAX or not (digits.isdigit() and 9 <= len(digits) <= 15):
        errors["agent_phone"] = _("Enter a phone number, e.g. 0612345678 or +212612345678.")
    return phone


def _association(
    collectivity: Collectivity,
    data: PetitionInput,
    errors: dict[str, str],
    today: date,
) -> tuple[str, date | None, Collectivity | None, str]:
    """Check the association's conditions: one reason per failed condition, on its field."""
    name = _text(
        data.association_name,
        "association_name",
        NAME_MAX,
        errors,
        _("Give the name of the association."),
    )
    founded = _date(data.association_founded_on)
    years = petition_settings_get(collectivity).association_min_years
    if data.association_founded_on in (None, "") and founded is None:
        errors["association_founded_on"] = _("Give the date the association was founded.")
    elif founded is None:
        errors["association_founded_on"] = _("Give a date, e.g. 2019-05-31.")
    elif founded > today:
        errors["association_founded_on"] = _("The founding date cannot be in the future.")
    elif not years_after(founded, years) < today:
        errors["association_founded_on"] = _(
            "The association must have been constituted for more than %(years)d years "
            "(constituted on %(founded)s, it may petition from %(from)s)."
        ) % {
            "years": years,
            "founded": founded.isoformat(),
            "from": (years_after(founded, years) + timedelta(days=1)).isoformat(),
        }
    seat: Collectivity | None = None
    slug = (data.association_seat or "").strip()
    if not slug:
        errors["association_seat"] = _(
            "Give the commune of the association's seat or of one of its branches."
        )
    else:
        seat = (
            Collectivity.objects.filter(slug=slug[:120]).select_related("parent").first()
            if "\x00" not in slug
            else None
        )
        if seat is None:
            errors["association_seat"] = _("Choose a commune from the list.")
        elif not in_territory(seat, collectivity):
            errors["association_seat"] = _(
                "The association's seat or branch must be in the territory of %(name)s."
            ) % {"name": collectivity.name}
    if not data.association_good_standing:
        errors["association_good_standing"] = _(
            "The association must declare that it is in good standing with the law."
        )
    obj = _text(
        data.association_object,
        "association_object",
        TEXT_MAX,
        errors,
        _("Give the object of the association, as in its statutes."),
    )
    if not data.association_object_related:
        errors["association_object_related"] = _(
            "The association's activity must relate to the subject of the petition."
        )
    return name, founded, seat, obj


def petition_validate(
    *, collectivity: Collectivity, data: PetitionInput, paper: bool = False
) -> CleanPetition:
    """`data` checked and normalised, or ValidationError with one message per field.

    Online, the agent's e-mail is required (the petition opens once it is confirmed);
    on paper (registered by the bureau) an e-mail, a phone or an address will do.
    """
    errors: dict[str, str] = {}
    today = timezone.localdate()
    kind = (data.petitioner_kind or "").strip()
    if kind not in PetitionerKind.values:
        errors["petitioner_kind"] = _("Choose: citizens or an association.")
    title = _text(data.title, "title", TITLE_MAX, errors, _("Give the petition a title."))
    text = _text(data.text, "text", TEXT_MAX, errors, _("Write the text of the petition."))
    request = _text(
        data.request,
        "request",
        REQUEST_MAX,
        errors,
        _("Say which point, within the council's competence, it should put on its agenda."),
    )
    is_association = kind == PetitionerKind.ASSOCIATION
    name = _text(
        data.agent_name,
        "agent_name",
        NAME_MAX,
        errors,
        _("Give the full name of the legal representative.")
        if is_association
        else _("Give the full name of the petition's agent."),
    )
    cin = cin_clean(data.agent_cin, "agent_cin", errors)
    email = email_clean(data.agent_email, "agent_email", errors, required=not paper)
    phone = _phone(data.agent_phone, errors, required=not paper)
    address = _text(
        data.agent_address,
        "agent_address",
        ADDRESS_MAX,
        errors,
        "" if is_association else _("Give the agent's postal address."),
    )
    if (
        paper
        and not (email or phone or address)
        and not errors.keys()
        & {
            "agent_email",
            "agent_phone",
            "agent_address",
        }
    ):
        errors["agent_email"] = _("Give an e-mail address, a phone number or a postal address.")
    association: tuple[str, date | None, Collectivity | None, str] = ("", None, None, "")
    if is_association:
        association = _association(collectivity, data, errors, today)
    if errors:
        raise ValidationError(errors)
    return CleanPetition(
        petitioner_kind=kind,
        title=title,
        text=text,
        request=request,
        agent_name=name,
        agent_cin=cin,
        agent_email=email,
        agent_phone=phone,
        agent_address=address,
        association_name=association[0],
        association_founded_on=association[1],
        association_seat=association[2],
        association_good_standing=is_association and data.association_good_standing,
        association_object=association[3],
        association_object_related=is_association and data.association_object_related,
    )


def _new_petition(
    collectivity: Collectivity, clean: CleanPetition, *, language: str, status: str
) -> tuple[Petition, str]:
    token = secrets.token_urlsafe(24)
    petition = Petition(
        collectivity=collectivity,
        status=status,
        petitioner_kind=clean.petitioner_kind,
        title=clean.title,
        text=clean.text,
        request=clean.request,
        language=site_language(language),
        agent_name=clean.agent_name,
        agent_cin_encrypted=pii_encrypt(clean.agent_cin),
        agent_cin_masked=pii_mask(clean.agent_cin),
        agent_email=clean.agent_email,
        agent_phone=clean.agent_phone,
        agent_address=clean.agent_address,
        association_name=clean.association_name,
        association_founded_on=clean.association_founded_on,
        association_seat=clean.association_seat,
        association_good_standing=clean.association_good_standing,
        association_object=clean.association_object,
        association_object_related=clean.association_object_related,
        manage_digest=token_digest(token),
        manage_token_encrypted=pii_encrypt(token),
        created_at=timezone.now(),
    )
    return petition, token


@transaction.atomic
def petition_draft(
    *, collectivity: Collectivity, data: PetitionInput, language: str | None = None
) -> tuple[Petition, str]:
    """Enter a petition online; returns it (draft) and the agent's management token.

    Preconditions: `data` passes `petition_validate` (else ValidationError, nothing
    written). Side effects: a ledger event; an e-mail to the agent with the link that
    confirms their address (by POST) and opens the petition to signatures.
    """
    clean = petition_validate(collectivity=collectivity, data=data)
    petition, token = _new_petition(
        collectivity, clean, language=language or get_language() or "ar", status=Status.DRAFT
    )
    confirm_token = secrets.token_urlsafe(24)
    petition.confirm_digest = token_digest(confirm_token)
    petition.save()
    case_created(
        PROCESS, petition, DRAFTED, actor=None, data={"petitioner": petition.petitioner_kind}
    )
    notify.agent(petition, "drafted", manage_token=token, confirm_token=confirm_token)
    return petition, token


def _by_digest(**lookup: str) -> Petition | None:
    return (
        Petition.objects.select_related("collectivity", "decision_deadline")
        .filter(**lookup)
        .first()
    )


def petition_by_manage_token(token: str) -> Petition | None:
    """The petition of a management link, or None."""
    if not token or len(token) > 100:
        return None
    return _by_digest(manage_digest=token_digest(token))


def petition_by_confirm_token(token: str) -> Petition | None:
    """The draft whose agent confirmation link this is, or None."""
    if not token or len(token) > 100:
        return None
    return _by_digest(confirm_digest=token_digest(token))


@transaction.atomic
def petition_confirm_agent(*, petition: Petition) -> Petition:
    """The agent confirmed their e-mail (POST): the petition is open to signatures."""
    locked = case_transition(
        PROCESS,
        petition,
        Action.CONFIRM_AGENT,
        actor=None,
        changes={"confirm_digest": "", "collecting_since": timezone.now()},
    )
    tallies_prepare(locked)
    notify.agent(locked, "collecting")
    return locked


def _number(petition: Petition, lodged_on: date) -> dict[str, Any]:
    collectivity = petition.collectivity
    number = number_next(collectivity=collectivity, series=SERIES, year=lodged_on.year)
    return {
        "year": lodged_on.year,
        "number": number,
        "reference": reference_make(
            "PET", collectivity=collectivity, year=lodged_on.year, number=number
        ),
        "lodged_on": lodged_on,
    }


@transaction.atomic
def petition_lodge(*, petition: Petition, actor: User | None = None) -> Petition:
    """Lodge an online petition with the council president (by the agent).

    Preconditions: collecting, and the threshold met — with, for a region, the minimum
    from each prefecture and province (else ThresholdNotMet, naming the shortfall).
    Side effects: signing closes (pending signatures lapse); reference
    `PET-<year>-<key>-<number>`; the decision clock opens today; the agent (receipt)
    and the bureau are told.
    """
    current = case_lock(PROCESS, petition)
    if not is_allowed(current.status, Action.LODGE):
        raise refused(PROCESS, current)
    # Exact count: no confirmation is in flight once signing is closed under the lock
    # (the engine's transition below locks the same row again, within this transaction).
    confirmed = signatures_close(current)
    threshold = threshold_for(current)
    shortfalls = [
        _("%(province)s: %(confirmed)d of %(required)d")
        % {"province": row.name, "confirmed": row.confirmed, "required": row.required}
        for row in province_progress(current, fresh=True)
        if row.confirmed < row.required
    ]
    if confirmed < threshold.required or shortfalls:
        message = _("The petition has %(confirmed)d confirmed signatures of %(required)d.") % {
            "confirmed": confirmed,
            "required": threshold.required,
        }
        if shortfalls:
            message += " " + _("Not enough from: %(list)s.") % {"list": "; ".join(shortfalls)}
        raise ThresholdNotMet(message)
    locked = case_transition(
        PROCESS,
        petition,
        Action.LODGE,
        actor=actor,
        # The gapless number is taken only once every check has passed.
        changes=lambda locked: {
            **_number(locked, timezone.localdate()),
            "channel": Channel.ONLINE,
            "threshold_at_lodging": threshold.required,
            "confirmed_at_lodging": confirmed,
        },
        data={"confirmed": confirmed, "required": threshold.required},
    )
    notify.agent(locked, "lodged")
    notify.bureau(locked, "lodged")
    return locked


@transaction.atomic
def petition_register_paper(
    *,
    collectivity: Collectivity,
    data: PetitionInput,
    actor: User,
    lodged_on: date | None = None,
    entry: Any = None,
) -> Petition:
    """Register a petition lodged on paper (from its correspondence entry or directly).

    Preconditions: `actor` holds Perm.PETITIONS_HANDLE in `collectivity` (else
    PermissionDenied); `lodged_on` (the day the council received it; today by default)
    is not in the future and `data` passes `petition_validate` (else ValidationError).
    It is lodged at once, even below the threshold: the bureau enters the paper
    signatures next (form or CSV) and its checklist shows any shortfall. Side effects:
    the reference; the decision clock from `lodged_on`; the agent is told.
    """
    if not has_perm(actor, Perm.PETITIONS_HANDLE, collectivity):
        raise PermissionDenied
    today = timezone.localdate()
    lodged_on = lodged_on or today
    if lodged_on > today:
        raise ValidationError({"lodged_on": _("The date of receipt cannot be in the future.")})
    clean = petition_validate(collectivity=collectivity, data=data, paper=True)
    petition, _token = _new_petition(
        collectivity, clean, language=get_language() or "ar", status=Status.LODGED
    )
    petition.channel = Channel.PAPER
    petition.created_by = actor
    for name, value in _number(petition, lodged_on).items():
        setattr(petition, name, value)
    petition.threshold_at_lodging = threshold_for(petition).required
    petition.confirmed_at_lodging = 0
    petition.save()
    tallies_prepare(petition)
    case_created(
        PROCESS,
        petition,
        REGISTERED_PAPER,
        actor=actor,
        data={
            "petitioner": petition.petitioner_kind,
            "lodged_on": lodged_on.isoformat(),
            "entry": str(getattr(entry, "pk", "") or ""),
        },
    )
    notify.agent(petition, "lodged")
    return petition


@transaction.atomic
def petition_review_start(*, petition: Petition, actor: User) -> Petition:
    """The bureau takes the petition up to check its admissibility.

    Preconditions: lodged (else TransitionNotAllowed); `actor` is of the petitions
    bureau of its collectivity (else PermissionDenied). Side effect: the agent is told.
    """
    locked = case_transition(
        PROCESS,
        petition,
        Action.REVIEW,
        actor=actor,
        changes={"review_started_on": timezone.localdate()},
    )
    notify.agent(locked, "review")
    return locked


def checklist_clean(checklist: dict[str, bool], *, petition: Petition) -> dict[str, bool]:
    """The checklist with every known item (unknown keys dropped; the association item is
    not applicable, hence true, for citizens)."""
    clean = {key: bool(checklist.get(key, False)) for key in CHECKLIST}
    if not petition.is_association:
        clean["association"] = True
    return clean


def _below_threshold(
    petition: Petition, *, confirmed: bool, reason: str, errors: dict[str, str]
) -> dict[str, Any] | None:
    """The bureau's confirmation of an acceptance below the threshold: None when the
    confirmed signatures reach it; else the counts and the reason (an error on its field
    when the box is not ticked or the reason is missing)."""
    if petition.status != Status.BUREAU_REVIEW:
        return None  # the transition refuses the step anyway
    facts = checklist_facts(petition)
    if facts.confirmed >= facts.required:
        return None
    reason = (reason or "").strip()
    if not confirmed:
        errors["confirm_below_threshold"] = _(
            "This petition has %(confirmed)s confirmed signatures of the %(required)s "
            "required. To accept it all the same, tick the box and give the reason."
        ) % {"confirmed": facts.confirmed, "required": facts.required}
    elif not reason:
        errors["below_threshold_reason"] = _(
            "Give the reason for accepting a petition below the threshold."
        )
    elif len(reason) > REASONS_MAX or "\x00" in reason:
        errors["below_threshold_reason"] = too_long(REASONS_MAX)
    return {"confirmed": facts.confirmed, "required": facts.required, "reason": reason}


@transaction.atomic
def petition_accept(
    *,
    petition: Petition,
    actor: User,
    checklist: dict[str, bool],
    note: str = "",
    confirm_below_threshold: bool = False,
    below_threshold_reason: str = "",
) -> Petition:
    """Accept: every item of the admissibility checklist is met (else ValidationError
    naming the items). The petition goes to the next ordinary session (`petition_schedule`).

    With fewer confirmed signatures than the threshold it was lodged under (paper
    signatures the bureau counted but did not enter), the bureau confirms explicitly
    (`confirm_below_threshold`) with a reason, else ValidationError on those fields;
    the counts and the reason go into the ledger event (note and data).

    Preconditions: under review (else TransitionNotAllowed); `actor` is of the bureau
    (else PermissionDenied). Side effect: the agent is told.
    """
    clean = checklist_clean(checklist, petition=petition)
    missing = [str(CHECKLIST[key]) for key, ok in clean.items() if not ok]
    errors: dict[str, str] = {}
    if missing:
        errors["checklist"] = _("To accept, every condition must be met. Not met: %(list)s.") % {
            "list": "; ".join(missing)
        }
    note = (note or "").strip()
    if len(note) > REASONS_MAX or "\x00" in note:
        errors["note"] = too_long(REASONS_MAX)
    below = _below_threshold(
        petition, confirmed=confirm_below_threshold, reason=below_threshold_reason, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    data: dict[str, Any] = {"checklist": clean}
    event_note = note
    if below is not None:
        data["below_threshold"] = below
        # The ledger is a record, kept in one language (the counts are in `data`).
        event_note = "\n\n".join(
            part
            for part in (
                note,
                f"Accepted below the threshold ({below['confirmed']} of "
                f"{below['required']} confirmed signatures): {below['reason']}",
            )
            if part
        )
    locked = case_transition(
        PROCESS,
        petition,
        Action.ACCEPT,
        actor=actor,
        note=event_note,
        changes={"checklist": clean, "review_note": note, "accepted_on": timezone.localdate()},
        data=data,
    )
    notify.agent(locked, "accepted")
    return locked


@transaction.atomic
def petition_schedule(
    *, petition: Petition, actor: User, session_date: date | None, session_title: str
) -> Petition:
    """Place an accepted petition on a session's agenda (or move it to another session).

    Preconditions: a session date and title (else ValidationError); accepted or
    scheduled (else TransitionNotAllowed); `actor` is of the bureau (else
    PermissionDenied). Side effect: the agent is told.
    """
    errors: dict[str, str] = {}
    title = _text(
        session_title,
        "session_title",
        SESSION_MAX,
        errors,
        _("Name the session, e.g. “Ordinary session of October”."),
    )
    if not isinstance(session_date, date):
        errors["session_date"] = _("Give the date of the session.")
    if errors or session_date is None:
        raise ValidationError(errors)
    locked = case_transition(
        PROCESS,
        petition,
        Action.SCHEDULE,
        actor=actor,
        changes={"session_date": session_date, "session_title": title},
        data={"session_date": session_date.isoformat(), "title": title},
    )
    notify.agent(locked, "scheduled")
    return locked


@transaction.atomic
def petition_decide(
    *, petition: Petition, actor: User, decision_ar: str, decision_fr: str = ""
) -> Petition:
    """Publish the council's deliberation (Arabic and/or French).

    Preconditions: a decision text (else ValidationError); scheduled (else
    TransitionNotAllowed); `actor` is of the bureau (else PermissionDenied). Side
    effects: the decision period is met; the final counts are kept on the petition;
    the agent is told.
    """
    errors: dict[str, str] = {}
    text_ar = _text(decision_ar, "decision_ar", TEXT_MAX, errors, "")
    text_fr = _text(decision_fr, "decision_fr", TEXT_MAX, errors, "")
    if not errors and not (text_ar or text_fr):
        errors["decision_ar"] = _("Write the council's decision, in Arabic or in French.")
    if errors:
        raise ValidationError(errors)
    locked = case_transition(
        PROCESS,
        petition,
        Action.DECIDE,
        actor=actor,
        changes=lambda current: {
            "decision_ar": text_ar,
            "decision_fr": text_fr,
            "decided_on": timezone.localdate(),
            **_final_counts(current),
        },
    )
    notify.agent(locked, "deliberated", text=locked.decision)
    return locked


@transaction.atomic
def petition_reject(
    *, petition: Petition, actor: User, reasons: str, checklist: dict[str, bool] | None = None
) -> Petition:
    """Reject with reasons, told to the agent.

    Preconditions: reasons (else ValidationError); under review (else
    TransitionNotAllowed); `actor` is of the bureau (else PermissionDenied). Side
    effects: the decision period is met; the final counts are kept on the petition.
    """
    errors: dict[str, str] = {}
    reasons = _text(
        reasons, "reasons", REASONS_MAX, errors, _("Give the reasons for the rejection.")
    )
    if errors:
        raise ValidationError(errors)
    clean = checklist_clean(checklist or {}, petition=petition)
    locked = case_transition(
        PROCESS,
        petition,
        Action.REJECT,
        actor=actor,
        note=reasons,
        changes=lambda current: {
            "rejection_reasons": reasons,
            "checklist": clean,
            "rejected_on": timezone.localdate(),
            **_final_counts(current),
        },
        data={"checklist": clean},
    )
    notify.agent(locked, "rejected", text=reasons)
    return locked


@transaction.atomic
def petition_withdraw(*, petition: Petition, actor: User | None = None) -> Petition:
    """Withdraw (the agent, from the management link; or the bureau on their written
    request) before the bureau has decided on admissibility.

    Preconditions: draft, collecting, lodged or under review (else TransitionNotAllowed);
    an `actor` is of the petitions bureau of the petition's collectivity (else
    PermissionDenied). Side effects: signing closes; a running decision period is
    cancelled; the final counts are kept on the petition; the agent is told.
    """
    # The table makes withdrawal the agent's step; the bureau takes it only for them.
    if actor is not None and not has_perm(actor, Perm.PETITIONS_HANDLE, petition.collectivity):
        raise PermissionDenied
    current = case_lock(PROCESS, petition)
    if current.status == Status.COLLECTING:
        signatures_close(current)
    locked = case_transition(
        PROCESS,
        petition,
        Action.WITHDRAW,
        actor=actor,
        changes=lambda row: {"withdrawn_on": timezone.localdate(), **_final_counts(row)},
    )
    notify.agent(locked, "withdrawn")
    return locked


def _final_counts(petition: Petition) -> dict[str, Any]:
    """The counts a closed petition keeps once its signatures are purged."""
    by_province = counts_by_province_exact(petition)
    return {
        "final_confirmed": sum(by_province.values()),
        "final_per_province": {str(k): v for k, v in by_province.items()},
    }


def petitions_decisions_sweep(*, today: date | None = None) -> dict[str, int]:
    """The decision clock's periodic work (`manage.py tick`); safe to run any number of
    times. Each decision period that passed its due date unmet (the date its Deadline
    holds when the sweep runs, as the calendar set it) is noted once: the event
    `petitions.decision_overdue` is recorded and the bureau and the agent are told.
    Returns {"decision_overdue": n}.
    """
    found = clocks_sweep(processes=[PROCESS], today=today)[PROCESS.name]
    return {"decision_overdue": found["expired"]["decision"]}


def petition_settings_save(
    *, collectivity: Collectivity, actor: User, data: dict[str, Any]
) -> PetitionSettings:
    """Record the collectivity's petition settings (override with its basis, spread,
    association years, retention, CNDP authorisation).

    Preconditions: `actor` holds Perm.PETITIONS_HANDLE in `collectivity` (else
    PermissionDenied); an override comes with its basis; numbers within their range
    (else ValidationError per field, nothing saved). Side effects: a ledger event
    `petitions.settings_saved`; the petitions' cached pages are made stale on commit.
    """
    if not has_perm(actor, Perm.PETITIONS_HANDLE, collectivity):
        raise PermissionDenied
    errors: dict[str, str] = {}
    override = data.get("threshold_override")
    basis = str(data.get("threshold_basis") or "").strip()
    if override in ("", None):
        override = None
    else:
        try:
            override = int(override)
        except (TypeError, ValueError):
            override = -1
        if not 1 <= override <= 1_000_000:
            errors["threshold_override"] = _("Give a number of signatures, or leave empty.")
        elif not basis:
            errors["threshold_basis"] = _("Say where this figure comes from.")
    numbers: dict[str, int] = {}
    for name, low, high, default in (
        ("province_share_percent", 0, 100, 5),
        ("association_min_years", 0, 50, 3),
        ("retention_days", 1, 3650, 365),
    ):
        raw = data.get(name, default)
        try:
            numbers[name] = int(raw if raw not in ("", None) else default)
        except (TypeError, ValueError):
            numbers[name] = -1
        if not low <= numbers[name] <= high:
            errors[name] = _("Give a number from %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }
    cndp = str(data.get("cndp_authorisation") or "").strip()
    if len(basis) > BASIS_MAX or "\x00" in basis:
        errors["threshold_basis"] = too_long(BASIS_MAX)
    if len(cndp) > CNDP_MAX or "\x00" in cndp:
        errors["cndp_authorisation"] = too_long(CNDP_MAX)
    if errors:
        raise ValidationError(errors)
    return settings_save(
        PetitionSettings,
        collectivity=collectivity,
        actor=actor,
        values={
            "threshold_override": override,
            "threshold_basis": basis,
            "cndp_authorisation": cndp,
            **numbers,
        },
        event="petitions.settings_saved",
        namespaces=(PAGE_CACHE_NAMESPACE,),
        data={"threshold_override": override, "basis": basis, **numbers},
    )


__all__ = [
    "PetitionInput",
    "ThresholdNotMet",
    "TransitionNotAllowed",
    "petition_accept",
    "petition_by_confirm_token",
    "petition_by_manage_token",
    "petition_confirm_agent",
    "petition_decide",
    "petition_draft",
    "petition_lodge",
    "petition_register_paper",
    "petition_reject",
    "petition_review_start",
    "petition_schedule",
    "petition_settings_get",
    "petition_settings_save",
    "petition_validate",
    "petition_withdraw",
    "petitions_decisions_sweep",
]
