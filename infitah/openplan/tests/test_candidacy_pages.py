"""The candidacy pages end to end: the focal point opens the file, attaches letters,
sees the criteria, is refused an ineligible submission, submits, records the
acceptance and links the action plan; the public page of a submitted candidacy (in
Arabic and French) with its criteria and letters; 404 before submission, for another
collectivity and for outsiders on every staff URL; constant query counts; size."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import Role, User
from infitah.openplan.models import Candidacy, Programme, SupportLetter
from infitah.openplan.services import core
from infitah.openplan.services import forum as services
from infitah.openplan.staff_forum_urls import urlpatterns
from infitah.openplan.tests.conftest import PDF, PNG, PROGRAMME_DATA, pdf_file
from infitah.openplan.workflow import Kind
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
STAFF = "/{lang}/staff/commune-a/programmes/candidacy/"
PUBLIC = "/{lang}/c/commune-a/programmes/candidacies/{pk}/"


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _term_end() -> str:
    return (timezone.localdate() + dt.timedelta(days=700)).isoformat()


@pytest.fixture
def submitted(collectivity_a: Collectivity, focal_point: User) -> Candidacy:
    candidacy = services.candidacy_save(
        collectivity=collectivity_a,
        actor=focal_point,
        data={
            "term_ends_on": _term_end(),
            "track_record": "Programme d'ouverture 2023-2025 co-construit",
            "ambition": "Budget ouvert et suivi citoyen",
        },
    )
    for head, author in ((True, "Président du conseil"), (False, "Réseau associatif")):
        services.letter_add(
            candidacy=candidacy,
            actor=focal_point,
            data={
                "author": author,
                "is_from_head": head,
                "received_on": timezone.localdate().isoformat(),
            },
            file=pdf_file("lettre.pdf"),
        )
    services.candidacy_submit(
        candidacy=candidacy, actor=focal_point, submitted_on=timezone.localdate()
    )
    return candidacy


@pytest.mark.parametrize("lang", LANGS)
def test_the_focal_point_prepares_and_submits_the_candidacy(
    lang: str, focal_point: User, collectivity_a: Collectivity
) -> None:
    client = _client(focal_point)
    url = STAFF.format(lang=lang)
    html = client.get(url).content.decode()
    assert f'lang="{lang}"' in html and f'action="{url}new/"' in html
    bad = client.post(f"{url}new/", {"term_ends_on": "2027-02-30", "track_record": ""})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert not Candidacy.objects.exists()
    response = client.post(
        f"{url}new/", {"term_ends_on": _term_end(), "track_record": "ورشات 2024"}
    )
    candidacy = Candidacy.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{url}{candidacy.pk}/"
    html = client.get(url).content.decode()
    assert f'action="{url}new/"' not in html  # one prepared at a time
    assert f'action="{url}{candidacy.pk}/letters/add/"' in html
    assert 'id="criterion-head_letter"' in html and 'id="criterion-term"' in html
    assert client.get(f"{url}{candidacy.pk}/edit/").status_code == 200
    response = client.post(
        f"{url}{candidacy.pk}/edit/",
        {"term_ends_on": _term_end(), "track_record": "ورشات 2024", "ambition": "ميزانية مفتوحة"},
    )
    assert response.status_code == 302

    bad = client.post(
        f"{url}{candidacy.pk}/letters/add/",
        {
            "author": "رئيس",
            "received_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("lettre.pdf", PNG),
        },
    )
    assert bad.status_code == 400 and not SupportLetter.objects.exists()
    # Not eligible yet: no letter from the head; the page says which criterion fails.
    refused = client.post(
        f"{url}{candidacy.pk}/submit/", {"submitted_on": timezone.localdate().isoformat()}
    )
    assert refused.status_code == 400
    with translation.override(lang):
        message = translation.gettext(
            "No letter of support from the head of the collectivity is attached."
        )
    assert escape(message) in refused.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.submitted_on is None
    response = client.post(
        f"{url}{candidacy.pk}/letters/add/",
        {
            "author": "رئيس المجلس",
            "is_from_head": "on",
            "received_on": timezone.localdate().isoformat(),
            "file": pdf_file("lettre.pdf"),
        },
    )
    assert response.status_code == 302
    letter = SupportLetter.objects.get()
    assert letter.is_from_head
    staff_file = client.get(f"{url}{candidacy.pk}/letters/{letter.pk}/")
    assert staff_file.status_code == 200 and staff_file["Cache-Control"] == "no-store, private"
    response = client.post(
        f"{url}{candidacy.pk}/submit/", {"submitted_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert f'action="{url}{candidacy.pk}/accept/"' in html
    assert f"{url}{candidacy.pk}/letters/{letter.pk}/delete/" not in html
    assert client.post(f"{url}{candidacy.pk}/letters/{letter.pk}/delete/").status_code == 400

    plan = core.programme_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data={**PROGRAMME_DATA, "kind": Kind.OGP_LOCAL},
    )
    response = client.post(
        f"{url}{candidacy.pk}/accept/", {"accepted_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert f'action="{url}{candidacy.pk}/link/"' in html
    response = client.post(f"{url}{candidacy.pk}/link/", {"programme": plan.pk})
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.programme == plan and candidacy.accepted_on == timezone.localdate()
    cache.clear()
    public = _client().get(PUBLIC.format(lang=lang, pk=candidacy.pk)).content.decode()
    assert f"/{lang}/c/commune-a/programmes/{plan.pk}/" in public


@pytest.mark.parametrize("lang", LANGS)
def test_the_public_page_of_a_submitted_candidacy(lang: str, submitted: Candidacy) -> None:
    response = _client().get(PUBLIC.format(lang=lang, pk=submitted.pk))
    assert response.status_code == 200 and len(response.content) <= 30 * 1024
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    assert html.count('id="criterion-') == 4
    assert "Président du conseil" in html and "Réseau associatif" in html
    assert "Budget ouvert et suivi citoyen" in html
    assert f'datetime="{timezone.localdate().isoformat()}"' in html
    letters = re.findall(rf"/candidacies/{submitted.pk}/letters/(\d+)/", html)
    assert sorted(int(pk) for pk in letters) == sorted(
        SupportLetter.objects.values_list("pk", flat=True)
    )
    assert "/staff/" not in html
    response = _client().get(PUBLIC.format(lang=lang, pk=submitted.pk) + f"letters/{letters[0]}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="lettre.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_public_candidacy_pages_404(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    focal_point: User,
    submitted: Candidacy,
) -> None:
    client = _client()
    preparing = services.candidacy_save(
        collectivity=collectivity_a,
        actor=focal_point,
        data={"term_ends_on": _term_end(), "track_record": "x"},
    )
    letter = services.letter_add(
        candidacy=preparing,
        actor=focal_point,
        data={"author": "a", "received_on": timezone.localdate().isoformat()},
        file=pdf_file(),
    )
    assert client.get(PUBLIC.format(lang="fr", pk=preparing.pk)).status_code == 404
    assert (
        client.get(PUBLIC.format(lang="fr", pk=preparing.pk) + f"letters/{letter.pk}/").status_code
        == 404
    )
    theirs = Candidacy.objects.create(
        collectivity=collectivity_b,
        term_ends_on=dt.date(2030, 1, 1),
        track_record="x",
        submitted_on=timezone.localdate(),
    )
    assert client.get(PUBLIC.format(lang="fr", pk=theirs.pk)).status_code == 404
    b_url = f"/fr/c/commune-b/programmes/candidacies/{theirs.pk}/"
    assert client.get(b_url).status_code == 404  # B is not a network member
    assert client.get(PUBLIC.format(lang="fr", pk="99999999999999999999")).status_code == 404
    other_letter = SupportLetter.objects.filter(candidacy=submitted).first()
    assert other_letter is not None
    wrong = PUBLIC.format(lang="fr", pk=submitted.pk) + f"letters/{letter.pk}/"
    assert client.get(wrong).status_code == 404


def _every_url(candidacy: Candidacy, letter: SupportLetter) -> list[tuple[str, str]]:
    values = {"candidacy": candidacy.pk, "letter": letter.pk}
    urls = []
    for pattern in urlpatterns:
        name = str(pattern.name)
        if not name.startswith("candidacy"):
            continue
        kwargs = {"slug": "commune-a", **{k: values[k] for k in pattern.pattern.converters}}
        with translation.override("fr"):
            urls.append((name, reverse(f"openplan-staff:{name}", kwargs=kwargs)))
    return urls


def test_outsiders_get_404_on_every_candidacy_staff_url(
    submitted: Candidacy,
    charlie: User,
    citizen: User,
    monitor: User,
    network_admin: User,
    staff_for: Callable[[str], User],
) -> None:
    letter = SupportLetter.objects.filter(candidacy=submitted).first()
    assert letter is not None
    urls = _every_url(submitted, letter)
    assert len(urls) == 10
    outsiders = [charlie, citizen, monitor, network_admin, staff_for(Role.ADVISORY_SECRETARY)]
    before = list(Candidacy.objects.values()), SupportLetter.objects.count()
    for name, url in urls:
        assert url.startswith("/fr/staff/commune-a/")
        for outsider in outsiders:
            client = _client(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (name, url, outsider, method)
    assert (list(Candidacy.objects.values()), SupportLetter.objects.count()) == before


def test_a_candidacy_of_another_collectivity_is_404_to_the_focal_point(
    focal_point: User, collectivity_b: Collectivity
) -> None:
    theirs = Candidacy.objects.create(
        collectivity=collectivity_b, term_ends_on=dt.date(2030, 1, 1), track_record="x"
    )
    client = _client(focal_point)
    base = STAFF.format(lang="fr")
    for path in (f"{theirs.pk}/", f"{theirs.pk}/edit/", f"{theirs.pk}/letters/add/", "abc/"):
        assert client.get(base + path).status_code == 404, path
    assert client.get(f"{base}99999999999999999999/").status_code == 404


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_letters(
    submitted: Candidacy, focal_point: User, collectivity_a: Collectivity
) -> None:
    staff = _client(focal_point)
    public_url = PUBLIC.format(lang="fr", pk=submitted.pk)
    staff_url = STAFF.format(lang="fr")
    urls = [(staff, staff_url), (staff, f"{staff_url}{submitted.pk}/"), (_client(), public_url)]
    for client, url in urls:
        _queries(client, url)
    few = [_queries(client, url) for client, url in urls]
    SupportLetter.objects.bulk_create(
        SupportLetter(
            candidacy=submitted,
            author=f"جمعية {i}",
            received_on=timezone.localdate(),
            file="openplan/x.pdf",
            name="x.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
        for i in range(30)
    )
    Candidacy.objects.bulk_create(
        Candidacy(
            collectivity=collectivity_a,
            term_ends_on=dt.date(2030, 1, 1),
            track_record="x",
            submitted_on=timezone.localdate(),
        )
        for _i in range(10)
    )
    many = [_queries(client, url) for client, url in urls]
    assert many == few, (few, many)


def test_an_earlier_programme_of_the_collectivity_backs_the_track_record(
    focal_point: User, collectivity_a: Collectivity
) -> None:
    earlier = Programme.objects.create(
        collectivity=collectivity_a,
        kind=Kind.REMACTO,
        title_fr="Programme 2024-2025",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    client = _client(focal_point)
    base = STAFF.format(lang="fr")
    html = client.get(base).content.decode()
    assert f'<option value="{earlier.pk}">' in html
    response = client.post(
        f"{base}new/",
        {"term_ends_on": _term_end(), "track_record": "x", "track_record_programme": earlier.pk},
    )
    assert response.status_code == 302
    assert Candidacy.objects.get().track_record_programme == earlier
