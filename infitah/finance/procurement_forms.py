"""Forms of the procurement staff pages: they parse and show; the rules live in
`services/procurement.py` (which checks everything again) and its ValidationError goes
back beside the fields (`service_errors`). The choices of budget lines, commitments and
awards are those of the page's collectivity, year or process."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.finance.models import TITLE_MAX, Award, BudgetItem, PlannedItem, Process
from infitah.finance.services.procurement import (
    NAME_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    TEXT_MAX,
    URL_MAX,
)
from infitah.finance.workflow import Category, Procedure, Quarter
from infitah.lib.formerrors import service_errors as service_errors
from infitah.lib.uploads import upload_help_text
from infitah.openplan.models import Commitment

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LTR = {"dir": "ltr"}
# Spaces of any width people put between thousands.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
# A comma followed by one or two digits at the end: a decimal comma.
_DECIMAL_COMMA = re.compile(r",(\d{1,2})$")


class AmountField(forms.DecimalField):
    """An amount in MAD as people write it: "1 250 000,50", "1,250,000.50", "1250000.5"."""

    def __init__(self, *, label: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=required,
            max_digits=16,
            decimal_places=2,
            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "decimal"}),
            **kwargs,
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            text = _SPACES.sub("", value)
            if "." in text:
                text = text.replace(",", "")
            else:
                text = _DECIMAL_COMMA.sub(r".\1", text).replace(",", "")
            value = text
        return super().to_python(value)


def _line(
    label: Any, *, max_length: int = TITLE_MAX, required: bool = False, lang: str = ""
) -> Any:
    attrs = {"dir": "auto"}
    if lang == "ar":
        attrs = {"dir": "rtl", "lang": "ar"}
    elif lang == "fr":
        attrs = {"dir": "ltr", "lang": "fr"}
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


def _text(label: Any, *, max_length: int = TEXT_MAX, required: bool = False) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


def _day(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "dir": "ltr"}, format=DATETIME_FORMAT
        ),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 10:00.")},
    )


def _reference(label: Any, *, required: bool = True) -> Any:
    return forms.CharField(
        label=label, required=required, max_length=REFERENCE_MAX, widget=forms.TextInput(attrs=LTR)
    )


def _url(label: Any) -> Any:
    return forms.CharField(
        label=label, required=False, max_length=URL_MAX, widget=forms.URLInput(attrs=LTR)
    )


class StaffForm(forms.Form):
    """A form drawn in groups: `fieldsets` names (legend, field names) groups; fields in
    no group are drawn first, without a legend."""

    fieldsets: ClassVar[tuple[tuple[Any, tuple[str, ...]], ...]] = ()

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        grouped = {name for _legend, names in self.fieldsets for name in names}
        loose = [self[name] for name in self.fields if name not in grouped]
        sections: list[tuple[Any, list[forms.BoundField]]] = [("", loose)] if loose else []
        for legend, names in self.fieldsets:
            sections.append((legend, [self[name] for name in names if name in self.fields]))
        return sections


class ConfirmForm(StaffForm):
    """A confirmation: nothing to fill in."""


def budget_line_label(item: BudgetItem) -> str:
    return f"{item.code} — {item.label}" if item.label else item.code


def commitment_label(commitment: Commitment) -> str:
    return f"{commitment.programme.reference} · {commitment.number}. {commitment.title}"


class _Links(StaffForm):
    """The budget line and the commitment, chosen among the page's."""

    def links(self, lines: Sequence[BudgetItem], commitments: Sequence[Commitment]) -> None:
        self.fields["budget_item"] = forms.TypedChoiceField(
            label=_("Budget line"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("— none —")), *((i.pk, budget_line_label(i)) for i in lines)],
            error_messages={"invalid_choice": _("Choose one of the lines listed.")},
        )
        self.fields["commitment"] = forms.TypedChoiceField(
            label=_("Action-plan commitment"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("— none —")), *((c.pk, commitment_label(c)) for c in commitments)],
            error_messages={"invalid_choice": _("Choose one of the commitments listed.")},
        )


class PlannedItemForm(_Links):
    object_ar = _line(_("Object in Arabic"), lang="ar")
    object_fr = _line(_("Object in French"), lang="fr")
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    estimated_amount = AmountField(label=_("Estimated amount (MAD)"))
    quarter = forms.TypedChoiceField(
        label=_("Expected quarter"), choices=Quarter.choices, coerce=int
    )

    def __init__(
        self,
        *args: Any,
        lines: Sequence[BudgetItem],
        commitments: Sequence[Commitment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.links(lines, commitments)

    @staticmethod
    def initial_of(item: PlannedItem) -> dict[str, Any]:
        return {
            "object_ar": item.object_ar,
            "object_fr": item.object_fr,
            "category": item.category,
            "procedure": item.procedure,
            "estimated_amount": item.estimated_amount,
            "quarter": item.quarter,
            "budget_item": item.budget_item_id,
            "commitment": item.commitment_id,
        }


class TenderForm(StaffForm):
    tender_reference = _reference(_("Reference of the call for tenders"))
    tender_published_on = _day(_("Notice published on"), required=True)
    tender_deadline = _moment(_("Tenders due by"))
    tender_url = _url(_("Notice on the procurement portal (marchespublics.gov.ma)"))
    estimated_amount = AmountField(label=_("Estimated amount (MAD)"), required=False)
    description = _text(_("Description"))

    @staticmethod
    def initial_of(process: Process) -> dict[str, Any]:
        return {
            "tender_reference": process.tender_reference,
            "tender_published_on": process.tender_published_on,
            "tender_deadline": process.tender_deadline,
            "tender_url": process.tender_url,
            "estimated_amount": process.estimated_amount,
            "description": process.description,
        }


class ProcessForm(_Links):
    """A process outside the forecast programme; with the call for tenders' fields, it
    starts at the tender."""

    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    description = _text(_("Description"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)
    estimated_amount = AmountField(label=_("Estimated amount (MAD)"))
    tender_reference = _reference(_("Reference of the call for tenders"), required=False)
    tender_published_on = _day(_("Notice published on"))
    tender_deadline = _moment(_("Tenders due by"))
    tender_url = _url(_("Notice on the procurement portal (marchespublics.gov.ma)"))

    fieldsets = (
        (
            _("Call for tenders (if it is already out)"),
            ("tender_reference", "tender_published_on", "tender_deadline", "tender_url"),
        ),
    )

    def __init__(
        self,
        *args: Any,
        lines: Sequence[BudgetItem],
        commitments: Sequence[Commitment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tender_deadline"].required = False
        self.links(lines, commitments)


class ReasonForm(StaffForm):
    reason = _text(_("Reason"), max_length=REASON_MAX, required=True)


class AwardForm(StaffForm):
    supplier_name = _line(_("Supplier"), max_length=NAME_MAX, required=True)
    supplier_ice = forms.CharField(
        label=_("Supplier's ICE (15 digits)"),
        required=False,
        max_length=15,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )
    amount = AmountField(label=_("Amount (MAD)"))
    awarded_on = _day(_("Awarded on"), required=True)


class ContractForm(StaffForm):
    award = forms.TypedChoiceField(
        label=_("Award"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the awards listed.")},
    )
    reference = _reference(_("Contract number"))
    amount = AmountField(label=_("Amount (MAD)"))
    signed_on = _day(_("Signed on"), required=True)
    starts_on = _day(_("Starts on"))
    ends_on = _day(_("Ends on"))

    def __init__(self, *args: Any, awards: Sequence[Award], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.awards = {award.pk: award for award in awards}
        field = self.fields["award"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                award.pk,
                f"{award.supplier_name} — {award.amount} MAD ({award.awarded_on.isoformat()})",
            )
            for award in awards
        ]
        if len(awards) == 1 and not self.is_bound:
            self.initial.setdefault("award", awards[0].pk)
            self.initial.setdefault("amount", awards[0].amount)

    def chosen(self) -> Award:
        return self.awards[self.cleaned_data["award"]]


class AmendmentForm(StaffForm):
    amended_on = _day(_("Amended on"), required=True)
    description = _text(_("What changed"), required=True)
    amount_change = AmountField(
        label=_("Change of amount (MAD, negative for a reduction)"), required=False
    )


class PaymentForm(StaffForm):
    paid_on = _day(_("Paid on"), required=True)
    amount = AmountField(label=_("Amount (MAD)"))
    reference = _reference(_("Payment order"), required=False)


class DocumentForm(StaffForm):
    title = _line(_("Title"), required=True)
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to publish.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()
