"""Procurement: the forecast programme of a year (البرنامج التوقعي) and each contracting
process from its planning to its payments, every step recorded as an OCDS release.

Every service takes keyword arguments and an `actor`, checks Perm.FINANCE_MANAGE in the
collectivity (PermissionDenied), validates (ValidationError with a message per field:
nothing written, no release appended), writes in one transaction, appends the process's
release (`ocds.release_append`, after the step's changes are saved) and records a ledger
event `finance.<action>`. The steps of a process lock its row first, so two steps taken
at once are taken one after the other (each release number is the next one).

The forecast programme:

- its items are edited freely until it is published (`plan_publish`); publishing creates
  one process per item, in stage PLANNED, each with a `planning` release;
- an item added after publication gets its process (and its `planning` release) at once;
  the ledger records the addition (`finance.planned_item_added` with
  `after_publication`), and the public page shows the day it was added (its process was
  created after the programme's publication);
- an item whose process is still PLANNED may be edited: the process follows, with a
  `planningUpdate` release; once the tender is out, the item is frozen (the process
  changes by its own steps). An item is removed only while it has no process, that is
  before publication: after it, the process is cancelled (`process_cancel`).

The steps (stages checked with `workflow.STEP_FROM`; tags from the OCDS releaseTag
codelist): planning → tender (`tender`, `tenderUpdate`), award (`award`; several lots are
several awards, recorded while TENDER or AWARDED), contract (`contract`: one per award;
the contract of a further lot may be signed after the first one), amendments
(`contractAmendment`), payments (`implementation`), completion (`implementationUpdate`);
or cancellation (`tenderCancellation`) and unsuccessful tender (`tenderUpdate`).

Facts are not recorded before they happen: the notice's publication, the award, the
signature, an amendment and a payment may not be dated after today.

Documents (`process_document_add`) may be added at any stage; the release is complete,
so each addition appends one, tagged by the stage: `planningUpdate` while planned,
`tenderUpdate` during the tender (and after a cancellation or an unsuccessful tender that
had a notice, else `planningUpdate`), `awardUpdate` once awarded, `contractUpdate` once
contracted, `implementationUpdate` during the implementation and after it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.finance import ocds
from infitah.finance.models import (
    TITLE_MAX,
    Award,
    BudgetItem,
    Contract,
    ContractAmendment,
    Payment,
    PlannedItem,
    Process,
    ProcessDocument,
    ProcurementPlan,
)
from infitah.finance.workflow import STEP_FROM, Category, Direction, Procedure, Quarter, Stage
from infitah.ledger.services import event_record
from infitah.lib.cleaning import (
    Errors,
    clean_date,
    clean_decimal,
    clean_pair,
    clean_period,
    clean_text,
    raise_errors,
)
from infitah.lib.uploads import check_upload
from infitah.numbering.services import number_next
from infitah.openplan.models import Commitment
from infitah.territories.models import Collectivity

SERIES = "finance.process"
YEAR_MIN, YEAR_MAX = 2000, 2100
REFERENCE_MAX = 64
NAME_MAX = 200
URL_MAX = 500
TEXT_MAX = 5000
REASON_MAX = 2000
ICE = re.compile(r"[0-9]{15}")
_URL = URLValidator(schemes=["http", "https"])

# Several lots: awards go on while AWARDED; the contract of a further lot may be signed
# once the first lot's contract is signed or paid.
AWARD_FROM = STEP_FROM["award"] | {Stage.AWARDED}
CONTRACT_FROM = STEP_FROM["contract"] | {Stage.CONTRACTED, Stage.IMPLEMENTATION}
TENDER_UPDATE_FROM = frozenset({Stage.TENDER})
# The order of the stages a process moves forward through.
FORWARD = (
    Stage.PLANNED,
    Stage.TENDER,
    Stage.AWARDED,
    Stage.CONTRACTED,
    Stage.IMPLEMENTATION,
    Stage.COMPLETED,
)
# The release tag of a document added at each stage (see the module's docstring).
DOCUMENT_TAG = {
    Stage.PLANNED: "planningUpdate",
    Stage.TENDER: "tenderUpdate",
    Stage.AWARDED: "awardUpdate",
    Stage.CONTRACTED: "contractUpdate",
    Stage.IMPLEMENTATION: "implementationUpdate",
    Stage.COMPLETED: "implementationUpdate",
}
TENDER_FIELDS = (
    "tender_reference",
    "tender_published_on",
    "tender_deadline",
    "tender_url",
    "estimated_amount",
    "description",
)
PROCESS_FIELDS = ("title_ar", "title_fr", "category", "procedure", "estimated_amount")
PLANNED_FIELDS = (
    "object_ar",
    "object_fr",
    "category",
    "procedure",
    "estimated_amount",
    "quarter",
    "budget_item",
    "commitment",
)


# --- small checks ---------------------------------------------------------------------------


def require(actor: User | None, collectivity: Collectivity) -> None:
    """PermissionDenied unless `actor` holds Perm.FINANCE_MANAGE in `collectivity`."""
    if actor is None or not has_perm(actor, Perm.FINANCE_MANAGE, collectivity):
        raise PermissionDenied


def _record(
    obj: Any,
    action: str,
    actor: User,
    collectivity: Collectivity,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    **data: Any,
) -> None:
    event_record(
        obj=obj,
        action=f"finance.{action}",
        actor=actor,
        collectivity=collectivity,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def _lock(process: Process) -> Process:
    """The process as it stands in the database, its row locked until the transaction
    ends: the stage checked is the stage written over, and release numbers follow."""
    return (
        Process.objects.select_for_update(of=("self",))
        .select_related("collectivity", "planned_item", "budget_item__budget")
        .get(pk=process.pk)
    )


def _stage_check(process: Process, allowed: frozenset[str]) -> None:
    if process.stage not in allowed:
        raise ValidationError(
            _("This step cannot be taken while the process is “%(stage)s”.")
            % {"stage": Stage(process.stage).label}
        )


def _forward(current: str, to: Stage) -> str:
    """`to`, unless the process is already further on."""
    return to if FORWARD.index(to) > FORWARD.index(Stage(current)) else current


def _year(errors: Errors, data: Mapping[str, Any], name: str = "year") -> int | None:
    value = data.get(name)
    year = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip()) if len(value.strip()) <= 4 else None
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        errors[name] = _("Enter a year from %(min)d to %(max)d.") % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
        return None
    return year


def _day(
    errors: Errors,
    data: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    not_after_today: bool = False,
) -> dt.date | None:
    """A date of this century; with `not_after_today`, a fact: not later than today."""
    day = clean_date(errors, data, name, required=required)
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        errors[name] = _("Enter a date from %(min)d to %(max)d.") % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
        return None
    if not_after_today and day > timezone.localdate():
        errors[name] = _("This date is in the future: record it once it has happened.")
        return None
    return day


def _moment(
    errors: Errors, data: Mapping[str, Any], name: str, *, required: bool = False
) -> dt.datetime | None:
    """A date and time (naive ones are local times)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors[name] = _("This date and time is required.")
        return None
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        errors[name] = _("Enter a valid date and time (YYYY-MM-DD HH:MM).")
        return None
    if not YEAR_MIN <= moment.year <= YEAR_MAX:
        errors[name] = _("Enter a date from %(min)d to %(max)d.") % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.replace(microsecond=0)


def _url(errors: Errors, data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        return ""
    if "\x00" in url or len(url) > URL_MAX:
        errors[name] = _("Enter a web address of at most %(max)d characters.") % {"max": URL_MAX}
        return ""
    try:
        _URL(url)
    except ValidationError:
        errors[name] = _("Enter a web address starting with http:// or https://.")
        return ""
    return url


def _choice(errors: Errors, data: Mapping[str, Any], name: str, values: list[Any]) -> Any:
    value = data.get(name)
    if isinstance(value, str) and value.strip().isdigit() and isinstance(values[0], int):
        value = int(value.strip())
    if value not in values or isinstance(value, bool):
        errors[name] = _("Choose one of the values offered.")
        return None
    return value


def _pk(value: Any) -> int | None:
    """The id in `value` (an object, an int or digits), else None."""
    if hasattr(value, "pk"):
        value = value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**31 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 10 else 0
        return number if 0 < number < 2**31 else None
    return None


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _budget_item(
    errors: Errors, data: Mapping[str, Any], collectivity: Collectivity, year: int | None
) -> BudgetItem | None:
    """An expenditure line of the collectivity's budget of `year`, or None when not given."""
    value = data.get("budget_item")
    if _empty(value):
        return None
    pk = _pk(value)
    found = (
        BudgetItem.objects.filter(
            pk=pk,
            budget__collectivity=collectivity,
            budget__year=year,
            direction=Direction.EXPENDITURE,
        )
        .select_related("budget")
        .first()
        if pk is not None and year is not None
        else None
    )
    if found is None:
        errors["budget_item"] = _(
            "Choose an expenditure line of this collectivity's budget of the same year."
        )
    return found


def _commitment(
    errors: Errors, data: Mapping[str, Any], collectivity: Collectivity
) -> Commitment | None:
    """An action-plan commitment of the collectivity, or None when not given."""
    value = data.get("commitment")
    if _empty(value):
        return None
    pk = _pk(value)
    found = (
        Commitment.objects.filter(pk=pk, programme__collectivity=collectivity).first()
        if pk is not None
        else None
    )
    if found is None:
        errors["commitment"] = _("Choose a commitment of this collectivity's action plans.")
    return found


def _process_new(
    *, collectivity: Collectivity, year: int, stage: Stage, created_at: dt.datetime, **fields: Any
) -> Process:
    """A process with the next ocid of the collectivity's year (a gapless number)."""
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    return Process.objects.create(
        collectivity=collectivity,
        ocid=ocds.ocid_for(collectivity, year, number),
        year=year,
        stage=stage,
        created_at=created_at,
        updated_at=created_at,
        **fields,
    )


def _process_of_item(item: PlannedItem, plan: ProcurementPlan, moment: dt.datetime) -> Process:
    return _process_new(
        collectivity=plan.collectivity,
        year=plan.year,
        stage=Stage.PLANNED,
        created_at=moment,
        planned_item=item,
        title_ar=item.object_ar,
        title_fr=item.object_fr,
        category=item.category,
        procedure=item.procedure,
        estimated_amount=item.estimated_amount,
        budget_item=item.budget_item,
        commitment=item.commitment,
    )


# --- the forecast programme -----------------------------------------------------------------


@transaction.atomic
def plan_get_or_create(*, collectivity: Collectivity, actor: User, year: int) -> ProcurementPlan:
    """The forecast programme of `year` (created empty, unpublished, the first time).

    Preconditions: Perm.FINANCE_MANAGE; a year from 2000 to 2100 (ValidationError).
    Side effects: ledger event `finance.plan_created` when created.
    """
    require(actor, collectivity)
    errors: Errors = {}
    clean_year = _year(errors, {"year": year})
    raise_errors(errors)
    assert clean_year is not None
    plan, created = ProcurementPlan.objects.get_or_create(
        collectivity=collectivity, year=clean_year
    )
    if created:
        _record(plan, "plan_created", actor, collectivity, year=clean_year)
    return plan


def _planned_clean(data: Mapping[str, Any], plan: ProcurementPlan) -> dict[str, Any]:
    errors: Errors = {}
    object_ar, object_fr = clean_pair(errors, data, "object", TITLE_MAX)
    values = {
        "object_ar": object_ar,
        "object_fr": object_fr,
        "category": _choice(errors, data, "category", Category.values),
        "procedure": _choice(errors, data, "procedure", Procedure.values),
        "estimated_amount": clean_decimal(
            errors, data, "estimated_amount", required=True, minimum=Decimal(0)
        ),
        "quarter": _choice(errors, data, "quarter", Quarter.values),
        "budget_item": _budget_item(errors, data, plan.collectivity, plan.year),
        "commitment": _commitment(errors, data, plan.collectivity),
    }
    raise_errors(errors)
    return values


@transaction.atomic
def planned_item_save(
    *,
    plan: ProcurementPlan,
    actor: User,
    data: Mapping[str, Any],
    item: PlannedItem | None = None,
) -> PlannedItem:
    """Add an item to the forecast programme (`item` None) or change one.

    Fields: object_ar / object_fr (one at least), category, procedure, estimated_amount
    (≥ 0), quarter (1-4), budget_item (optional: an expenditure line of the
    collectivity's budget of the plan's year), commitment (optional: an action-plan
    commitment of the collectivity).

    Preconditions: Perm.FINANCE_MANAGE; valid fields; a changed item's process, if any,
    still PLANNED (ValidationError).
    Side effects: an item added to a published programme gets its process at once (with
    a `planning` release); a changed item's process follows it (a `planningUpdate`
    release). Ledger event `finance.planned_item_added` (with `after_publication`) or
    `finance.planned_item_updated` (the changed fields).
    """
    require(actor, plan.collectivity)
    plan = (
        ProcurementPlan.objects.select_for_update().select_related("collectivity").get(pk=plan.pk)
    )
    process: Process | None = None
    if item is not None:
        if item.plan_id != plan.pk:
            raise ValidationError(_("This item is not part of this forecast programme."))
        item = PlannedItem.objects.select_related("process").get(pk=item.pk)
        process = getattr(item, "process", None)
        if process is not None:
            process = _lock(process)
            if process.stage != Stage.PLANNED:
                raise ValidationError(
                    _(
                        "The call for tenders of this item is out: the item no longer "
                        "changes; its process changes by its own steps."
                    )
                )
    values = _planned_clean(data, plan)
    if item is None:
        number = (plan.items.aggregate(last=Max("number"))["last"] or 0) + 1
        item = PlannedItem.objects.create(plan=plan, number=number, **values)
        after = plan.published_at is not None
        if after:
            created = _process_of_item(item, plan, timezone.now())
            ocds.release_append(created, tags=["planning"])
            _record(
                created,
                "process_created",
                actor,
                plan.collectivity,
                to_state=Stage.PLANNED,
                ocid=created.ocid,
                planned_item=item.number,
            )
        _record(
            plan,
            "planned_item_added",
            actor,
            plan.collectivity,
            number=item.number,
            after_publication=after,
        )
        return item
    changed = sorted(name for name in PLANNED_FIELDS if values[name] != getattr(item, name))
    if not changed:
        return item
    for name in changed:
        setattr(item, name, values[name])
    item.save(update_fields=changed)
    if process is not None:
        process.title_ar, process.title_fr = item.object_ar, item.object_fr
        process.category, process.procedure = item.category, item.procedure
        process.estimated_amount = item.estimated_amount
        process.budget_item, process.commitment = item.budget_item, item.commitment
        process.updated_at = timezone.now()
        process.save()
        ocds.release_append(process, tags=["planningUpdate"])
    _record(
        plan, "planned_item_updated", actor, plan.collectivity, number=item.number, fields=changed
    )
    return item


@transaction.atomic
def planned_item_add(
    *, collectivity: Collectivity, actor: User, year: int, data: Mapping[str, Any]
) -> PlannedItem:
    """Add an item to the forecast programme of `year`, creating the programme the first
    time (`plan_get_or_create`, then `planned_item_save`, in one transaction: on bad
    input not even the programme is created)."""
    plan = plan_get_or_create(collectivity=collectivity, actor=actor, year=year)
    return planned_item_save(plan=plan, actor=actor, data=data)


@transaction.atomic
def planned_item_delete(*, item: PlannedItem, actor: User) -> None:
    """Remove an item from the forecast programme.

    Preconditions: Perm.FINANCE_MANAGE; the item has no process (ValidationError: after
    publication, its process is cancelled instead).
    Side effects: ledger event `finance.planned_item_deleted`.
    """
    plan = item.plan
    require(actor, plan.collectivity)
    plan = (
        ProcurementPlan.objects.select_for_update().select_related("collectivity").get(pk=plan.pk)
    )
    if Process.objects.filter(planned_item_id=item.pk).exists():
        raise ValidationError(
            _(
                "This item has its procurement process: it stays in the published programme "
                "(cancel the process instead)."
            )
        )
    number = item.number
    PlannedItem.objects.filter(pk=item.pk).delete()
    _record(plan, "planned_item_deleted", actor, plan.collectivity, number=number)


@transaction.atomic
def plan_publish(*, plan: ProcurementPlan, actor: User) -> ProcurementPlan:
    """Publish the forecast programme: each item becomes a contracting process.

    Preconditions: Perm.FINANCE_MANAGE; not yet published; at least one item
    (ValidationError).
    Side effects: `published_at` set; one process per item, in item order, stage
    PLANNED, with the next ocid of the collectivity's year and a `planning` release;
    ledger event `finance.plan_published` and one `finance.process_created` per process.
    """
    require(actor, plan.collectivity)
    plan = (
        ProcurementPlan.objects.select_for_update().select_related("collectivity").get(pk=plan.pk)
    )
    if plan.published_at is not None:
        raise ValidationError(_("This forecast programme is already published."))
    items = list(plan.items.select_related("budget_item__budget", "commitment").order_by("number"))
    if not items:
        raise ValidationError(_("Add at least one item before publishing the programme."))
    now = timezone.now()
    plan.published_at = now
    plan.save(update_fields=["published_at"])
    for item in items:
        process = _process_of_item(item, plan, now)
        ocds.release_append(process, tags=["planning"])
        _record(
            process,
            "process_created",
            actor,
            plan.collectivity,
            to_state=Stage.PLANNED,
            ocid=process.ocid,
            planned_item=item.number,
        )
    _record(plan, "plan_published", actor, plan.collectivity, items=len(items))
    return plan


# --- processes ------------------------------------------------------------------------------


def _tender_clean(
    errors: Errors, data: Mapping[str, Any], collectivity: Collectivity, process: Process | None
) -> dict[str, Any]:
    """The call for tenders: reference (unique in the collectivity), publication day (not
    after today), deadline (not before the publication day), the portal's notice
    (optional), the refined estimate and the description (kept when not given)."""
    values: dict[str, Any] = {
        "tender_reference": clean_text(
            errors,
            data,
            "tender_reference",
            REFERENCE_MAX,
            required=_("Give the reference of the call for tenders."),
        ),
        "tender_published_on": _day(
            errors, data, "tender_published_on", required=True, not_after_today=True
        ),
        "tender_deadline": _moment(errors, data, "tender_deadline", required=True),
        "tender_url": _url(errors, data, "tender_url"),
    }
    published, deadline = values["tender_published_on"], values["tender_deadline"]
    if published is not None and deadline is not None and timezone.localdate(deadline) < published:
        errors["tender_deadline"] = _("The deadline cannot come before the notice's publication.")
    reference = values["tender_reference"]
    if reference and "tender_reference" not in errors:
        others = Process.objects.filter(collectivity=collectivity, tender_reference=reference)
        if process is not None:
            others = others.exclude(pk=process.pk)
        if others.exists():
            errors["tender_reference"] = _(
                "Another process of this collectivity has this reference."
            )
    if not _empty(data.get("estimated_amount")):
        values["estimated_amount"] = clean_decimal(
            errors, data, "estimated_amount", minimum=Decimal(0)
        )
    if "description" in data:
        values["description"] = clean_text(errors, data, "description", TEXT_MAX)
    return values


def _has_tender(data: Mapping[str, Any]) -> bool:
    return any(
        not _empty(data.get(name))
        for name in ("tender_reference", "tender_published_on", "tender_deadline", "tender_url")
    )


@transaction.atomic
def process_create(*, collectivity: Collectivity, actor: User, data: Mapping[str, Any]) -> Process:
    """A process outside the forecast programme (a purchase order, an urgent need).

    Fields: year, title_ar / title_fr (one at least), description, category, procedure,
    estimated_amount (≥ 0), budget_item and commitment (optional, as for a planned item);
    with the call for tenders' fields (tender_reference, tender_published_on,
    tender_deadline, tender_url), it starts at TENDER.

    Preconditions: Perm.FINANCE_MANAGE; valid fields (ValidationError).
    Side effects: the process with the next ocid of its year and one release, tagged
    `planning` (stage PLANNED) or `planning` and `tender` (stage TENDER); ledger event
    `finance.process_created`.
    """
    require(actor, collectivity)
    errors: Errors = {}
    year = _year(errors, data)
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    values: dict[str, Any] = {
        "title_ar": title_ar,
        "title_fr": title_fr,
        "description": clean_text(errors, data, "description", TEXT_MAX),
        "category": _choice(errors, data, "category", Category.values),
        "procedure": _choice(errors, data, "procedure", Procedure.values),
        "estimated_amount": clean_decimal(
            errors, data, "estimated_amount", required=True, minimum=Decimal(0)
        ),
        "budget_item": _budget_item(errors, data, collectivity, year),
        "commitment": _commitment(errors, data, collectivity),
    }
    tender = _has_tender(data)
    if tender:
        tender_values = _tender_clean(errors, {**data, "estimated_amount": ""}, collectivity, None)
        tender_values.pop("description", None)
        values.update(tender_values)
    raise_errors(errors)
    assert year is not None
    stage = Stage.TENDER if tender else Stage.PLANNED
    process = _process_new(
        collectivity=collectivity, year=year, stage=stage, created_at=timezone.now(), **values
    )
    ocds.release_append(process, tags=["planning", "tender"] if tender else ["planning"])
    _record(process, "process_created", actor, collectivity, to_state=stage, ocid=process.ocid)
    return process


@transaction.atomic
def tender_publish(*, process: Process, actor: User, data: Mapping[str, Any]) -> Process:
    """The call for tenders is out (fields: see `_tender_clean`).

    Preconditions: Perm.FINANCE_MANAGE; stage PLANNED; valid fields (ValidationError).
    Side effects: stage TENDER; a `tender` release; ledger event `finance.tender_published`.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, STEP_FROM["tender"])
    errors: Errors = {}
    values = _tender_clean(errors, data, process.collectivity, process)
    raise_errors(errors)
    for name, value in values.items():
        setattr(process, name, value)
    process.stage = Stage.TENDER
    process.updated_at = timezone.now()
    process.save()
    ocds.release_append(process, tags=["tender"])
    _record(
        process,
        "tender_published",
        actor,
        process.collectivity,
        from_state=Stage.PLANNED,
        to_state=Stage.TENDER,
        reference=process.tender_reference,
    )
    return process


@transaction.atomic
def tender_update(*, process: Process, actor: User, data: Mapping[str, Any]) -> Process:
    """Correct or extend the call for tenders (a new deadline, the portal's notice…).

    Preconditions: Perm.FINANCE_MANAGE; stage TENDER; valid fields (ValidationError).
    Side effects: when something changed, a `tenderUpdate` release and ledger event
    `finance.tender_updated` naming the changed fields; nothing when nothing changed.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, TENDER_UPDATE_FROM)
    errors: Errors = {}
    values = _tender_clean(errors, data, process.collectivity, process)
    raise_errors(errors)
    changed = sorted(name for name, value in values.items() if value != getattr(process, name))
    if not changed:
        return process
    for name in changed:
        setattr(process, name, values[name])
    process.updated_at = timezone.now()
    process.save()
    ocds.release_append(process, tags=["tenderUpdate"])
    _record(process, "tender_updated", actor, process.collectivity, fields=changed)
    return process


def _reason(reason: Any) -> str:
    errors: Errors = {}
    text = clean_text(
        errors, {"reason": reason}, "reason", REASON_MAX, required=_("Give the reason.")
    )
    raise_errors(errors)
    return text


@transaction.atomic
def process_cancel(*, process: Process, actor: User, reason: str) -> Process:
    """Cancel a planned process or a call for tenders.

    Preconditions: Perm.FINANCE_MANAGE; stage PLANNED or TENDER; a reason
    (ValidationError).
    Side effects: stage CANCELLED; a `tenderCancellation` release; ledger event
    `finance.process_cancelled` with the reason (the public page shows it).
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, STEP_FROM["cancel"])
    text = _reason(reason)
    before = process.stage
    process.stage = Stage.CANCELLED
    process.updated_at = timezone.now()
    process.save()
    ocds.release_append(process, tags=["tenderCancellation"])
    _record(
        process,
        "process_cancelled",
        actor,
        process.collectivity,
        from_state=before,
        to_state=Stage.CANCELLED,
        note=text,
    )
    return process


@transaction.atomic
def process_unsuccessful(*, process: Process, actor: User, reason: str) -> Process:
    """The call for tenders ended without an award (no bid, or none acceptable).

    Preconditions: Perm.FINANCE_MANAGE; stage TENDER; a reason (ValidationError).
    Side effects: stage UNSUCCESSFUL; a `tenderUpdate` release (tender status
    "unsuccessful"); ledger event `finance.process_unsuccessful` with the reason.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, STEP_FROM["unsuccessful"])
    text = _reason(reason)
    process.stage = Stage.UNSUCCESSFUL
    process.updated_at = timezone.now()
    process.save()
    ocds.release_append(process, tags=["tenderUpdate"])
    _record(
        process,
        "process_unsuccessful",
        actor,
        process.collectivity,
        from_state=Stage.TENDER,
        to_state=Stage.UNSUCCESSFUL,
        note=text,
    )
    return process


@transaction.atomic
def award_record(*, process: Process, actor: User, data: Mapping[str, Any]) -> Award:
    """Award the contract (or one lot: several lots are several awards).

    Fields: supplier_name, supplier_ice (optional, 15 digits), amount (> 0), awarded_on
    (not before the day of the tenders' deadline, not after today).

    Preconditions: Perm.FINANCE_MANAGE; stage TENDER or AWARDED; valid fields.
    Side effects: stage AWARDED; an `award` release; ledger event `finance.award_recorded`.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, AWARD_FROM)
    errors: Errors = {}
    name = clean_text(
        errors, data, "supplier_name", NAME_MAX, required=_("Give the supplier's name.")
    )
    ice = clean_text(errors, data, "supplier_ice", REFERENCE_MAX)
    if ice and "supplier_ice" not in errors and not (ice.isascii() and ICE.fullmatch(ice)):
        errors["supplier_ice"] = _("The ICE is made of 15 digits.")
    amount = clean_decimal(errors, data, "amount", required=True, positive=True)
    awarded_on = _day(errors, data, "awarded_on", required=True, not_after_today=True)
    if awarded_on is not None and process.tender_deadline is not None:
        closing = timezone.localdate(process.tender_deadline)
        if awarded_on < closing:
            errors["awarded_on"] = _(
                "The award cannot come before the tenders' deadline (%(day)s)."
            ) % {"day": closing.isoformat()}
    raise_errors(errors)
    assert amount is not None and awarded_on is not None
    award = Award.objects.create(
        process=process,
        supplier_name=name,
        supplier_ice=ice,
        amount=amount,
        awarded_on=awarded_on,
    )
    before = process.stage
    process.stage = Stage.AWARDED
    process.updated_at = timezone.now()
    process.save(update_fields=["stage", "updated_at"])
    ocds.release_append(process, tags=["award"])
    _record(
        process,
        "award_recorded",
        actor,
        process.collectivity,
        from_state=before,
        to_state=Stage.AWARDED,
        award=award.pk,
        amount=str(amount),
    )
    return award


@transaction.atomic
def contract_sign(
    *, process: Process, actor: User, award: Award, data: Mapping[str, Any]
) -> Contract:
    """The contract of an award is signed.

    Fields: reference (unique in the process), amount (> 0), signed_on (not before the
    award, not after today), starts_on and ends_on (optional; the end not before the
    start).

    Preconditions: Perm.FINANCE_MANAGE; stage AWARDED (or CONTRACTED / IMPLEMENTATION
    for a further lot); `award` of this process, without a contract yet; valid fields.
    Side effects: stage CONTRACTED (unless already further); a `contract` release;
    ledger event `finance.contract_signed`.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, CONTRACT_FROM)
    if award.process_id != process.pk:
        raise ValidationError({"award": _("Choose an award of this process.")})
    if Contract.objects.filter(award_id=award.pk).exists():
        raise ValidationError({"award": _("This award already has its contract.")})
    errors: Errors = {}
    reference = clean_text(
        errors, data, "reference", REFERENCE_MAX, required=_("Give the contract's number.")
    )
    if reference and process.contracts.filter(reference=reference).exists():
        errors["reference"] = _("Another contract of this process has this number.")
    amount = clean_decimal(errors, data, "amount", required=True, positive=True)
    signed_on = _day(errors, data, "signed_on", required=True, not_after_today=True)
    if signed_on is not None and signed_on < award.awarded_on:
        errors["signed_on"] = _("The contract cannot be signed before the award (%(day)s).") % {
            "day": award.awarded_on.isoformat()
        }
    starts_on = _day(errors, data, "starts_on")
    ends_on = _day(errors, data, "ends_on")
    clean_period(errors, starts_on, ends_on)
    raise_errors(errors)
    assert amount is not None and signed_on is not None
    contract = Contract.objects.create(
        process=process,
        award=award,
        reference=reference,
        amount=amount,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    before = process.stage
    process.stage = _forward(before, Stage.CONTRACTED)
    process.updated_at = timezone.now()
    process.save(update_fields=["stage", "updated_at"])
    ocds.release_append(process, tags=["contract"])
    _record(
        process,
        "contract_signed",
        actor,
        process.collectivity,
        from_state=before,
        to_state=process.stage,
        contract=contract.pk,
        amount=str(amount),
    )
    return contract


def contract_value(contract: Contract) -> Decimal:
    """The contract's amount after its amendments."""
    change = contract.amendments.aggregate(total=Sum("amount_change"))["total"]
    return contract.amount + (change or Decimal(0))


def contract_paid(contract: Contract) -> Decimal:
    paid = contract.payments.aggregate(total=Sum("amount"))["total"]
    return paid or Decimal(0)


def _contract_process(contract: Contract) -> Process:
    return _lock(Process(pk=contract.process_id))


@transaction.atomic
def contract_amend(
    *, contract: Contract, actor: User, data: Mapping[str, Any]
) -> ContractAmendment:
    """An amendment (avenant) of a signed contract.

    Fields: amended_on (not before the signature, not after today), description, and
    amount_change (may be negative; the contract's value stays ≥ 0 and not below what is
    already paid).

    Preconditions: Perm.FINANCE_MANAGE; stage CONTRACTED or IMPLEMENTATION; valid fields.
    Side effects: a `contractAmendment` release; ledger event `finance.contract_amended`.
    """
    require(actor, contract.process.collectivity)
    process = _contract_process(contract)
    _stage_check(process, STEP_FROM["amend"])
    contract = Contract.objects.get(pk=contract.pk)
    errors: Errors = {}
    amended_on = _day(errors, data, "amended_on", required=True, not_after_today=True)
    if amended_on is not None and amended_on < contract.signed_on:
        errors["amended_on"] = _("An amendment cannot come before the signature (%(day)s).") % {
            "day": contract.signed_on.isoformat()
        }
    description = clean_text(
        errors, data, "description", TEXT_MAX, required=_("Say what the amendment changes.")
    )
    change = clean_decimal(errors, data, "amount_change") or Decimal(0)
    if "amount_change" not in errors:
        value = contract_value(contract) + change
        paid = contract_paid(contract)
        if value < 0:
            errors["amount_change"] = _("The contract's value cannot become negative.")
        elif value < paid:
            errors["amount_change"] = _(
                "The contract's value cannot fall below what is already paid (%(paid)s MAD)."
            ) % {"paid": paid}
    raise_errors(errors)
    assert amended_on is not None
    amendment = ContractAmendment.objects.create(
        contract=contract, amended_on=amended_on, description=description, amount_change=change
    )
    process.updated_at = timezone.now()
    process.save(update_fields=["updated_at"])
    ocds.release_append(process, tags=["contractAmendment"])
    _record(
        process,
        "contract_amended",
        actor,
        process.collectivity,
        contract=contract.pk,
        amendment=amendment.pk,
        amount_change=str(change),
    )
    return amendment


@transaction.atomic
def payment_record(*, contract: Contract, actor: User, data: Mapping[str, Any]) -> Payment:
    """A payment to the supplier under the contract.

    Fields: paid_on (not before the signature, not after today), amount (> 0; the total
    paid may not exceed the contract's value after amendments), reference (the payment
    order, optional).

    Preconditions: Perm.FINANCE_MANAGE; stage CONTRACTED or IMPLEMENTATION; valid fields.
    Side effects: stage IMPLEMENTATION; an `implementation` release; ledger event
    `finance.payment_recorded`.
    """
    require(actor, contract.process.collectivity)
    process = _contract_process(contract)
    _stage_check(process, STEP_FROM["pay"])
    contract = Contract.objects.get(pk=contract.pk)
    errors: Errors = {}
    paid_on = _day(errors, data, "paid_on", required=True, not_after_today=True)
    if paid_on is not None and paid_on < contract.signed_on:
        errors["paid_on"] = _("A payment cannot come before the signature (%(day)s).") % {
            "day": contract.signed_on.isoformat()
        }
    amount = clean_decimal(errors, data, "amount", required=True, positive=True)
    reference = clean_text(errors, data, "reference", REFERENCE_MAX)
    if amount is not None and "amount" not in errors:
        left = contract_value(contract) - contract_paid(contract)
        if amount > left:
            errors["amount"] = _(
                "The payments would exceed the contract's value: at most %(left)s MAD is "
                "left to pay."
            ) % {"left": left}
    raise_errors(errors)
    assert paid_on is not None and amount is not None
    payment = Payment.objects.create(
        contract=contract, paid_on=paid_on, amount=amount, reference=reference
    )
    before = process.stage
    process.stage = Stage.IMPLEMENTATION
    process.updated_at = timezone.now()
    process.save(update_fields=["stage", "updated_at"])
    ocds.release_append(process, tags=["implementation"])
    _record(
        process,
        "payment_recorded",
        actor,
        process.collectivity,
        from_state=before,
        to_state=Stage.IMPLEMENTATION,
        contract=contract.pk,
        payment=payment.pk,
        amount=str(amount),
    )
    return payment


@transaction.atomic
def process_complete(*, process: Process, actor: User) -> Process:
    """The contracts are carried out: the process is closed.

    Preconditions: Perm.FINANCE_MANAGE; stage CONTRACTED or IMPLEMENTATION.
    Side effects: stage COMPLETED (the contracts' OCDS status "terminated"); an
    `implementationUpdate` release; ledger event `finance.process_completed`.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    _stage_check(process, STEP_FROM["complete"])
    before = process.stage
    process.stage = Stage.COMPLETED
    process.updated_at = timezone.now()
    process.save(update_fields=["stage", "updated_at"])
    ocds.release_append(process, tags=["implementationUpdate"])
    _record(
        process,
        "process_completed",
        actor,
        process.collectivity,
        from_state=before,
        to_state=Stage.COMPLETED,
    )
    return process


def document_tag(process: Process) -> str:
    """The release tag of a document added now (see the module's docstring)."""
    stage = Stage(process.stage)
    if stage in (Stage.CANCELLED, Stage.UNSUCCESSFUL):
        return "tenderUpdate" if process.tender_published_on is not None else "planningUpdate"
    return DOCUMENT_TAG[stage]


@transaction.atomic
def process_document_add(
    *, process: Process, actor: User, title: str, file: UploadedFile[Any] | IO[bytes]
) -> ProcessDocument:
    """Publish a document of the process (notice, rules, minutes of the opening of bids,
    award decision, contract, completion certificate…), at its current stage.

    Preconditions: Perm.FINANCE_MANAGE; a title; a file accepted by
    `lib.uploads.check_upload` (ValidationError; nothing stored).
    Side effects: the file stored; one release tagged by the stage (`document_tag`);
    ledger event `finance.process_document_added`.
    """
    require(actor, process.collectivity)
    process = _lock(process)
    errors: Errors = {}
    text = clean_text(errors, {"title": title}, "title", TITLE_MAX, required=_("Give a title."))
    checked = None
    name = str(getattr(file, "name", "") or "")
    try:
        checked = check_upload(file, name=name)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors["file"] = exc.messages
    raise_errors(errors)
    assert checked is not None
    document = ProcessDocument(
        process=process,
        stage=process.stage,
        title=text,
        name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    stored: FieldFile | None = None
    try:
        file.seek(0)
        document.file.save(f"document.{checked.extension}", file, save=False)  # type: ignore[arg-type]
        stored = document.file
        document.save()
        process.updated_at = timezone.now()
        process.save(update_fields=["updated_at"])
        tag = document_tag(process)
        ocds.release_append(process, tags=[tag])
        _record(
            process,
            "process_document_added",
            actor,
            process.collectivity,
            document=document.pk,
            tag=tag,
        )
    except BaseException:
        if stored is not None and stored.name:
            stored.storage.delete(stored.name)
        raise
    return document
