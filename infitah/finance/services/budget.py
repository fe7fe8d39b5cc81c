"""Budgets: a year opened, spreadsheets imported as versions of a phase, lines tagged
(function, gender marker, action-plan commitment), gender budgeting (beneficiaries
indicators, the equality advisory body's comments) and the eight key documents.

Every service takes keyword arguments and an `actor`, checks the actor's permission in
the budget's collectivity (PermissionDenied: Perm.FINANCE_MANAGE, or
Perm.ADVISORY_MANAGE for the advisory body's comments), validates (ValidationError with
a message per field, nothing written) and runs in one transaction, recording a ledger
event (`finance.*`) about the budget. The public budget pages, cached under the page
namespace `PAGES`, are made stale when the transaction commits.

Phases and negative amounts: only an amended budget (`Phase.AMENDED`) may hold negative
amounts (the reductions of a supplementary budget); a proposed, approved or executed
budget may not. An execution is dated (`as_of`, the day its figures stand at); the
other phases are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.advisory.models import Body, BodyKind
from infitah.finance.importer import MAX_BYTES, ParseError, budget_parse
from infitah.finance.models import (
    TITLE_MAX,
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    FunctionalClass,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.workflow import Direction, GenderMarker, KeyDocument, Phase
from infitah.ledger.services import event_record
from infitah.lib.bounds import whole_number
from infitah.lib.casework import TEXT_MAX
from infitah.lib.cleaning import Errors, clean_date, clean_pair, clean_text, raise_errors
from infitah.lib.pagecache import bump
from infitah.openplan.models import Commitment
from infitah.publication.models import Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

# The page-cache namespace of the public budget pages.
PAGES = "finance"
YEAR_MIN, YEAR_MAX = 2000, 2100
NOTE_MAX = 500
# Lines tagged at once by `items_tag` (a page of the bulk form is far smaller).
BULK_MAX = 1_000
# Beneficiaries counted on one line (a region has a few million inhabitants).
PEOPLE_MAX = 100_000_000


class BudgetImportError(ValidationError):
    """A refused import: the field messages, and `problems`, every error of the file
    with its row and column (the page lists them by line)."""

    def __init__(self, errors: Errors, problems: list[ParseError], truncated: bool = False):
        super().__init__(errors)
        self.problems = problems
        self.truncated = truncated


# --- shared checks ----------------------------------------------------------------------------


def require(
    actor: User | None, collectivity: Collectivity, perm: Perm = Perm.FINANCE_MANAGE
) -> None:
    """PermissionDenied unless `actor` holds `perm` in `collectivity`."""
    if actor is None or not has_perm(actor, perm, collectivity):
        raise PermissionDenied


def record(budget: Budget, action: str, actor: User, **data: Any) -> None:
    """A ledger event `finance.<action>` about the budget; the public pages go stale."""
    event_record(
        obj=budget,
        action=f"finance.{action}",
        actor=actor,
        collectivity=budget.collectivity,
        data={"year": budget.year, **data},
    )
    transaction.on_commit(lambda: bump(PAGES))


def _pk(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value, minimum=1)
    return whole_number(str(value), minimum=1) if isinstance(value, str) else None


# --- budgets and imports ---------------------------------------------------------------------


@transaction.atomic
def budget_get_or_create(*, collectivity: Collectivity, actor: User, year: int | str) -> Budget:
    """The collectivity's budget of `year` (2000–2100), opened when there is none.

    Preconditions: Perm.FINANCE_MANAGE (PermissionDenied); a year in range
    (ValidationError on `year`). Side effects: ledger event `finance.budget_opened` when
    the budget is new.
    """
    require(actor, collectivity)
    number = whole_number(year if isinstance(year, int) else str(year), minimum=YEAR_MIN)
    if number is None or number > YEAR_MAX:
        raise ValidationError(
            {
                "year": _("Enter a year from %(min)d to %(max)d.")
                % {"min": YEAR_MIN, "max": YEAR_MAX}
            }
        )
    budget, created = Budget.objects.get_or_create(collectivity=collectivity, year=number)
    if created:
        record(budget, "budget_opened", actor)
    return budget


def _import_fields(
    budget: Budget, phase: str, as_of: dt.date | str | None, note: str
) -> tuple[Errors, dt.date | None, str]:
    errors: Errors = {}
    if phase not in Phase.values:
        errors["phase"] = _("Choose the phase of the budget this file gives.")
    day = clean_date(errors, {"as_of": as_of}, "as_of")
    text = clean_text(errors, {"note": note}, "note", NOTE_MAX)
    if "as_of" in errors:
        return errors, None, text
    if phase == Phase.EXECUTED:
        today = timezone.localdate()
        if day is None:
            errors["as_of"] = _("Give the day the execution's figures stand at.")
        elif day > today:
            errors["as_of"] = _("The figures cannot stand at a day still to come.")
        elif not budget.year <= day.year <= budget.year + 1:
            errors["as_of"] = _(
                "The figures of the %(year)d budget stand at a day of %(year)d or %(next)d."
            ) % {"year": budget.year, "next": budget.year + 1}
    elif day is not None and phase in Phase.values:
        errors["as_of"] = _("Only an execution is dated; leave this empty.")
    return errors, day, text


def _read(file: IO[bytes] | None) -> bytes:
    if file is None:
        return b""
    file.seek(0)
    data = file.read(MAX_BYTES + 1)
    file.seek(0)
    return data


@transaction.atomic
def budget_import(
    *,
    budget: Budget,
    actor: User,
    phase: str,
    file: IO[bytes] | None,
    as_of: dt.date | str | None = None,
    note: str = "",
) -> BudgetVersion:
    """Import a spreadsheet (CSV or XLSX) as the next version of `phase`.

    Preconditions: Perm.FINANCE_MANAGE; a phase; `as_of` for an execution only (a day of
    the budget's year or the next, not in the future); a note of at most 500
    characters; a file the importer reads without any error, negative amounts only in
    an amended budget (else BudgetImportError: the field messages, and `problems` the
    file's errors by row; nothing written, no file stored).
    Side effects: the file stored as the version (numbered after the phase's last);
    the budget's lines created, or their labels updated (a line is the same across
    versions: direction, section, code); one amount per line of the file; the version's
    totals and line count; ledger event `finance.budget_imported`.
    """
    require(actor, budget.collectivity)
    errors, day, text = _import_fields(budget, phase, as_of, note)
    name = str(getattr(file, "name", "") or "")
    problems: list[ParseError] = []
    truncated = False
    result = None
    data = b""
    if file is None or not name:
        errors["file"] = _("Choose the spreadsheet to import.")
    elif "phase" not in errors:
        data = _read(file)
        result = budget_parse(data, filename=name, allow_negative=phase == Phase.AMENDED)
        problems, truncated = result.errors, result.truncated
        if problems:
            errors["file"] = _(
                "The file is not imported: correct the errors listed by row and import it again."
            )
    if errors or result is None or result.checked is None:
        raise BudgetImportError(errors, problems, truncated)
    checked = result.checked

    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    last = locked.versions.filter(phase=phase).aggregate(last=Max("number"))["last"] or 0
    items = {
        (item.direction, item.section, item.code): item
        for item in BudgetItem.objects.filter(budget=locked)
    }
    new: list[BudgetItem] = []
    changed: list[BudgetItem] = []
    for line in result.lines:
        found = items.get(line.key)
        if found is None:
            found = BudgetItem(
                budget=locked,
                direction=line.direction,
                section=line.section,
                chapter=line.chapter,
                article=line.article,
                paragraph=line.paragraph,
                line=line.line,
                code=line.code,
                label_ar=line.label_ar,
                label_fr=line.label_fr,
            )
            items[line.key] = found
            new.append(found)
            continue
        labels = {"label_ar": line.label_ar or found.label_ar}
        labels["label_fr"] = line.label_fr or found.label_fr
        if labels != {"label_ar": found.label_ar, "label_fr": found.label_fr}:
            found.label_ar, found.label_fr = labels["label_ar"], labels["label_fr"]
            changed.append(found)
    BudgetItem.objects.bulk_create(new, batch_size=500)
    BudgetItem.objects.bulk_update(changed, ["label_ar", "label_fr"], batch_size=500)
    if any(item.pk is None for item in new):  # a backend that gives no ids back
        ids = {
            (item.direction, item.section, item.code): item.pk
            for item in BudgetItem.objects.filter(budget=locked)
        }
        for item in new:
            item.pk = ids[(item.direction, item.section, item.code)]

    version = BudgetVersion(
        budget=locked,
        phase=phase,
        number=last + 1,
        as_of=day,
        note=text,
        name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        line_count=len(result.lines),
        total_revenue=result.total(Direction.REVENUE),
        total_expenditure=result.total(Direction.EXPENDITURE),
        imported_by=actor,
    )
    version.file.save(f"budget.{checked.extension}", ContentFile(data), save=False)
    try:
        version.save()
        Amount.objects.bulk_create(
            (
                Amount(version=version, item=items[line.key], amount=line.amount)
                for line in result.lines
            ),
            batch_size=1_000,
        )
        record(
            locked,
            "budget_imported",
            actor,
            version=version.pk,
            phase=phase,
            number=version.number,
            lines=version.line_count,
            new_lines=len(new),
            total_revenue=str(version.total_revenue),
            total_expenditure=str(version.total_expenditure),
            sha256=version.sha256,
        )
    except BaseException:
        if version.file.name:
            version.file.storage.delete(version.file.name)
        raise
    return version


# --- tagging lines ---------------------------------------------------------------------------

TAG_FIELDS = ("function", "gender_marker", "commitment")


def _tag_clean(
    errors: Errors,
    item: BudgetItem,
    values: Mapping[str, Any],
    functions: Mapping[int, FunctionalClass],
    commitments: Mapping[int, Commitment],
    suffix: str = "",
) -> dict[str, Any]:
    """The fields of `values` (any of TAG_FIELDS; None or "" clears one) checked; an
    error on `<field><suffix>` for each bad one."""
    clean: dict[str, Any] = {}
    if "function" in values:
        raw = values["function"]
        if raw in (None, ""):
            clean["function"] = None
        else:
            found = functions.get(raw.pk if isinstance(raw, FunctionalClass) else _pk(raw) or 0)
            if found is None:
                errors[f"function{suffix}"] = _("Choose a function of the list.")
            else:
                clean["function"] = found
    if "gender_marker" in values:
        raw = values["gender_marker"]
        if raw in (None, ""):
            clean["gender_marker"] = None
        else:
            marker = whole_number(raw if isinstance(raw, int) else str(raw), maximum=2)
            if marker is None or marker not in GenderMarker.values:
                errors[f"gender_marker{suffix}"] = _("Choose a gender marker: 0, 1 or 2.")
            elif item.direction != Direction.EXPENDITURE:
                errors[f"gender_marker{suffix}"] = _(
                    "Only an expenditure line carries a gender marker."
                )
            else:
                clean["gender_marker"] = marker
    if "commitment" in values:
        raw = values["commitment"]
        if raw in (None, ""):
            clean["commitment"] = None
        else:
            key = raw.pk if isinstance(raw, Commitment) else _pk(raw)
            commitment = commitments.get(key or 0)
            if commitment is None:
                errors[f"commitment{suffix}"] = _(
                    "Choose a commitment of this collectivity's opening programmes."
                )
            else:
                clean["commitment"] = commitment
    return clean


def _functions() -> dict[int, FunctionalClass]:
    return {function.pk: function for function in FunctionalClass.objects.all()}


def _commitments(collectivity: Collectivity, values: list[Any]) -> dict[int, Commitment]:
    keys = {
        key
        for raw in values
        if (key := raw.pk if isinstance(raw, Commitment) else _pk(raw)) is not None
    }
    if not keys:
        return {}
    return {
        commitment.pk: commitment
        for commitment in Commitment.objects.filter(
            pk__in=keys, programme__collectivity=collectivity
        )
    }


def _apply(item: BudgetItem, clean: Mapping[str, Any]) -> list[str]:
    """Set the changed tags on `item`; the names of the fields changed."""
    changed = []
    for name, value in clean.items():
        attname = name if name == "gender_marker" else f"{name}_id"
        new = value if name == "gender_marker" else (value.pk if value is not None else None)
        if getattr(item, attname) != new:
            setattr(item, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def item_tag(
    *,
    item: BudgetItem,
    actor: User,
    function: FunctionalClass | int | str | None = None,
    gender_marker: int | str | None = None,
    commitment: Commitment | int | str | None = None,
) -> BudgetItem:
    """Set a line's function, gender marker and action-plan commitment (None clears).

    Preconditions: Perm.FINANCE_MANAGE; a function of the classification; a marker 0, 1
    or 2, on an expenditure line only; a commitment of a programme of the same
    collectivity (ValidationError per field; nothing written).
    Side effects: ledger event `finance.item_tagged` naming the changed fields (none
    when nothing changed).
    """
    budget = item.budget
    require(actor, budget.collectivity)
    errors: Errors = {}
    values = {"function": function, "gender_marker": gender_marker, "commitment": commitment}
    clean = _tag_clean(
        errors,
        item,
        values,
        _functions(),
        _commitments(budget.collectivity, [commitment]),
    )
    raise_errors(errors)
    changed = _apply(item, clean)
    if changed:
        item.save(update_fields=changed)
        record(budget, "item_tagged", actor, item=item.pk, code=item.code, fields=changed)
    return item


@transaction.atomic
def items_tag(*, budget: Budget, actor: User, changes: Mapping[Any, Mapping[str, Any]]) -> int:
    """Tag many lines of `budget` at once: `changes` maps a line's id to the fields to
    set (any of "function", "gender_marker", "commitment"; a field left out stays).

    Preconditions: Perm.FINANCE_MANAGE; at most BULK_MAX lines, each of this budget;
    each value as for `item_tag` (ValidationError with one message per line and field,
    keyed `<field>-<line id>`; nothing written).
    Side effects: the changed lines saved; one ledger event `finance.items_tagged`
    (the lines changed). Returns the number of lines changed.
    """
    require(actor, budget.collectivity)
    if len(changes) > BULK_MAX:
        raise ValidationError(_("At most %(max)d lines at once.") % {"max": BULK_MAX})
    errors: Errors = {}
    wanted: dict[int, Mapping[str, Any]] = {}
    for raw, values in changes.items():
        key = _pk(raw)
        if key is None:
            errors[f"line-{raw}"[:80]] = _("This line is not in this budget.")
        else:
            wanted[key] = {name: values[name] for name in TAG_FIELDS if name in values}
    items = {item.pk: item for item in BudgetItem.objects.filter(budget=budget, pk__in=wanted)}
    functions = _functions()
    commitments = _commitments(
        budget.collectivity, [v["commitment"] for v in wanted.values() if "commitment" in v]
    )
    updates: list[tuple[BudgetItem, dict[str, Any]]] = []
    for key, values in wanted.items():
        found = items.get(key)
        if found is None:
            errors[f"line-{key}"] = _("This line is not in this budget.")
            continue
        updates.append(
            (found, _tag_clean(errors, found, values, functions, commitments, f"-{key}"))
        )
    raise_errors(errors)
    fields: set[str] = set()
    touched: list[BudgetItem] = []
    for found, clean in updates:
        changed = _apply(found, clean)
        if changed:
            fields.update(changed)
            touched.append(found)
    if touched:
        BudgetItem.objects.bulk_update(touched, sorted(fields), batch_size=500)
        record(
            budget,
            "items_tagged",
            actor,
            items=[item.pk for item in touched],
            fields=sorted(fields),
        )
    return len(touched)


# --- gender budgeting ------------------------------------------------------------------------


def _people(errors: Errors, data: Mapping[str, Any], name: str) -> int:
    raw = data.get(name)
    if raw in (None, ""):
        errors[name] = _("Give the number (0 when there is none).")
        return 0
    number = whole_number(raw if isinstance(raw, int) else str(raw), maximum=PEOPLE_MAX)
    if number is None:
        errors[name] = _("Enter a whole number from 0 to %(max)d.") % {"max": PEOPLE_MAX}
        return 0
    return number


def _expenditure(item: BudgetItem) -> None:
    if item.direction != Direction.EXPENDITURE:
        raise ValidationError(_("Beneficiaries are counted on expenditure lines only."))


@transaction.atomic
def gender_indicator_save(
    *,
    item: BudgetItem,
    actor: User,
    data: Mapping[str, Any],
    indicator: GenderIndicator | None = None,
) -> GenderIndicator:
    """Add (or, given `indicator`, change) a sex-disaggregated beneficiaries indicator of
    an expenditure line: `name_ar` / `name_fr` (one at least), `women`, `men` (whole
    numbers), `measured_on` (optional, not in the future).

    Preconditions: Perm.FINANCE_MANAGE; an expenditure line; the indicator one of the
    line's; valid fields (ValidationError per field; nothing written).
    Side effects: ledger event `finance.gender_indicator_saved`.
    """
    budget = item.budget
    require(actor, budget.collectivity)
    _expenditure(item)
    if indicator is not None and indicator.item_id != item.pk:
        raise ValidationError(_("This indicator is not one of this line's."))
    errors: Errors = {}
    name_ar, name_fr = clean_pair(errors, data, "name", TITLE_MAX)
    women = _people(errors, data, "women")
    men = _people(errors, data, "men")
    measured_on = clean_date(errors, data, "measured_on")
    if measured_on is not None and measured_on > timezone.localdate():
        errors["measured_on"] = _("This day is still to come.")
    raise_errors(errors)
    target = indicator or GenderIndicator(item=item)
    target.name_ar, target.name_fr = name_ar, name_fr
    target.women, target.men, target.measured_on = women, men, measured_on
    target.save()
    record(
        budget,
        "gender_indicator_saved",
        actor,
        item=item.pk,
        indicator=target.pk,
        women=women,
        men=men,
        created=indicator is None,
    )
    return target


@transaction.atomic
def gender_indicator_delete(*, indicator: GenderIndicator, actor: User) -> None:
    """Remove a beneficiaries indicator. Preconditions: Perm.FINANCE_MANAGE.
    Side effects: ledger event `finance.gender_indicator_deleted`."""
    item = indicator.item
    budget = item.budget
    require(actor, budget.collectivity)
    key = indicator.pk
    indicator.delete()
    record(budget, "gender_indicator_deleted", actor, item=item.pk, indicator=key)


def _body(errors: Errors, budget: Budget, body: Body | int | str | None) -> Body | None:
    key = body.pk if isinstance(body, Body) else _pk(body)
    found = (
        Body.objects.filter(collectivity=budget.collectivity, deleted=False, pk=key).first()
        if key is not None
        else None
    )
    if found is None:
        errors["body"] = _("Choose an advisory body of this collectivity.")
    return found


def _item_of(
    errors: Errors, budget: Budget, item: BudgetItem | int | str | None
) -> BudgetItem | None:
    if item in (None, ""):
        return None
    key = item.pk if isinstance(item, BudgetItem) else _pk(item)
    found = BudgetItem.objects.filter(budget=budget, pk=key).first() if key else None
    if found is None:
        errors["item"] = _("Choose a line of this budget.")
    return found


@transaction.atomic
def gender_comment_post(
    *,
    budget: Budget,
    actor: User,
    body: Body | int | str | None,
    text: str,
    item: BudgetItem | int | str | None = None,
) -> GenderComment:
    """The equality advisory body comments on the budget, or on one of its lines.

    Preconditions: Perm.ADVISORY_MANAGE (the advisory secretariat writes for the body);
    `body` a live advisory body of the budget's collectivity (any kind is accepted; the
    form offers the equity, equal opportunities and gender body first); `item` a line of
    this budget or nothing; a text of at most TEXT_MAX characters (ValidationError per
    field; nothing written).
    Side effects: ledger event `finance.gender_comment_posted`.
    """
    require(actor, budget.collectivity, Perm.ADVISORY_MANAGE)
    errors: Errors = {}
    found = _body(errors, budget, body)
    line = _item_of(errors, budget, item)
    words = clean_text(errors, {"text": text}, "text", TEXT_MAX, required=_("Write the comment."))
    raise_errors(errors)
    assert found is not None  # else an error above
    comment = GenderComment.objects.create(
        budget=budget, item=line, body=found, text=words, author=actor
    )
    record(
        budget,
        "gender_comment_posted",
        actor,
        comment=comment.pk,
        body=found.pk,
        is_equity_body=found.kind == BodyKind.EQUITY,
        item=line.pk if line is not None else None,
    )
    return comment


# --- key documents ---------------------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in KeyDocument.values:
        raise ValidationError({"kind": _("Choose one of the eight key budget documents.")})
    return kind


@transaction.atomic
def key_document_link(
    *, budget: Budget, actor: User, kind: str, document: Document | int | str | None
) -> KeyDocumentLink:
    """Say which published document of the collectivity is the year's `kind` (one of the
    Open Budget Survey's eight key documents); it replaces the one linked before.

    Preconditions: Perm.FINANCE_MANAGE; a known kind; a published document of the
    publication module of the same collectivity (ValidationError per field).
    Side effects: ledger event `finance.key_document_linked`.
    """
    require(actor, budget.collectivity)
    errors: Errors = {}
    if kind not in KeyDocument.values:
        errors["kind"] = _("Choose one of the eight key budget documents.")
    key = document.pk if isinstance(document, Document) else _pk(document)
    found = (
        Document.objects.filter(
            collectivity=budget.collectivity, status=DocumentStatus.PUBLISHED, pk=key
        ).first()
        if key is not None
        else None
    )
    if found is None:
        errors["document"] = _("Choose a document this collectivity publishes.")
    raise_errors(errors)
    assert found is not None
    link, _created = KeyDocumentLink.objects.update_or_create(
        budget=budget, kind=kind, defaults={"document": found}
    )
    record(budget, "key_document_linked", actor, kind=kind, document=found.pk)
    return link


@transaction.atomic
def key_document_unlink(*, budget: Budget, actor: User, kind: str) -> None:
    """No document is the year's `kind` any more (nothing happens when none was).

    Preconditions: Perm.FINANCE_MANAGE; a known kind. Side effects: ledger event
    `finance.key_document_unlinked` when a link is removed.
    """
    require(actor, budget.collectivity)
    _kind(kind)
    removed, _detail = KeyDocumentLink.objects.filter(budget=budget, kind=kind).delete()
    if removed:
        record(budget, "key_document_unlinked", actor, kind=kind)
