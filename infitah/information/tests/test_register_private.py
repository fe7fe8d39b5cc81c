"""A request its requester asked to keep off the public register is on no public listing
(the register's pages, its CSV, the API), not even by reference, dates and status: the
form promises it. The statistics still count it; its officers still see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from django.core.cache import cache
from django.test import Client

from infitah.accounts.models import User
from infitah.information import selectors, services
from infitah.information.models import InformationRequest

pytestmark = pytest.mark.django_db

FileRequest = Callable[..., tuple[InformationRequest, str]]

REGISTER_PAGES = [
    "/ar/c/commune-a/information/register/",
    "/fr/c/commune-a/information/register/",
    "/ar/information/",
    "/fr/information/",
    "/fr/information/?status=answered",
    "/ar/information/?status=in_progress",
    "/ar/c/commune-a/information/register/?page=1",
]
CSV_FILES = ["/ar/c/commune-a/information/register.csv", "/fr/information/register.csv"]


@pytest.fixture
def requests(
    file_request: FileRequest, officer_a: User
) -> tuple[InformationRequest, InformationRequest, InformationRequest]:
    public, _ = file_request(subject="Budget public 2026")
    private, _ = file_request(subject="Sujet privé 2026", private=True)
    private_open, _ = file_request(subject="Autre sujet privé", private=True)
    services.request_answer(request=public, actor=officer_a, text="Réponse publique.")
    services.request_answer(request=private, actor=officer_a, text="Réponse privée.")
    return public, private, private_open


def _get(url: str) -> str:
    cache.clear()
    response = Client().get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return response.content.decode()


@pytest.mark.parametrize("url", REGISTER_PAGES)
def test_the_register_pages_do_not_list_private_requests(requests, url) -> None:
    public, private, private_open = requests
    html = _get(url)
    if "status=in_progress" not in url:
        assert public.reference in html
    for hidden in (private, private_open):
        assert hidden.reference not in html
    assert "Sujet privé 2026" not in html and "Autre sujet privé" not in html


@pytest.mark.parametrize("url", CSV_FILES)
def test_the_csv_does_not_list_private_requests(requests, url) -> None:
    public, private, private_open = requests
    raw = _get(url)
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert [r["reference"] for r in rows] == [public.reference]
    for hidden in (private, private_open):
        assert hidden.reference not in raw


def test_the_api_and_the_pages_of_a_private_request_are_404(requests) -> None:
    _public, private, private_open = requests
    client = Client()
    for hidden in (private, private_open):
        assert client.get(f"/api/v1/information-requests/{hidden.reference}").status_code == 404
        assert client.get(f"/ar/information/r/{hidden.reference}/").status_code == 404


def test_the_statistics_count_private_requests(requests) -> None:
    stats = selectors.statistics()
    assert stats.received == 3 and stats.answered == 2
    here = selectors.statistics(collectivity=requests[0].collectivity)
    assert here.received == 3
    # The module page shows the counts, not the private requests.
    html = _get("/fr/c/commune-a/information/")
    assert requests[1].reference not in html and requests[2].reference not in html


def test_the_register_selector_leaves_private_requests_out(requests) -> None:
    public, _private, _open = requests
    assert [r.reference for r in selectors.register_list()] == [public.reference]
    assert list(selectors.register_list(status="answered")) == [public]


def test_officers_still_see_private_requests(requests, officer_a) -> None:
    officer_client = Client()
    officer_client.force_login(officer_a)
    html = officer_client.get("/ar/staff/commune-a/information/?state=all").content.decode()
    for request in requests:
        assert request.reference in html


def test_a_private_request_transferred_stays_off_the_register_of_both(
    requests, officer_a, accepting_b, collectivity_b
) -> None:
    _public, _private, private_open = requests
    new = services.request_transfer(
        request=private_open, actor=officer_a, to=collectivity_b, note="Compétence de B."
    ).transferred_to
    assert new is not None and new.is_private
    for url in ("/ar/c/commune-b/information/register/", "/ar/information/"):
        html = _get(url)
        assert new.reference not in html and private_open.reference not in html
