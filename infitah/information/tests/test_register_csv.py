"""The register as open data: every received request, never the requester's identity."""

from __future__ import annotations

import csv
import io

import pytest

from django.test import Client

from infitah.information import services
from infitah.information.tests.conftest import CLEAR_ID


def _rows(path: str) -> tuple[str, list[dict[str, str]]]:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert raw.startswith("\ufeff")
    return raw, list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))


@pytest.mark.django_db
def test_the_csv_lists_received_requests_without_identity(file_request, officer_a):
    answered, _ = file_request()
    services.request_answer(request=answered, actor=officer_a, text="la réponse")
    private, _ = file_request(private=True, subject="sujet privé")
    file_request(confirm=False, subject="jamais confirmé")
    for path in ("/ar/c/commune-a/information/register.csv", "/fr/information/register.csv"):
        raw, rows = _rows(path)
        # A private request is not listed at all (test_register_private).
        assert {r["reference"] for r in rows} == {answered.reference}
        by_ref = {r["reference"]: r for r in rows}
        assert by_ref[answered.reference]["outcome"] == "answered"
        assert private.reference not in raw
        for secret in (CLEAR_ID, "Fatima", "Zahra", "fatima@example.test", "sujet privé", "jamais"):
            assert secret not in raw


@pytest.mark.django_db
def test_unknown_collectivity_is_404(db):
    assert Client().get("/ar/c/nowhere/information/register.csv").status_code == 404
