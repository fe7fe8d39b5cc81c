"""The public application form: finding the collectivity, the refusals, each error (with
nothing saved), the signed invitation to apply, and the deliberation kept private."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.ledger.models import Event
from infitah.network import membership_services as services
from infitah.network.models import Application, ApplicationStatus, Charter
from infitah.network.tests import test_membership_world as world
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return world.media_use(settings, tmp_path)


@pytest.fixture
def charter(db: None) -> Charter:
    return world.charter_create()


@pytest.fixture
def pending(collectivity_b: Collectivity, charter: Charter, media: Path) -> Application:
    """Commune B's application, pending."""
    return world.submit(collectivity_b, charter)


URL = "/fr/network/members/apply/"


def _html(response: Any) -> str:
    return str(response.content.decode())


def test_search_lists_only_collectivities_that_may_apply(
    collectivity_a: Collectivity, collectivity_b: Collectivity, charter: Charter
) -> None:
    # A: "Aït Melloul", a member; B: "Inezgane", not one; the prefecture is "Inezgane-Aït
    # Melloul".
    html = _html(Client().get(URL, {"q": "melloul"}))
    assert "?collectivity=inezgane-test" in html
    assert "?collectivity=commune-a" not in html
    html = _html(Client().get(URL, {"q": "inezgane"}))
    assert "?collectivity=commune-b" in html


def test_the_form_shows_the_charter_version(collectivity_b: Collectivity, charter: Charter) -> None:
    response = Client().get(URL, {"collectivity": "commune-b"})
    html = _html(response)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "La charte, version 1." in html
    assert 'name="charter_accepted"' in html and 'value="commune-b"' in html
    assert response["Cache-Control"] == "no-store, private"
    assert "<script" not in html and "style=" not in html


def test_no_charter_no_application(collectivity_b: Collectivity) -> None:
    response = Client().get(URL, {"collectivity": "commune-b"})
    assert 'id="charter-missing"' in _html(response)
    assert 'name="charter_accepted"' not in _html(response)
    response = Client().post(URL, {"collectivity": "commune-b"})
    assert 'id="charter-missing"' in _html(response)
    assert not Application.objects.exists()


def test_a_member_and_a_pending_application_are_refused(
    collectivity_a: Collectivity, pending: Application, charter: Charter
) -> None:
    response = Client().get(URL, {"collectivity": "commune-a"})
    assert response.status_code == 409
    assert "est déjà membre" in _html(response) or "already a member" in _html(response)
    response = Client().post(URL, world.form_data(collectivity_a, charter))
    assert response.status_code == 409
    response = Client().get(URL, {"collectivity": "commune-b"})
    assert response.status_code == 409 and 'id="refusal"' in _html(response)
    assert Application.objects.count() == 1


def test_unknown_collectivity(charter: Charter) -> None:
    assert Client().get(URL, {"collectivity": "nowhere"}).status_code == 404


def test_submitting_the_form(
    collectivity_b: Collectivity, charter: Charter, media: Path, settings: Any
) -> None:
    response = Client().post(URL, world.form_data(collectivity_b, charter))
    assert response.status_code == 302
    assert response["Location"] == "/fr/network/members/apply/sent/"
    application = Application.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert application.language == "fr" and application.applicant is None
    assert application.focal_point_email == "focal@example.test"
    assert (media / str(application.deliberation.name)).read_bytes() == world.PDF
    assert OutboundEmail.objects.filter(to="applicant@example.test").count() == 1
    assert Client().get(response["Location"]).status_code == 200
    # The deliberation is not reachable under the public media address (nothing serves
    # MEDIA_URL: the office page is the only way to it).
    assert settings.MEDIA_URL == "/media/"
    assert Client().get(settings.MEDIA_URL + application.deliberation.name).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision_date": None}, "decision_date"),
        ({"decision_date": "2024-02-30"}, "decision_date"),
        ({"decision_reference": ""}, "decision_reference"),
        ({"deliberation": None}, "deliberation"),
        ({"deliberation": "text"}, "deliberation"),
        ({"charter_accepted": None}, "charter_accepted"),
        ({"focal_point_name": ""}, "focal_point_name"),
        ({"focal_point_email": "not-an-address"}, "focal_point_email"),
        ({"focal_point_phone": "call me"}, "focal_point_phone"),
        ({"admin_email": ""}, "admin_email"),
        ({"applicant_name": ""}, "applicant_name"),
        ({"applicant_email": ""}, "applicant_email"),
        ({"applicant_function": ""}, "applicant_function"),
        ({"publish_phone": "on", "focal_point_phone": ""}, "focal_point_phone"),
        ({"motivation": "x" * 5001}, "motivation"),
    ],
)
def test_each_error_is_shown_and_nothing_is_saved(
    changes: dict[str, Any], field: str, collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    response = Client().post(URL, world.form_data(collectivity_b, charter, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert _html(response).count('class="error-summary" role="alert"') == 1
    assert 'id="form-errors"' in _html(response)  # choose the file again
    assert not Application.objects.exists() and not Event.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_a_future_decision_date_is_refused(
    collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = Client().post(URL, world.form_data(collectivity_b, charter, decision_date=tomorrow))
    assert response.status_code == 400
    assert "decision_date" in response.context["form"].errors
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"GIF89a not a pdf", "deliberation.pdf"),
        (world.PDF, "deliberation.docx"),
        (world.PDF, "deliberation.exe"),
        (b"", "deliberation.pdf"),
    ],
)
def test_a_bad_file_is_refused(
    content: bytes, name: str, collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    data = world.form_data(collectivity_b, charter, deliberation=world.upload(content, name))
    response = Client().post(URL, data)
    assert response.status_code == 400
    assert "deliberation" in response.context["form"].errors
    assert not Application.objects.exists()


def test_a_file_over_the_limit_is_refused(
    collectivity_b: Collectivity, charter: Charter, media: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "DELIBERATION_MAX_BYTES", len(world.PDF) - 1)
    response = Client().post(URL, world.form_data(collectivity_b, charter))
    assert response.status_code == 400
    assert "deliberation" in response.context["form"].errors
    assert not Application.objects.exists()


def test_the_charter_changed_meanwhile(
    collectivity_b: Collectivity, charter: Charter, media: Path
) -> None:
    newer = Charter.objects.create(
        version=2, title_ar="م", title_fr="Charte 2", body_ar="ن", body_fr="Texte 2"
    )
    response = Client().post(URL, world.form_data(collectivity_b, charter))
    assert response.status_code == 400
    assert "charter_accepted" in response.context["form"].errors
    # The page now offers the new version for the next submission.
    assert f'name="charter_version" value="{newer.version}"' in _html(response)
    assert not Application.objects.exists()


# --- The signed invitation to apply ----------------------------------------------------------


def _token(collectivity: Collectivity) -> str:
    return services.apply_invitation_make(collectivity=collectivity, email="dgs@commune.ma")


def test_an_invitation_fills_in_the_collectivity(
    collectivity_b: Collectivity, charter: Charter
) -> None:
    response = Client().get(URL, {"invitation": _token(collectivity_b)})
    html = _html(response)
    assert response.status_code == 200
    assert 'value="commune-b"' in html and 'value="dgs@commune.ma"' in html


def test_a_tampered_invitation_is_refused(collectivity_b: Collectivity, charter: Charter) -> None:
    token = _token(collectivity_b)
    response = Client().get(URL, {"invitation": token[:-3] + "abc"})
    assert response.status_code == 400
    html = _html(response)
    assert 'id="invitation-error"' in html and 'value="commune-b"' not in html


def test_an_expired_invitation_is_refused(collectivity_b: Collectivity, charter: Charter) -> None:
    token = _token(collectivity_b)
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert Client().get(URL, {"invitation": token}).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = Client().get(URL, {"invitation": token})
    assert response.status_code == 400 and 'id="invitation-error"' in _html(response)
