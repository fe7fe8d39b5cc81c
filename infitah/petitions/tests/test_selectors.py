"""Reads for the pages: receipt, checklist facts, lists, settings, residence choices."""

from __future__ import annotations

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from infitah.ledger.models import Event
from infitah.petitions import selectors, services, signatures
from infitah.petitions.integrity import client_ip
from infitah.petitions.models import PetitionSettings
from infitah.petitions.tests.conftest import petition_input, signature_input
from infitah.petitions.workflow import Status


def test_receipt_of_a_lodged_petition(make_petition):
    petition = make_petition(Status.LODGED)
    receipt = selectors.petition_receipt(petition)
    assert receipt.reference == petition.reference
    assert (receipt.confirmed, receipt.required) == (2, 2)
    assert receipt.lodged_on == petition.lodged_on
    assert receipt.decision_due == petition.decision_due
    assert "113.14" in receipt.legal_basis
    assert receipt.petitioner == petition.agent_name
    with pytest.raises(ValueError):
        selectors.petition_receipt(make_petition())


def test_checklist_facts_show_the_shortfall_of_a_paper_petition(
    collectivity_a, bureau_a, low_threshold
):
    petition = services.petition_register_paper(
        collectivity=collectivity_a, data=petition_input(), actor=bureau_a
    )
    signatures.signature_paper_add(petition=petition, actor=bureau_a, data=signature_input(1))
    facts = selectors.checklist_facts(petition)
    assert (facts.confirmed, facts.required, facts.shortfall) == (1, 2, 1)
    assert facts.spread_met and facts.provinces == []


def test_staff_list_and_get_are_scoped(make_petition, collectivity_a, collectivity_b):
    lodged = make_petition(Status.LODGED)
    draft = make_petition(Status.DRAFT)
    assert selectors.petition_staff_list(collectivity=collectivity_a) == [lodged]
    assert selectors.petition_staff_list(collectivity=collectivity_a, state="collecting") == [draft]
    assert selectors.petition_get(collectivity=collectivity_a, pk=lodged.pk) == lodged
    assert selectors.petition_get(collectivity=collectivity_b, pk=lodged.pk) is None
    assert selectors.petition_get(collectivity=collectivity_a, pk="1\x00") is None
    assert selectors.petition_get_public(draft.pk) is None
    assert selectors.petition_get_public("9" * 30) is None


def test_settings_save(collectivity_a, bureau_a, charlie):
    with pytest.raises(ValidationError) as exc:
        services.petition_settings_save(
            collectivity=collectivity_a,
            actor=bureau_a,
            data={"threshold_override": "600", "threshold_basis": "", "retention_days": "0"},
        )
    assert set(exc.value.message_dict) == {"threshold_basis", "retention_days"}
    saved = services.petition_settings_save(
        collectivity=collectivity_a,
        actor=bureau_a,
        data={
            "threshold_override": "600",
            "threshold_basis": "council page",
            "province_share_percent": 5,
            "association_min_years": 3,
            "retention_days": 730,
            "cndp_authorisation": "A-123/2026",
        },
    )
    assert (saved.threshold_override, saved.retention_days) == (600, 730)
    assert selectors.threshold_for(collectivity_a).required == 600
    assert Event.objects.filter(action="petitions.settings_saved").exists()
    with pytest.raises(PermissionDenied):
        services.petition_settings_save(collectivity=collectivity_a, actor=charlie, data={})
    services.petition_settings_save(
        collectivity=collectivity_a, actor=bureau_a, data={"threshold_override": ""}
    )
    assert PetitionSettings.objects.get(collectivity=collectivity_a).threshold_override is None


def test_residence_choices(region_world, prefecture, collectivity_a, collectivity_b):
    assert selectors.residence_choices(collectivity_a) == [collectivity_a]
    assert set(selectors.residence_choices(prefecture)) == {
        prefecture,
        collectivity_a,
        collectivity_b,
    }
    assert selectors.residence_choices(region_world.region) == sorted(
        region_world.communes, key=lambda c: c.name_fr
    )


@pytest.mark.parametrize(
    ("remote", "expected"),
    [("192.0.2.1", "192.0.2.1"), ("::1", "::1"), ("", None), ("nonsense", None)],
)
def test_client_ip(remote, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    assert client_ip(request) == expected
