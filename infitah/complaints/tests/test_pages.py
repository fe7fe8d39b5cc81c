"""The pages of complaints, end to end through the test client (in /ar/ and /fr/).

Assertions look at data, status codes and structure, never at translated text. Public
pages are cached for anonymous visitors and the cache is made stale on commit, which a
test transaction never reaches: `_anonymous_get` clears the cache first.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import Role, User
from infitah.complaints import services
from infitah.complaints.models import Attachment, Category, Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, DESCRIPTION, complaint_input
from infitah.complaints.workflow import Status
from infitah.correspondence.models import ServiceUnit
from infitah.correspondence.services import entry_register
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
FORM_URL = "/{lang}/c/commune-a/complaints/new/"
HOME_URL = "/{lang}/c/commune-a/complaints/"
STAFF = "/ar/staff/commune-a/complaints/"
PHONE = "0612345678"
NAME = "Amina Belkadi"

Submitted = Callable[..., tuple[Complaint, str]]


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def officer_client(officer_a: User) -> Client:
    client = Client()
    client.force_login(officer_a)
    return client


@pytest.fixture
def head_client(staff_for: Callable[[str], User]) -> Client:
    client = Client()
    client.force_login(staff_for(Role.ADMIN))
    return client


@pytest.fixture
def submitted(collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings) -> Submitted:
    """Submit a complaint to A through the service, confirmed by default; returns it and
    its tracking token."""

    def make(*, confirm: bool = True, **overrides: Any) -> tuple[Complaint, str]:
        overrides.setdefault("name", NAME)
        complaint, token = services.complaint_submit(
            collectivity=collectivity_a, data=complaint_input(**overrides)
        )
        if confirm and complaint.status == Status.AWAITING_CONFIRMATION:
            services.complaint_confirm(complaint=complaint)
        complaint.refresh_from_db()
        return complaint, token

    return make


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the submission form; an override of None leaves the field out."""
    data: dict[str, Any] = {
        "kind": "complaint",
        "description": DESCRIPTION,
        "address": "زنقة الورود، أيت ملول",
        "latitude": "30.3364",
        "longitude": "-9.4986",
        "name": NAME,
        "email": CITIZEN_EMAIL,
        "phone": "",
        "chikaya_reference": "",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _anonymous_get(url: str) -> Any:
    cache.clear()
    return Client().get(url)


def _track(token: str, lang: str = "ar") -> str:
    return f"/{lang}/complaints/track/{token}/"


def _detail(complaint: Complaint) -> str:
    return f"{STAFF}{complaint.reference}/"


def _act(complaint: Complaint, action: str) -> str:
    return f"{STAFF}{complaint.reference}/{action}/"


def _status(complaint: Complaint) -> str:
    complaint.refresh_from_db()
    return complaint.status


def _assert_private(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


# ------------------------------------------------------------------------ submission


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_form_offers_the_active_categories_and_the_locate_script(
    lang: str, complaint_settings_a: ComplaintSettings, lighting: Category, roads: Category
) -> None:
    Category.objects.filter(pk=roads.pk).update(is_active=False)
    response = Client().get(FORM_URL.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="attachments"' in html and "multiple" in html
    assert f'value="{lighting.pk}"' in html and f'value="{roads.pk}"' not in html
    assert re.search(r'<script src="[^"]*complaints/locate\.js" defer>', html)
    assert 'name="consent"' in html


def test_submit_with_a_photo_then_confirm_by_post(
    complaint_settings_a: ComplaintSettings, lighting: Category, unit_a: ServiceUnit
) -> None:
    client = Client()
    photo = SimpleUploadedFile("lamp.png", png_bytes(), content_type="image/png")
    response = client.post(
        FORM_URL.format(lang="ar"), form_data(category=str(lighting.pk), attachments=photo)
    )
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    complaint = Complaint.objects.get()
    assert complaint.status == Status.AWAITING_CONFIRMATION
    assert complaint.category == lighting and complaint.latitude is not None
    attachment = Attachment.objects.get(case=complaint)
    assert attachment.content_type == "image/png"

    page = client.get(response["Location"])
    assert page.status_code == 200
    _assert_private(page)
    assert complaint.reference in page.content.decode()
    assert len(list(page.context["messages"])) == 1
    download = client.get(f"/ar/complaints/track/{token}/files/{attachment.pk}")
    assert download.status_code == 200
    _assert_private(download)
    assert download.getvalue() == png_bytes()
    # Never by another path: a wrong token, or another file's number.
    assert client.get(f"/ar/complaints/track/x{token}/files/{attachment.pk}").status_code == 404
    assert client.get(f"/ar/complaints/track/{token}/files/{attachment.pk + 1}").status_code == 404

    mail = OutboundEmail.objects.get(to=CITIZEN_EMAIL)
    match = re.search(r"/complaints/confirm/([^/\s]+)/", mail.body)
    assert match is not None
    confirm_url = f"/ar/complaints/confirm/{match.group(1)}/"
    shown = client.get(confirm_url)
    assert shown.status_code == 200
    _assert_private(shown)
    assert "<form" in shown.content.decode()
    assert _status(complaint) == Status.AWAITING_CONFIRMATION  # a GET changes nothing
    confirmed = client.post(confirm_url)
    assert confirmed.status_code == 302 and confirmed["Location"].endswith(f"/{token}/")
    assert _status(complaint) == Status.RECEIVED
    assert complaint.service == unit_a and complaint.acknowledge_by and complaint.answer_by
    assert client.post(confirm_url).status_code == 404  # used up
    assert client.get(confirm_url).status_code == 404


def test_a_phone_only_submission_is_received_at_once(
    complaint_settings_a: ComplaintSettings,
) -> None:
    response = Client().post(FORM_URL.format(lang="fr"), form_data(email="", phone=PHONE))
    assert response.status_code == 302
    assert Complaint.objects.get().status == Status.RECEIVED
    assert (
        not OutboundEmail.objects.filter(subject__contains="CMP")
        .exclude(to__endswith="@example.test")
        .exists()
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": "95"}, "latitude"),
        ({"latitude": ""}, "longitude"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "", "phone": ""}, "email"),
        ({"phone": "12ab"}, "phone"),
        ({"kind": "rant"}, "kind"),
        ({"description": ""}, "description"),
        ({"description": "x" * 10_001}, "description"),
        ({"name": "Am\x00ina"}, "name"),
        ({"consent": None}, "consent"),
        ({"category": "99999"}, "category"),
    ],
)
def test_bad_input_is_shown_by_field_and_nothing_is_created(
    complaint_settings_a: ComplaintSettings, lighting: Category, overrides: Any, field: str
) -> None:
    response = Client().post(FORM_URL.format(lang="ar"), form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_file_refused_by_content_is_shown_on_the_attachments_field(
    complaint_settings_a: ComplaintSettings,
) -> None:
    fake = SimpleUploadedFile("photo.png", b"MZ not a png", content_type="image/png")
    response = Client().post(FORM_URL.format(lang="ar"), form_data(attachments=fake))
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_unknown_or_non_member_collectivity_is_404(collectivity_b: Collectivity) -> None:
    client = Client()
    for url in ("/ar/c/nowhere/complaints/", "/ar/c/commune-b/complaints/new/"):
        assert client.get(url).status_code == 404
    assert client.post("/ar/c/commune-b/complaints/new/", form_data()).status_code == 404


# ---------------------------------------------------------------------- citizen page


def test_track_page_shows_the_states_explanation_and_both_clocks(
    submitted: Submitted, collectivity_a: Collectivity, officer_a: User
) -> None:
    services.explanation_save(
        collectivity=collectivity_a,
        actor=officer_a,
        status=Status.RECEIVED,
        text_ar="وصلتنا شكايتكم وسنرد خلال الآجال.",
        text_fr="Nous avons reçu votre message.",
    )
    complaint, token = submitted()
    html = Client().get(_track(token)).content.decode()
    assert "وصلتنا شكايتكم" in html
    periods = html.split('<ol class="periods">')[1].split("</ol>")[0]
    assert periods.count("<li>") == 2  # the two clocks
    assert periods.count(complaint.reference) == 2
    fr = Client().get(_track(token, "fr")).content.decode()
    assert "Nous avons reçu votre message." in fr


def test_unknown_token_is_404() -> None:
    assert Client().get(_track("nope")).status_code == 404
    assert Client().post(_track("nope") + "rate/", {"satisfaction": "5"}).status_code == 404


def test_citizen_replies_rates_and_reopens_once(submitted: Submitted, officer_a: User) -> None:
    complaint, token = submitted()
    client = Client()
    # Nothing to reply to, nothing to rate yet: 409, state unchanged.
    assert client.post(_track(token) + "reply/", {"text": "x"}).status_code == 409
    assert client.post(_track(token) + "rate/", {"satisfaction": "4"}).status_code == 409
    assert client.post(_track(token) + "dance/", {}).status_code == 404
    assert client.get(_track(token) + "reply/").status_code == 405

    services.complaint_ask_info(complaint=complaint, actor=officer_a, text="Quel numéro ?")
    page = client.get(_track(token))
    assert 'action="/ar/complaints/track/' in page.content.decode()
    assert page.context["can_reply"]
    empty = client.post(_track(token) + "reply/", {"text": "  "})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.content.decode()
    assert client.post(_track(token) + "reply/", {"text": "Devant le n° 12"}).status_code == 302
    assert _status(complaint) == Status.IN_PROCESS

    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome="positive", text="Réparé."
    )
    assert client.post(_track(token) + "rate/", {"satisfaction": "9"}).status_code == 400
    assert client.post(_track(token) + "rate/", {"satisfaction": "2"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RATED and complaint.satisfaction == 2
    page = client.get(_track(token))
    assert page.context["can_reopen"] and page.context["reopen_until"]
    assert client.post(_track(token) + "reopen/", {"text": ""}).status_code == 400
    response = client.post(_track(token) + "reopen/", {"text": "Toujours en panne."})
    assert response.status_code == 302
    _assert_private(response)
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROCESS and complaint.reopen_count == 1
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome="positive", text="Réparé, vraiment."
    )
    assert not client.get(_track(token)).context["can_reopen"]
    again = client.post(_track(token) + "reopen/", {"text": "Encore"})
    assert again.status_code == 409
    _assert_private(again)


# ------------------------------------------------------------------------ staff pages


def test_the_unit_handles_a_complaint_through_its_pages(
    submitted: Submitted, officer_client: Client, roads_a: ServiceUnit
) -> None:
    complaint, token = submitted(phone=PHONE)
    listing = officer_client.get(STAFF)
    assert listing.status_code == 200 and complaint.reference in listing.content.decode()
    detail = officer_client.get(_detail(complaint))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert NAME in html and CITIZEN_EMAIL in html and PHONE in html
    assert {d.limit.code for d in detail.context["deadlines"]} == {
        "complaint.acknowledge",
        "complaint.answer",
    }
    assert officer_client.post(_act(complaint, "acknowledge")).status_code == 302
    assert _status(complaint) == Status.ACKNOWLEDGED
    assert officer_client.post(_act(complaint, "acknowledge")).status_code == 409
    assert officer_client.post(_act(complaint, "route"), {"service": "0"}).status_code == 400
    assert (
        officer_client.post(_act(complaint, "route"), {"service": str(roads_a.pk)}).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROCESS and complaint.service == roads_a
    assert officer_client.post(_act(complaint, "ask_info"), {"text": ""}).status_code == 400
    assert (
        officer_client.post(_act(complaint, "ask_info"), {"text": "Quelle rue ?"}).status_code
        == 302
    )
    assert _status(complaint) == Status.INFO_REQUESTED
    Client().post(_track(token) + "reply/", {"text": "Rue des Roses"})
    not_competent = officer_client.post(
        _act(complaint, "answer"), {"outcome": "not_competent", "text": "Pas nous."}
    )
    assert not_competent.status_code == 400
    assert "competent_body" in not_competent.context["forms"]["answer"].errors
    answered = officer_client.post(
        _act(complaint, "answer"),
        {"outcome": "positive", "text": "La lampe est remplacée.", "publish": "on"},
    )
    assert answered.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.ANSWERED and complaint.is_published
    assert officer_client.post(_act(complaint, "close")).status_code == 302
    assert _status(complaint) == Status.CLOSED
    assert officer_client.post(_act(complaint, "close")).status_code == 409
    assert officer_client.post(_act(complaint, "fly")).status_code == 404
    assert officer_client.get(_act(complaint, "close")).status_code == 405
    history = officer_client.get(_detail(complaint))
    assert len(history.context["events"]) >= 7


def test_by_id_redirects_to_the_detail_page(submitted: Submitted, officer_client: Client) -> None:
    complaint, _token = submitted()
    response = officer_client.get(f"{STAFF}id/{complaint.pk}/")
    assert response.status_code == 302 and response["Location"].endswith(_detail(complaint))
    assert officer_client.get(f"{STAFF}id/{complaint.pk + 100}/").status_code == 404


def test_likely_duplicates_are_shown_and_merged(
    submitted: Submitted, officer_client: Client, lighting: Category
) -> None:
    first, _t1 = submitted(category=lighting.pk, latitude="30.3364", longitude="-9.4986")
    second, _t2 = submitted(category=lighting.pk, latitude="30.3365", longitude="-9.4987")
    detail = officer_client.get(_detail(second))
    assert [d.complaint.pk for d in detail.context["duplicates"]] == [first.pk]
    assert f'name="into" value="{first.reference}"' in detail.content.decode()
    unknown = officer_client.post(_act(second, "merge"), {"into": "CMP-nope"})
    assert unknown.status_code == 400
    assert officer_client.post(_act(second, "merge"), {"into": first.reference}).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    assert officer_client.post(_act(second, "merge"), {"into": first.reference}).status_code == 409


def test_staff_can_download_an_attachment(
    collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings, officer_client: Client
) -> None:
    photo = SimpleUploadedFile("lamp.png", png_bytes(), content_type="image/png")
    complaint, _token = services.complaint_submit(
        collectivity=collectivity_a, data=complaint_input(), files=[photo]
    )
    attachment = complaint.attachments.get()
    url = f"{STAFF}{complaint.reference}/files/{attachment.pk}"
    response = officer_client.get(url)
    assert response.status_code == 200
    _assert_private(response)


def _complaints_staff_urls(complaint: Complaint) -> list[str]:
    ref = complaint.reference
    return [
        STAFF,
        f"{STAFF}?state=all",
        f"{STAFF}settings/",
        f"{STAFF}settings/categories/",
        f"{STAFF}settings/categories/1/",
        f"{STAFF}settings/explanations/",
        f"{STAFF}id/{complaint.pk}/",
        f"{STAFF}{ref}/",
        f"{STAFF}{ref}/files/1",
        *(f"{STAFF}{ref}/{a}/" for a in ("acknowledge", "route", "answer", "merge", "x")),
    ]


def test_outsiders_get_404_on_every_staff_page(
    submitted: Submitted, charlie: User, citizen: User, network_admin: User
) -> None:
    complaint, _token = submitted()
    for outsider in (charlie, citizen, network_admin):
        client = Client()
        client.force_login(outsider)
        for url in _complaints_staff_urls(complaint):
            assert client.get(url).status_code == 404, (outsider, url)
            assert client.post(url, {"into": "x", "text": "x"}).status_code == 404, (
                outsider,
                url,
            )
    assert _status(complaint) == Status.RECEIVED


def test_an_officer_cannot_open_the_settings(officer_client: Client) -> None:
    assert officer_client.get(f"{STAFF}settings/").status_code == 404


def _list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("state", ["open", "all"])
def test_list_query_count_does_not_grow(
    submitted: Submitted, officer_client: Client, lighting: Category, roads: Category, state: str
) -> None:
    for n in range(3):
        submitted(category=(lighting if n % 2 else roads).pk, phone=PHONE, email="")
    few = _list_queries(officer_client, f"{STAFF}?state={state}")
    for n in range(27):
        submitted(category=(lighting if n % 2 else roads).pk, phone=PHONE, email="")
    assert _list_queries(officer_client, f"{STAFF}?state={state}") == few


def test_the_list_marks_overdue_clocks(submitted: Submitted, officer_client: Client) -> None:
    with time_machine.travel(MONDAY - dt.timedelta(days=20), tick=False):
        complaint, _token = submitted()
    rows = officer_client.get(STAFF).context["rows"]
    assert rows == [(complaint, True, False)]
    assert 'class="overdue"' in officer_client.get(STAFF).content.decode()


def test_settings_categories_and_explanations(
    head_client: Client, collectivity_a: Collectivity, unit_a: ServiceUnit, roads_a: ServiceUnit
) -> None:
    settings_url = f"{STAFF}settings/"
    assert head_client.get(settings_url).status_code == 200
    bad = head_client.post(settings_url, {"complaints_unit": str(unit_a.pk), "reopen_days": "0"})
    assert bad.status_code == 400
    saved = head_client.post(settings_url, {"complaints_unit": str(unit_a.pk), "reopen_days": "15"})
    assert saved.status_code == 302
    found = ComplaintSettings.objects.get(collectivity=collectivity_a)
    assert found.complaints_unit == unit_a and found.reopen_days == 15
    assert not found.publish_answered

    assert head_client.post(f"{STAFF}settings/categories/", {"name_ar": ""}).status_code == 400
    created = head_client.post(
        f"{STAFF}settings/categories/",
        {"name_ar": "الطرق", "name_fr": "Voirie", "service": str(roads_a.pk), "is_active": "on"},
    )
    assert created.status_code == 302
    category = Category.objects.get(collectivity=collectivity_a)
    assert category.service == roads_a and category.is_active
    edited = head_client.post(
        f"{STAFF}settings/categories/{category.pk}/", {"name_ar": "الطرق", "name_fr": "Routes"}
    )
    assert edited.status_code == 302
    category.refresh_from_db()
    assert category.name_fr == "Routes" and not category.is_active and category.service is None

    explained = head_client.post(
        f"{STAFF}settings/explanations/",
        {"status": "received", "text_ar": "توصلنا بشكايتكم", "text_fr": "Reçu."},
    )
    assert explained.status_code == 302
    assert (
        head_client.post(
            f"{STAFF}settings/explanations/", {"status": "nonsense", "text_fr": "x"}
        ).status_code
        == 400
    )
    page = _anonymous_get(HOME_URL.format(lang="ar")).content.decode()
    assert "توصلنا بشكايتكم" in page


def test_another_collectivitys_category_cannot_be_edited(
    head_client: Client, collectivity_b: Collectivity
) -> None:
    theirs = Category.objects.create(collectivity=collectivity_b, name_ar="ب", name_fr="B")
    url = f"{STAFF}settings/categories/{theirs.pk}/"
    assert head_client.post(url, {"name_ar": "x"}).status_code == 404


def test_the_back_office_links_to_the_complaints(officer_client: Client) -> None:
    html = officer_client.get("/ar/staff/commune-a/").content.decode()
    assert f'href="{STAFF}"' in html


# ----------------------------------------------------------------------- public pages


def test_public_pages_never_show_contact_details(
    submitted: Submitted, officer_a: User, lighting: Category
) -> None:
    complaint, _token = submitted(phone=PHONE, category=lighting.pk)
    services.complaint_answer(
        complaint=complaint,
        actor=officer_a,
        outcome="positive",
        text="La lampe est remplacée.",
        publish=True,
    )
    for lang in ("ar", "fr"):
        response = _anonymous_get(HOME_URL.format(lang=lang))
        assert response.status_code == 200
        html = response.content.decode()
        assert complaint.reference in html and "La lampe est remplacée." in html
        for secret in (NAME, CITIZEN_EMAIL, PHONE, DESCRIPTION):
            assert secret not in html
        assert "chikaya.ma" in html and "mediateur.ma" in html
        assert response.context["stats"].received == 1


def test_unpublished_answers_stay_off_the_public_page(
    submitted: Submitted, officer_a: User
) -> None:
    complaint, _token = submitted()
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome="negative", text="Non, secret."
    )
    html = _anonymous_get(HOME_URL.format(lang="ar")).content.decode()
    assert complaint.reference not in html and "Non, secret." not in html


def test_the_public_page_is_paginated(submitted: Submitted, officer_a: User) -> None:
    for _n in range(25):
        complaint, _token = submitted(phone=PHONE, email="")
        services.complaint_answer(
            complaint=complaint, actor=officer_a, outcome="positive", text="OK", publish=True
        )
    first = _anonymous_get(HOME_URL.format(lang="ar"))
    assert len(first.context["page"].object_list) == 20
    second = _anonymous_get(HOME_URL.format(lang="ar") + "?page=2")
    assert len(second.context["page"].object_list) == 5


# -------------------------------------------------------------------- paper complaints


def test_a_paper_complaint_is_opened_from_its_register_entry(
    collectivity_a: Collectivity,
    complaint_settings_a: ComplaintSettings,
    staff_for: Callable[[str], User],
) -> None:
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    entry = entry_register(
        collectivity=collectivity_a,
        actor=officer,
        direction="incoming",
        correspondent="Amina Belkadi",
        subject="Éclairage",
        channel="paper",
        summary="La lampe de la rue des Roses est en panne.",
    )
    client = Client()
    client.force_login(officer)
    url = f"/ar/staff/commune-a/correspondence/{entry.year}/{entry.number}/open/complaint/"
    form = client.get(url)
    assert form.status_code == 200
    assert "La lampe de la rue des Roses" in form.content.decode()
    assert 'name="consent"' not in form.content.decode()
    missing = client.post(url, {"kind": "complaint", "name": "Amina", "description": "x"})
    assert missing.status_code in (200, 400)
    assert not Complaint.objects.exists()
    opened = client.post(
        url,
        {
            "kind": "complaint",
            "name": "Amina Belkadi",
            "description": "La lampe est en panne.",
            "phone": PHONE,
            "email": CITIZEN_EMAIL,
        },
    )
    assert opened.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.status == Status.RECEIVED  # the signed letter needs no confirmation
    entry.refresh_from_db()
    assert entry.case_type == "complaints.complaint" and entry.case_reference == complaint.reference


def test_a_paper_complaint_gets_its_category_and_the_category_unit(
    collectivity_a: Collectivity,
    complaint_settings_a: ComplaintSettings,
    roads: Category,
    staff_for: Callable[[str], User],
) -> None:
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    entry = entry_register(
        collectivity=collectivity_a,
        actor=officer,
        direction="incoming",
        correspondent="Amina Belkadi",
        subject="Voirie",
        channel="paper",
    )
    client = Client()
    client.force_login(officer)
    url = f"/ar/staff/commune-a/correspondence/{entry.year}/{entry.number}/open/complaint/"
    assert f'value="{roads.pk}"' in client.get(url).content.decode()
    opened = client.post(
        url,
        {
            "kind": "complaint",
            "category": str(roads.pk),
            "name": "Amina Belkadi",
            "description": "Un nid-de-poule devant l'école.",
            "phone": PHONE,
        },
    )
    assert opened.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.category == roads
    assert complaint.service == roads.service


def test_the_paper_opener_is_only_for_complaints_officers(
    collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> None:
    clerk = staff_for(Role.COUNCIL_SECRETARY)
    entry = entry_register(
        collectivity=collectivity_a,
        actor=clerk,
        direction="incoming",
        correspondent="X",
        subject="Y",
        channel="paper",
    )
    client = Client()
    client.force_login(clerk)
    url = f"/ar/staff/commune-a/correspondence/{entry.year}/{entry.number}/open/complaint/"
    assert client.get(url).status_code == 404
