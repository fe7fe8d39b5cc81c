"""Privacy: no ID number, in any spelling, in an API response, an e-mail, a ledger event or
a log line; signatory lists for the bureau only, masked; the purge keeps the counts; the
hot paths stay lean."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.services import api_token_create
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.petitions import selectors, services, signatures
from infitah.petitions.models import Petition, PetitionSettings, Signature
from infitah.petitions.tests.conftest import AGENT_CIN, signature_input, token_from_last_email
from infitah.petitions.workflow import Status

CIN = "QZ 734 981"
SPELLINGS = ["QZ734981", "qz734981", "QZ 734 981", "qz 734 981", "734981", "JB445566", "445566"]


def _leaks(text: str) -> list[str]:
    folded = text.lower().replace(" ", "").replace("-", "")
    return [s for s in SPELLINGS if s.lower().replace(" ", "") in folded]


def test_no_cin_anywhere(make_petition, bureau_a, caplog):
    caplog.set_level(logging.DEBUG)
    assert AGENT_CIN.replace(" ", "") == "JB445566"
    petition = make_petition()
    client = Client()
    token = api_token_create(user=bureau_a, name="t")[1]
    bodies = []
    body = {
        "full_name": "Privacy Test",
        "cin": CIN,
        "residence_commune": "commune-a",
        "email": "privacy@example.test",
        "electoral_declaration": True,
    }
    url = f"/api/v1/petitions/{petition.pk}/signatures"
    for attempt in (body, {**body, "cin": CIN.lower()}, {**body, "email": "bad"}):
        response = client.post(url, json.dumps(attempt), content_type="application/json")
        bodies.append(response.content.decode())
    confirm = token_from_last_email("privacy@example.test")
    for _ in range(2):
        bodies.append(
            client.post(
                "/api/v1/signatures/confirm",
                json.dumps({"token": confirm}),
                content_type="application/json",
            ).content.decode()
        )
    bodies.append(client.get(f"/api/v1/petitions/{petition.pk}").content.decode())
    bodies.append(client.get("/api/v1/c/commune-a/petitions").content.decode())
    bodies.append(
        client.get(
            f"/api/v1/staff/petitions/{petition.pk}/stats", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).content.decode()
    )
    signatures.signature_paper_add(
        petition=petition, actor=bureau_a, data=signature_input(1, cin="QZ 734 982")
    )
    signatures.signatures_invalidate(
        petition=petition, actor=bureau_a, by_ip="127.0.0.1", reason="test"
    )
    services.petition_withdraw(petition=petition)
    assert Signature.objects.filter(petition=petition).count() == 2
    for text in bodies:
        assert not _leaks(text), text
    for mail in OutboundEmail.objects.all():
        assert not _leaks(mail.subject + mail.body), mail.body
    for event in Event.objects.all():
        assert not _leaks(f"{event.note} {json.dumps(event.data)} {event.from_state}")
    for record in caplog.records:
        assert not _leaks(record.getMessage())
    # Stored: encrypted, hashed and masked only.
    stored = Signature.objects.get(cin_masked="•••••981")
    assert not _leaks(stored.cin_encrypted + stored.cin_hash)
    agent = Petition.objects.get(pk=petition.pk)
    assert agent.agent_cin_masked == "•••••566"
    assert "JB445566" not in agent.agent_cin_encrypted


def test_signatory_list_is_for_the_bureau_only_and_masked(make_petition, sign, bureau_a, charlie):
    petition = make_petition()
    sign(petition, 2)
    rows = selectors.signatory_list(petition=petition, viewer=bureau_a)
    assert [r.cin_masked for r in rows] == ["•••••001", "•••••002"]
    assert rows[0].full_name.startswith("Signatory")
    assert rows[0].commune == petition.collectivity.name
    with pytest.raises(PermissionDenied):
        selectors.signatory_list(petition=petition, viewer=charlie)


def test_purge_after_retention_keeps_the_counts(make_petition, bureau_a, collectivity_a):
    PetitionSettings.objects.filter(collectivity=collectivity_a).update(retention_days=30)
    old = make_petition(Status.REJECTED)
    recent = make_petition(Status.REJECTED)
    still_open = make_petition(Status.LODGED)
    signatures.signatures_invalidate(
        petition=old, actor=bureau_a, by_ip="203.0.113.200", reason="nothing matches"
    )
    Petition.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=31))
    Petition.objects.filter(pk=recent.pk).update(closed_at=timezone.now() - timedelta(days=29))
    out = StringIO()
    call_command("petitions_purge", "--dry-run", stdout=out)
    assert "would delete 2 signatures of 1 petitions" in out.getvalue()
    assert Signature.objects.filter(petition=old).count() == 2
    out = StringIO()
    call_command("petitions_purge", stdout=out)
    assert "deleted 2 signatures of 1 petitions" in out.getvalue()
    assert not Signature.objects.filter(petition=old).exists()
    assert Signature.objects.filter(petition=recent).count() == 2
    assert Signature.objects.filter(petition=still_open).count() == 2
    old.refresh_from_db()
    assert old.final_confirmed == 2
    assert old.signatures_purged_at is not None
    assert selectors.confirmed_count(old) == 2
    assert selectors.counts_by_province_exact(old) == {collectivity_a.parent_id: 2}
    assert Client().get(f"/api/v1/petitions/{old.pk}").json()["confirmed_signatures"] == 2
    assert Event.objects.filter(action="petitions.signatures_purged").count() == 1
    assert old.invalidations.get().criteria == {"ip": "—"}  # no IP address kept
    assert signatures.signatures_purge() == {"petitions": 0, "signatures": 0}


def test_submit_and_confirm_are_lean(make_petition):
    petition = Petition.objects.select_related("collectivity").get(pk=make_petition().pk)
    signatures.signature_submit(petition=petition, data=signature_input(1), ip="192.0.2.1")
    with CaptureQueriesContext(connection) as submit:
        signature = signatures.signature_submit(
            petition=petition, data=signature_input(2), ip="192.0.2.1"
        )
    statements = [q["sql"] for q in submit.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    own = [s for s in statements if "notifications_" not in s and "django_tasks" not in s]
    # The signature's INSERT; the rest is the outbox (the e-mail row and its delivery).
    assert len(own) == 1, own
    assert own[0].startswith("INSERT")
    token = token_from_last_email(signature.email)
    with CaptureQueriesContext(connection) as confirm:
        signatures.signature_confirm(token=token)
    statements = [q["sql"] for q in confirm.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    # SELECT, then on PostgreSQL the shared advisory lock and one statement (the UPDATE
    # feeding the tally upsert); elsewhere the UPDATE and the tally upsert.
    assert len(statements) == 3, statements
    assert not any("FOR UPDATE" in s.upper() for s in statements)
