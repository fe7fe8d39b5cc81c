"""The staff pages of the register, end to end through the test client, in /ar/ and /fr/.

Translations are filled later: assertions look at data, status codes and structure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.correspondence.models import Entry, EntryEvent, ServiceUnit
from infitah.correspondence.selectors import EXPORT_COLUMNS
from infitah.correspondence.tests.conftest import CASABLANCA, MONDAY
from infitah.ledger.models import Event
from infitah.lib.tests.files import pdf_with_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]

BASE = "/{lang}/staff/commune-a/correspondence/"
AR = BASE.format(lang="ar")


def _html(response: Any) -> str:
    return response.content.decode()


def _post_entry(client: Client, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "direction": "incoming",
        "channel": "paper",
        "correspondent": "جمعية الأمل للتنمية",
        "subject": "طلب دعم",
        "letter_date": "2026-02-27",
        "summary": "Demande de subvention.",
    }
    data.update(overrides)
    return client.post(AR + "new/", {k: v for k, v in data.items() if v is not None})


# ---------------------------------------------------------------------------- home link


def test_the_back_office_links_to_the_register(clerk_client, staff_for):
    html = _html(clerk_client.get("/ar/staff/commune-a/"))
    assert f'href="{AR}"' in html
    editor = Client()
    editor.force_login(staff_for("publication_editor"))
    assert f'href="{AR}"' not in _html(editor.get("/ar/staff/commune-a/"))


# ----------------------------------------------------------------------------- register


def test_the_register_form_prefills_the_direction(clerk_client):
    response = clerk_client.get(AR + "new/?direction=outgoing&in_reply_to=2026/000001")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["direction"] == "outgoing"
    assert form.initial["in_reply_to"] == "2026/000001"
    assert 'enctype="multipart/form-data"' in _html(response)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_registering_a_letter_with_its_scan(clerk_a, lang, unit_a):
    client = Client()
    client.force_login(clerk_a)
    scan = SimpleUploadedFile("scan.pdf", pdf_with_text("Lettre"), content_type="application/pdf")
    response = client.post(
        BASE.format(lang=lang) + "new/",
        {
            "direction": "incoming",
            "channel": "paper",
            "correspondent": "جمعية الأمل للتنمية",
            "subject": "طلب دعم",
            "letter_date": "2026-02-27",
            "service": unit_a.pk,
            "attachment": scan,
        },
    )
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/staff/commune-a/correspondence/2026/1/"
    assert entry.display_number == "2026/000001"
    assert entry.service == unit_a
    assert entry.attachment_name == "scan.pdf"
    page = client.get(response["Location"])
    html = _html(page)
    assert "2026/000001" in html and "جمعية الأمل للتنمية" in html
    assert "scan.pdf" in html
    download = client.get(f"/{lang}/staff/commune-a/correspondence/2026/1/letter")
    assert download.status_code == 200
    assert download.getvalue().startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]
    assert download["Cache-Control"] == "no-store, private"


def test_an_outgoing_reply_links_to_the_letter_it_answers(clerk_client):
    _post_entry(clerk_client)
    response = _post_entry(
        clerk_client, direction="outgoing", correspondent="جمعية الأمل", in_reply_to="2026/000001"
    )
    assert response.status_code == 302
    reply = Entry.objects.get(number=2)
    assert reply.in_reply_to is not None and reply.in_reply_to.number == 1
    html = _html(clerk_client.get(AR + "2026/1/"))
    assert 'href="/ar/staff/commune-a/correspondence/2026/2/"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"correspondent": "a\x00b"}, "correspondent"),
        ({"direction": "sideways"}, "direction"),
        ({"channel": None}, "channel"),
        ({"letter_date": "2026-03-03"}, "letter_date"),
        ({"letter_date": "31/02/2026"}, "letter_date"),
        ({"in_reply_to": "2026/000999"}, "in_reply_to"),
        ({"in_reply_to": "not a number"}, "in_reply_to"),
        ({"service": "999999"}, "service"),
    ],
)
def test_invalid_input_is_a_form_error_and_registers_nothing(clerk_client, overrides, field):
    response = _post_entry(clerk_client, **overrides)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in _html(response)
    assert not Entry.objects.exists()


def test_a_service_of_another_collectivity_cannot_be_posted(clerk_client, unit_b):
    response = _post_entry(clerk_client, service=unit_b.pk)
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_a_disguised_file_is_refused(clerk_client):
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    response = _post_entry(clerk_client, attachment=fake)
    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    assert not Entry.objects.exists()


# --------------------------------------------------------------------------------- list


def test_the_list_shows_newest_first_with_filters(register, unit_a, urbanism_a, clerk_client):
    register(subject="Éclairage public", service=unit_a)
    register(direction="outgoing", correspondent="Wilaya", subject="Réponse", service=urbanism_a)
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=CASABLANCA)):
        register(subject="Voirie 2027")
    response = clerk_client.get(AR)
    assert response.status_code == 200
    numbers = [e.display_number for e in response.context["page"].object_list]
    assert numbers == ["2027/000001", "2026/000002", "2026/000001"]

    def listed(**query: Any) -> list[str]:
        page = clerk_client.get(AR, query).context["page"]
        return [e.display_number for e in page.object_list]

    assert listed(direction="outgoing") == ["2026/000002"]
    assert listed(year="2026") == ["2026/000002", "2026/000001"]
    assert listed(service=str(urbanism_a.pk)) == ["2026/000002"]
    assert listed(q="éclairage") == ["2026/000001"]
    assert listed(q="Wilaya") == ["2026/000002"]
    assert listed(q="2026/000002") == ["2026/000002"]
    assert listed(q="1") == ["2027/000001", "2026/000001"]
    # Invalid filters are ignored, never an error page.
    assert listed(direction="sideways", year="abc", service="x", q="\x00") == numbers


def test_the_list_is_paginated(register, clerk_client):
    for i in range(55):
        register(subject=f"Lettre {i}")
    first = clerk_client.get(AR)
    assert len(first.context["page"].object_list) == 50
    assert 'rel="next"' in _html(first)
    second = clerk_client.get(AR, {"page": "2", "direction": "incoming"})
    assert [e.number for e in second.context["page"].object_list] == [5, 4, 3, 2, 1]
    assert "direction=incoming&amp;page=1" in _html(second)


def _list_queries(client: Client, **query: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(AR, query).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_a_constant_number_of_queries(register, unit_a, urbanism_a, clerk_client):
    first = register(service=unit_a)
    few = _list_queries(clerk_client)
    few_filtered = _list_queries(clerk_client, service=str(unit_a.pk), q="x", year="2026")
    for i in range(40):
        register(
            service=urbanism_a if i % 2 else unit_a,
            in_reply_to=first,
            direction="outgoing" if i % 3 else "incoming",
        )
    assert _list_queries(clerk_client) == few
    assert _list_queries(clerk_client, service=str(unit_a.pk), q="x", year="2026") == few_filtered
    assert few <= 12


# ------------------------------------------------------------------------------ detail


def test_the_detail_page_routes_corrects_and_shows_the_history(
    register, unit_a, urbanism_a, clerk_client, clerk_a
):
    entry = register(service=unit_a)
    url = AR + "2026/1/"
    assert clerk_client.get(url).status_code == 200
    response = clerk_client.post(url + "route/", {"service": urbanism_a.pk})
    assert response.status_code == 302
    response = clerk_client.post(url + "summary/", {"summary": "Résumé corrigé"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.service == urbanism_a and entry.summary == "Résumé corrigé"
    page = clerk_client.get(url)
    history = page.context["history"]
    assert [h.action for h in history] == [
        EntryEvent.REGISTERED,
        EntryEvent.ROUTED,
        EntryEvent.SUMMARY_EDITED,
    ]
    assert history[1].detail == "مصلحة التعمير"
    assert all(h.actor == clerk_a for h in history)
    assert "2026/000001" in _html(page)


def test_bad_actions_and_methods(register, clerk_client, unit_b):
    register()
    url = AR + "2026/1/"
    assert clerk_client.post(url + "explode/").status_code == 404
    assert clerk_client.get(url + "route/").status_code == 405
    response = clerk_client.post(url + "route/", {"service": unit_b.pk})
    assert response.status_code == 400
    assert "service" in response.context["forms"]["route"].errors
    response = clerk_client.post(url + "summary/", {"summary": "x" * 10_001})
    assert response.status_code == 400
    assert clerk_client.get(AR + "2026/2/").status_code == 404
    assert clerk_client.get(AR + "2026/1/letter").status_code == 404  # no scan


def test_linking_by_type_and_reference_finds_the_case_in_this_collectivity_only(
    register, clerk_client, accepting_a, officer_a, collectivity_b
):
    from infitah.information.services import request_file
    from infitah.information.tests.conftest import request_input

    request, _token = request_file(
        collectivity=accepting_a.collectivity,
        data=request_input(),
        actor=officer_a,
        email_confirmed=True,
    )
    entry = register()
    url = AR + "2026/1/"
    wrong = clerk_client.post(
        url + "link/",
        {"case_type": "information.informationrequest", "reference": "ATI-2026-NOPE-000001"},
    )
    assert wrong.status_code == 400
    assert "reference" in wrong.context["forms"]["link"].errors
    ok = clerk_client.post(
        url + "link/",
        {"case_type": "information.informationrequest", "reference": request.reference},
    )
    assert ok.status_code == 302
    entry.refresh_from_db()
    assert (entry.case_type, entry.case_id, entry.case_reference) == (
        "information.informationrequest",
        str(request.pk),
        request.reference,
    )
    html = _html(clerk_client.get(url))
    assert f'href="/ar/staff/commune-a/information/{request.reference}/"' in html
    assert clerk_client.post(url + "unlink/").status_code == 302
    entry.refresh_from_db()
    assert not entry.has_case


# ---------------------------------------------------------------------------- open case


def _paper_request(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": "ZX987654",
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026.",
        "delivery": "paper",
        "signed": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_information_request_on_paper_is_opened_from_its_entry(
    register, officer_client, officer_a, accepting_a
):
    from infitah.information.models import InformationRequest
    from infitah.information.workflow import Status

    entry = register(correspondent="Fatima Zahra", subject="ميزانية الجماعة 2026")
    detail = officer_client.get(AR + "2026/1/")
    open_url = AR + "2026/1/open/information/"
    assert f'href="{open_url}"' in _html(detail)
    form_page = officer_client.get(open_url)
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert "consent" not in form.fields and "signed" in form.fields
    assert form.initial["first_name"] == "Fatima" and form.initial["last_name"] == "Zahra"
    assert form.initial["subject"] == "ميزانية الجماعة 2026"

    response = officer_client.post(open_url, _paper_request())
    assert response.status_code == 302, response.context["form"].errors
    request = InformationRequest.objects.get()
    assert request.status == Status.IN_PROGRESS
    assert request.received_on == MONDAY.date()
    assert request.created_by == officer_a
    entry.refresh_from_db()
    assert entry.case_type == "information.informationrequest"
    assert entry.case_id == str(request.pk)
    assert entry.case_reference == request.reference
    (opened,) = Event.objects.for_object(entry).filter(action=EntryEvent.CASE_OPENED)
    assert opened.actor == officer_a
    assert opened.data["to"]["reference"] == request.reference
    # Linked: no opener offered any more, and a second opening is refused.
    assert f'href="{open_url}"' not in _html(officer_client.get(AR + "2026/1/"))
    again = officer_client.post(open_url, _paper_request())
    assert again.status_code == 400
    assert InformationRequest.objects.count() == 1


def test_without_the_signature_nothing_is_opened(register, officer_client, accepting_a):
    from infitah.information.models import InformationRequest

    register()
    response = officer_client.post(AR + "2026/1/open/information/", _paper_request(signed=None))
    assert response.status_code == 400
    assert "signed" in response.context["form"].errors
    assert not InformationRequest.objects.exists()
    assert not Entry.objects.get().has_case


def test_a_refused_request_opens_nothing_and_links_nothing(register, officer_client, accepting_a):
    from infitah.information.models import InformationRequest

    register()
    response = officer_client.post(AR + "2026/1/open/information/", _paper_request(id_number="123"))
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors
    assert not InformationRequest.objects.exists()
    assert not Event.objects.filter(action=EntryEvent.CASE_OPENED).exists()


def test_the_information_opener_needs_the_officer_role_and_an_accepting_collectivity(
    register, clerk_client, officer_client, accepting_a
):
    register()
    url = AR + "2026/1/open/information/"
    # The council secretary registers letters but does not handle information requests.
    assert clerk_client.get(url).status_code == 404
    assert clerk_client.post(url, _paper_request()).status_code == 404
    assert url not in _html(clerk_client.get(AR + "2026/1/"))
    assert officer_client.get(url).status_code == 200
    # A collectivity without its CNDP authorisation takes no request.
    accepting_a.cndp_authorisation = ""
    accepting_a.save()
    assert officer_client.get(url).status_code == 404
    assert officer_client.get(AR + "2026/1/open/nothing/").status_code == 404


# --------------------------------------------------------------------------- CSV export


def test_the_csv_export_of_a_date_range(register, unit_a, clerk_client):
    with time_machine.travel(dt.datetime(2026, 2, 27, 16, 0, tzinfo=CASABLANCA)):
        register(subject="Avant la période")
    register(
        subject="ميزانية 2026",
        correspondent="جمعية الأمل",
        service=unit_a,
        letter_date=dt.date(2026, 2, 26),
    )
    register(direction="outgoing", subject='=HYPERLINK("http://evil")', channel="email")
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=CASABLANCA)):
        register(subject="Après la période")
    response = clerk_client.get(AR + "export.csv", {"from": "2026-03-01", "to": "2026-03-03"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="correspondence-commune-a-2026-03-01-2026-03-03.csv"'
        in response["Content-Disposition"]
    )
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [r[0] for r in rows[1:]] == ["2026/000002", "2026/000003"]
    first = dict(zip(EXPORT_COLUMNS, rows[1], strict=True))
    assert first["direction"] == "incoming"
    assert first["registered_at"].startswith("2026-03-02 10:")
    assert first["letter_date"] == "2026-02-26"
    assert first["channel"] == "paper"
    assert first["correspondent"] == "جمعية الأمل"
    assert first["subject"] == "ميزانية 2026"
    assert first["service"] == "مكتب الضبط"
    assert first["case_reference"] == ""
    # A formula is exported as text.
    assert rows[2][6] == '\'=HYPERLINK("http://evil")'
    # In French, the service's French name.
    fr = Client()
    fr.force_login(response.wsgi_request.user)
    body_fr = fr.get(
        BASE.format(lang="fr") + "export.csv", {"from": "2026-03-02", "to": "2026-03-02"}
    ).getvalue()
    assert "Bureau d'ordre" in body_fr.decode("utf-8-sig")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2026-03-01"},
        {"from": "2026-13-01", "to": "2026-03-31"},
        {"from": "01/03/2026", "to": "2026-03-31"},
        {"from": "2026-03-31", "to": "2026-03-01"},
        {"from": "2026-03-01\x00", "to": "2026-03-31"},
        {"from": "x" * 5000, "to": "2026-03-31"},
    ],
)
def test_bad_export_dates_are_a_400_page(clerk_client, query):
    response = clerk_client.get(AR + "export.csv", query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'role="alert"' in _html(response)


def test_an_empty_export_has_the_header_only(clerk_client):
    response = clerk_client.get(AR + "export.csv", {"from": "2026-01-01", "to": "2026-12-31"})
    body = response.getvalue().decode("utf-8-sig")
    assert body.strip() == ",".join(EXPORT_COLUMNS)


# ------------------------------------------------------------------------ service units


def test_service_units_are_created_renamed_and_deactivated(clerk_client, clerk_a):
    url = AR + "services/"
    assert clerk_client.get(url).status_code == 200
    response = clerk_client.post(url, {"name_ar": "مصلحة الشكايات", "name_fr": "Plaintes"})
    assert response.status_code == 302
    unit = ServiceUnit.objects.get()
    response = clerk_client.post(
        url + f"{unit.pk}/", {"name_ar": "مصلحة الشكايات", "name_fr": "Service des plaintes"}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name_fr == "Service des plaintes" and not unit.is_active
    duplicate = clerk_client.post(url, {"name_ar": "مصلحة الشكايات"})
    assert duplicate.status_code == 400
    assert ServiceUnit.objects.count() == 1
    assert clerk_client.post(url, {"name_ar": "", "name_fr": ""}).status_code == 400
    assert clerk_client.get(url + f"{unit.pk}/").status_code == 405
    assert clerk_client.post(url + "999999/").status_code == 404
    # An inactive unit is no longer offered to route letters to.
    form = clerk_client.get(AR + "new/").context["form"]
    assert unit not in form.fields["service"].queryset


def test_pages_have_no_script_and_stay_small(register, clerk_client, unit_a):
    register(service=unit_a)
    for url in (AR, AR + "new/", AR + "2026/1/", AR + "services/"):
        response = clerk_client.get(url)
        html = _html(response)
        assert response.status_code == 200, url
        assert "<script" not in html, url
        assert len(response.content) < 30_000, (url, len(response.content))
        assert re.search(r'<html lang="ar" dir="rtl"', html), url
