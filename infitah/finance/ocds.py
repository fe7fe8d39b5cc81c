"""Procurement in the Open Contracting Data Standard (OCDS 1.1.5).

Every process has a stable `ocid` (`<INFITAH_OCDS_PREFIX>-<collectivity>-<year>-<n>`).
Each step the services record (planning, tender, award, contract, amendment, payment,
cancellation) appends one **release** (`release_append`): the whole process as known at
that moment, tagged with the step, never changed afterwards. Because every release is
complete, a **record**'s compiled release is the latest release re-tagged "compiled"
(OCDS merge of complete releases gives exactly that), and its releases are the process's
releases.

Amounts are in MAD; procurement methods are mapped from the Moroccan procedures
(`workflow.OCDS_METHOD`), the Moroccan name kept in `procurementMethodDetails`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from infitah.finance.models import Process, Release
from infitah.finance.workflow import OCDS_METHOD, Procedure, Stage
from infitah.numbering.services import reference_key
from infitah.territories.models import Collectivity

CURRENCY = "MAD"
OCDS_VERSION = "1.1"
# The tender status of each stage (OCDS tenderStatus, closed codelist).
TENDER_STATUS = {
    Stage.PLANNED: "planned",
    Stage.TENDER: "active",
    Stage.AWARDED: "complete",
    Stage.CONTRACTED: "complete",
    Stage.IMPLEMENTATION: "complete",
    Stage.COMPLETED: "complete",
    Stage.CANCELLED: "cancelled",
    Stage.UNSUCCESSFUL: "unsuccessful",
}
# The OCDS documentType (open codelist) of a document given at each stage.
DOCUMENT_TYPE = {
    Stage.PLANNED: "procurementPlan",
    Stage.TENDER: "tenderNotice",
    Stage.AWARDED: "awardNotice",
    Stage.CONTRACTED: "contractSigned",
    Stage.IMPLEMENTATION: "completionCertificate",
    Stage.COMPLETED: "completionCertificate",
    # A decision of cancellation; the commission's minutes of an unsuccessful tender.
    Stage.CANCELLED: "cancellationDetails",
    Stage.UNSUCCESSFUL: "evaluationReports",
}
# The French names of the procedures, as the standard's procurementMethodDetails.
PROCEDURE_DETAILS = {
    Procedure.OPEN_TENDER: "Appel d'offres ouvert",
    Procedure.RESTRICTED_TENDER: "Appel d'offres restreint",
    Procedure.CONTEST: "Concours",
    Procedure.NEGOTIATED: "Procédure négociée",
    Procedure.PURCHASE_ORDER: "Bon de commande",
}


def ocid_for(collectivity: Collectivity, year: int, number: int) -> str:
    """The process's ocid: the deployment's prefix, the collectivity, the year, a number."""
    who = reference_key(collectivity).lower().replace("_", "-")
    return f"{settings.INFITAH_OCDS_PREFIX}-{who}-{year}-{number}"


def _value(amount: Decimal | None) -> dict[str, Any]:
    return {"amount": float(amount or 0), "currency": CURRENCY}


def _datetime(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = timezone.make_aware(dt.datetime.combine(value, dt.time(0)))
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _buyer(collectivity: Collectivity) -> dict[str, Any]:
    return {
        "id": f"MA-CT-{(collectivity.code or collectivity.slug)}",
        "name": collectivity.name_fr or collectivity.name_ar,
    }


def _supplier_id(award: Any) -> str:
    return f"MA-ICE-{award.supplier_ice}" if award.supplier_ice else f"supplier-{award.pk}"


def release_build(
    process: Process, *, tags: list[str], date: dt.datetime, number: int
) -> dict[str, Any]:
    """The release `number` of `process` as it stands now (every section it has)."""
    buyer = _buyer(process.collectivity)
    parties: list[dict[str, Any]] = [
        {**buyer, "roles": ["buyer", "procuringEntity"], "address": {"countryName": "Morocco"}}
    ]
    awards = list(process.awards.order_by("awarded_on", "pk"))
    seen: set[str] = set()
    for award in awards:
        party_id = _supplier_id(award)
        if party_id in seen:
            continue
        seen.add(party_id)
        party: dict[str, Any] = {"id": party_id, "name": award.supplier_name, "roles": ["supplier"]}
        if award.supplier_ice:
            party["identifier"] = {"scheme": "MA-ICE", "id": award.supplier_ice}
        parties.append(party)
    release: dict[str, Any] = {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{number:05d}",
        "date": _datetime(date),
        "tag": tags,
        "initiationType": "tender",
        "language": "fr" if process.title_fr else "ar",
        "parties": parties,
        "buyer": buyer,
    }
    planning: dict[str, Any] = {}
    item = process.budget_item
    if item is not None:
        planning["budget"] = {
            "id": f"{item.budget.year}-{item.section}-{item.code}",
            "description": item.label_fr or item.label_ar,
            "amount": _value(process.estimated_amount),
        }
    if process.planned_item_id is not None:
        planned = process.planned_item
        assert planned is not None
        planning["rationale"] = planned.object_fr or planned.object_ar
    if planning:
        release["planning"] = planning
    tender: dict[str, Any] = {
        "id": process.tender_reference or f"{process.ocid}-tender",
        "title": process.title_fr or process.title_ar,
        "status": TENDER_STATUS[Stage(process.stage)],
        "procurementMethod": OCDS_METHOD[Procedure(process.procedure)],
        "procurementMethodDetails": PROCEDURE_DETAILS[Procedure(process.procedure)],
        "mainProcurementCategory": process.category,
        "value": _value(process.estimated_amount),
        "procuringEntity": buyer,
    }
    if process.description:
        tender["description"] = process.description
    if process.tender_published_on is not None or process.tender_deadline is not None:
        period: dict[str, str] = {}
        if process.tender_published_on is not None:
            period["startDate"] = _datetime(process.tender_published_on)
        if process.tender_deadline is not None:
            period["endDate"] = _datetime(process.tender_deadline)
        tender["tenderPeriod"] = period
    documents = [
        {
            "id": f"doc-{document.pk}",
            "documentType": DOCUMENT_TYPE.get(Stage(document.stage), "tenderNotice"),
            "title": document.title,
            "datePublished": _datetime(document.published_at),
            "format": document.content_type.split(";")[0],
        }
        for document in process.documents.order_by("published_at", "pk")
    ]
    if documents:
        tender["documents"] = documents
    if process.tender_url:
        tender["documents"] = [
            *tender.get("documents", []),
            {"id": "notice", "documentType": "tenderNotice", "url": process.tender_url},
        ]
    release["tender"] = tender
    if awards:
        release["awards"] = [
            {
                "id": f"award-{award.pk}",
                "status": "active",
                "date": _datetime(award.awarded_on),
                "value": _value(award.amount),
                "suppliers": [{"id": _supplier_id(award), "name": award.supplier_name}],
            }
            for award in awards
        ]
    contracts = list(process.contracts.order_by("signed_on", "pk"))
    if contracts:
        release["contracts"] = [_contract(process, contract) for contract in contracts]
    return release


def _contract(process: Process, contract: Any) -> dict[str, Any]:
    amendments = list(contract.amendments.order_by("amended_on", "pk"))
    value = contract.amount + sum((a.amount_change for a in amendments), Decimal(0))
    status = "terminated" if process.stage == Stage.COMPLETED else "active"
    data: dict[str, Any] = {
        "id": contract.reference,
        "awardID": f"award-{contract.award_id}",
        "status": status,
        "value": _value(value),
        "dateSigned": _datetime(contract.signed_on),
    }
    if contract.starts_on is not None or contract.ends_on is not None:
        period: dict[str, str] = {}
        if contract.starts_on is not None:
            period["startDate"] = _datetime(contract.starts_on)
        if contract.ends_on is not None:
            period["endDate"] = _datetime(contract.ends_on)
        data["period"] = period
    if amendments:
        data["amendments"] = [
            {
                "id": f"amendment-{a.pk}",
                "date": _datetime(a.amended_on),
                "description": a.description,
            }
            for a in amendments
        ]
    payments = list(contract.payments.order_by("paid_on", "pk"))
    if payments:
        award = contract.award
        data["implementation"] = {
            "transactions": [
                {
                    "id": f"payment-{p.pk}",
                    "date": _datetime(p.paid_on),
                    "value": _value(p.amount),
                    "payer": _buyer(process.collectivity),
                    "payee": {"id": _supplier_id(award), "name": award.supplier_name},
                }
                for p in payments
            ]
        }
    return data


def release_append(process: Process, *, tags: list[str]) -> Release:
    """Record the process as it stands now as its next release, tagged with the step.
    Call it inside the service's transaction, after the step's changes are saved."""
    number = process.releases.count() + 1
    now = timezone.now()
    data = release_build(process, tags=tags, date=now, number=number)
    return Release.objects.create(
        process=process,
        collectivity_id=process.collectivity_id,
        release_id=data["id"],
        date=now,
        tags=tags,
        data=data,
    )


def record_build(process: Process, releases: list[Release]) -> dict[str, Any]:
    """The OCDS record of a process: its releases and the compiled release (the latest
    release, complete, re-tagged "compiled")."""
    latest = releases[-1].data
    compiled = {**latest, "id": f"{process.ocid}-compiled", "tag": ["compiled"]}
    return {
        "ocid": process.ocid,
        "releases": [release.data for release in releases],
        "compiledRelease": compiled,
    }


def package_metadata(*, uri: str, published: dt.datetime) -> dict[str, Any]:
    """The fields of a release or record package besides its releases / records."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _datetime(published),
        "publisher": {"name": settings.INFITAH_OCDS_PUBLISHER},
    }
