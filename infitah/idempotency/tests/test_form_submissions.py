"""A citizen's form sent again (a dropped connection, reload, back and send) is filed
once, and the retry gets the first result (infitah/idempotency/submissions.py).

Every test is a browser as Django's test client can be one: CSRF checks on, the form
read from the page (its CSRF token and its hidden submission key), then posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.contrib.messages import constants as levels
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.correspondence.models import ServiceUnit
from infitah.idempotency.models import IdempotencyKey
from infitah.idempotency.submissions import FIELD, SEED_COOKIE
from infitah.information.models import InformationRequest, InformationSettings
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Comment, Section
from infitah.participation.consultations.tests.conftest import consultation_input
from infitah.participation.models import Participant
from infitah.participation.selectors import SESSION_KEY
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Kind, Response, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.participation.testing import login_participant, make_participant
from infitah.petitions import services as petitions
from infitah.petitions.models import Petition, PetitionSettings, Signature
from infitah.petitions.tests.conftest import petition_input
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
REQUEST_FORM = "/{lang}/c/commune-a/information/request/"
COMPLAINT_FORM = "/{lang}/c/commune-a/complaints/new/"


class _Forms(HTMLParser):
    """The POST forms of a page: their action and hidden fields, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("method", "").lower() == "post":
            self.forms.append((found.get("action", ""), {}))
            self._open = True
        elif tag == "input" and self._open and found.get("type") == "hidden":
            self.forms[-1][1][found.get("name", "")] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def forms_of(response: Any) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms


class Browser:
    """A test client with CSRF checks on, which sends forms as a browser does."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)

    def hidden(self, url: str, action: str = "") -> dict[str, str]:
        """The hidden fields (CSRF token, submission key…) of the page's form whose
        action ends with `action` (the first POST form when empty)."""
        page = self.client.get(url)
        assert page.status_code == 200, url
        for target, fields in forms_of(page):
            if target.endswith(action):
                return fields
        raise AssertionError(f"no form {action!r} on {url}")

    def post(self, url: str, data: dict[str, Any], **extra: Any) -> Any:
        return self.client.post(url, data, **extra)


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": "ZX987654",
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026 وبرنامج عمل الجماعة.",
        "delivery": "email",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def complaint_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "complaint",
        "description": "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا.",
        "address": "زنقة الورود، أيت ملول",
        "name": "Amina Belkadi",
        "email": "amina@example.test",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _monday(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def open_a(collectivity_a: Collectivity) -> Collectivity:
    """Commune A takes complaints and information requests."""
    unit = ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الشكايات", name_fr="Service des plaintes"
    )
    ComplaintSettings.objects.create(collectivity=collectivity_a, complaints_unit=unit)
    InformationSettings.objects.create(
        collectivity=collectivity_a, cndp_authorisation="A-RA-123/2026", desk_email="i@a.test"
    )
    return collectivity_a


def _messages(response: Any) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


# ------------------------------------------------------------------ information request


def test_the_key_stays_until_a_form_is_accepted(open_a: Collectivity) -> None:
    """Drawn again (the form page fetched again after "back"), the form carries the
    same key; once a form is accepted, the next one carries a new key."""
    browser = Browser()
    first = browser.hidden(REQUEST_FORM.format(lang="ar"))[FIELD]
    again = browser.hidden(REQUEST_FORM.format(lang="fr"))[FIELD]
    assert len(first) >= 32 and first == again
    assert Browser().hidden(REQUEST_FORM.format(lang="ar"))[FIELD] != first  # another browser
    sent = browser.post(
        REQUEST_FORM.format(lang="ar"),
        request_data(**browser.hidden(REQUEST_FORM.format(lang="ar"))),
    )
    assert sent.status_code == 302
    assert SEED_COOKIE in sent.cookies
    assert browser.hidden(REQUEST_FORM.format(lang="ar"))[FIELD] != first


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_request_sent_twice_is_filed_once_with_the_same_result(
    open_a: Collectivity, lang: str
) -> None:
    browser = Browser()
    url = REQUEST_FORM.format(lang=lang)
    hidden = browser.hidden(url)
    first = browser.post(url, request_data(**hidden))
    assert first.status_code == 302, first.content
    assert "/information/track/" in first["Location"]
    # The answer was lost: the browser posts the same form again.
    again = browser.post(url, request_data(**hidden))
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert InformationRequest.objects.count() == 1
    # The follow-up page says that nothing was sent twice.
    page = browser.client.get(again["Location"])
    assert page.status_code == 200
    assert any(level == levels.INFO for level, _text in _messages(page))
    # And the replay is not cached anywhere.
    assert "no-store" in again["Cache-Control"] or "no-cache" in again["Cache-Control"]


def test_a_form_changed_and_sent_again_is_another_request(open_a: Collectivity) -> None:
    """Two tabs drawn with the same key, or a correction after "back": another
    submission, never lost in a replay of the first one."""
    browser = Browser()
    url = REQUEST_FORM.format(lang="ar")
    hidden = browser.hidden(url)
    first = browser.post(url, request_data(**hidden))
    changed = browser.post(url, request_data(subject="موضوع آخر", **hidden))
    assert changed.status_code == 302 and changed["Location"] != first["Location"]
    # And each is answered again to its own retry.
    assert browser.post(url, request_data(**hidden))["Location"] == first["Location"]
    again = browser.post(url, request_data(subject="موضوع آخر", **hidden))
    assert again["Location"] == changed["Location"]
    assert sorted(InformationRequest.objects.values_list("subject", flat=True)) == sorted(
        ["ميزانية الجماعة 2026", "موضوع آخر"]
    )


def test_the_same_text_sent_again_on_purpose_is_a_new_request(open_a: Collectivity) -> None:
    """After an accepted form the browser has a new seed: the same text, in a form drawn
    afterwards, is a new request."""
    browser = Browser()
    url = REQUEST_FORM.format(lang="ar")
    one = browser.post(url, request_data(**browser.hidden(url)))
    two = browser.post(url, request_data(**browser.hidden(url)))
    assert one.status_code == two.status_code == 302
    assert one["Location"] != two["Location"]
    assert InformationRequest.objects.count() == 2


def test_a_refused_form_keeps_what_was_typed_and_the_key_stays_usable(
    open_a: Collectivity,
) -> None:
    browser = Browser()
    url = REQUEST_FORM.format(lang="ar")
    hidden = browser.hidden(url)
    refused = browser.post(url, request_data(email="not-an-address", **hidden))
    assert refused.status_code == 400
    html = refused.content.decode()
    # Everything typed is there again, to correct and send.
    for value in ("Fatima", "Zahra", "not-an-address", "ميزانية الجماعة 2026"):
        assert value in html
    assert "أطلب نسخة من ميزانية الجماعة" in html
    # With the same key: nothing was kept under it.
    assert forms_of(refused)[-1][1][FIELD] == hidden[FIELD]
    assert InformationRequest.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    # The first key kept nothing: sent again corrected, it files the request.
    sent = browser.post(url, request_data(**hidden))
    assert sent.status_code == 302
    assert InformationRequest.objects.count() == 1


@pytest.mark.parametrize(
    "key",
    ["", " ", "é" * 10, "x" * 256, "a\tb", "\x00"],
    ids=["empty", "blank", "not-ascii", "too-long", "tab", "nul"],
)
def test_a_tampered_key_is_handled_as_no_key_never_a_500(open_a: Collectivity, key: str) -> None:
    browser = Browser()
    url = REQUEST_FORM.format(lang="fr")
    hidden = browser.hidden(url)
    hidden[FIELD] = key
    for _ in range(2):
        assert browser.post(url, request_data(**hidden)).status_code == 302
    assert InformationRequest.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_without_a_key_each_post_files_a_request(open_a: Collectivity) -> None:
    browser = Browser()
    url = REQUEST_FORM.format(lang="ar")
    hidden = browser.hidden(url)
    del hidden[FIELD]
    assert browser.post(url, request_data(**hidden)).status_code == 302
    assert browser.post(url, request_data(**hidden)).status_code == 302
    assert InformationRequest.objects.count() == 2


def test_a_key_is_the_browsers_own(open_a: Collectivity) -> None:
    """Another browser sending the same key (it read it somewhere) gets its own
    request, never the first browser's tracking link."""
    url = REQUEST_FORM.format(lang="ar")
    alice, mallory = Browser(), Browser()
    hidden = alice.hidden(url)
    first = alice.post(url, request_data(**hidden))
    theirs = mallory.hidden(url)
    other = mallory.post(url, request_data(**{**theirs, FIELD: hidden[FIELD]}))
    assert other.status_code == 302 and other["Location"] != first["Location"]
    assert InformationRequest.objects.count() == 2


def test_a_key_is_remembered_for_a_day(open_a: Collectivity) -> None:
    browser = Browser()
    url = REQUEST_FORM.format(lang="ar")
    hidden = browser.hidden(url)
    first = browser.post(url, request_data(**hidden))
    with time_machine.travel(MONDAY + dt.timedelta(hours=23)):
        assert browser.post(url, request_data(**hidden))["Location"] == first["Location"]
    assert InformationRequest.objects.count() == 1
    with time_machine.travel(MONDAY + dt.timedelta(hours=25)):
        assert browser.post(url, request_data(**hidden))["Location"] != first["Location"]
    assert InformationRequest.objects.count() == 2


# ------------------------------------------------------------------ complaint (multipart)


def test_a_complaint_sent_twice_is_received_once(open_a: Collectivity) -> None:
    browser = Browser()
    url = COMPLAINT_FORM.format(lang="ar")
    hidden = browser.hidden(url)
    first = browser.post(url, complaint_data(**hidden))
    assert first.status_code == 302, first.content
    again = browser.post(url, complaint_data(**hidden))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Complaint.objects.count() == 1
    # A new form (drawn again) is a new complaint.
    other = browser.post(url, complaint_data(**browser.hidden(url)))
    assert other["Location"] != first["Location"]
    assert Complaint.objects.count() == 2


def test_a_complaint_with_a_tampered_key_is_a_new_complaint(open_a: Collectivity) -> None:
    browser = Browser()
    url = COMPLAINT_FORM.format(lang="fr")
    hidden = {**browser.hidden(url), FIELD: "ف" * 40}
    assert browser.post(url, complaint_data(**hidden)).status_code == 302
    assert browser.post(url, complaint_data(**hidden)).status_code == 302
    assert Complaint.objects.count() == 2


# ------------------------------------------------------------------ petition signature


@pytest.fixture
def petition_a(open_a: Collectivity) -> Petition:
    PetitionSettings.objects.create(
        collectivity=open_a, threshold_override=2, threshold_basis="test council page"
    )
    petition, _token = petitions.petition_draft(
        collectivity=open_a, data=petition_input(), language="fr"
    )
    return petitions.petition_confirm_agent(petition=petition)


def sign_data(n: int, hidden: dict[str, str]) -> dict[str, Any]:
    return {
        "full_name": f"Signataire {n}",
        "cin": f"CD{n:06d}",
        "residence": "commune-a",
        "interest": "resident",
        "electoral_declaration": "on",
        "email": f"signer{n}@example.test",
        **hidden,
    }


def test_a_signature_sent_twice_is_one_signature_not_already_signed(
    petition_a: Petition,
) -> None:
    browser = Browser()
    page = f"/ar/c/commune-a/petitions/{petition_a.pk}/"
    hidden = browser.hidden(page, "/sign/")
    first = browser.post(page + "sign/", sign_data(1, hidden))
    assert first.status_code == 302 and first["Location"].endswith("/sent/")
    # Before: a second post was "already signed" (409), the citizen lost their way.
    again = browser.post(page + "sign/", sign_data(1, hidden))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Signature.objects.filter(petition=petition_a).count() == 1
    # Another form, another person: another signature.
    other = browser.post(page + "sign/", sign_data(2, browser.hidden(page, "/sign/")))
    assert other.status_code == 302
    assert Signature.objects.filter(petition=petition_a).count() == 2


# ------------------------------------------------------------------ consultation comment


@pytest.fixture
def focal(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def amina(open_a: Collectivity) -> Participant:
    return make_participant(email="amina@example.test", commune=open_a)


def _signed_in(participant: Participant) -> Browser:
    browser = Browser()
    login_participant(browser.client, participant)
    return browser


def test_a_comment_sent_twice_is_posted_once_and_replies_are_distinct(
    open_a: Collectivity, focal: User, amina: Participant
) -> None:
    consultation = consultations.consultation_create(
        collectivity=open_a,
        actor=focal,
        data=consultation_input(
            opens_at=MONDAY - dt.timedelta(days=1),
            closes_at=MONDAY + dt.timedelta(days=10),
            moderation="post",
        ),
    )
    for order in (1, 2):
        consultations.section_save(
            consultation=consultation,
            actor=focal,
            order=order,
            title_ar=f"الباب {order}",
            title_fr=f"Section {order}",
            body_ar="نص",
            body_fr="Texte",
        )
    first_section, second_section = Section.objects.filter(consultation=consultation).order_by(
        "order"
    )
    browser = _signed_in(amina)
    page = f"/ar/c/commune-a/consultations/{consultation.pk}/"
    base = f"{page}sections/"
    url = f"{base}{first_section.pk}/comment/"
    hidden = browser.hidden(page, f"/sections/{first_section.pk}/comment/")
    first = browser.post(url, {"text": "تعليقي على الباب الأول", **hidden})
    assert first.status_code == 302
    again = browser.post(url, {"text": "تعليقي على الباب الأول", **hidden})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Comment.objects.count() == 1
    # The other forms of the page: a comment on the second section, and a reply to the
    # first comment, are new comments.
    forms = [
        fields
        for action, fields in forms_of(browser.client.get(page))
        if action.endswith("/comment/")
    ]
    assert len(forms) >= 3
    second = browser.post(
        f"{base}{second_section.pk}/comment/",
        {
            "text": "تعليق على الباب الثاني",
            **browser.hidden(page, f"/{second_section.pk}/comment/"),
        },
    )
    assert second.status_code == 302
    reply_form = next(fields for fields in forms if fields.get("parent"))
    reply = browser.post(url, {"text": "رد على تعليقي", **reply_form})
    assert reply.status_code == 302
    assert Comment.objects.count() == 3


def test_a_comment_sent_before_joining_keeps_no_result(
    open_a: Collectivity, focal: User, amina: Participant
) -> None:
    """Without a participant the view sends the visitor to join: that is not the
    form's result, so the same key works once they have joined."""
    consultation = consultations.consultation_create(
        collectivity=open_a,
        actor=focal,
        data=consultation_input(
            opens_at=MONDAY - dt.timedelta(days=1),
            closes_at=MONDAY + dt.timedelta(days=10),
            moderation="post",
        ),
    )
    consultations.section_save(
        consultation=consultation,
        actor=focal,
        order=1,
        title_ar="الباب",
        title_fr="Section",
        body_ar="نص",
        body_fr="Texte",
    )
    section = Section.objects.get(consultation=consultation)
    browser = _signed_in(amina)
    page = f"/ar/c/commune-a/consultations/{consultation.pk}/"
    hidden = browser.hidden(page, f"/sections/{section.pk}/comment/")
    url = f"{page}sections/{section.pk}/comment/"
    session = browser.client.session
    del session[SESSION_KEY]  # signed out meanwhile (another tab)
    session.save()
    sent_away = browser.post(url, {"text": "تعليق", **hidden})
    assert sent_away.status_code == 302 and "/participation/join/" in sent_away["Location"]
    assert Comment.objects.count() == 0
    login_participant(browser.client, amina)
    posted = browser.post(url, {"text": "تعليق", **hidden})
    assert posted.status_code == 302 and "/participation/join/" not in posted["Location"]
    assert Comment.objects.count() == 1


# ------------------------------------------------------------------ survey answer


def test_answers_sent_twice_are_recorded_once(
    open_a: Collectivity, focal: User, amina: Participant
) -> None:
    now = timezone.now()
    survey: Survey = surveys.survey_save(
        collectivity=open_a,
        actor=focal,
        data=SurveyInput(
            title_ar="استطلاع الحي",
            title_fr="Sondage du quartier",
            description_ar="وصف",
            description_fr="Description",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            show_results_while_open=False,
        ),
    )
    surveys.question_save(
        survey=survey,
        actor=focal,
        data=QuestionInput(kind=Kind.SCALE_5, text_ar="الرضا", text_fr="Satisfaction", order=1),
    )
    survey = surveys.survey_publish(survey=survey, actor=focal)
    question = survey.questions.get()
    browser = _signed_in(amina)
    page = f"/fr/c/commune-a/surveys/{survey.pk}/"
    hidden = browser.hidden(page, "/respond/")
    data = {f"q{question.pk}": "4", **hidden}
    first = browser.post(page + "respond/", data)
    assert first.status_code == 302 and first["Location"].endswith(page)
    # Before: "already answered" (409). Now: the first result again.
    again = browser.post(page + "respond/", data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert "no-store" in again["Cache-Control"]
