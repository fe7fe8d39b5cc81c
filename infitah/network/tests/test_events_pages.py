"""The pages of network events, end to end through the test client: public list and
page, registration, documents, and the office (404 for everyone but network admins).

Assertions look at data, status codes and structure rather than translated text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.models import User
from infitah.lib.tests import files
from infitah.network import event_services as services
from infitah.network.event_selectors import event_rows
from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    Event,
    EventDocument,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.network.tests.test_events_support import make_event, register, soon
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LIST = "/{lang}/network/events/"
OFFICE = "/ar/network/events/office/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _page(event: Event, lang: str = "ar") -> str:
    return f"{LIST.format(lang=lang)}{event.pk}/"


def _html(response: Any) -> str:
    return str(response.content.decode())


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _person(**fields: Any) -> dict[str, Any]:
    values = {
        "full_name": "Amina Test",
        "email": "amina@example.test",
        "role": AttendeeRole.FOCAL_POINT,
        "gender": AttendeeGender.FEMALE,
        "q": "",
        "collectivity": "",
    }
    values.update(fields)
    return values


# --------------------------------------------------------------------------- the list


def test_list_shows_upcoming_first_then_past() -> None:
    later = make_event(title_fr="Later", starts_at=soon(30))
    sooner = make_event(title_fr="Sooner", starts_at=soon(5))
    old = make_event(title_fr="Old", starts_at=soon(-300))
    recent = make_event(title_fr="Recent", starts_at=soon(-30))
    make_event(title_fr="Draft", status=EventStatus.DRAFT)
    response = Client().get(LIST.format(lang="fr"))
    assert response.status_code == 200
    shown = [e.pk for e in response.context["page"].object_list]
    assert shown == [sooner.pk, later.pk, recent.pk, old.pk]
    assert "Draft" not in _html(response)


def test_list_filters_by_kind_and_keeps_workshops_under_their_gathering() -> None:
    gathering = make_event(kind=EventKind.GATHERING, title_fr="Gathering", starts_at=soon(5))
    workshop = make_event(
        kind=EventKind.WORKSHOP, parent=gathering, title_fr="Atelier", starts_at=soon(5, 2)
    )
    training = make_event(title_fr="Training", starts_at=soon(8))
    everything = Client().get(LIST.format(lang="fr"))
    assert [e.pk for e in everything.context["page"].object_list] == [gathering.pk, training.pk]
    assert everything.context["page"].object_list[0].n_workshops == 1
    workshops = Client().get(LIST.format(lang="fr") + "?kind=workshop")
    assert [e.pk for e in workshops.context["page"].object_list] == [workshop.pk]
    unknown = Client().get(LIST.format(lang="fr") + "?kind=<script>&page=99999999999999999999")
    assert unknown.status_code == 200
    assert unknown.context["kind"] == ""


def test_list_runs_a_constant_number_of_queries() -> None:
    for _ in range(2):
        make_event(kind=EventKind.GATHERING)
    few = _count(Client(), LIST.format(lang="ar"))
    for _ in range(15):
        gathering = make_event(kind=EventKind.GATHERING, starts_at=soon(-40))
        make_event(kind=EventKind.WORKSHOP, parent=gathering, starts_at=soon(-40))
        register(gathering, 3)
    assert _count(Client(), LIST.format(lang="ar")) == few


# --------------------------------------------------------------------------- the page


def test_drafts_and_unknown_events_are_404() -> None:
    draft = make_event(status=EventStatus.DRAFT)
    assert Client().get(_page(draft)).status_code == 404
    assert Client().get(LIST.format(lang="ar") + "99999999999999999999/").status_code == 404
    assert Client().get(LIST.format(lang="ar") + "0/").status_code == 404


def test_page_shows_programme_workshops_documents_and_report(network_admin: User) -> None:
    gathering = make_event(
        kind=EventKind.GATHERING,
        starts_at=dt.datetime(2024, 11, 12, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2024, 11, 13, 17, 0, tzinfo=dt.UTC),
        description_ar="برنامج الملتقى",
        place_ar="السعيدية",
        report_ar="تقرير الملتقى",
    )
    make_event(kind=EventKind.WORKSHOP, parent=gathering, title_ar="ورشة التواصل")
    make_event(
        kind=EventKind.WORKSHOP,
        parent=gathering,
        title_ar="ورشة مسودة",
        status=EventStatus.DRAFT,
    )
    services.event_document_add(
        event=gathering,
        actor=network_admin,
        kind="programme",
        title_ar="البرنامج المفصل",
        title_fr="",
        file=SimpleUploadedFile("p.pdf", files.pdf_with_text()),
    )
    html = _html(Client().get(_page(gathering)))
    assert "style=" not in html and "<script" not in html
    assert "برنامج الملتقى" in html and "السعيدية" in html
    assert "نونبر 2024" in html  # Moroccan month names
    assert "ورشة التواصل" in html and "ورشة مسودة" not in html
    assert "البرنامج المفصل" in html
    assert "تقرير الملتقى" not in html  # not published yet
    gathering.report_published_at = timezone.now()
    gathering.save()
    assert "تقرير الملتقى" in _html(Client().get(_page(gathering)))


def test_page_shows_counts_never_names(collectivity_a: Collectivity) -> None:
    event = make_event(starts_at=soon(-2))
    register(event, 4, collectivity=collectivity_a, gender=AttendeeGender.FEMALE, attended=True)
    register(event, 6, prefix="m", attended=True, role=AttendeeRole.ELECTED)
    register(event, 2, prefix="x", attended=False)
    response = Client().get(_page(event, "fr"))
    html = _html(response)
    stats = response.context["stats"]
    assert (stats.attended, stats.women_attended, stats.absent) == (10, 4, 2)
    assert stats.women_percent_attended == 40
    assert "Secret Name" not in html and "@example.test" not in html
    assert response.context["show_stats"]


def test_no_attendance_block_before_marking() -> None:
    event = make_event(starts_at=soon(-2))
    register(event, 3)
    response = Client().get(_page(event))
    assert not response.context["show_stats"]
    assert 'id="attendance"' not in _html(response)


def test_page_runs_a_constant_number_of_queries(collectivity_a: Collectivity) -> None:
    event = make_event(kind=EventKind.GATHERING, capacity=500)
    register(event, 2, collectivity=collectivity_a, attended=True)
    few = _count(Client(), _page(event))
    for i in range(10):
        make_event(kind=EventKind.WORKSHOP, parent=event)
        register(event, 5, prefix=f"r{i}", collectivity=collectivity_a, attended=True)
    assert _count(Client(), _page(event)) == few


# ---------------------------------------------------------------------- registration


def test_anonymous_registration(collectivity_a: Collectivity) -> None:
    event = make_event(capacity=5)
    client = Client()
    response = client.post(_page(event) + "register/", _person(collectivity=str(collectivity_a.pk)))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.collectivity == collectivity_a
    assert registration.role == AttendeeRole.FOCAL_POINT
    assert OutboundEmail.objects.filter(to="amina@example.test").exists()
    page = client.get(response["Location"])
    assert "amina@example.test" in _html(page)  # the success message, to the registrant


def test_search_keeps_what_was_typed_and_registers_nobody(collectivity_a: Collectivity) -> None:
    event = make_event()
    response = Client().post(
        _page(event) + "register/",
        _person(full_name="Typed Name", email="typed@example.test", q="ملول", find="1"),
    )
    assert response.status_code == 200
    html = _html(response)
    assert "Typed Name" in html and "typed@example.test" in html
    assert f'value="{collectivity_a.pk}"' in html
    assert not Registration.objects.exists()
    # The search by GET (?q=) offers it too, without a giant list.
    html = _html(Client().get(_page(event) + "?q=Melloul"))
    assert f'value="{collectivity_a.pk}"' in html


def test_a_search_of_punctuation_finds_nothing(collectivity_a: Collectivity) -> None:
    response = Client().get(_page(make_event()) + "?q=%20-%20")
    assert response.context["form"].matches == []


def test_search_leaves_out_the_network_space(collectivity_a: Collectivity) -> None:
    from infitah.territories.services import network_space

    space = network_space()
    response = Client().get(_page(make_event()) + f"?q={space.name_fr}")
    assert f'value="{space.pk}"' not in _html(response)


def test_bad_input_is_kept_and_explained() -> None:
    event = make_event()
    response = Client().post(
        _page(event) + "register/", _person(full_name="Kept Name", email="nope", role="")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"email", "role"} <= set(form.errors)
    assert "Kept Name" in _html(response)
    assert not Registration.objects.exists()


def test_an_unknown_collectivity_is_refused() -> None:
    event = make_event()
    response = Client().post(_page(event) + "register/", _person(collectivity="99999999999999"))
    assert response.status_code == 400
    assert "collectivity" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_signed_in_user_is_prefilled_and_linked(citizen: User) -> None:
    event = make_event()
    client = _as(citizen)
    form = client.get(_page(event)).context["form"]
    assert form.initial["email"] == citizen.email
    assert form.initial["full_name"] == citizen.full_name
    response = client.post(
        _page(event) + "register/", _person(full_name="Citizen", email="other@example.test")
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.user, registration.email) == (citizen, citizen.email)
    page = client.get(_page(event))
    assert page.context["registered"] and page.context["form"] is None


def test_duplicate_full_closed_and_cancelled_are_refused() -> None:
    event = make_event(capacity=2)
    register(event, 1)
    client = Client()
    assert client.post(_page(event) + "register/", _person()).status_code == 302
    again = client.post(_page(event) + "register/", _person())
    assert again.status_code == 400
    assert "email" in again.context["form"].errors
    full = client.post(_page(event) + "register/", _person(email="third@example.test"))
    assert full.status_code == 409
    closed = make_event(registration_open=False)
    assert client.post(_page(closed) + "register/", _person()).status_code == 409
    cancelled = make_event(status=EventStatus.CANCELLED)
    assert client.post(_page(cancelled) + "register/", _person()).status_code == 409
    assert Registration.objects.count() == 2
    assert client.get(_page(cancelled)).context["form"] is None


def test_register_is_post_only() -> None:
    assert Client().get(_page(make_event()) + "register/").status_code == 405


# ------------------------------------------------------------------------- documents


def test_documents_are_served_safely(network_admin: User) -> None:
    event = make_event()
    document = services.event_document_add(
        event=event,
        actor=network_admin,
        kind="programme",
        title_ar="",
        title_fr="Programme",
        file=SimpleUploadedFile("p.pdf", files.pdf_with_text()),
    )
    url = f"{_page(event)}documents/{document.pk}/"
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    other = make_event()
    assert Client().get(f"{_page(other)}documents/{document.pk}/").status_code == 404
    event.status = EventStatus.DRAFT
    event.save()
    assert Client().get(url).status_code == 404


# ---------------------------------------------------------------------------- office


def _office_urls(event: Event) -> list[str]:
    return [
        OFFICE,
        f"{OFFICE}new/",
        f"{OFFICE}{event.pk}/",
        f"{OFFICE}{event.pk}/registrations/",
        f"{OFFICE}{event.pk}/documents/",
        f"{OFFICE}{event.pk}/report/",
    ]


@pytest.mark.parametrize("persona", ["citizen", "staff_a", "charlie"])
def test_office_is_404_for_everyone_but_network_admins(
    persona: str, request: pytest.FixtureRequest
) -> None:
    event = make_event()
    row = register(event, 1)[0]
    client = _as(request.getfixturevalue(persona))
    for url in _office_urls(event):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "cancel", "shown": row.pk}).status_code == 404, url
    event.refresh_from_db()
    row.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and row.attended is None


def test_office_asks_anonymous_visitors_to_sign_in() -> None:
    event = make_event()
    for url in _office_urls(event):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_office_pages_open_for_network_admins(network_admin: User) -> None:
    event = make_event()
    client = _as(network_admin)
    for url in _office_urls(event):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]


def _event_form(**fields: Any) -> dict[str, Any]:
    starts = soon(20)
    values = {
        "kind": EventKind.TRAINING,
        "parent": "",
        "title_ar": "تكوين",
        "title_fr": "",
        "description_ar": "البرنامج",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "30",
        "registration_open": "on",
    }
    values.update(fields)
    return values


def test_office_creates_edits_publishes_and_cancels(network_admin: User) -> None:
    client = _as(network_admin)
    response = client.post(f"{OFFICE}new/", _event_form())
    assert response.status_code == 302
    event = event_rows().get()
    assert (event.status, event.capacity, event.created_by) == (
        EventStatus.DRAFT,
        30,
        network_admin,
    )
    edit = _event_form(title_fr="Formation", capacity="40", action="save")
    assert client.post(f"{OFFICE}{event.pk}/", edit).status_code == 302
    event.refresh_from_db()
    assert (event.title_fr, event.capacity) == ("Formation", 40)
    assert client.post(f"{OFFICE}{event.pk}/", {"action": "publish"}).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    register(event, 2)
    response = client.post(f"{OFFICE}{event.pk}/", {"action": "cancel", "note": "Report"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert OutboundEmail.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capacity": "-3"}, "capacity"),
        ({"capacity": "99999999999999999999"}, "capacity"),
        ({"ends_at": "2020-01-01T10:00"}, "ends_at"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"kind": "party"}, "kind"),
        ({"parent": "99999999999999999999"}, "parent"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
def test_office_refuses_bad_input_and_changes_nothing(
    network_admin: User, fields: dict[str, Any], field: str
) -> None:
    response = _as(network_admin).post(f"{OFFICE}new/", _event_form(**fields))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not event_rows().exists()


def test_office_workshop_form_offers_the_gathering(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING)
    client = _as(network_admin)
    form = client.get(f"{OFFICE}new/?parent={gathering.pk}").context["form"]
    assert form.initial["parent"] == gathering.pk
    assert form.initial["kind"] == EventKind.WORKSHOP
    response = client.post(
        f"{OFFICE}new/", _event_form(kind=EventKind.WORKSHOP, parent=str(gathering.pk))
    )
    assert response.status_code == 302
    assert event_rows().get(parent=gathering).kind == EventKind.WORKSHOP


def test_office_publish_refusal_is_a_message(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING, status=EventStatus.DRAFT)
    workshop = make_event(kind=EventKind.WORKSHOP, parent=gathering, status=EventStatus.DRAFT)
    response = _as(network_admin).post(f"{OFFICE}{workshop.pk}/", {"action": "publish"})
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    workshop.refresh_from_db()
    assert workshop.status == EventStatus.DRAFT


def test_office_registrations_list_names_and_marks_attendance(
    network_admin: User, collectivity_a: Collectivity
) -> None:
    event = make_event(starts_at=soon(-1))
    a, b, c = register(event, 3, collectivity=collectivity_a)
    client = _as(network_admin)
    html = _html(client.get(f"{OFFICE}{event.pk}/registrations/"))
    assert "Secret Name p0" in html and a.email in html
    response = client.post(
        f"{OFFICE}{event.pk}/registrations/",
        {"shown": [a.pk, b.pk, c.pk, "junk", "99999999999999999999"], "attended": [a.pk, c.pk]},
    )
    assert response.status_code == 302
    assert dict(Registration.objects.values_list("pk", "attended")) == {
        a.pk: True,
        b.pk: False,
        c.pk: True,
    }


def test_office_registrations_run_a_constant_number_of_queries(
    network_admin: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    event = make_event()
    register(event, 2, collectivity=collectivity_a)
    client = _as(network_admin)
    few = _count(client, f"{OFFICE}{event.pk}/registrations/")
    register(event, 30, prefix="more", collectivity=collectivity_b, attended=True)
    register(event, 10, prefix="none")
    assert _count(client, f"{OFFICE}{event.pk}/registrations/") == few
    office_few = _count(client, OFFICE)
    for _ in range(10):
        register(make_event(), 3, prefix="z")
    assert _count(client, OFFICE) == office_few


def test_office_documents_upload_refuse_and_remove(network_admin: User) -> None:
    event = make_event()
    client = _as(network_admin)
    url = f"{OFFICE}{event.pk}/documents/"
    bad = client.post(
        url,
        {"action": "add", "kind": "other", "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert bad.status_code == 400
    assert "file" in bad.context["form"].errors
    assert not EventDocument.objects.exists()
    good = client.post(
        url,
        {
            "action": "add",
            "kind": "presentation",
            "title_fr": "Slides",
            "file": SimpleUploadedFile("s.docx", files.docx(["a"])),
        },
    )
    assert good.status_code == 302
    document = EventDocument.objects.get()
    assert document.title_fr == "Slides"
    assert client.post(url, {"action": "remove", "document": "999999"}).status_code == 404
    assert client.post(url, {"action": "remove", "document": document.pk}).status_code == 302
    assert not EventDocument.objects.exists()


def test_office_report_shows_statistics_and_publishes(
    network_admin: User, collectivity_a: Collectivity
) -> None:
    event = make_event(starts_at=soon(-2))
    register(event, 3, collectivity=collectivity_a, gender=AttendeeGender.FEMALE, attended=True)
    register(event, 3, prefix="m", attended=True, role=AttendeeRole.PARTNER)
    client = _as(network_admin)
    response = client.get(f"{OFFICE}{event.pk}/report/")
    stats = response.context["stats"]
    assert stats.women_percent_attended == 50
    assert stats.by_collectivity[0].label == collectivity_a.name
    assert stats.by_region[0].key == collectivity_a.region.slug  # type: ignore[union-attr]
    roles = {t.key: t.attended for t in stats.by_role}
    assert roles[AttendeeRole.STAFF] == 3 and roles[AttendeeRole.PARTNER] == 3
    response = client.post(
        f"{OFFICE}{event.pk}/report/", {"report_ar": "تقرير", "report_fr": "", "publish": "on"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.report_published_at is not None
    bad = client.post(f"{OFFICE}{event.pk}/report/", {"report_ar": "", "publish": "on"})
    assert bad.status_code == 400
    event.refresh_from_db()
    assert event.report_ar == "تقرير"
