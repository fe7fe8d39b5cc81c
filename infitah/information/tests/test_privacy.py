"""No identity number in clear anywhere, and no requester's identity in public.

Several requests, each with its own identity number typed in its own spelling, live their
whole life through the pages, the API and the services (answer with a file, refusal,
clarification, extension, transfer, private request, personal answer, deemed refusal,
complaints, decisions, lapse). Then every output is collected — public pages, the public
API and its schema, the requester's pages and PDFs, staff pages and the staff API, every
e-mail, every ledger event, the deadlines, the captured logs (every SQL statement too) —
and searched for every spelling of every number. The requesters' names, e-mail and postal
addresses are searched for in the public outputs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from infitah.accounts.models import User
from infitah.accounts.services import api_token_create
from infitah.deadlines.models import Deadline
from infitah.information import services
from infitah.information.models import Attachment, InformationRequest, Message
from infitah.information.tests.conftest import request_input
from infitah.ledger.models import Event
from infitah.lib.pii import id_normalise, pii_decrypt, pii_hash, pii_mask
from infitah.lib.tests.files import pdf_with_text
from infitah.notifications.models import OutboundEmail

CASABLANCA = ZoneInfo("Africa/Casablanca")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass
class Person:
    key: str
    first_name: str
    last_name: str
    email: str
    address: str
    id_number: str  # as typed
    requester_type: str = "citizen"
    id_type: str = "cin"

    @property
    def normalised(self) -> str:
        return id_normalise(self.id_number)

    def spellings(self) -> set[str]:
        """Every spelling of the number that must never show (compared case-insensitively).
        The letters are outside a-f, so no hexadecimal digest can spell one by chance."""
        clear = self.normalised
        letters = re.match(r"[A-Z]+", clear)
        digits = clear[letters.end() if letters else 0 :]
        return {
            self.id_number,
            clear,
            f"{clear[: len(clear) - len(digits)]} {digits}",
            clear.translate(ARABIC_DIGITS),
        }

    def digits(self) -> str:
        return re.sub(r"\D", "", self.normalised)

    def identity(self) -> set[str]:
        return {self.first_name, self.last_name, self.email, self.address}


PEOPLE = {
    p.key: p
    for p in [
        # Each typed differently: separators, lower case, Arabic-Indic digits.
        Person(
            "answered",
            "Quillonne",
            "Brahimsky",
            "quillonne@example.test",
            "7 impasse Zerktouni",
            "km 734-5128",
        ),
        Person(
            "refused",
            "Ouarzazia",
            "Temsamanova",
            "ouarzazia@example.test",
            "14 derb Lalla Zineb",
            "tj٥٨٢٣١٧٤",
        ),
        Person(
            "transferred",
            "Gwendoline",
            "Van Haverbeke",
            "gwendoline@example.test",
            "3 avenue Hassan II appt 9",
            "QRW-4071-9386",
            "foreign_resident",
            "residence_card",
        ),
        Person(
            "private",
            "Yzabelle",
            "Ourikhane",
            "yzabelle@example.test",
            "22 rue Ibn Toumert",
            "PN.6618093",
        ),
        Person(
            "deemed",
            "Hamouchette",
            "Zniberova",
            "hamouchette@example.test",
            "5 place Al Massira",
            "HV 2290357",
        ),
        Person(
            "lapsed",
            "Lhoussinette",
            "Skouriova",
            "lhoussinette@example.test",
            "9 rue Tarik",
            "ls8841726",
        ),
        Person(
            "api",
            "Guennounette",
            "Tijanova",
            "guennounette@example.test",
            "31 boulevard Anfa",
            "GU 3175904",
        ),
        Person(
            "paper",
            "Qaddourette",
            "Wazzaniova",
            "qaddourette@example.test",
            "2 rue Moulay Ismail",
            "QX9043217",
        ),
    ]
}
PUBLIC, PRIVATE = "public", "private"


def _form(person: Person, **extra: str) -> dict[str, str]:
    return {
        "requester_type": person.requester_type,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "address": person.address,
        "email": person.email,
        "subject": f"Budget et marchés ({person.key})",
        "description": "Le budget 2026 et la liste des marchés publics.",
        "delivery": "email",
        "consent": "on",
        **extra,
    }


def _api_body(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = dict(_form(person))
    data.pop("consent")
    data.update({"urgent": False, "urgency_reason": "", "private": False})
    return data


def _confirm_link(person: Person) -> str:
    email = OutboundEmail.objects.get(to=person.email, key__contains=":requester:filed:")
    match = re.search(r"https?://\S+/information/confirm/[\w-]+/", email.body)
    assert match is not None
    return urlparse(match.group(0)).path


def _tracking_token(request: InformationRequest) -> str:
    """The requester's secret (only its encryption is stored), as the e-mails carry it."""
    return pii_decrypt(request.tracking_token_encrypted)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages) + str(reader.metadata or {})


class Outputs:
    """Everything collected, by audience: public, or private (requester, staff, records)."""

    def __init__(self) -> None:
        self.texts: dict[str, list[tuple[str, str]]] = {PUBLIC: [], PRIVATE: []}
        self.raw: list[tuple[str, bytes]] = []

    def add(self, audience: str, where: str, text: str) -> None:
        self.texts[audience].append((where, text))

    def page(self, audience: str, client: Client, url: str, expect: set[int] | None = None) -> Any:
        response = client.get(url)
        assert response.status_code in (expect or {200}), (url, response.status_code)
        body = response.getvalue()
        self.raw.append((url, body))
        if response.get("Content-Type", "").startswith("application/pdf"):
            self.add(audience, url + " (pdf text)", _pdf_text(body))
        else:
            self.add(audience, url, body.decode("utf-8", "replace"))
        for name, value in response.items():
            self.add(audience, f"{url} header {name}", value)
        return response

    def search(self, client: Client, query: str) -> None:
        _search(self, client, query)


def _without(text: str, query: str) -> str:
    """`text` without the visitor's own query, which a search page shows back."""
    for form in {query, escape(query), quote_plus(query), quote(query), json.dumps(query)[1:-1]}:
        text = text.replace(form, "")
    return text


def _search(out: Outputs, client: Client, query: str) -> None:
    """Search the published documents for `query`: nothing about a request is found."""
    page = client.get("/ar/search/", {"q": query})
    assert page.status_code == 200
    assert page.context["result"].count == 0
    out.add(PUBLIC, f"search page {query}", _without(page.content.decode(), query))
    api = client.get("/api/v1/search", {"q": query})
    assert api.status_code == 200
    assert api.json()["count"] == 0
    out.add(PUBLIC, f"search api {query}", _without(api.content.decode(), query))


def _walk_life(
    client: Client,
    officer: User,
    head: User,
    officer_token: str,
    head_token: str,
) -> dict[str, InformationRequest]:
    """The whole life of the requests; returns them by person key."""
    P = PEOPLE
    officer_client, head_client = Client(), Client()
    officer_client.force_login(officer)
    head_client.force_login(head)
    staff = "/ar/staff/commune-a/information/"
    api_staff = "/api/v1/staff/information-requests/"
    bearer = {"Authorization": f"Bearer {officer_token}"}

    def by(person: Person) -> InformationRequest:
        return InformationRequest.objects.get(email=person.email, collectivity__slug="commune-a")

    # Monday 2 March 2026: filing.
    for key, lang in (
        ("answered", "ar"),
        ("refused", "fr"),
        ("transferred", "ar"),
        ("lapsed", "ar"),
        ("deemed", "ar"),
    ):
        extra = {"urgent": "on", "urgency_reason": "Expulsion."} if key == "deemed" else {}
        response = client.post(f"/{lang}/c/commune-a/information/request/", _form(P[key], **extra))
        assert response.status_code == 302, key
        if key != "lapsed":
            assert client.post(_confirm_link(P[key])).status_code == 302
    private = P["private"]
    with translation.override("ar"):
        filed, _ = services.request_file(
            collectivity=by(P["answered"]).collectivity,
            data=request_input(
                first_name=private.first_name,
                last_name=private.last_name,
                id_number=private.id_number,
                address=private.address,
                email=private.email,
                private=True,
                subject="Mon dossier",
            ),
        )
    services.request_confirm(request=filed)
    api = client.post(
        "/api/v1/c/commune-a/information-requests",
        json.dumps(_api_body(P["api"])),
        content_type="application/json",
    )
    assert api.status_code == 202
    assert client.post(_confirm_link(P["api"])).status_code == 302
    paper = client.post(
        "/api/v1/c/commune-a/information-requests",
        json.dumps(_api_body(P["paper"])),
        content_type="application/json",
        headers=bearer,
    )
    assert paper.status_code == 201

    # Tuesday 3 March: the officers act.
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=CASABLANCA), tick=True):
        officer_client.force_login(officer)
        head_client.force_login(head)
        r = by(P["api"])
        assert (
            officer_client.post(
                f"{staff}{r.reference}/clarify/", {"text": "Quelle année ?"}
            ).status_code
            == 302
        )
        token = _tracking_token(r)
        assert (
            client.post(f"/ar/information/track/{token}/reply/", {"text": "2026."}).status_code
            == 302
        )
        extend = client.post(
            f"{api_staff}{r.reference}/extend",
            json.dumps({"text": "Volumineux."}),
            content_type="application/json",
            headers=bearer,
        )
        assert extend.status_code == 200
        r = by(P["answered"])
        answer = officer_client.post(
            f"{staff}{r.reference}/answer/",
            {
                "text": "Voici le budget.",
                "attachments": [SimpleUploadedFile("budget.pdf", pdf_with_text("Budget 2026"))],
            },
        )
        assert answer.status_code == 302
        r = by(P["refused"])
        refuse = officer_client.post(
            f"{staff}{r.reference}/refuse/",
            {"reasons": ["art7_private_life", "not_held"], "reasoning": "Vie privée de tiers."},
        )
        assert refuse.status_code == 302
        r = by(P["transferred"])
        transfer = client.post(
            f"{api_staff}{r.reference}/transfer",
            json.dumps({"collectivity": "commune-b", "note": "Compétence de B."}),
            content_type="application/json",
            headers=bearer,
        )
        assert transfer.status_code == 200
        services.request_answer(request=by(private), actor=officer, text="En partie.", partial=True)
        r = by(P["paper"])
        personal = client.post(
            f"{api_staff}{r.reference}/answer",
            json.dumps({"text": "Votre dossier personnel.", "personal": True}),
            content_type="application/json",
            headers=bearer,
        )
        assert personal.status_code == 200

    # Wednesday 4 March: complaints and decisions.
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, tzinfo=CASABLANCA), tick=True):
        head_client.force_login(head)
        for person in (P["refused"], private):
            r = by(person)
            token = _tracking_token(r)
            complain = client.post(
                f"/ar/information/track/{token}/complain/", {"text": "Je conteste."}
            )
            assert complain.status_code == 302
        r = by(P["refused"])
        decide = head_client.post(
            f"{staff}{r.reference}/decide/", {"decision": "partly_upheld", "text": "En partie."}
        )
        assert decide.status_code == 302
        r = by(private)
        decide_api = client.post(
            f"{api_staff}{r.reference}/decide-complaint",
            json.dumps({"decision": "rejected", "text": "Maintenue."}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {head_token}"},
        )
        assert decide_api.status_code == 200

    # Monday 9 March: the urgent request is deemed refused; the requester complains.
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, tzinfo=CASABLANCA), tick=True):
        call_command("tick", stdout=io.StringIO())
        r = by(P["deemed"])
        assert r.deemed_refused_on is not None
        token = _tracking_token(r)
        assert (
            client.post(f"/ar/information/track/{token}/complain/", {"text": "Rien."}).status_code
            == 302
        )

    # Tuesday 10 March: the unconfirmed request lapses.
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=CASABLANCA), tick=True):
        call_command("tick", stdout=io.StringIO())
    return {key: by(person) for key, person in P.items()}


@pytest.fixture
def sql_in_logs() -> Iterator[None]:
    """Log every SQL statement with its parameters (at DEBUG, as with DEBUG=True)."""
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        connection.force_debug_cursor = False


@pytest.mark.pdf
@pytest.mark.django_db
def test_no_identity_number_anywhere_and_no_identity_in_public(
    caplog,
    sql_in_logs,
    collectivity_a,
    accepting_a,
    collectivity_b,
    accepting_b,
    officer_a,
    head_a,
    charlie,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    client = Client()
    officer_token = api_token_create(user=officer_a, name="privacy")[1]
    head_token = api_token_create(user=head_a, name="privacy")[1]
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=CASABLANCA), tick=True):
        requests = _walk_life(client, officer_a, head_a, officer_token, head_token)
    transferred_to = requests["transferred"].transferred_to
    assert transferred_to is not None

    # The life went as planned.
    assert {key: r.status for key, r in requests.items()} == {
        "answered": "answered",
        "refused": "complaint_decided",
        "transferred": "transferred",
        "private": "complaint_decided",
        "deemed": "internal_complaint",
        "lapsed": "lapsed",
        "api": "in_progress",
        "paper": "answered",
    }
    assert transferred_to.status == "in_progress"
    everything = [*requests.values(), transferred_to]

    # --------------------------------------------------------------- the stored row
    for key, request in requests.items():
        person = PEOPLE[key]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number_encrypted, id_number_hash, id_number_masked "
                "FROM information_informationrequest WHERE id = %s",
                [request.pk],
            )
            encrypted, digest, masked = cursor.fetchone()
        for spelling in (*person.spellings(), person.digits()):
            assert spelling.lower() not in encrypted.lower()
            assert spelling.lower() not in digest.lower()
        assert pii_decrypt(encrypted) == person.normalised
        assert digest == pii_hash(person.normalised) == pii_hash(person.id_number)
        assert (
            masked
            == pii_mask(person.id_number)
            == "•" * (len(person.normalised) - 3) + (person.normalised[-3:])
        )
    assert transferred_to.id_number_hash == requests["transferred"].id_number_hash
    assert pii_decrypt(transferred_to.id_number_encrypted) == PEOPLE["transferred"].normalised

    # ------------------------------------------------------------ public outputs
    out = Outputs()
    cache.clear()
    anonymous = Client()
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, tzinfo=CASABLANCA), tick=True):
        public_refs = []
        for request in everything:
            public = not request.is_private and request.status not in {"lapsed"}
            out.page(
                PUBLIC,
                anonymous,
                f"/ar/information/r/{request.reference}/",
                {200} if public else {404},
            )
            if public:
                public_refs.append(request.reference)
            out.page(
                PUBLIC,
                anonymous,
                f"/api/v1/information-requests/{request.reference}",
                {200} if public else {404},
            )
        assert len(public_refs) == 7
        out.page(PUBLIC, anonymous, f"/fr/information/r/{public_refs[0]}/")
        for item in Attachment.objects.all():
            out.page(PUBLIC, anonymous, f"/ar/information/r/{item.case.reference}/files/{item.pk}")
        for lang in ("ar", "fr"):
            for url in (
                "/",
                "/c/commune-a/",
                "/c/commune-b/",
                "/c/commune-a/information/",
                "/c/commune-b/information/",
                "/c/commune-a/information/request/",
                "/c/commune-a/information/register/",
                "/c/commune-b/information/register/",
                "/information/",
                "/calendar/",
                "/register/",
            ):
                out.page(PUBLIC, anonymous, f"/{lang}{url}")
        for status in (
            "in_progress",
            "answered",
            "refused",
            "transferred",
            "internal_complaint",
            "complaint_decided",
            "lapsed",
        ):
            out.page(PUBLIC, anonymous, f"/ar/information/?status={status}")
        out.page(PUBLIC, anonymous, "/api/v1/openapi.json")
        out.page(PUBLIC, anonymous, "/api/v1/collectivities/commune-a")

        # -------------------------------------------------- the requester's outputs
        # Every request's follow-up pages; the case file of the requests whose life fills
        # every part of it (exchanges, extension, refusal, complaint, decision, transfer on
        # both sides, a private one), in Arabic and once in French; the receipt of a
        # citizen's and of a foreign resident's request. (The PDFs show the masked number
        # whatever the request; WeasyPrint takes ~0.5 s a PDF, so not all of them.)
        for request in everything:
            token = _tracking_token(request)
            out.page(PRIVATE, anonymous, f"/ar/information/track/{token}/")
            out.page(PRIVATE, anonymous, f"/fr/information/track/{token}/")
            for item in request.attachments.all():
                out.page(PRIVATE, anonymous, f"/ar/information/track/{token}/files/{item.pk}")
        for request in (
            requests["refused"],
            requests["api"],
            requests["private"],
            requests["transferred"],
            transferred_to,
        ):
            token = _tracking_token(request)
            out.page(PRIVATE, anonymous, f"/ar/information/track/{token}/file.pdf")
        for key in ("refused", "transferred"):
            token = _tracking_token(requests[key])
            out.page(PRIVATE, anonymous, f"/ar/information/track/{token}/receipt.pdf")
        token = _tracking_token(requests["refused"])
        out.page(PRIVATE, anonymous, f"/fr/information/track/{token}/file.pdf")

        # ---------------------------------------------------------- staff outputs
        officer_client, charlie_client = Client(), Client()
        officer_client.force_login(officer_a)
        charlie_client.force_login(charlie)
        charlie_token = api_token_create(user=charlie, name="privacy")[1]
        for state in ("open", "unconfirmed", "complaints", "closed", "all"):
            out.page(PRIVATE, officer_client, f"/ar/staff/commune-a/information/?state={state}")
            out.page(PRIVATE, charlie_client, f"/ar/staff/commune-b/information/?state={state}")
        out.page(PRIVATE, officer_client, "/ar/staff/commune-a/")
        out.page(PRIVATE, charlie_client, "/fr/staff/commune-b/")
        for request in everything:
            staff_client, token = (
                (charlie_client, charlie_token)
                if request.collectivity_id == collectivity_b.pk
                else (officer_client, officer_token)
            )
            slug = request.collectivity.slug
            detail = out.page(
                PRIVATE, staff_client, f"/ar/staff/{slug}/information/{request.reference}/"
            )
            assert request.id_number_masked in detail.content.decode()
            api = Client().get(
                f"/api/v1/staff/information-requests/{request.reference}",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert api.status_code == 200
            assert api.json()["id_number_masked"] == request.id_number_masked
            out.add(PRIVATE, f"staff api {request.reference}", api.content.decode())

    # ---------------------------------------------------------------- the records
    for email in OutboundEmail.objects.all():
        out.add(PRIVATE, f"outbox {email.key}", f"{email.to}\n{email.subject}\n{email.body}")
    assert len(mail.outbox) == OutboundEmail.objects.count() > 20
    for sent in mail.outbox:
        out.add(PRIVATE, "sent e-mail", sent.message().as_string())
    for event in Event.objects.all():
        serialized = json.dumps(
            {
                "action": event.action,
                "note": event.note,
                "data": event.data,
                "from": event.from_state,
                "to": event.to_state,
                "process": event.process,
            },
            ensure_ascii=False,
        )
        out.add(PRIVATE, f"event {event.pk}", serialized)
        out.add(PRIVATE, f"event {event.pk} ascii", json.dumps(event.data))
    assert Event.objects.filter(object_type="information.informationrequest").count() > 30
    for deadline in Deadline.objects.all():
        out.add(PRIVATE, f"deadline {deadline.pk}", deadline.label)
    for message in Message.objects.all():
        out.add(PRIVATE, f"message {message.pk}", message.text)
    for item in Attachment.objects.all():
        out.add(PRIVATE, f"attachment {item.pk}", f"{item.name} {item.file.name}")
    logged = (
        "\n".join(
            f"{record.name} {record.getMessage()} {record.args!r}" for record in caplog.records
        )
        + caplog.text
    )
    assert "information_informationrequest" in logged  # the SQL was logged
    out.add(PRIVATE, "logs", logged)

    # Searching the published documents for a number or a name finds nothing (after the
    # logs are taken: the search's own SQL holds the query).
    for person in PEOPLE.values():
        for query in (person.normalised, person.id_number, person.last_name):
            out.search(anonymous, query)

    # ------------------------------------------------------------------ the search
    everywhere = out.texts[PUBLIC] + out.texts[PRIVATE]
    leaks = []
    for person in PEOPLE.values():
        spellings = {s.lower() for s in person.spellings()}
        for where, text in everywhere:
            lowered = text.lower()
            leaks += [(person.key, s, where) for s in spellings if s in lowered]
            # The digits alone, wherever a person reads them (not in logs of digests).
            if where != "logs" and person.digits() in text:
                leaks.append((person.key, person.digits(), where))
        for where, body in out.raw:
            for spelling in person.spellings():
                for encoded in (spelling.encode(), spelling.encode("utf-16-be")):
                    if encoded in body:
                        leaks.append((person.key, spelling, f"raw {where}"))
        for where, text in out.texts[PUBLIC]:
            leaks += [
                (person.key, i, where) for i in person.identity() if i.lower() in text.lower()
            ]
    assert leaks == []

    # The search found the right things: the outputs are not empty.
    public_text = "\n".join(text for _, text in out.texts[PUBLIC])
    for reference in public_refs:
        assert reference in public_text
    assert "Voici le budget." in public_text
    assert "Votre dossier personnel." not in public_text
    private_text = "\n".join(text for _, text in out.texts[PRIVATE])
    for person in PEOPLE.values():
        assert person.email in private_text  # the staff pages show who asked
        assert pii_mask(person.id_number) in private_text
