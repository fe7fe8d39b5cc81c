"""The procurement pages end to end through the test client: the public year and process
pages and documents (in Arabic and French, 404 for a collectivity outside the network),
the staff pages and every form posting to its step; tenancy on every staff URL (Charlie
gets 404); bad ids and bad input never a 500 and writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import translation
from django.utils.html import escape

from infitah.accounts.models import User
from infitah.finance.models import (
    Award,
    Contract,
    Payment,
    PlannedItem,
    Process,
    ProcessDocument,
    ProcurementPlan,
    Release,
)
from infitah.finance.services import procurement
from infitah.finance.staff_procurement_urls import urlpatterns as staff_patterns
from infitah.finance.tests import procurement_world as w
from infitah.finance.workflow import Stage
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    yield from w.clock()


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def officer(finance_officer: User) -> Client:
    return _client(finance_officer)


@pytest.fixture
def world(collectivity_a: Collectivity, finance_officer: User) -> dict[str, Any]:
    """A's published programme of 2026: item 1 taken to a payment (with a budget line, a
    commitment and a document), item 2 still planned."""
    line = w.budget_line(collectivity_a)
    commitment = w.commitment_of(collectivity_a)
    plan, paid = w.published_process(
        collectivity_a, finance_officer, budget_item=line.pk, commitment=commitment.pk
    )
    procurement.tender_publish(process=paid, actor=finance_officer, data=w.TENDER)
    award = procurement.award_record(process=paid, actor=finance_officer, data=w.AWARD)
    contract = procurement.contract_sign(
        process=paid, actor=finance_officer, award=award, data=w.CONTRACT
    )
    procurement.contract_amend(contract=contract, actor=finance_officer, data=w.AMENDMENT)
    procurement.payment_record(contract=contract, actor=finance_officer, data=w.PAYMENT)
    document = procurement.process_document_add(
        process=paid, actor=finance_officer, title="Avis d'appel d'offres", file=w.pdf_file()
    )
    _plan, planned = w.published_process(
        collectivity_a, finance_officer, object_ar="اقتناء سيارة", object_fr="Achat d'un véhicule"
    )
    assert planned.planned_item is not None
    return {
        "slug": "commune-a",
        "year": 2026,
        "plan": plan,
        "line": line,
        "commitment": commitment,
        "paid": Process.objects.get(pk=paid.pk),
        "planned": planned,
        "contract": contract,
        "document": document,
        "pk": paid.pk,
        "doc": document.pk,
        "item": planned.planned_item.pk,
        "step": "award",
    }


def _public(kind: str, world: dict[str, Any], lang: str = "fr", slug: str = "commune-a") -> str:
    kwargs: dict[str, Any] = {"slug": slug}
    if kind == "procurement":
        kwargs["year"] = 2026
    else:
        kwargs["pk"] = world["pk"]
    if kind == "process-document":
        kwargs["doc"] = world["doc"]
    with translation.override(lang):
        return reverse(f"finance:{kind}", kwargs=kwargs)


def _staff_urls(world: dict[str, Any], lang: str = "fr") -> dict[str, str]:
    """Every staff URL of procurement, for A's objects."""
    urls = {}
    with translation.override(lang):
        for pattern in staff_patterns:
            assert isinstance(pattern, URLPattern) and pattern.name
            names = pattern.pattern.converters.keys() | {"slug"}
            kwargs = {k: world[k] for k in names}
            if pattern.name == "contract-step":
                kwargs.update(contract=world["contract"].pk, step="pay")
            urls[pattern.name] = reverse(f"finance-staff:{pattern.name}", kwargs=kwargs)
    return urls


def _writes() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            ProcurementPlan,
            PlannedItem,
            Process,
            Award,
            Contract,
            Payment,
            ProcessDocument,
            Release,
        )
    )


# --- public pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_year_page_shows_the_programme_its_totals_and_the_processes(
    lang: str, world: dict[str, Any]
) -> None:
    response = Client().get(_public("procurement", world, lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    paid, planned = world["paid"], world["planned"]
    with translation.override(lang):
        assert escape(paid.title) in html and escape(planned.title) in html
        for label in (
            paid.get_stage_display(),
            planned.get_stage_display(),
            paid.get_procedure_display(),
            paid.get_category_display(),
        ):
            assert escape(str(label)) in html
        process_url = reverse("finance:process", args=["commune-a", paid.pk])
        assert f'href="{process_url}"' in html
        commitment = world["commitment"]
        assert (
            reverse("openplan:commitment", args=["commune-a", commitment.programme_id, 1]) in html
        )
        assert reverse("finance:budget", args=["commune-a", 2026]) in html
    assert world["line"].code in html
    assert paid.ocid in html and planned.ocid in html
    # Two items of 1,200,000: the total of the procedure.
    total = "2.400.000,00" if lang == "ar" else "2\u202f400\u202f000,00"
    assert total in html


def test_an_item_added_after_publication_shows_the_day_it_was_added(
    world: dict[str, Any], collectivity_a: Collectivity, finance_officer: User
) -> None:
    html = Client().get(_public("procurement", world)).content.decode()
    assert "2026-07-01" in html  # the publication
    plan = ProcurementPlan.objects.get(pk=world["plan"].pk)
    assert plan.published_at is not None
    late = procurement.planned_item_save(
        plan=plan, actor=finance_officer, data={**w.ITEM, "object_fr": "Ajout tardif"}
    )
    html = Client().get(_public("procurement", world)).content.decode()
    item_html = html[html.index(f'id="item-{late.number}"') :]
    item_html = item_html[: item_html.index("</li>")]
    assert '<time datetime="2026-07-01">' in item_html and "Ajout tardif" in item_html


def test_an_unpublished_programme_is_not_public(
    collectivity_a: Collectivity, finance_officer: User
) -> None:
    plan = procurement.plan_get_or_create(
        collectivity=collectivity_a, actor=finance_officer, year=2027
    )
    procurement.planned_item_save(
        plan=plan, actor=finance_officer, data={**w.ITEM, "object_fr": "Secret à venir"}
    )
    response = Client().get("/fr/c/commune-a/finance/procurement/2027/")
    assert response.status_code == 200
    assert "Secret à venir" not in response.content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_the_process_page_shows_every_stage_and_links_the_ocds_record(
    lang: str, world: dict[str, Any]
) -> None:
    response = Client().get(_public("process", world, lang))
    assert response.status_code == 200
    html = response.content.decode()
    paid = world["paid"]
    assert f'href="/api/v1/c/commune-a/ocds/records?ocid={paid.ocid}"' in html
    for text in (
        paid.ocid,
        "AO-01/2026",
        "Société Atlas BTP",
        "001234567000089",
        "M-07/2026",
        "OP-123",
        escape(w.AMENDMENT["description"]),
        escape("Avis d'appel d'offres"),
        world["line"].code,
        'value="34.8"',  # 400,000 paid of 1,150,000
        "marchespublics.gov.ma",
    ):
        assert text in html, text
    assert _public("process-document", world, lang) in html
    # The staff forms are not there.
    assert "<form" not in html.split("</header>", 1)[1]


def test_a_cancelled_process_shows_why(world: dict[str, Any], finance_officer: User) -> None:
    procurement.process_cancel(
        process=world["planned"], actor=finance_officer, reason="Crédits réaffectés"
    )
    html = Client().get(f"/fr/c/commune-a/finance/procurement/processes/{world['planned'].pk}/")
    assert "Crédits réaffectés" in html.content.decode()


def test_a_document_is_served_with_its_recorded_type_never_sniffed(
    world: dict[str, Any],
) -> None:
    response = Client().get(_public("process-document", world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == w.PDF  # type: ignore[attr-defined]
    # Another process's document id: 404.
    other = world["planned"].pk
    response = Client().get(
        f"/fr/c/commune-a/finance/procurement/processes/{other}/documents/{world['doc']}/"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "procurement/1999/",
        "procurement/99999/",
        "procurement/processes/99999999999999999999/",
        "procurement/processes/0/",
        "procurement/processes/{pk}/documents/99999999999/",
    ],
)
def test_bad_ids_and_years_are_404_never_500(path: str, world: dict[str, Any]) -> None:
    url = "/fr/c/commune-a/finance/" + path.format(pk=world["pk"])
    assert Client().get(url).status_code == 404


def test_public_pages_of_a_collectivity_outside_the_network_are_404(
    collectivity_b: Collectivity, charlie: User, world: dict[str, Any]
) -> None:
    _plan, process = w.published_process(collectivity_b, charlie)
    document = procurement.process_document_add(
        process=process, actor=charlie, title="Avis", file=w.pdf_file()
    )
    base = "/fr/c/commune-b/finance/procurement/"
    for url in (
        f"{base}2026/",
        f"{base}processes/{process.pk}/",
        f"{base}processes/{process.pk}/documents/{document.pk}/",
    ):
        assert Client().get(url).status_code == 404, url
    # A's slug with B's process: 404 as well.
    assert (
        Client().get(f"/fr/c/commune-a/finance/procurement/processes/{process.pk}/").status_code
        == 404
    )


# --- staff pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_staff_pages_open_for_the_finance_officer(
    lang: str, officer: Client, world: dict[str, Any]
) -> None:
    for name, url in _staff_urls(world, lang).items():
        response = officer.get(url)
        if name in {"process-step", "contract-step"}:
            # An award on a process in implementation: back to the process, with why.
            expected = 302 if name == "process-step" else 200
            assert response.status_code == expected, (name, response.status_code)
            continue
        assert response.status_code == 200, (name, response.status_code)
        if name != "process-document":
            assert f'lang="{lang}"' in response.content.decode()
            assert response["Cache-Control"] == "no-store, private"


def test_charlie_and_outsiders_get_404_on_every_staff_url(
    world: dict[str, Any], charlie: User, citizen: User
) -> None:
    urls = _staff_urls(world)
    assert len(urls) == len(staff_patterns)
    before = _writes()
    for user in (charlie, citizen):
        client = _client(user)
        for name, url in urls.items():
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url, {"reason": "x", **w.AWARD}).status_code == 404, (user, name)
    # Charlie's own slug with A's objects: 404 too.
    client = _client(charlie)
    for name, url in urls.items():
        if name in {"procurement", "procurement-item-add", "process-create"}:
            continue  # B's own year
        assert client.get(url.replace("/commune-a/", "/commune-b/")).status_code == 404, name
    anonymous = Client().get(urls["procurement"])
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert _writes() == before


def test_the_staff_year_page_lists_items_and_processes(
    officer: Client, world: dict[str, Any]
) -> None:
    urls = _staff_urls(world)
    html = officer.get(urls["procurement"]).content.decode()
    planned = world["planned"]
    assert urls["procurement-item-edit"] in html  # still planned: editable
    assert f"/items/{world['item']}/delete/" not in html  # it has its process
    with translation.override("fr"):
        assert reverse("finance-staff:process", args=["commune-a", planned.pk]) in html
        assert reverse("finance-staff:process-create", args=["commune-a", 2026]) in html


def test_the_staff_process_page_offers_the_steps_of_its_stage_and_lists_its_releases(
    officer: Client, world: dict[str, Any]
) -> None:
    paid, planned = world["paid"], world["planned"]
    html = officer.get(f"/fr/staff/commune-a/finance/procurement/processes/{paid.pk}/").content
    text = html.decode()
    base = f"/fr/staff/commune-a/finance/procurement/processes/{paid.pk}/"
    contract = world["contract"].pk
    for action in (
        f"contracts/{contract}/pay/",
        f"contracts/{contract}/amend/",
        "complete/",
        "document/",
    ):
        assert f'action="{base}{action}"' in text, action
    for absent in ("award/", "cancel/", "tender/"):
        assert f'action="{base}{absent}"' not in text
    for release in paid.releases.all():
        assert release.release_id in text
    assert "contractAmendment" in text
    text = officer.get(
        f"/fr/staff/commune-a/finance/procurement/processes/{planned.pk}/"
    ).content.decode()
    base = f"/fr/staff/commune-a/finance/procurement/processes/{planned.pk}/"
    assert f'action="{base}tender/"' in text and f'action="{base}cancel/"' in text
    assert f'action="{base}award/"' not in text


def test_the_forecast_programme_is_built_and_published_from_the_staff_pages(
    officer: Client, collectivity_a: Collectivity
) -> None:
    line = w.budget_line(collectivity_a, year=2028)
    base = "/fr/staff/commune-a/finance/procurement/2028/"
    data = {**w.ITEM, "estimated_amount": "1 250 000,50", "budget_item": line.pk, "commitment": ""}
    response = officer.post(f"{base}items/add/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"{base}#plan")
    item = PlannedItem.objects.get()
    assert str(item.estimated_amount) == "1250000.50" and item.budget_item == line
    response = officer.post(f"{base}items/{item.pk}/", {**data, "quarter": 3})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.quarter == 3
    assert officer.get(f"{base}publish/").status_code == 200
    response = officer.post(f"{base}publish/")
    assert response.status_code == 302
    process = Process.objects.get(planned_item=item)
    assert process.ocid.endswith("-2028-1") and process.releases.count() == 1
    html = officer.get(base).content.decode()
    assert f"/items/{item.pk}/delete/" not in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"object_ar": "", "object_fr": ""}, "object_ar"),
        ({"object_fr": "x" * 301}, "object_fr"),
        ({"object_fr": "Route\x00"}, "object_fr"),
        ({"estimated_amount": "douze"}, "estimated_amount"),
        ({"estimated_amount": "-3"}, "estimated_amount"),
        ({"quarter": "9"}, "quarter"),
        ({"category": "<script>"}, "category"),
        ({"budget_item": "999999999999"}, "budget_item"),
        ({"commitment": "abc"}, "commitment"),
    ],
)
def test_a_bad_item_is_refused_with_its_field_named_and_nothing_written(
    officer: Client, world: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    before = _writes()
    response = officer.post(
        "/ar/staff/commune-a/finance/procurement/2027/items/add/", {**w.ITEM, **change}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and f'href="#id_{field}"' in html
    assert _writes() == before


def test_the_steps_of_a_process_are_taken_from_the_staff_pages(
    officer: Client, world: dict[str, Any]
) -> None:
    planned = world["planned"]
    base = f"/fr/staff/commune-a/finance/procurement/processes/{planned.pk}/"
    before = _writes()
    # An award before the tender: back to the process with why, nothing written.
    response = officer.post(f"{base}award/", w.AWARD, follow=True)
    assert response.redirect_chain[-1][0].endswith(base)
    assert 'class="error"' in response.content.decode()
    assert _writes() == before
    # A tender with a deadline before the notice: the field's error, nothing written.
    response = officer.post(
        f"{base}tender/",
        {**w.TENDER, "tender_reference": "AO-9", "tender_deadline": "2026-03-01T09:00"},
    )
    assert (
        response.status_code == 400
        and 'href="#id_tender_tender_deadline"' in response.content.decode()
    )
    assert _writes() == before
    # A reference already used by the other process: the service's error beside the field.
    response = officer.post(f"{base}tender/", w.TENDER)
    assert (
        response.status_code == 400
        and 'href="#id_tender_tender_reference"' in response.content.decode()
    )
    assert _writes() == before
    response = officer.post(f"{base}tender/", {**w.TENDER, "tender_reference": "AO-9"})
    assert response.status_code == 302
    response = officer.post(f"{base}award/", {**w.AWARD, "supplier_ice": "12345"})
    assert (
        response.status_code == 400 and 'href="#id_award_supplier_ice"' in response.content.decode()
    )
    response = officer.post(f"{base}award/", {**w.AWARD, "amount": "900 000"})
    assert response.status_code == 302
    award = Award.objects.get(process=planned)
    response = officer.post(
        f"{base}contract/", {**w.CONTRACT, "award": award.pk, "amount": "900000"}
    )
    assert response.status_code == 302
    contract = Contract.objects.get(award=award)
    response = officer.post(
        f"{base}contracts/{contract.pk}/pay/", {**w.PAYMENT, "amount": "900000,01"}
    )
    assert response.status_code == 400 and 'href="#id_pay' in response.content.decode()
    response = officer.post(f"{base}contracts/{contract.pk}/pay/", w.PAYMENT)
    assert response.status_code == 302
    # Another process's contract under this process: 404.
    other = world["contract"].pk
    assert officer.post(f"{base}contracts/{other}/pay/", w.PAYMENT).status_code == 404
    assert officer.get(f"{base}unknown-step/").status_code == 404
    response = officer.post(f"{base}complete/")
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.stage == Stage.COMPLETED
    assert [r.tags[0] for r in planned.releases.order_by("pk")] == [
        "planning",
        "tender",
        "award",
        "contract",
        "implementation",
        "implementationUpdate",
    ]


def test_a_wrong_file_is_refused_and_nothing_is_stored(
    officer: Client, world: dict[str, Any]
) -> None:
    url = f"/fr/staff/commune-a/finance/procurement/processes/{world['planned'].pk}/document/"
    before = _writes()
    for upload in (
        SimpleUploadedFile("avis.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        SimpleUploadedFile("avis.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("vide.pdf", b"", content_type="application/pdf"),
    ):
        response = officer.post(url, {"title": "Avis", "file": upload})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert officer.post(url, {"title": "Avis"}).status_code == 400
    assert _writes() == before
    response = officer.post(url, {"title": "Règlement de consultation", "file": w.pdf_file()})
    assert response.status_code == 302
    assert world["planned"].documents.get().title == "Règlement de consultation"


def test_a_process_outside_the_programme_is_created_from_the_staff_pages(
    officer: Client, world: dict[str, Any]
) -> None:
    url = "/fr/staff/commune-a/finance/procurement/2026/processes/new/"
    assert officer.get(url).status_code == 200
    data = {
        "title_fr": "Bon de commande : fournitures",
        "category": "goods",
        "procedure": "purchase_order",
        "estimated_amount": "45000",
        "tender_reference": "BC-1/2026",
        "tender_published_on": "2026-06-01",
        "tender_deadline": "2026-06-10T12:00",
    }
    before = _writes()
    assert officer.post(url, {**data, "tender_published_on": "2026-13-01"}).status_code == 400
    assert _writes() == before
    response = officer.post(url, data)
    assert response.status_code == 302
    process = Process.objects.get(tender_reference="BC-1/2026")
    assert response["Location"].endswith(f"/processes/{process.pk}/")
    assert process.stage == Stage.TENDER and process.planned_item is None
    assert process.releases.get().tags == ["planning", "tender"]
