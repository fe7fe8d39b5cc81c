"""The public account of a collectivity's complaints, and the anonymised list of answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.utils import translation

from infitah.accounts.models import User
from infitah.complaints import selectors, services
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import Submit
from infitah.complaints.workflow import Outcome, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
CONTACT_FIELDS = {"name", "email", "phone", "description", "address", "latitude", "longitude"}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def history(
    submit: Submit,
    officer_a: User,
    lighting: Category,
    roads: Category,
    clock: time_machine.Traveller,
) -> dict[str, Complaint]:
    """Five complaints to A, all submitted on Monday 2 March 2026:

    - `quick`: a complaint (lighting) acknowledged on day 3, answered on day 20, rated 5;
    - `slow`: an observation (roads) acknowledged on day 20 (late), answered on day 70
      (late), rated 2;
    - `reopened`: a suggestion (no category) answered on day 10, reopened on day 12 and
      answered again on day 17 (5 days after the reopening);
    - `waiting`: a complaint (lighting) received and not yet acknowledged;
    - `unconfirmed`: never confirmed, so never received: not counted.
    """
    made = {
        "quick": submit(category=lighting.pk, email="quick@example.test"),
        "slow": submit(kind="observation", category=roads.pk, email="slow@example.test"),
        "reopened": submit(kind="suggestion", email="reopened@example.test"),
        "waiting": submit(category=lighting.pk, email="waiting@example.test"),
        "unconfirmed": submit(confirm=False, email="unconfirmed@example.test"),
    }

    def on(day: int) -> None:
        clock.move_to(MONDAY + dt.timedelta(days=day))

    def answer(name: str, outcome: str, text: str, *, publish: bool = True) -> None:
        services.complaint_answer(
            complaint=made[name],
            actor=officer_a,
            outcome=outcome,
            text=text,
            competent_body="المديرية الإقليمية للتجهيز" if outcome == Outcome.NOT_COMPETENT else "",
            publish=publish,
        )

    on(3)
    services.complaint_acknowledge(complaint=made["quick"], actor=officer_a)
    on(10)
    answer("reopened", Outcome.NEGATIVE, "لا يمكن الآن")
    on(12)
    services.complaint_reopen(complaint=made["reopened"], text="الاقتراح لم يُدرس")
    on(17)
    answer("reopened", Outcome.POSITIVE, "سيُدرج الاقتراح في برنامج العمل")
    on(20)
    answer("quick", Outcome.POSITIVE, "تم إصلاح الإنارة في الزنقة")
    services.complaint_rate(complaint=made["quick"], satisfaction=5)
    services.complaint_acknowledge(complaint=made["slow"], actor=officer_a)
    on(70)
    answer("slow", Outcome.NOT_COMPETENT, "الطريق من اختصاص جهة أخرى", publish=False)
    made["slow"].refresh_from_db()
    services.complaint_rate(complaint=made["slow"], satisfaction=2)
    for complaint in made.values():
        complaint.refresh_from_db()
    return made


def test_statistics(history: dict[str, Complaint], collectivity_a: Collectivity) -> None:
    assert history["slow"].is_acknowledged_late and history["slow"].is_answered_late
    assert history["reopened"].answer_days == 5
    stats = selectors.statistics(collectivity=collectivity_a)
    assert stats.received == 4
    assert dict(stats.by_kind) == {"complaint": 2, "observation": 1, "suggestion": 1}
    assert dict(stats.by_category) == {"الإنارة العمومية": 2, "الطرق": 1, "": 1}
    assert (stats.acknowledged, stats.acknowledged_on_time) == (3, 2)
    assert (stats.answered, stats.answered_on_time) == (3, 2)
    assert stats.median_days == 20
    assert (stats.rated, stats.satisfaction_average, stats.satisfied) == (2, 3.5, 1)
    assert stats.reopened == 1
    assert dict(stats.outcomes) == {"positive": 2, "not_competent": 1}


def test_statistics_name_categories_in_the_active_language(
    history: dict[str, Complaint], collectivity_a: Collectivity
) -> None:
    with translation.override("fr"):
        stats = selectors.statistics(collectivity=collectivity_a)
    assert dict(stats.by_category)["Éclairage public"] == 2


def test_statistics_of_a_collectivity_without_complaints(collectivity_b: Collectivity) -> None:
    stats = selectors.statistics(collectivity=collectivity_b)
    assert stats.received == 0
    assert stats.median_days is None and stats.satisfaction_average is None


def test_published_answers_are_anonymised_and_chosen(
    history: dict[str, Complaint],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    submit: Submit,
    charlie: User,
) -> None:
    published = list(selectors.published_answers(collectivity=collectivity_a))
    # `slow` was answered without publication; `waiting` is not answered.
    assert {c.pk for c in published} == {history["quick"].pk, history["reopened"].pk}
    for complaint in published:
        assert complaint.get_deferred_fields() >= CONTACT_FIELDS
        assert complaint.answer_text
    # A collectivity that chose not to publish shows nothing, whatever the answers say.
    ComplaintSettings.objects.create(collectivity=collectivity_b, publish_answered=False)
    other = submit(collectivity=collectivity_b)
    # Answered by B's own staff: the engine refuses a step to another collectivity's.
    services.complaint_answer(
        complaint=other, actor=charlie, outcome=Outcome.POSITIVE, text="تم", publish=True
    )
    assert list(selectors.published_answers(collectivity=collectivity_b)) == []
    ComplaintSettings.objects.filter(collectivity=collectivity_a).update(publish_answered=False)
    assert list(selectors.published_answers(collectivity=collectivity_a)) == []


def test_a_reopened_complaint_leaves_the_published_list_until_answered_again(
    submit: Submit, officer_a: User, collectivity_a: Collectivity
) -> None:
    complaint = submit()
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome=Outcome.POSITIVE, text="تم", publish=True
    )
    assert [c.pk for c in selectors.published_answers(collectivity=collectivity_a)] == [
        complaint.pk
    ]
    services.complaint_reopen(complaint=complaint, text="لا")
    assert list(selectors.published_answers(collectivity=collectivity_a)) == []
    # Answered again, then closed: listed again.
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome=Outcome.POSITIVE, text="تم", publish=True
    )
    services.complaint_close(complaint=complaint, actor=officer_a)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert [c.pk for c in selectors.published_answers(collectivity=collectivity_a)] == [
        complaint.pk
    ]


def test_the_default_settings_publish_too(collectivity_b: Collectivity, charlie: User) -> None:
    complaint, _token = services.complaint_submit(
        collectivity=collectivity_b,
        data=services.ComplaintInput(
            kind="complaint", description="حفرة", name="Omar", phone="0612345678"
        ),
    )
    assert services.complaint_settings_get(collectivity_b).publish_answered is True
    # Answered by B's own staff: the engine refuses a step to another collectivity's.
    services.complaint_answer(
        complaint=complaint, actor=charlie, outcome=Outcome.POSITIVE, text="تم", publish=True
    )
    assert [c.pk for c in selectors.published_answers(collectivity=collectivity_b)] == [
        complaint.pk
    ]
