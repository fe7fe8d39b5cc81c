"""The public calendar page and the overrides page."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from infitah.accounts.models import User
from infitah.deadlines.models import CalendarOverride
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()
    yield
    cache.clear()


def url(name: str, lang: str = "ar") -> str:
    with translation.override(lang):
        return reverse(name)


def test_url_names():
    assert url("deadlines:calendar", "fr") == "/fr/calendar/"
    assert url("deadlines:override-add", "ar") == "/ar/calendar/overrides/"


def test_calendar_page_in_arabic_explains_the_due_date(client):
    response = client.get(
        url("deadlines:calendar"), {"year": "2026", "start": "2026-07-29", "limit": "ati.urgent"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "عيد العرش" in html
    assert "31.13" in html
    assert response.context["due"].due_date == date(2026, 8, 4)
    assert 'name="start"' in html and '<label for="id_start"' in html


def test_calendar_page_in_french_lists_the_year_and_its_markers(client, network_admin):
    from infitah.deadlines.services import calendar_override_add

    calendar_override_add(actor=network_admin, kind="add", date=date(2026, 5, 27), reason="BO")
    response = client.get(
        url("deadlines:calendar", "fr"),
        {"year": "2026", "start": "2026-05-25", "limit": "ati.urgent"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "Fête du Trône" in html
    assert "Fête du sacrifice" in html
    assert "correction officielle" in html  # 27 May, confirmed
    assert "estimée" in html  # 28 May, still estimated
    steps = [step.kind for step in response.context["due"].steps]
    assert steps.count("holiday") == 2 and "weekends" in steps


def test_calendar_page_defaults_to_this_year(client):
    response = client.get(url("deadlines:calendar"))
    assert response.status_code == 200
    assert response.context["due"] is None
    assert response.context["holidays"]


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1800"},
        {"start": "2026-02-30", "limit": "ati.answer"},
        {"start": "abc", "limit": "ati.answer"},
        {"start": "2026-03-16", "limit": "nope"},
        {"start": "2026-03-16"},
        {"limit": "ati.answer"},
        {"start": "1900-01-01", "limit": "ati.answer"},
    ],
)
def test_bad_form_input_shows_an_error_not_a_server_error(client, params):
    response = client.get(url("deadlines:calendar", "fr"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["due"] is None
    assert 'role="alert"' in response.content.decode()


def test_anonymous_is_sent_to_sign_in_for_overrides(client):
    response = client.get(url("deadlines:override-add"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("persona", ["charlie", "citizen", "staff_a"])
def test_non_network_admins_get_404_on_overrides(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("deadlines:override-add")).status_code == 404
    response = client.post(
        url("deadlines:override-add"), {"kind": "remove", "date": "2026-05-28", "reason": "x"}
    )
    assert response.status_code == 404
    assert not CalendarOverride.objects.exists()


def test_network_admin_adds_an_override(client, network_admin):
    client.force_login(network_admin)
    assert client.get(url("deadlines:override-add")).status_code == 200
    response = client.post(
        url("deadlines:override-add", "fr"),
        {"kind": "move", "date": "2026-05-27", "new_date": "2026-05-29", "reason": "Annonce"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert override.created_by == network_admin and override.new_date == date(2026, 5, 29)
    assert Event.objects.for_object(override).filter(action="calendar.override_added").exists()
    page = client.get(url("deadlines:override-add", "fr"))
    assert "Annonce" in page.content.decode()


def test_the_official_reference_is_recorded_and_shown(client, network_admin):
    """The page records the announcement's reference, as the command line does; a
    correction made on the command line shows who made it: the server's operator."""
    client.force_login(network_admin)
    response = client.post(
        url("deadlines:override-add", "fr"),
        {"kind": "remove", "date": "2026-05-28", "reason": "Annonce", "reference": "Com. 14/2026"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get().reference == "Com. 14/2026"
    call_command("calendar_override", "remove", "2026-05-27", "--reason", "Nuit", stdout=StringIO())
    page = client.get(url("deadlines:override-add", "fr")).content.decode()
    assert "Com. 14/2026" in page
    assert "Ligne de commande du serveur" in page


def test_override_form_errors_are_shown(client, network_admin):
    client.force_login(network_admin)
    response = client.post(
        url("deadlines:override-add"), {"kind": "remove", "date": "2026-06-02", "reason": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not CalendarOverride.objects.exists()


def test_override_post_needs_csrf(network_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(network_admin)
    response = client.post(
        url("deadlines:override-add"), {"kind": "remove", "date": "2026-05-28", "reason": "x"}
    )
    assert response.status_code == 403


def test_admin_adds_through_the_service_and_never_deletes(client):
    admin = User.objects.create_superuser(email="root@example.test", password="x-password-123")
    client.force_login(admin)
    add_url = reverse("admin:deadlines_calendaroverride_add")
    assert client.get(add_url).status_code == 200
    response = client.post(
        add_url,
        {
            "kind": "remove",
            "date": "2026-05-28",
            "new_date": "",
            "name_ar": "",
            "name_fr": "",
            "reason": "Annonce",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CalendarOverride.objects.get()
    assert Event.objects.for_object(override).exists()
    assert (
        client.post(
            reverse("admin:deadlines_calendaroverride_delete", args=[override.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = client.post(add_url, {"kind": "remove", "date": "2026-06-02", "reason": "x"})
    assert response.status_code == 200
    assert CalendarOverride.objects.count() == 1


def test_calendar_names_the_limits_and_keeps_the_code_as_a_hint(client):
    response = client.get(
        url("deadlines:calendar", "fr"),
        {"year": "2026", "start": "2026-07-29", "limit": "complaint.acknowledge"},
    )
    html = response.content.decode()
    visible = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
    visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", visible, flags=re.S)
    assert "complaint.acknowledge" not in visible and "ati.answer" not in visible
    assert "Accusé de réception de la réclamation" in visible
    assert '<code class="muted" dir="ltr">complaint.acknowledge</code>' in html
