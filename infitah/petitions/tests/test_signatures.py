"""Signing: validation, one signature per CIN in any spelling, confirmation by token,
counts from the shards, lapse, paper signatures and the CSV import."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from infitah.accounts.models import Membership, Role, User
from infitah.notifications.models import OutboundEmail
from infitah.petitions import selectors, services, signatures
from infitah.petitions.models import Petition, PetitionSettings, Signature, Tally
from infitah.petitions.signatures import AlreadySigned, NotCollecting
from infitah.petitions.tests.conftest import (
    petition_input,
    signature_input,
    token_from_last_email,
)
from infitah.petitions.workflow import SignatureStatus, Status
from infitah.territories.models import Collectivity, Kind


def _submit(petition: Petition, n: int = 1, **overrides: Any) -> Signature:
    return signatures.signature_submit(
        petition=petition, data=signature_input(n, **overrides), ip="192.0.2.1", language="fr"
    )


def test_submit_makes_a_pending_signature_and_mails_the_link(make_petition):
    petition = make_petition()
    signature = _submit(petition, 1, email=" Signatory1@Example.TEST ")
    assert signature.status == SignatureStatus.PENDING
    assert signature.email == "signatory1@example.test"
    assert signature.email_domain == "example.test"
    assert signature.cin_masked == "•••••001"
    assert signature.province_id == petition.collectivity.parent_id
    mail = OutboundEmail.objects.get(to="signatory1@example.test")
    with translation.override("fr"):
        assert translation.gettext("Confirm your signature") in mail.subject
    assert selectors.confirmed_count(petition) == 0


@pytest.mark.parametrize(
    "spelling", ["ab000001", "AB000001", "ab 000 001", " AB-000001 ", "ab.000001"]
)
def test_one_signature_per_cin_in_any_spelling(make_petition, spelling):
    petition = make_petition()
    _submit(petition, 1)
    with pytest.raises(AlreadySigned) as exc:
        _submit(petition, 2, cin=spelling)
    assert exc.value.message == "This ID number has already signed this petition."
    assert Signature.objects.filter(petition=petition).count() == 1


def test_arabic_indic_digits_are_the_same_cin(make_petition):
    petition = make_petition()
    _submit(petition, 1, cin="AB١٢٣٤٥٦")
    with pytest.raises(AlreadySigned):
        _submit(petition, 2, cin="ab123456")


def test_the_same_cin_signs_two_petitions_with_unlinkable_hashes(make_petition):
    first, second = make_petition(), make_petition()
    a = _submit(first, 1)
    b = _submit(second, 1)
    assert a.cin_hash != b.cin_hash


def test_validation_gives_one_message_per_field(make_petition):
    petition = make_petition()
    with pytest.raises(ValidationError) as exc:
        signatures.signature_submit(
            petition=petition,
            data=signatures.SignatureInput(
                full_name="",
                cin="12345",
                residence="commune-b",
                interest="tourist",
                email="nope",
                electoral_declaration=False,
            ),
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "full_name",
        "cin",
        "residence",
        "interest",
        "email",
        "electoral_declaration",
    }
    assert "electoral lists" in errors["electoral_declaration"][0]
    assert not Signature.objects.exists()


def test_cin_formats(make_petition):
    petition = make_petition()
    for bad in ["", "123456", "ABC123456", "A12345678", "AB-12X", "ب123456"]:
        with pytest.raises(ValidationError) as exc:
            _submit(petition, 1, cin=bad)
        assert "cin" in exc.value.message_dict, bad
    for good in ["J1", "ab1234567", "Z 99"]:
        _submit(petition, hash(good) % 1000 + 10, cin=good)


def test_residence_must_be_in_the_territory(make_petition, collectivity_b):
    petition = make_petition()
    with pytest.raises(ValidationError) as exc:
        _submit(petition, 1, residence="commune-b")
    assert "residence" in exc.value.message_dict
    # A commune's own petition: the commune is implied.
    signature = _submit(petition, 1, residence="")
    assert signature.residence_id == petition.collectivity_id


def test_signing_requires_collecting(make_petition):
    for status in (Status.DRAFT, Status.LODGED, Status.WITHDRAWN):
        petition = make_petition(status)
        with pytest.raises(NotCollecting):
            _submit(petition, 99)


def test_confirm_counts_once_and_is_idempotent(make_petition):
    petition = make_petition()
    signature = _submit(petition, 1)
    token = token_from_last_email(signature.email)
    confirmed = signatures.signature_confirm(token=token)
    assert confirmed.status == SignatureStatus.CONFIRMED
    assert confirmed.confirmed_at is not None
    again = signatures.signature_confirm(token=token)
    assert again.status == SignatureStatus.CONFIRMED
    assert selectors.counts_by_province_exact(petition) == {petition.collectivity.parent_id: 1}
    assert signatures.signature_confirm(token="unknown") is None
    assert signatures.signature_confirm(token="") is None
    assert signatures.signature_confirm(token="x" * 1000) is None


def test_the_displayed_count_is_cached_a_few_seconds(make_petition, sign, settings):
    petition = make_petition()
    sign(petition, 1)
    assert selectors.confirmed_count(petition) == 1
    sign(petition, 1)
    assert selectors.confirmed_count(petition) == 1  # cached
    with time_machine.travel(timezone.now() + timedelta(seconds=6)):
        assert selectors.confirmed_count(petition) == 2


def test_confirmations_spread_over_shards(make_petition, sign, settings):
    settings.INFITAH_PETITION_TALLY_SHARDS = 4
    petition = make_petition()
    assert Tally.objects.filter(petition=petition).count() == 4  # prepared at opening
    sign(petition, 40)
    used = Tally.objects.filter(petition=petition, count__gt=0).count()
    assert used > 1
    assert sum(Tally.objects.filter(petition=petition).values_list("count", flat=True)) == 40


def test_confirming_after_lodging_is_refused(make_petition, sign):
    petition = make_petition()
    sign(petition, 2)
    late = _submit(petition, 3)
    token = token_from_last_email(late.email)
    services.petition_lodge(petition=petition)
    with pytest.raises(NotCollecting):
        signatures.signature_confirm(token=token)
    late.refresh_from_db()
    assert late.status == SignatureStatus.LAPSED
    assert selectors.confirmed_count(petition) == 2


def test_lapse_deletes_unconfirmed_signatures_so_the_cin_may_sign_again(make_petition, sign):
    petition = make_petition()
    sign(petition, 1)
    _submit(petition, 1)
    old = timezone.now() - timedelta(days=8)
    Signature.objects.filter(status=SignatureStatus.PENDING).update(created_at=old)
    recent = _submit(petition, 2)
    assert signatures.petitions_sweep() == {"lapsed": 1}
    assert set(Signature.objects.values_list("status", flat=True)) == {
        SignatureStatus.CONFIRMED,
        SignatureStatus.PENDING,
    }
    assert Signature.objects.filter(pk=recent.pk).exists()
    again = _submit(petition, 1)  # the lapsed CIN signs again
    assert again.status == SignatureStatus.PENDING
    assert selectors.counts_by_province_exact(petition) == {petition.collectivity.parent_id: 1}


def test_sweep_with_a_given_day(make_petition):
    petition = make_petition()
    _submit(petition, 1)
    assert signatures.petitions_sweep(today=timezone.localdate()) == {"lapsed": 0}
    later = timezone.localdate() + timedelta(days=9)
    assert signatures.petitions_sweep(today=later) == {"lapsed": 1}


# ---- regions: per-province counts ------------------------------------------------------


def test_region_petition_counts_per_province(region_world, bureau_a, sign):
    world = region_world
    Membership.objects.create(user=bureau_a, collectivity=world.region, role=Role.PETITIONS_BUREAU)
    petition, _token = services.petition_draft(
        collectivity=world.region,
        data=petition_input(),
        language="fr",
    )
    petition = services.petition_confirm_agent(petition=petition)
    assert Tally.objects.filter(petition=petition).values("province").distinct().count() == 2
    sign(petition, 3, residence="commune-x00")
    sign(petition, 1, residence="commune-x11")
    sign(petition, 1, residence="province-x1")  # the prefecture itself
    progress = selectors.province_progress(petition, fresh=True)
    assert [(p.slug, p.required, p.confirmed) for p in progress] == [
        ("province-x0", 15, 3),
        ("province-x1", 15, 2),
    ]
    with pytest.raises(ValidationError):
        _submit(petition, 50, residence="commune-a")  # not in this region
    with pytest.raises(services.ThresholdNotMet) as exc:
        services.petition_lodge(petition=petition)
    assert "Province 0" in exc.value.message or "إقليم" in exc.value.message


def test_region_spread_blocks_lodging_even_above_the_total(region_world, sign):
    world = region_world
    PetitionSettings.objects.create(
        collectivity=world.region, threshold_override=20, threshold_basis="test"
    )
    petition, _token = services.petition_draft(
        collectivity=world.region, data=petition_input(), language="fr"
    )
    petition = services.petition_confirm_agent(petition=petition)
    sign(petition, 20, residence="commune-x00")  # 20 ≥ 20 but none from province 1
    with pytest.raises(services.ThresholdNotMet):
        services.petition_lodge(petition=petition)
    sign(petition, 1, residence="commune-x10")  # 5 % of 20 = 1
    lodged = services.petition_lodge(petition=petition)
    assert lodged.status == Status.LODGED
    assert lodged.confirmed_at_lodging == 21


# ---- paper ------------------------------------------------------------------------------


def _paper_petition(collectivity: Collectivity, bureau: User) -> Petition:
    return services.petition_register_paper(
        collectivity=collectivity, data=petition_input(), actor=bureau
    )


def test_paper_signature_is_confirmed_at_once(collectivity_a, bureau_a, charlie):
    petition = _paper_petition(collectivity_a, bureau_a)
    signature = signatures.signature_paper_add(
        petition=petition, actor=bureau_a, data=signature_input(1, email="")
    )
    assert (signature.status, signature.channel) == (SignatureStatus.CONFIRMED, "paper")
    assert selectors.confirmed_count(petition) == 1
    with pytest.raises(AlreadySigned):
        signatures.signature_paper_add(
            petition=petition, actor=bureau_a, data=signature_input(1, cin="ab 000 001")
        )
    with pytest.raises(PermissionDenied):
        signatures.signature_paper_add(petition=petition, actor=charlie, data=signature_input(2))
    assert not OutboundEmail.objects.filter(to__startswith="signatory").exists()


def test_paper_signatures_stop_once_the_bureau_decides(make_petition, bureau_a):
    petition = make_petition(Status.ACCEPTED)
    with pytest.raises(NotCollecting):
        signatures.signature_paper_add(petition=petition, actor=bureau_a, data=signature_input(9))
    online_lodged = make_petition(Status.LODGED)
    with pytest.raises(NotCollecting):
        signatures.signature_paper_add(
            petition=online_lodged, actor=bureau_a, data=signature_input(9)
        )


CSV_OK = (
    "full_name,cin,residence,interest,electoral_declaration\n"
    "Ahmed Alaoui,AB100001,commune-a,resident,oui\n"
    "Fatima Zahra,ab 100002,commune-a,activity,1\n"
    "Youssef B.,AB100003,,,yes\n"
)


def test_csv_import(collectivity_a, bureau_a):
    petition = _paper_petition(collectivity_a, bureau_a)
    result = signatures.signatures_import_csv(
        petition=petition, actor=bureau_a, file=io.BytesIO(CSV_OK.encode())
    )
    assert result.ok, result.errors
    assert result.imported == 3
    assert selectors.confirmed_count(petition) == 3
    assert set(Signature.objects.values_list("channel", "status")) == {("paper", "confirmed")}
    assert Signature.objects.get(cin_masked="•••••002").interest == "activity"


def test_csv_import_is_all_or_nothing_with_line_errors(collectivity_a, bureau_a):
    petition = _paper_petition(collectivity_a, bureau_a)
    signatures.signature_paper_add(
        petition=petition, actor=bureau_a, data=signature_input(1, cin="CD200000")
    )
    bad = (
        "full_name;cin;residence;interest;electoral_declaration\n"  # semicolons (Excel)
        "Ahmed;AB100001;commune-a;resident;oui\n"  # line 2: fine
        "Fatima;123;commune-a;resident;oui\n"  # line 3: bad CIN
        "Youssef;AB100001;commune-a;resident;oui\n"  # line 4: duplicate of line 2
        "Karim;cd 200000;commune-a;resident;oui\n"  # line 5: already signed
        "Salma;AB100005;commune-b;resident;non\n"  # line 6: commune and declaration
        ";AB100006;commune-a;tourist;oui\n"  # line 7: name and interest
    )
    result = signatures.signatures_import_csv(petition=petition, actor=bureau_a, file=bad)
    assert not result.ok
    assert result.imported == 0
    found = {(line, field) for line, field, _message in result.errors}
    assert found == {
        (3, "cin"),
        (4, "cin"),
        (5, "cin"),
        (6, "residence"),
        (6, "electoral_declaration"),
        (7, "full_name"),
        (7, "interest"),
    }
    messages = {(line, field): message for line, field, message in result.errors}
    assert "line 2" in messages[(4, "cin")]
    assert "already signed" in messages[(5, "cin")]
    assert Signature.objects.filter(petition=petition).count() == 1
    assert selectors.confirmed_count(petition) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "no signatures"),
        (b"name,cin\nA,AB1\n", "Missing columns"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"full_name,cin,residence,electoral_declaration\n", "no signatures"),
    ],
)
def test_csv_import_file_errors(collectivity_a, bureau_a, content, expected):
    petition = _paper_petition(collectivity_a, bureau_a)
    result = signatures.signatures_import_csv(
        petition=petition, actor=bureau_a, file=io.BytesIO(content)
    )
    assert not result.ok
    assert result.errors[0][0] == 1
    assert expected in result.errors[0][2]


def test_csv_import_refused_to_another_collectivity(collectivity_a, bureau_a, charlie):
    petition = _paper_petition(collectivity_a, bureau_a)
    with pytest.raises(PermissionDenied):
        signatures.signatures_import_csv(petition=petition, actor=charlie, file=CSV_OK)


def test_province_petition_accepts_its_communes_and_itself(prefecture, collectivity_a, bureau_a):
    Membership.objects.create(user=bureau_a, collectivity=prefecture, role=Role.PETITIONS_BUREAU)
    petition = _paper_petition(prefecture, bureau_a)
    signatures.signature_paper_add(
        petition=petition, actor=bureau_a, data=signature_input(1, residence="commune-a")
    )
    signatures.signature_paper_add(
        petition=petition, actor=bureau_a, data=signature_input(2, residence=prefecture.slug)
    )
    assert selectors.counts_by_province_exact(petition) == {prefecture.pk: 2}
    other_province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="p-else",
        name_ar="إ",
        name_fr="P",
        parent=prefecture.region,
        region=prefecture.region,
    )
    other = Collectivity.objects.create(
        kind=Kind.COMMUNE, slug="elsewhere", name_ar="خ", name_fr="E", parent=other_province
    )
    with pytest.raises(ValidationError):
        signatures.signature_paper_add(
            petition=petition, actor=bureau_a, data=signature_input(3, residence=other.slug)
        )
