"""After registration: routing, linking to a case, correcting the summary, service units.

Only these change, each through its service and with its ledger event.
"""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError
from django.db.models import Model

from infitah.correspondence import services
from infitah.correspondence.models import EntryEvent, ServiceUnit
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db


def _events(obj: Model, action: str) -> list[Event]:
    return list(Event.objects.for_object(obj).filter(action=action))


# ------------------------------------------------------------------------------ routing


def test_routing_records_the_former_and_the_new_service(register, clerk_a, unit_a, urbanism_a):
    entry = register(service=unit_a)
    services.entry_route(entry=entry, actor=clerk_a, service=urbanism_a)
    entry.refresh_from_db()
    assert entry.service == urbanism_a
    (event,) = _events(entry, EntryEvent.ROUTED)
    assert event.actor == clerk_a
    assert event.data["from"] == unit_a.pk and event.data["to"] == urbanism_a.pk
    assert event.data["to_name"] == "مصلحة التعمير"


def test_routing_to_the_same_service_records_nothing(register, clerk_a, unit_a):
    entry = register(service=unit_a)
    services.entry_route(entry=entry, actor=clerk_a, service=unit_a)
    assert _events(entry, EntryEvent.ROUTED) == []


def test_routing_to_no_service(register, clerk_a, unit_a):
    entry = register(service=unit_a)
    services.entry_route(entry=entry, actor=clerk_a, service=None)
    entry.refresh_from_db()
    assert entry.service is None
    assert _events(entry, EntryEvent.ROUTED)[0].data["to"] is None


def test_routing_to_another_collectivitys_service_is_refused(register, clerk_a, unit_b):
    entry = register()
    with pytest.raises(ValidationError) as caught:
        services.entry_route(entry=entry, actor=clerk_a, service=unit_b)
    assert "service" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.service is None
    assert _events(entry, EntryEvent.ROUTED) == []


# ------------------------------------------------------------------------------ linking


def test_linking_and_unlinking_a_case(register, clerk_a):
    entry = register()
    services.entry_link_case(
        entry=entry,
        actor=clerk_a,
        case_type="information.informationrequest",
        case_id="42",
        case_reference="ATI-2026-X-000042",
    )
    entry.refresh_from_db()
    assert (entry.case_type, entry.case_id, entry.case_reference) == (
        "information.informationrequest",
        "42",
        "ATI-2026-X-000042",
    )
    assert entry.has_case
    (linked,) = _events(entry, EntryEvent.CASE_LINKED)
    assert linked.data["to"]["reference"] == "ATI-2026-X-000042"
    assert linked.data["from"]["reference"] == ""
    services.entry_link_case(
        entry=entry, actor=clerk_a, case_type="", case_id="", case_reference=""
    )
    entry.refresh_from_db()
    assert not entry.has_case
    (unlinked,) = _events(entry, EntryEvent.CASE_UNLINKED)
    assert unlinked.data["from"]["reference"] == "ATI-2026-X-000042"


@pytest.mark.parametrize(
    ("case_type", "case_id", "reference", "field"),
    [
        ("information.informationrequest", "", "ATI-1", "case_reference"),
        ("", "12", "", "case_reference"),
        ("", "", "ATI-1", "case_type"),
        ("x" * 101, "1", "r", "case_type"),
        ("t", "1" * 65, "r", "case_id"),
        ("t", "1", "r" * 101, "case_reference"),
        ("t", "1", "r\x00", "case_reference"),
    ],
)
def test_an_incomplete_or_invalid_link_is_refused(
    register, clerk_a, case_type, case_id, reference, field
):
    entry = register()
    with pytest.raises(ValidationError) as caught:
        services.entry_link_case(
            entry=entry,
            actor=clerk_a,
            case_type=case_type,
            case_id=case_id,
            case_reference=reference,
        )
    assert field in caught.value.message_dict
    entry.refresh_from_db()
    assert not entry.has_case


# ------------------------------------------------------------------------------ summary


def test_a_corrected_summary_keeps_the_former_text_in_the_ledger(register, clerk_a):
    entry = register(summary="Première version")
    services.entry_summary_edit(entry=entry, actor=clerk_a, summary="  Version corrigée ")
    entry.refresh_from_db()
    assert entry.summary == "Version corrigée"
    (event,) = _events(entry, EntryEvent.SUMMARY_EDITED)
    assert event.data == {"from": "Première version", "to": "Version corrigée"}
    with pytest.raises(ValidationError):
        services.entry_summary_edit(entry=entry, actor=clerk_a, summary="x" * 10_001)


def test_only_service_summary_and_case_change_after_registration(register, clerk_a, unit_a):
    entry = register()
    before = {
        f: getattr(entry, f)
        for f in ("year", "number", "direction", "correspondent", "subject", "registered_at")
    }
    services.entry_route(entry=entry, actor=clerk_a, service=unit_a)
    services.entry_summary_edit(entry=entry, actor=clerk_a, summary="Autre")
    entry.refresh_from_db()
    assert {f: getattr(entry, f) for f in before} == before


# ------------------------------------------------------------------------ service units


def test_creating_and_changing_a_unit(collectivity_a, clerk_a):
    unit = services.service_unit_create(
        collectivity=collectivity_a, actor=clerk_a, name_ar=" مصلحة الشكايات ", name_fr="Plaintes"
    )
    assert unit.name_ar == "مصلحة الشكايات" and unit.is_active
    assert _events(unit, EntryEvent.UNIT_CREATED)[0].actor == clerk_a
    services.service_unit_update(
        unit=unit,
        actor=clerk_a,
        name_ar="مصلحة الشكايات",
        name_fr="Service des plaintes",
        is_active=False,
    )
    unit.refresh_from_db()
    assert unit.name_fr == "Service des plaintes" and not unit.is_active
    (event,) = _events(unit, EntryEvent.UNIT_UPDATED)
    assert event.data["from"]["is_active"] is True and event.data["to"]["is_active"] is False


def test_a_unit_needs_a_name_unique_in_its_collectivity(
    collectivity_a, collectivity_b, clerk_a, charlie, unit_a
):
    with pytest.raises(ValidationError) as caught:
        services.service_unit_create(
            collectivity=collectivity_a, actor=clerk_a, name_ar="", name_fr=""
        )
    assert "name_ar" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.service_unit_create(
            collectivity=collectivity_a, actor=clerk_a, name_ar="", name_fr="Bureau d'ordre"
        )
    assert "name_fr" in caught.value.message_dict
    # Another collectivity may use the same name.
    services.service_unit_create(
        collectivity=collectivity_b, actor=charlie, name_ar="مكتب الضبط", name_fr="Bureau d'ordre"
    )
    assert ServiceUnit.objects.filter(name_fr="Bureau d'ordre").count() == 2


def test_a_unit_name_falls_back_to_the_other_language(collectivity_a, clerk_a):
    from django.utils import translation

    unit = services.service_unit_create(
        collectivity=collectivity_a, actor=clerk_a, name_ar="التعمير"
    )
    with translation.override("fr"):
        assert unit.name == "التعمير"
    unit_fr = services.service_unit_create(
        collectivity=collectivity_a, actor=clerk_a, name_ar="", name_fr="Urbanisme"
    )
    with translation.override("ar"):
        assert unit_fr.name == "Urbanisme"
