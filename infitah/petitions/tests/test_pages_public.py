"""The public pages of petitions, end to end through the test client (in /ar/ and /fr/):
the collectivity's list, drafting, the agent's confirmation and private page, the
petition's page, signing and confirming a signature.

Assertions look at data, status codes and structure, never at translated text (the
catalogues are filled by the translators).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.notifications.models import OutboundEmail
from infitah.petitions import services
from infitah.petitions.models import IntegritySettings, Petition, PetitionSettings, Signature
from infitah.petitions.selectors import counts_forget
from infitah.petitions.tests.conftest import (
    AGENT_EMAIL,
    MakePetition,
    RegionWorld,
    Sign,
    petition_input,
    token_from_last_email,
)
from infitah.petitions.workflow import SignatureStatus, Status
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

HOME = "/{lang}/c/commune-a/petitions/"
DRAFT = "/{lang}/c/commune-a/petitions/new/"
LANGS = ["ar", "fr"]
MAX_PAGE = 30 * 1024


def _detail(petition: Petition, lang: str = "ar") -> str:
    return f"/{lang}/c/{petition.collectivity.slug}/petitions/{petition.pk}/"


def _sign_url(petition: Petition, lang: str = "ar") -> str:
    return _detail(petition, lang) + "sign/"


def _assert_private(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "same-origin"


def draft_data(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the drafting form; an override of None leaves the field out."""
    data: dict[str, Any] = {
        "petitioner_kind": "citizens",
        "title": "إحداث مساحة خضراء بحي المسيرة",
        "text": "نحن سكان حي المسيرة نطالب المجلس بإحداث مساحة خضراء.",
        "request": "إدراج نقطة إحداث مساحة خضراء في جدول أعمال الدورة المقبلة.",
        "agent_name": "Amina El Idrissi",
        "agent_cin": "JB445566",
        "agent_email": AGENT_EMAIL,
        "agent_phone": "0612345678",
        "agent_address": "12 زنقة الورود، أيت ملول",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def association_data(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "petitioner_kind": "association",
        "association_name": "جمعية الأمل للتنمية",
        "association_founded_on": "2015-03-01",
        "association_seat": "commune-a",
        "association_good_standing": "on",
        "association_object": "التنمية المحلية والبيئة",
        "association_object_related": "on",
    }
    values.update(overrides)
    return draft_data(**values)


def sign_data(n: int = 1, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": f"Signataire {n}",
        "cin": f"CD{n:06d}",
        "residence": "commune-a",
        "interest": "resident",
        "electoral_declaration": "on",
        "email": f"signer{n}@example.test",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------ home


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_public_petitions_with_progress_rule_and_statistics(
    lang: str, make_petition: MakePetition, sign: Sign, collectivity_a: Collectivity
) -> None:
    draft = make_petition(Status.DRAFT, title="Brouillon secret")
    collecting = make_petition(Status.COLLECTING, title="Collecte en cours")
    sign(collecting, 1)
    make_petition(Status.REJECTED, title="Refusée")
    make_petition(Status.ACCEPTED, title="Acceptée")
    make_petition(
        Status.LODGED,
        title="Déposée",
        petitioner_kind="association",
        association_name="Association Amal",
        association_founded_on=date(2015, 1, 1),
        association_seat="commune-a",
        association_good_standing=True,
        association_object="Environnement",
        association_object_related=True,
    )
    counts_forget(collecting.pk)
    response = Client().get(HOME.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert draft.title == "Brouillon secret" and draft.title not in html
    for title in ("Collecte en cours", "Refusée", "Acceptée", "Déposée"):
        assert title in html
    assert f'href="/{lang}/c/commune-a/petitions/new/"' in html
    assert f'href="/{lang}/c/commune-a/petitions/{collecting.pk}/"' in html
    assert "<progress" in html
    # The override of the test world: 2 signatures, with its basis shown.
    assert "test council page" in html
    stats = response.context["stats"]
    assert (stats.total, stats.citizens, stats.associations) == (4, 3, 1)
    assert (stats.collecting, stats.pending, stats.accepted, stats.rejected) == (1, 1, 1, 1)
    rows = {row.petition.pk: row for row, _pct in response.context["rows"]}
    assert rows[collecting.pk].confirmed == 1 and rows[collecting.pk].required == 2
    assert len(response.content) <= MAX_PAGE
    # Agents' details are never public.
    assert AGENT_EMAIL not in html and "Amina El Idrissi" not in html


def test_home_shows_the_legal_rule_without_an_override(collectivity_a: Collectivity) -> None:
    response = Client().get(HOME.format(lang="fr"))
    threshold = response.context["threshold"]
    assert threshold.required == 200 and threshold.source == "law"  # 191,000 inhabitants
    assert "113.14" in response.content.decode()


def test_home_query_count_does_not_grow(make_petition: MakePetition) -> None:
    make_petition(Status.COLLECTING)

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(HOME.format(lang="ar")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        make_petition(Status.COLLECTING if n % 2 else Status.LODGED, title=f"P{n}")
    assert queries() == few


def test_unknown_or_non_member_collectivity_is_404(
    collectivity_b: Collectivity, make_petition: MakePetition
) -> None:
    client = Client()
    for url in (
        "/ar/c/nowhere/petitions/",
        "/ar/c/commune-b/petitions/",
        "/ar/c/commune-b/petitions/new/",
        "/ar/c/commune-b/petitions/new/sent/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/ar/c/commune-b/petitions/new/", draft_data()).status_code == 404


# ----------------------------------------------------------------------------- draft


@pytest.mark.parametrize("lang", LANGS)
def test_draft_form_then_check_your_email(lang: str, collectivity_a: Collectivity) -> None:
    client = Client()
    page = client.get(DRAFT.format(lang=lang))
    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "petitioner_kind",
        "title",
        "text",
        "request",
        "agent_cin",
        "agent_email",
        "association_founded_on",
        "association_seat",
        "association_good_standing",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="commune-a"' in html  # the seat: a commune of the territory
    assert "<script" not in html
    assert len(page.content) <= MAX_PAGE
    response = client.post(DRAFT.format(lang=lang), draft_data())
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/c/commune-a/petitions/new/sent/"
    petition = Petition.objects.get()
    assert petition.status == Status.DRAFT and petition.language == lang
    sent = client.get(response["Location"])
    assert sent.status_code == 200 and 'role="status"' in sent.content.decode()
    # The private link is only in the e-mail, never on the page.
    mail = OutboundEmail.objects.get(to=AGENT_EMAIL)
    assert "/petitions/manage/" in mail.body and "/petitions/manage/" not in sent.content.decode()


def test_an_association_petition_is_drafted(collectivity_a: Collectivity) -> None:
    response = Client().post(DRAFT.format(lang="ar"), association_data())
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.is_association and petition.association_seat == collectivity_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"petitioner_kind": "robots"}, "petitioner_kind"),
        ({"petitioner_kind": None}, "petitioner_kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ti\x00tle"}, "title"),
        ({"text": ""}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"request": ""}, "request"),
        ({"request": "y" * 2_001}, "request"),
        ({"agent_name": ""}, "agent_name"),
        ({"agent_name": "n" * 5_000}, "agent_name"),
        ({"agent_cin": ""}, "agent_cin"),
        ({"agent_cin": "123"}, "agent_cin"),
        ({"agent_cin": "AB\x00123"}, "agent_cin"),
        ({"agent_email": ""}, "agent_email"),
        ({"agent_email": "not-an-address"}, "agent_email"),
        ({"agent_email": "a@" + "b" * 300 + ".ma"}, "agent_email"),
        ({"agent_phone": "12ab"}, "agent_phone"),
        ({"agent_phone": ""}, "agent_phone"),
        ({"agent_address": ""}, "agent_address"),
        ({"agent_address": "\x00"}, "agent_address"),
    ],
)
def test_bad_draft_input_is_shown_by_field_and_nothing_is_created(
    collectivity_a: Collectivity, overrides: dict[str, Any], field: str
) -> None:
    for lang in LANGS:
        response = Client().post(DRAFT.format(lang=lang), draft_data(**overrides))
        assert response.status_code == 400
        assert field in response.context["form"].errors, response.context["form"].errors
        assert 'role="alert"' in response.content.decode()
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"association_name": ""}, "association_name"),
        ({"association_founded_on": ""}, "association_founded_on"),
        ({"association_founded_on": "yesterday"}, "association_founded_on"),
        ({"association_founded_on": "2099-01-01"}, "association_founded_on"),
        (
            {
                "association_founded_on": date.today()
                .replace(year=date.today().year - 1)
                .isoformat()
            },
            "association_founded_on",
        ),
        ({"association_seat": ""}, "association_seat"),
        ({"association_seat": "commune-b"}, "association_seat"),
        ({"association_seat": "nowhere\x00"}, "association_seat"),
        ({"association_good_standing": None}, "association_good_standing"),
        ({"association_object": ""}, "association_object"),
        ({"association_object_related": None}, "association_object_related"),
    ],
)
def test_each_failed_association_condition_has_its_reason(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = Client().post(DRAFT.format(lang="fr"), association_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert not Petition.objects.exists()


def test_the_association_age_error_names_the_years(collectivity_a: Collectivity) -> None:
    young = date.today().replace(year=date.today().year - 2).isoformat()
    response = Client().post(
        DRAFT.format(lang="fr"), association_data(association_founded_on=young)
    )
    message = " ".join(response.context["form"].errors["association_founded_on"])
    assert "3" in message and young in message


def test_garbage_never_gives_a_500(collectivity_a: Collectivity) -> None:
    client = Client()
    garbage = dict.fromkeys(draft_data(), "\x00" * 3 + "é" * 20000)
    assert client.post(DRAFT.format(lang="ar"), garbage).status_code == 400
    assert client.post(DRAFT.format(lang="fr"), {}).status_code == 400
    assert client.post(DRAFT.format(lang="fr"), {"petitioner_kind": ["a", "b"]}).status_code == 400
    assert not Petition.objects.exists()


# --------------------------------------------------------------- the agent's pages


def _confirm_link(body: str) -> str:
    match = re.search(r"https?://\S+(/(ar|fr)/petitions/confirm/[^/\s]+/)", body)
    assert match is not None, body
    return match.group(1)


def _manage_link(body: str) -> str:
    match = re.search(r"https?://\S+(/(ar|fr)/petitions/manage/[^/\s]+/)", body)
    assert match is not None, body
    return match.group(1)


@pytest.mark.parametrize("lang", LANGS)
def test_agent_confirms_by_post_only(lang: str, collectivity_a: Collectivity) -> None:
    client = Client()
    assert client.post(DRAFT.format(lang=lang), draft_data()).status_code == 302
    petition = Petition.objects.get()
    mail = OutboundEmail.objects.get(to=AGENT_EMAIL)
    confirm = _confirm_link(mail.body)
    shown = client.get(confirm)
    assert shown.status_code == 200
    _assert_private(shown)
    assert '<form method="post"' in shown.content.decode()
    petition.refresh_from_db()
    assert petition.status == Status.DRAFT  # a GET changes nothing
    # The public page does not exist yet.
    assert client.get(_detail(petition, lang)).status_code == 404
    done = client.post(confirm)
    assert done.status_code == 302
    manage = _manage_link(mail.body)
    assert done["Location"].endswith(manage.split("/", 2)[2])
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING
    assert client.post(confirm).status_code == 404  # used up
    assert client.get(confirm).status_code == 404
    assert client.get(_detail(petition, lang)).status_code == 200


def test_agent_may_confirm_from_the_private_page(collectivity_a: Collectivity) -> None:
    petition, token = services.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language="ar"
    )
    client = Client()
    page = client.get(f"/ar/petitions/manage/{token}/")
    assert page.status_code == 200
    _assert_private(page)
    assert page.context["can_confirm"]
    assert f'action="/ar/petitions/manage/{token}/confirm/"' in page.content.decode()
    assert client.get(f"/ar/petitions/manage/{token}/confirm/").status_code == 405
    petition.refresh_from_db()
    assert petition.status == Status.DRAFT
    response = client.post(f"/ar/petitions/manage/{token}/confirm/")
    assert response.status_code == 302
    _assert_private(response)
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING
    again = client.post(f"/ar/petitions/manage/{token}/confirm/")
    assert again.status_code == 409
    _assert_private(again)


@pytest.mark.pdf
@pytest.mark.parametrize("lang", LANGS)
def test_agent_lodges_when_the_threshold_is_met_and_downloads_the_receipt(
    lang: str, collectivity_a: Collectivity, low_threshold: PetitionSettings, sign: Sign
) -> None:
    petition, token = services.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language=lang
    )
    services.petition_confirm_agent(petition=petition)
    manage = f"/{lang}/petitions/manage/{token}/"
    client = Client()
    sign(petition, 1)
    page = client.get(manage)
    assert page.context["confirmed"] == 1 and not page.context["can_lodge"]
    assert f'action="{manage}lodge/"' not in page.content.decode()
    refused = client.post(manage + "lodge/")
    assert refused.status_code == 409
    sign(petition, 1)
    page = client.get(manage)
    assert page.context["can_lodge"] and f'action="{manage}lodge/"' in page.content.decode()
    assert client.get(manage + "receipt.pdf").status_code == 404  # not lodged yet
    assert client.post(manage + "lodge/").status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.LODGED and petition.reference
    page = client.get(manage)
    assert petition.reference in page.content.decode()
    assert f'href="{manage}receipt.pdf"' in page.content.decode()
    receipt = client.get(manage + "receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF-")
    assert petition.reference in receipt["Content-Disposition"]
    _assert_private(receipt)


def test_agent_withdraws(make_petition: MakePetition, collectivity_a: Collectivity) -> None:
    petition, token = services.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language="fr"
    )
    services.petition_confirm_agent(petition=petition)
    client = Client()
    assert client.post(f"/fr/petitions/manage/{token}/withdraw/").status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.WITHDRAWN
    page = client.get(f"/fr/petitions/manage/{token}/")
    assert not page.context["can_withdraw"]
    assert client.post(f"/fr/petitions/manage/{token}/withdraw/").status_code == 409


def test_unknown_tokens_and_actions_are_404(collectivity_a: Collectivity) -> None:
    _petition, token = services.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language="fr"
    )
    client = Client()
    for url in (
        "/ar/petitions/manage/nope/",
        "/ar/petitions/manage/nope/receipt.pdf",
        "/ar/petitions/confirm/nope/",
        "/ar/petitions/signatures/confirm/nope/",
        "/ar/petitions/manage/" + "x" * 5000 + "/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/ar/petitions/manage/nope/lodge/").status_code == 404
    assert client.post(f"/ar/petitions/manage/{token}/dance/").status_code == 404
    assert client.post("/ar/petitions/confirm/nope/").status_code == 404
    assert client.post("/ar/petitions/signatures/confirm/nope/").status_code == 404


# ------------------------------------------------------------------ petition's page


@pytest.mark.parametrize("lang", LANGS)
def test_the_petition_page_shows_count_threshold_and_the_sign_form(
    lang: str, make_petition: MakePetition, sign: Sign
) -> None:
    petition = make_petition(Status.COLLECTING)
    signed = sign(petition, 1)[0]
    counts_forget(petition.pk)
    response = Client().get(_detail(petition, lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert petition.title in html and petition.text in html and petition.request in html
    assert response.context["confirmed"] == 1 and response.context["required"] == 2
    assert "<progress" in html and "113.14" in html and "test council page" in html
    assert f'action="/{lang}/c/commune-a/petitions/{petition.pk}/sign/"' in html
    assert '<select name="residence"' in html and 'value="commune-a"' in html
    assert 'name="electoral_declaration"' in html
    # Never a signatory, never the agent.
    for secret in (
        signed.full_name,
        signed.email,
        signed.cin_masked,
        AGENT_EMAIL,
        "Amina El Idrissi",
        "JB445566",
    ):
        assert secret not in html, secret
    assert len(response.content) <= MAX_PAGE
    assert "<script" not in html


def test_the_page_of_a_lodged_or_decided_petition_has_no_sign_form(
    make_petition: MakePetition,
) -> None:
    petition = make_petition(Status.DELIBERATED)
    response = Client().get(_detail(petition, "fr"))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["sign_form"] is None
    assert "/sign/" not in html
    assert "Adopté" in html and petition.reference in html
    assert "Ordinary session of October" in html
    ar = Client().get(_detail(petition, "ar")).content.decode()
    assert "قرر المجلس" in ar


def test_a_draft_or_another_collectivitys_slug_is_404(
    make_petition: MakePetition, collectivity_b: Collectivity
) -> None:
    draft = make_petition(Status.DRAFT)
    collecting = make_petition(Status.COLLECTING)
    client = Client()
    assert client.get(_detail(draft)).status_code == 404
    assert client.get(f"/ar/c/commune-b/petitions/{collecting.pk}/").status_code == 404
    assert client.get(f"/ar/c/commune-a/petitions/{collecting.pk + 999}/").status_code == 404
    assert client.post(_sign_url(draft), sign_data()).status_code == 404


def test_the_region_page_shows_progress_by_province(region_world: RegionWorld) -> None:
    petition, _token = services.petition_draft(
        collectivity=region_world.region, data=petition_input(), language="fr"
    )
    petition = services.petition_confirm_agent(petition=petition)
    client = Client()
    first = region_world.communes[0]
    assert (
        client.post(_sign_url(petition, "fr"), sign_data(residence=first.slug)).status_code == 302
    )
    token = token_from_last_email("signer1@example.test")
    client.post(f"/fr/petitions/signatures/confirm/{token}/")
    counts_forget(petition.pk)
    response = client.get(_detail(petition, "fr"))
    assert response.status_code == 200
    rows = {row.province.pk: row for row, _pct in response.context["provinces"]}
    assert set(rows) == {p.pk for p in region_world.provinces}
    assert rows[first.parent_id].confirmed == 1
    assert rows[first.parent_id].required == 15  # 5 % of 300, rounded up
    html = response.content.decode()
    assert "<optgroup" in html
    for commune in region_world.communes:
        assert f'value="{commune.slug}"' in html


# --------------------------------------------------------------------------- signing


@pytest.mark.parametrize("lang", LANGS)
def test_sign_then_confirm_by_post_and_the_count_moves(
    lang: str, make_petition: MakePetition
) -> None:
    petition = make_petition(Status.COLLECTING)
    client = Client()
    response = client.post(_sign_url(petition, lang), sign_data())
    assert response.status_code == 302
    assert response["Location"] == _detail(petition, lang) + "sign/sent/"
    sent = client.get(response["Location"])
    assert sent.status_code == 200 and 'role="status"' in sent.content.decode()
    signature = Signature.objects.get(petition=petition)
    assert signature.status == SignatureStatus.PENDING and signature.ip == "127.0.0.1"
    mail = OutboundEmail.objects.get(to="signer1@example.test")
    match = re.search(r"https?://\S+(/(ar|fr)/petitions/signatures/confirm/[^/\s]+/)", mail.body)
    assert match is not None, mail.body
    confirm = match.group(1)
    shown = client.get(confirm)
    assert shown.status_code == 200
    _assert_private(shown)
    assert '<form method="post"' in shown.content.decode()
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.PENDING  # a GET changes nothing
    counts_forget(petition.pk)
    assert client.get(_detail(petition, lang)).context["confirmed"] == 0
    done = client.post(confirm)
    assert done.status_code == 302 and done["Location"].endswith(
        f"/c/commune-a/petitions/{petition.pk}/"
    )
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.CONFIRMED
    counts_forget(petition.pk)
    assert client.get(_detail(petition, lang)).context["confirmed"] == 1
    assert client.get(confirm).status_code == 404  # nothing left to confirm
    # A second POST is harmless (idempotent) and counts nothing more.
    assert client.post(confirm).status_code == 302
    counts_forget(petition.pk)
    assert client.get(_detail(petition, lang)).context["confirmed"] == 1


def test_a_get_of_the_sign_url_goes_back_to_the_form(make_petition: MakePetition) -> None:
    petition = make_petition(Status.COLLECTING)
    response = Client().get(_sign_url(petition))
    assert response.status_code == 302 and response["Location"].endswith("/#sign")
    assert not Signature.objects.exists()


def test_the_same_cin_signs_once(make_petition: MakePetition) -> None:
    petition = make_petition(Status.COLLECTING)
    client = Client()
    assert client.post(_sign_url(petition), sign_data(1)).status_code == 302
    again = client.post(_sign_url(petition, "fr"), sign_data(2, cin="cd 000 001"))
    assert again.status_code == 409
    assert "cin" in again.context["sign_form"].errors
    assert 'role="alert"' in again.content.decode()
    assert Signature.objects.filter(petition=petition).count() == 1


def test_rate_limited_signing_says_when_to_retry(make_petition: MakePetition) -> None:
    petition = make_petition(Status.COLLECTING)
    IntegritySettings.objects.update_or_create(
        pk=1, defaults={"ip_limit_per_hour": 2, "domain_limit_per_hour": 500}
    )
    cache.clear()
    client = Client()
    for n in (1, 2):
        assert client.post(_sign_url(petition), sign_data(n)).status_code == 302
    limited = client.post(_sign_url(petition, "fr"), sign_data(3))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.context["sign_form"].non_field_errors()
    assert 'role="alert"' in limited.content.decode()
    assert Signature.objects.filter(petition=petition).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "n" * 201}, "full_name"),
        ({"full_name": "A\x00B"}, "full_name"),
        ({"cin": ""}, "cin"),
        ({"cin": "12345"}, "cin"),
        ({"cin": "C" * 500}, "cin"),
        ({"residence": "commune-b"}, "residence"),
        ({"residence": "\x00"}, "residence"),
        ({"interest": "tourist"}, "interest"),
        ({"electoral_declaration": None}, "electoral_declaration"),
        ({"email": ""}, "email"),
        ({"email": "nope"}, "email"),
        ({"email": "someone@mailinator.com"}, "email"),
        ({"email": "someone@eu.yopmail.com"}, "email"),
    ],
)
def test_bad_signatures_are_refused_by_field(
    make_petition: MakePetition,
    collectivity_b: Collectivity,
    overrides: dict[str, Any],
    field: str,
) -> None:
    petition = make_petition(Status.COLLECTING)
    for lang in LANGS:
        response = Client().post(_sign_url(petition, lang), sign_data(**overrides))
        assert response.status_code == 400
        assert field in response.context["sign_form"].errors, response.context["sign_form"].errors
        assert 'role="alert"' in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_garbage_never_gives_a_500(make_petition: MakePetition) -> None:
    petition = make_petition(Status.COLLECTING)
    client = Client()
    garbage = dict.fromkeys(sign_data(), "\x00" + "ث" * 50000)
    assert client.post(_sign_url(petition), garbage).status_code == 400
    assert client.post(_sign_url(petition), {}).status_code == 400
    assert not Signature.objects.exists()


def test_a_closed_petition_takes_no_signature(make_petition: MakePetition) -> None:
    petition = make_petition(Status.LODGED)
    response = Client().post(_sign_url(petition), sign_data(7))
    assert response.status_code == 409
    assert not Signature.objects.filter(cin_masked__endswith="007").exists()


def test_a_signature_pending_when_the_petition_is_lodged_is_not_counted(
    make_petition: MakePetition, sign: Sign
) -> None:
    petition = make_petition(Status.COLLECTING)
    client = Client()
    assert client.post(_sign_url(petition), sign_data(9)).status_code == 302
    token = token_from_last_email("signer9@example.test")
    sign(petition, 2)
    services.petition_lodge(petition=petition)
    shown = client.get(f"/ar/petitions/signatures/confirm/{token}/")
    assert shown.status_code == 404
    late = client.post(f"/ar/petitions/signatures/confirm/{token}/", follow=True)
    assert late.status_code == 200
    assert [m.level_tag for m in late.context["messages"]] == ["error"]
    petition.refresh_from_db()
    assert petition.confirmed_at_lodging == 2
    assert Signature.objects.get(cin_hash__isnull=False, full_name="Signataire 9").status == (
        SignatureStatus.LAPSED
    )
    counts_forget(petition.pk)
    assert Client().get(_detail(petition)).context["confirmed"] == 2


def test_a_commune_petition_has_its_commune_fixed(
    make_petition: MakePetition, collectivity_a: Collectivity
) -> None:
    petition = make_petition(Status.COLLECTING)
    html = Client().get(_detail(petition)).content.decode()
    select = re.search(r'<select name="residence"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    assert select.group(1).count("<option") == 1
    assert f'value="{collectivity_a.slug}"' in select.group(1)
    # Kind check: a prefecture petition offers the prefecture and its communes.
    assert collectivity_a.parent is not None and collectivity_a.parent.kind == Kind.PREFECTURE


def test_the_petition_page_costs_the_same_queries_whatever_the_signatures(
    make_petition: MakePetition, sign: Sign
) -> None:
    petition = make_petition(Status.COLLECTING)
    sign(petition, 1)

    def queries() -> int:
        counts_forget(petition.pk)
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(_detail(petition)).status_code == 200
        return len(captured)

    few = queries()
    sign(petition, 5)
    assert queries() == few
