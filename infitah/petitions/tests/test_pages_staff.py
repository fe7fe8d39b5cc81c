"""The petitions bureau's pages (and the network's integrity settings), end to end
through the test client: the list, a petition's file and its transitions, the
signatories, paper signatures by form and by CSV, integrity statistics and bulk
invalidation, registering a paper petition, the receipt; tenancy on every URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.deadlines.models import Deadline
from infitah.petitions.models import IntegritySettings, Invalidation, Petition, Signature
from infitah.petitions.selectors import counts_forget
from infitah.petitions.tests.conftest import MakePetition, Sign
from infitah.petitions.workflow import Channel, SignatureStatus, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

STAFF = "/{lang}/staff/commune-a/petitions/"
LANGS = ["ar", "fr"]


def _url(petition: Petition, rest: str = "", lang: str = "ar") -> str:
    return f"{STAFF.format(lang=lang)}{petition.pk}/{rest}"


@pytest.fixture
def bureau_client(bureau_a: User) -> Client:
    client = Client()
    client.force_login(bureau_a)
    return client


def _status(petition: Petition) -> str:
    petition.refresh_from_db()
    return petition.status


def _csv(text: str, name: str = "signatures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _paper(n: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": f"Paper signer {n}",
        "cin": f"PA{n:05d}",
        "residence": "commune-a",
        "interest": "resident",
        "electoral_declaration": "on",
        "email": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------ list


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_shows_states_and_decision_dates(
    lang: str, make_petition: MakePetition, bureau_client: Client
) -> None:
    lodged = make_petition(Status.LODGED, title="Déposée")
    collecting = make_petition(Status.COLLECTING, title="En collecte")
    response = bureau_client.get(STAFF.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert lodged.reference in html and "Déposée" in html
    assert lodged.decision_due is not None
    assert "En collecte" not in html  # the default filter: lodged, to handle
    every = bureau_client.get(STAFF.format(lang=lang) + "?state=all").content.decode()
    assert "En collecte" in every and f"/petitions/{collecting.pk}/" in every
    assert bureau_client.get(STAFF.format(lang=lang) + "?state=\x00").status_code == 200


def test_an_overdue_decision_is_marked(make_petition: MakePetition, bureau_client: Client) -> None:
    lodged = make_petition(Status.LODGED)
    # The due date is the decision period's: move the period into the past.
    assert lodged.decision_deadline is not None
    Deadline.objects.filter(pk=lodged.decision_deadline.pk).update(
        start_date=timezone.localdate() - timedelta(days=92),
        due_date=timezone.localdate() - timedelta(days=1),
    )
    rows = bureau_client.get(STAFF.format(lang="ar")).context["rows"]
    assert [(p.pk, overdue) for p, overdue in rows] == [(lodged.pk, True)]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow(make_petition: MakePetition, bureau_client: Client) -> None:
    make_petition(Status.LODGED)
    url = STAFF.format(lang="ar") + "?state=all"
    few = _queries(bureau_client, url)
    for n in range(5):
        make_petition(Status.LODGED if n % 2 else Status.COLLECTING, title=f"P{n}")
    assert _queries(bureau_client, url) == few


# ---------------------------------------------------------------------- transitions


@pytest.mark.parametrize("lang", LANGS)
def test_the_bureau_reviews_accepts_schedules_and_decides(
    lang: str, make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.LODGED)
    detail = bureau_client.get(_url(petition, lang=lang))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert petition.reference in html and "Amina El Idrissi" in html
    assert "JB445566" not in html and "•••••566" in html  # the agent's CIN, masked
    assert detail.context["facts"].confirmed == 2
    assert f'href="{_url(petition, "receipt.pdf", lang)}"' in html
    act = _url(petition, "act/", lang)
    assert bureau_client.post(act + "accept/", {"competence": "on"}).status_code == 409
    assert bureau_client.post(act + "review/").status_code == 302
    assert _status(petition) == Status.BUREAU_REVIEW
    partial = bureau_client.post(act + "accept/", {"competence": "on", "signatures": "on"})
    assert partial.status_code == 400
    assert partial.context["forms"]["accept"].non_field_errors()
    assert _status(petition) == Status.BUREAU_REVIEW
    accepted = bureau_client.post(
        act + "accept/",
        {"competence": "on", "signatures": "on", "documents": "on", "note": "Recevable."},
    )
    assert accepted.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.ACCEPTED and petition.checklist["documents"] is True
    bad = bureau_client.post(act + "schedule/", {"session_date": "soon", "session_title": ""})
    assert bad.status_code == 400
    assert set(bad.context["forms"]["schedule"].errors) == {"session_date", "session_title"}
    assert (
        bureau_client.post(
            act + "schedule/",
            {"session_date": "2026-10-05", "session_title": "الدورة العادية لشهر أكتوبر"},
        ).status_code
        == 302
    )
    petition.refresh_from_db()
    assert petition.status == Status.SCHEDULED and petition.session_date == date(2026, 10, 5)
    empty = bureau_client.post(act + "decide/", {"decision_ar": "", "decision_fr": ""})
    assert empty.status_code == 400 and "decision_ar" in empty.context["forms"]["decide"].errors
    assert (
        bureau_client.post(
            act + "decide/", {"decision_ar": "وافق المجلس", "decision_fr": "Le conseil approuve."}
        ).status_code
        == 302
    )
    assert _status(petition) == Status.DELIBERATED
    assert bureau_client.post(act + "decide/", {"decision_ar": "x"}).status_code == 409
    assert bureau_client.post(act + "fly/").status_code == 404
    assert bureau_client.get(act + "review/").status_code == 405
    history = bureau_client.get(_url(petition, lang=lang))
    assert len(history.context["events"]) >= 6


def test_the_bureau_rejects_with_reasons(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.LODGED)
    act = _url(petition, "act/")
    bureau_client.post(act + "review/")
    missing = bureau_client.post(act + "reject/", {"reasons": "  "})
    assert missing.status_code == 400 and "reasons" in missing.context["forms"]["reject"].errors
    garbage = bureau_client.post(act + "reject/", {"reasons": "\x00" * 5 + "x" * 20_000})
    assert garbage.status_code == 400
    done = bureau_client.post(act + "reject/", {"reasons": "Hors compétence.", "documents": "on"})
    assert done.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.REJECTED
    assert petition.rejection_reasons == "Hors compétence."
    public = Client().get(f"/fr/c/commune-a/petitions/{petition.pk}/").content.decode()
    assert "Hors compétence." in public


def test_the_bureau_withdraws_at_the_agents_request(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.LODGED)
    assert bureau_client.post(_url(petition, "act/withdraw/")).status_code == 302
    assert _status(petition) == Status.WITHDRAWN


# ------------------------------------------------------------------------ signatures


@pytest.mark.parametrize("lang", LANGS)
def test_signatories_are_listed_masked_and_paginated(
    lang: str, make_petition: MakePetition, sign: Sign, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    made = sign(petition, 3)
    url = _url(petition, "signatures/", lang)
    response = bureau_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for signature in made:
        assert signature.full_name in html and signature.cin_masked in html
        assert signature.email not in html
    assert "AB500001" not in html  # never the clear CIN
    assert len(response.context["rows"]) == 3 and not response.context["has_next"]
    assert bureau_client.get(url + "?page=x\x00").status_code == 200
    assert bureau_client.get(url + "?page=99999999999").status_code == 200
    assert bureau_client.get(url + "?page=²").status_code == 200
    assert bureau_client.get(url + "?page=٣").status_code == 200
    assert bureau_client.get(url + "?status=nonsense").context["status"] == "all"


def test_signatory_list_query_count_does_not_grow(
    make_petition: MakePetition, sign: Sign, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    sign(petition, 2)
    url = _url(petition, "signatures/")
    few = _queries(bureau_client, url)
    sign(petition, 8)
    assert _queries(bureau_client, url) == few


def test_signatories_pages_of_fifty(make_petition: MakePetition, bureau_client: Client) -> None:
    petition = make_petition(Status.COLLECTING)
    lines = ["full_name,cin,residence,interest,electoral_declaration"]
    lines += [f"Signer {n},EE{n:05d},commune-a,resident,yes" for n in range(1, 56)]
    imported = bureau_client.post(
        _url(petition, "signatures/import/"), {"file": _csv("\n".join(lines))}
    )
    assert imported.status_code == 302
    first = bureau_client.get(_url(petition, "signatures/"))
    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    second = bureau_client.get(_url(petition, "signatures/") + "?status=confirmed&page=2")
    assert len(second.context["rows"]) == 5 and not second.context["has_next"]
    assert "Signer 55" in second.content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_a_paper_signature_is_entered_and_counted(
    lang: str, make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    url = _url(petition, "signatures/add/", lang)
    form = bureau_client.get(url)
    assert form.status_code == 200 and 'name="cin"' in form.content.decode()
    assert bureau_client.post(url, _paper(1)).status_code == 302
    signature = Signature.objects.get(petition=petition)
    assert signature.channel == Channel.PAPER and signature.status == SignatureStatus.CONFIRMED
    twice = bureau_client.post(url, _paper(2, cin="pa 00001"))
    assert twice.status_code == 409 and "cin" in twice.context["form"].errors
    missing = bureau_client.post(url, _paper(3, electoral_declaration=None))
    assert missing.status_code == 400
    assert "electoral_declaration" in missing.context["form"].errors
    garbage = bureau_client.post(url, dict.fromkeys(_paper(4), "\x00" * 400))
    assert garbage.status_code == 400
    counts_forget(petition.pk)
    assert Signature.objects.filter(petition=petition).count() == 1


def test_no_paper_signature_after_the_decision(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.ACCEPTED)
    url = _url(petition, "signatures/add/")
    assert not bureau_client.get(url).context["paper_allowed"]
    assert bureau_client.post(url, _paper(1)).status_code == 409
    imported = bureau_client.post(
        _url(petition, "signatures/import/"),
        {"file": _csv("full_name,cin,residence,electoral_declaration\nA,AA1111,commune-a,yes")},
    )
    assert imported.status_code == 409


def test_csv_import_is_all_or_nothing_with_errors_by_line(
    make_petition: MakePetition, sign: Sign, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    sign(petition, 1)  # CIN AB500001
    url = _url(petition, "signatures/import/")
    assert bureau_client.get(url).status_code == 200
    bad = "\n".join(
        [
            "full_name,cin,residence,interest,electoral_declaration",
            "Karim,KA11111,commune-a,resident,yes",
            ",KA22222,commune-a,resident,yes",
            "Laila,KA11111,commune-a,resident,yes",
            "Nora,AB500001,commune-a,resident,yes",
            "Omar,KA33333,commune-b,resident,yes",
            "Sara,KA44444,commune-a,resident,no",
        ]
    )
    response = bureau_client.post(url, {"file": _csv(bad)})
    assert response.status_code == 400
    lines = {(line, column) for line, column, _message in response.context["errors"]}
    assert lines == {
        (3, "full_name"),
        (4, "cin"),
        (5, "cin"),
        (6, "residence"),
        (7, "electoral_declaration"),
    }
    assert "<table" in response.content.decode()
    assert Signature.objects.filter(petition=petition).count() == 1
    good = "full_name;cin;residence;interest;electoral_declaration\nKarim;KA11111;commune-a;;oui\n"
    assert bureau_client.post(url, {"file": _csv(good)}).status_code == 302
    assert Signature.objects.filter(petition=petition, channel=Channel.PAPER).count() == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary", b"a,b\n1,2", "é".encode("latin-1") * 10],
)
def test_a_bad_file_is_refused_without_a_500(
    make_petition: MakePetition, bureau_client: Client, content: bytes
) -> None:
    petition = make_petition(Status.COLLECTING)
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = bureau_client.post(_url(petition, "signatures/import/"), {"file": upload})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Signature.objects.filter(petition=petition).exists()


# ------------------------------------------------------------------------- integrity


@pytest.mark.parametrize("lang", LANGS)
def test_integrity_statistics_and_bulk_invalidation(
    lang: str, make_petition: MakePetition, sign: Sign, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    sign(petition, 3)
    sign(petition, 2, email="bulk@spam.example")
    url = _url(petition, "integrity/", lang)
    page = bureau_client.get(url)
    assert page.status_code == 200
    stats = page.context["stats"]
    assert stats.confirmed == 5
    assert dict(stats.by_domain) == {"example.test": 3, "spam.example": 2}
    assert "spam.example" in page.content.decode()
    no_reason = bureau_client.post(url, {"domain": "spam.example", "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.context["form"].errors
    nothing = bureau_client.post(url, {"reason": "Suspect"})
    assert nothing.status_code == 400
    bad_ip = bureau_client.post(url, {"by_ip": "999.1.1.1", "reason": "Suspect"})
    assert bad_ip.status_code == 400 and "by_ip" in bad_ip.context["form"].errors
    half_window = bureau_client.post(url, {"window_from": "2026-01-01T10:00", "reason": "x"})
    assert half_window.status_code == 400
    done = bureau_client.post(url, {"domain": "spam.example", "reason": "Même domaine jetable"})
    assert done.status_code == 302
    invalidation = Invalidation.objects.get(petition=petition)
    assert invalidation.count == 2 and invalidation.criteria == {"domain": "spam.example"}
    counts_forget(petition.pk)
    after = bureau_client.get(url)
    assert after.context["stats"].confirmed == 3 and after.context["stats"].invalidated == 2
    assert "Même domaine jetable" in after.content.decode()
    public = Client().get(f"/{lang}/c/commune-a/petitions/{petition.pk}/")
    assert public.context["confirmed"] == 3


def test_invalidation_by_time_window(
    make_petition: MakePetition, sign: Sign, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    sign(petition, 2)
    now = timezone.localtime()
    window = {
        "window_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "window_to": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Rafale",
    }
    assert bureau_client.post(_url(petition, "integrity/"), window).status_code == 302
    assert Invalidation.objects.get().count == 2


# ------------------------------------------------------------------------- register


@pytest.mark.parametrize("lang", LANGS)
def test_a_paper_petition_is_registered_lodged_at_once(
    lang: str, collectivity_a: Collectivity, bureau_client: Client
) -> None:
    url = STAFF.format(lang=lang) + "register/"
    form = bureau_client.get(url)
    assert form.status_code == 200 and 'name="lodged_on"' in form.content.decode()
    data = {
        "lodged_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "petitioner_kind": "citizens",
        "title": "Éclairage du quartier",
        "text": "Les habitants demandent l'éclairage.",
        "request": "Inscrire l'éclairage à l'ordre du jour.",
        "agent_name": "Youssef",
        "agent_cin": "K123456",
        "agent_address": "Rue 5, Aït Melloul",
    }
    future = bureau_client.post(url, {**data, "lodged_on": "2999-01-01"})
    assert future.status_code == 400 and "lodged_on" in future.context["form"].errors
    nobody = bureau_client.post(url, {**data, "agent_address": ""})
    assert nobody.status_code == 400
    response = bureau_client.post(url, data)
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.status == Status.LODGED and petition.channel == Channel.PAPER
    assert response["Location"] == _url(petition, lang=lang)
    detail = bureau_client.get(response["Location"])
    assert detail.context["facts"].shortfall == 200  # the law's band: 191,000 inhabitants
    assert detail.context["paper_allowed"]


@pytest.mark.pdf
def test_the_receipt_downloads_for_the_bureau(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.LODGED)
    response = bureau_client.get(_url(petition, "receipt.pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    collecting = make_petition(Status.COLLECTING)
    assert bureau_client.get(_url(collecting, "receipt.pdf")).status_code == 404


# --------------------------------------------------------------------------- tenancy


def _staff_urls(petition: Petition) -> list[str]:
    base = STAFF.format(lang="ar")
    return [
        base,
        base + "?state=all",
        base + "register/",
        _url(petition),
        _url(petition, "receipt.pdf"),
        _url(petition, "signatures/"),
        _url(petition, "signatures/add/"),
        _url(petition, "signatures/import/"),
        _url(petition, "integrity/"),
        *(_url(petition, f"act/{a}/") for a in ("review", "accept", "reject", "withdraw", "x")),
    ]


def test_outsiders_get_404_on_every_staff_page(
    make_petition: MakePetition,
    charlie: User,
    citizen: User,
    network_admin: User,
    staff_for: Callable[[str], User],
) -> None:
    petition = make_petition(Status.LODGED)
    officer = staff_for(Role.COMPLAINTS_OFFICER)  # a member of A, but not of its bureau
    for outsider in (charlie, citizen, network_admin, officer):
        client = Client()
        client.force_login(outsider)
        for url in _staff_urls(petition):
            assert client.get(url).status_code == 404, (outsider, url)
            response = client.post(url, {"reason": "x", "domain": "example.test", "title": "x"})
            assert response.status_code == 404, (outsider, url)
    assert _status(petition) == Status.LODGED
    assert not Invalidation.objects.exists()
    anonymous = Client().get(_url(petition))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_another_collectivitys_petition_is_404_for_the_bureau(
    make_petition: MakePetition, collectivity_b: Collectivity, bureau_client: Client
) -> None:
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    theirs = make_petition(Status.COLLECTING, collectivity=collectivity_b)
    assert bureau_client.get(_url(theirs)).status_code == 404
    assert bureau_client.post(_url(theirs, "act/withdraw/")).status_code == 404
    assert bureau_client.get(_url(theirs, "signatures/")).status_code == 404
    assert _status(theirs) == Status.COLLECTING


# ----------------------------------------------------------------- network settings


def test_network_admin_tunes_the_integrity_settings(network_admin: User) -> None:
    client = Client()
    client.force_login(network_admin)
    url = "/fr/petitions/integrity/settings/"
    page = client.get(url)
    assert page.status_code == 200 and "mailinator.com" in page.content.decode()
    bad = client.post(url, {"ip_limit_per_hour": "0", "domain_limit_per_hour": "x"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"ip_limit_per_hour", "domain_limit_per_hour"}
    saved = client.post(
        url,
        {
            "ip_limit_per_hour": "7",
            "domain_limit_per_hour": "70",
            "disposable_domains": "Spam.example\n@junk.example\n",
            "enabled": "on",
        },
    )
    assert saved.status_code == 302
    found = IntegritySettings.objects.get(pk=1)
    assert (found.ip_limit_per_hour, found.domain_limit_per_hour) == (7, 70)
    assert found.disposable_set == {"spam.example", "junk.example"}
    assert found.updated_by == network_admin
    assert client.post(url, {"ip_limit_per_hour": "\x00"}).status_code == 400


def test_the_integrity_settings_are_for_network_admins_only(
    staff_a: User, charlie: User, citizen: User
) -> None:
    url = "/ar/petitions/integrity/settings/"
    for user in (staff_a, charlie, citizen):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"ip_limit_per_hour": "1"}).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    cache.clear()
    assert not IntegritySettings.objects.filter(updated_by__isnull=False).exists()
