"""The API keeps its published contract: a bounded schemathesis pass over /api/v1/.

Every operation of /api/v1/openapi.json is called with generated requests, valid ones
and (where the schema allows any) invalid ones, anonymously, with a staff token, and
with a participant's token where the operation takes one. It runs in-process through
Django's WSGI handler against the test database filled with the demo data
(collectivities, documents, requests, complaints, petitions, consultations, surveys, a
lab); half of the valid requests name real objects in their path, so that they reach the
operations' real code. Each answer must be no server error, carry a documented status
code and content type, and match the documented schema. The pass is deterministic
(Hypothesis derandomized: a fixed seed) with a fixed budget of examples per operation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role
from infitah.accounts.services import api_token_create
from infitah.complaints.models import Complaint
from infitah.core.demo import DEMO_COMMUNE_SLUG, demo_load
from infitah.information.models import InformationRequest
from infitah.lib.tests import files
from infitah.openplan.models import Programme
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.labs.models import Lab, Statement, StatementStatus
from infitah.participation.models import Participant
from infitah.participation.selectors import participant_api_token
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.publication.models import Category, Document
from infitah.publication.services import document_publish

pytestmark = pytest.mark.django_db

OPENAPI_URL = "/api/v1/openapi.json"
# The budget: generated requests per operation, identity and kind (valid, invalid).
EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HYPOTHESIS = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


def _document() -> dict[str, Any]:
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_openapi_document_is_valid() -> None:
    validate(_document())


def test_schema_names_are_unique() -> None:
    """Two schemas of one name would be one in the document: the register entry's
    operation described the correspondence register's entry."""
    document = _document()
    entry = document["paths"]["/api/v1/register/entries/{index}"]["get"]
    ref = entry["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "leaf_hash" in document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    stats = document["paths"]["/api/v1/c/{slug}/complaints/stats"]["get"]
    ref = stats["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "received" in document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]


def test_every_status_an_operation_answers_is_documented() -> None:
    document = _document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            label = f"{method.upper()} {path}"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in codes, label
            if operation.get("security"):
                assert "401" in codes, label
            if "{" in path:
                assert "404" in codes, label
            if method == "post":
                assert {"422", "503"} <= codes, label
                headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
                assert "Idempotency-Key" in headers, label
            for code, answer in operation["responses"].items():
                if int(code) >= 400:
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, label


def test_the_docs_page_is_served_from_the_site() -> None:
    """Swagger UI's script and stylesheet come from the site (django-ninja's static
    files), not from a CDN, and the page has no inline script: it works offline and
    under `script-src 'self'` (tests/browser/test_api_docs.py runs it)."""
    html = Client().get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    for source in sources:
        assert source.startswith(settings.STATIC_URL + "ninja/"), source
        assert finders.find(source.removeprefix(settings.STATIC_URL)), source
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    inline = [body for attrs, body in scripts if "src=" not in attrs and body.strip()]
    assert all('type="application/json"' in attrs for attrs, body in scripts if body.strip())
    assert len(inline) == 1  # the settings, as JSON data: not run
    assert json.loads(inline[0])["url"] == OPENAPI_URL


def _world() -> dict[str, Any]:
    """The demo data; a staff token holding every role of the demo commune; a verified
    participant's token; real values of each path parameter; a valid request of each
    operation that takes more than path parameters."""
    demo_load(log=lambda _line: None, import_dataset=False)
    admin = Membership.objects.filter(
        collectivity__slug=DEMO_COMMUNE_SLUG, role=Role.ADMIN
    ).select_related("user", "collectivity")[0]
    if not Document.objects.exists():
        # The demo publishes the seed texts of ../shared when it is there; without it, one
        # document of our own, so that the document operations reach their real code.
        document_publish(
            upload=ContentFile(files.pdf_with_text(), name="budget.pdf"),
            collectivity=admin.collectivity,
            actor=admin.user,
            category=Category.objects.get(code="communiques"),
            title_ar="بلاغ حول الميزانية",
            title_fr="Communiqué sur le budget",
            date=dt.date(2026, 3, 2),
            language="ar",
        )
    for role in Role:
        Membership.objects.get_or_create(
            user=admin.user, collectivity=admin.collectivity, role=role
        )
    participant = Participant.objects.filter(verified_at__isnull=False)[0]
    petition = Petition.objects.filter(
        status=PetitionStatus.COLLECTING, collectivity__slug=DEMO_COMMUNE_SLUG
    )[0]
    consultation = Consultation.objects.filter(closes_at__gt=timezone.now()).order_by("-closes_at")[
        0
    ]
    section = Section.objects.filter(consultation=consultation)[0]
    lab = Lab.objects.filter(collectivity__slug=DEMO_COMMUNE_SLUG).get()
    statement = Statement.objects.filter(lab=lab, status=StatementStatus.APPROVED)[0]
    survey = Survey.objects.filter(collectivity__slug=DEMO_COMMUNE_SLUG).get()
    values: dict[str, list[Any]] = {
        "slug": [DEMO_COMMUNE_SLUG],
        "reference": [
            *Complaint.objects.exclude(reference="").values_list("reference", flat=True)[:4],
            *InformationRequest.objects.exclude(reference="").values_list("reference", flat=True)[
                :4
            ],
        ],
        "petition_id": list(Petition.objects.values_list("pk", flat=True)),
        "document_id": [str(pk) for pk in Document.objects.values_list("pk", flat=True)],
        "pk": [
            consultation.pk,
            survey.pk,
            lab.pk,
            *Programme.objects.public().values_list("pk", flat=True)[:2],
        ],
        "section_pk": [section.pk],
        "year": [timezone.localdate().year, timezone.localdate().year - 1],
        "statement_pk": [statement.pk],
        "index": ["0", "1"],
        "action": ["acknowledge", "answer", "approve", "clarify", "close", "review", "stats"],
    }
    # Valid requests: "METHOD path" → the parts as_strategy takes (path parameters, query,
    # body); writes carry an Idempotency-Key, so that their repeats are replayed.
    examples: dict[str, dict[str, Any]] = {
        "GET /api/v1/calendar/holidays": {"query": {"year": "2026"}},
        "GET /api/v1/calendar/due-date": {"query": {"start": "2026-03-02", "limit": "ati.answer"}},
        "GET /api/v1/register/proof/inclusion": {"query": {"index": "0", "tree_size": "1"}},
        "GET /api/v1/register/proof/consistency": {"query": {"first": "1", "second": "1"}},
        "POST /api/v1/c/{slug}/complaints": {
            "body": {
                "kind": "complaint",
                "description": "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين.",
                "name": "Amina",
                "email": "amina@example.org",
            }
        },
        "POST /api/v1/c/{slug}/information-requests": {
            "body": {
                "requester_type": "citizen",
                "first_name": "Fatima",
                "last_name": "Zahra",
                "id_type": "cin",
                "id_number": "ZX987654",
                "address": "12 rue des Orangers",
                "email": "fatima@example.org",
                "subject": "ميزانية الجماعة",
                "description": "أطلب نسخة من ميزانية الجماعة.",
                "delivery": "email",
            }
        },
        "POST /api/v1/staff/{slug}/register/entries": {
            "body": {
                "direction": "incoming",
                "channel": "paper",
                "correspondent": "Association Amal",
                "subject": "Demande de salle",
            }
        },
        "POST /api/v1/petitions/{petition_id}/signatures": {
            "path_parameters": {"petition_id": petition.pk},
            "body": {
                "full_name": "Youssef Amrani",
                "cin": "JB123456",
                "residence_commune": DEMO_COMMUNE_SLUG,
                "interest": "resident",
                "email": "youssef@example.org",
                "electoral_declaration": True,
            },
        },
        "POST /api/v1/consultations/{pk}/sections/{section_pk}/comments": {
            "path_parameters": {"pk": consultation.pk, "section_pk": section.pk},
            "body": {"text": "أقترح إضافة ممرات للدراجات في هذا المحور."},
        },
        "POST /api/v1/labs/{pk}/votes": {
            "path_parameters": {"pk": lab.pk},
            "body": {"statement_id": statement.pk, "vote": 1},
        },
        "POST /api/v1/labs/{pk}/statements": {
            "path_parameters": {"pk": lab.pk},
            "body": {"text": "يجب نشر محاضر دورات المجلس في أجل أسبوع."},
        },
        "POST /api/v1/staff/labs/{pk}/statements/{statement_pk}/{action}": {
            "path_parameters": {"pk": lab.pk, "statement_pk": statement.pk, "action": "reject"},
            "body": {"reason": "Hors sujet."},
        },
        "POST /api/v1/surveys/{pk}/responses": {
            "path_parameters": {"pk": survey.pk},
            "body": {"answers": {}},
        },
    }
    for label, example in examples.items():
        if label.startswith("POST"):
            example["headers"] = {"Idempotency-Key": f"contract {label}"}
    return {
        "anonymous": {},
        "staff": {"Authorization": f"Bearer {api_token_create(user=admin.user, name='c')[1]}"},
        "participant": {"Authorization": f"Bearer {participant_api_token(participant)}"},
        "values": values,
        "examples": examples,
    }


def _can_be_invalid(operation: Any) -> bool:
    """Whether a request to `operation` can break its schema (else schemathesis finds no
    invalid request, slowly): a body, or a parameter that is not free text."""
    definition = operation.definition.raw
    if "requestBody" in definition:
        return True
    return any(
        p["in"] != "header" and p.get("schema", {}).get("type") != "string"
        for p in definition.get("parameters", [])
    )


def _strategy(
    operation: Any, mode: GenerationMode, identity: dict[str, str], world: dict[str, Any]
) -> st.SearchStrategy[Any]:
    """Generated requests; for valid ones, also with real path parameters (reaching the
    operations' code beyond "not found") and the operation's valid example, if any."""
    generated = operation.as_strategy(mode, headers=identity or None)
    if mode is not GenerationMode.POSITIVE:
        return generated
    strategies = [generated]
    names = [p.name for p in operation.path_parameters]
    if names:
        real = st.fixed_dictionaries({n: st.sampled_from(world["values"][n]) for n in names})
        strategies.append(
            real.flatmap(
                lambda path: operation.as_strategy(
                    mode, headers=identity or None, path_parameters=path
                )
            )
        )
    example = world["examples"].get(f"{operation.method.upper()} {operation.path}")
    if example is not None:
        parts = dict(example)
        parts["headers"] = {**identity, **parts.get("headers", {})}
        if names and "path_parameters" not in parts:
            parts["path_parameters"] = {n: world["values"][n][0] for n in names}
        strategies.append(operation.as_strategy(mode, **parts))
    return st.one_of(strategies)


def _check(strategy: st.SearchStrategy[Any], label: str, failures: dict[str, str]) -> None:
    """Run `strategy`'s requests; note each distinct failure under `label`."""

    @HYPOTHESIS
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            case.call_and_validate(checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, not the first
            text = str(exc)
            failures.setdefault(f"{label}: {text.splitlines()[0] if text else exc!r}", text)

    with contextlib.suppress(Unsatisfiable):  # no invalid request fits the schema
        run()


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) across the requests, as
    Django's test client does: the WSGI handler would close it after each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept")
def test_every_operation_keeps_its_contract(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = _world()
    schema = schemathesis.openapi.from_wsgi(OPENAPI_URL, WSGIHandler())
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        security = json.dumps(operation.definition.raw.get("security", []))
        identities = ["anonymous", "staff"]
        if "ParticipantBearer" in security:
            identities.append("participant")
        modes = [GenerationMode.POSITIVE]
        if _can_be_invalid(operation):
            modes.append(GenerationMode.NEGATIVE)
        for identity in identities:
            for mode in modes:
                strategy = _strategy(operation, mode, world[identity], world)
                _check(strategy, f"{operation.label} [{identity}, {mode.value}]", failures)
    assert not failures, "\n\n".join(f"{k}\n{v[:2500]}" for k, v in failures.items())
