"""Likely duplicates (same category, nearby place, similar words through the search
analyzer), and merging: every citizen is told of the one answer."""

from __future__ import annotations

import pytest

from infitah.accounts.models import User
from infitah.complaints import selectors, services
from infitah.complaints.models import Category, Complaint
from infitah.complaints.tests.conftest import Submit
from infitah.complaints.workflow import Outcome, Status
from infitah.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

# Rue des Roses, Aït Melloul; "near" is about 100 m away, "far" about 5 km.
HERE = {"latitude": "30.336400", "longitude": "-9.498600"}
NEAR = {"latitude": "30.337200", "longitude": "-9.498100"}
FAR = {"latitude": "30.380000", "longitude": "-9.480000"}

AR_FIRST = "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا."
AR_SIMILAR = "انقطاع الإنارة العمومية بزنقة الورود، الشارع مظلم كل ليلة."
FR_FIRST = "Éclairage public en panne rue des Roses : les lampadaires sont éteints la nuit."
FR_SIMILAR = (
    "Les lampadaires de la rue des Roses restent éteints, éclairage en panne depuis deux semaines."
)
UNRELATED = "Trou dangereux dans la chaussée devant l'école primaire, un enfant est tombé."
ANSWER = "تم إصلاح أعمدة الإنارة في زنقة الورود يوم 10 مارس."


def _found(complaint: Complaint) -> list[int]:
    return [d.complaint.pk for d in selectors.duplicate_list(complaint=complaint)]


@pytest.mark.parametrize(("first", "similar"), [(AR_FIRST, AR_SIMILAR), (FR_FIRST, FR_SIMILAR)])
def test_a_similar_nearby_complaint_of_the_category_is_found(
    submit: Submit, lighting: Category, first: str, similar: str
) -> None:
    one = submit(description=first, category=lighting.pk, **HERE)
    other = submit(description=similar, category=lighting.pk, email="omar@example.test", **NEAR)
    found = selectors.duplicate_list(complaint=other)
    assert [d.complaint.pk for d in found] == [one.pk]
    assert found[0].distance is not None and found[0].distance < 300
    assert found[0].score >= selectors.DUPLICATE_MIN_SCORE
    assert _found(one) == [other.pk]


def test_the_same_address_counts_as_nearby(submit: Submit, lighting: Category) -> None:
    one = submit(description=AR_FIRST, category=lighting.pk, address="زنقة الورود")
    other = submit(description=AR_SIMILAR, category=lighting.pk, address="زنقة الورود")
    assert _found(other) == [one.pk]


def test_a_different_complaint_is_not_found(
    submit: Submit, lighting: Category, roads: Category
) -> None:
    one = submit(description=AR_FIRST, category=lighting.pk, **HERE)
    other_category = submit(description=AR_SIMILAR, category=roads.pk, **NEAR)
    far_away = submit(description=AR_SIMILAR, category=lighting.pk, **FAR)
    unrelated = submit(description=UNRELATED, category=lighting.pk, address="")
    assert _found(other_category) == []
    assert _found(far_away) == []
    assert _found(unrelated) == []
    assert _found(one) == []


def test_unconfirmed_merged_and_closed_complaints_are_not_offered(
    submit: Submit, lighting: Category, officer_a: User
) -> None:
    unconfirmed = submit(confirm=False, description=AR_FIRST, category=lighting.pk, **HERE)
    kept = submit(description=AR_FIRST, category=lighting.pk, **HERE)
    merged = submit(description=AR_FIRST, category=lighting.pk, **HERE)
    services.complaint_merge(complaint=merged, actor=officer_a, into=kept)
    new = submit(description=AR_SIMILAR, category=lighting.pk, **NEAR)
    assert _found(new) == [kept.pk]
    assert unconfirmed.pk not in _found(new)


def _emails(to: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=to).order_by("pk"))


def test_merging_tells_every_citizen_of_the_one_answer(
    submit: Submit, lighting: Category, officer_a: User
) -> None:
    kept = submit(description=AR_FIRST, category=lighting.pk, email="amina@example.test", **HERE)
    duplicate = submit(
        description=AR_SIMILAR, category=lighting.pk, email="omar@example.test", **NEAR
    )
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    told = _emails("omar@example.test")[-1]
    assert kept.reference in told.body and duplicate.reference in told.subject
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.POSITIVE, text=ANSWER
    )
    # The citizen of the kept complaint is told it is answered; the other gets the text.
    assert kept.reference in _emails("amina@example.test")[-1].subject
    told = _emails("omar@example.test")[-1]
    assert duplicate.reference in told.subject and kept.reference in told.body
    assert ANSWER in told.body
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED


def test_merging_into_an_answered_complaint_tells_the_answer_at_once(
    submit: Submit, officer_a: User
) -> None:
    kept = submit()
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.POSITIVE, text=ANSWER
    )
    duplicate = submit(email="omar@example.test")
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    assert ANSWER in _emails("omar@example.test")[-1].body


def test_merging_a_complaint_that_others_were_merged_into_keeps_them_informed(
    submit: Submit, officer_a: User
) -> None:
    first = submit(email="first@example.test")
    second = submit(email="second@example.test")
    third = submit(email="third@example.test")
    services.complaint_merge(complaint=first, actor=officer_a, into=second)
    services.complaint_merge(complaint=second, actor=officer_a, into=third)
    services.complaint_answer(
        complaint=third, actor=officer_a, outcome=Outcome.POSITIVE, text=ANSWER
    )
    assert ANSWER in _emails("second@example.test")[-1].body
    assert ANSWER in _emails("first@example.test")[-1].body


def test_the_answer_after_a_reopening_reaches_the_merged_citizens_too(
    submit: Submit, officer_a: User
) -> None:
    kept = submit()
    duplicate = submit(email="omar@example.test")
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.NEGATIVE, text="لا يمكن الآن"
    )
    services.complaint_reopen(complaint=kept, text="ما زال الشارع مظلما")
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.POSITIVE, text=ANSWER
    )
    assert ANSWER in _emails("omar@example.test")[-1].body
