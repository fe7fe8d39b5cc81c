"""Routing: which statement a participant is shown next (selectors.statement_next)."""

from __future__ import annotations

import pytest

from infitah.accounts.models import User
from infitah.participation.labs import selectors, services
from infitah.participation.labs.models import Lab, Statement
from infitah.participation.labs.tests.conftest import Voters
from infitah.participation.models import Participant

pytestmark = pytest.mark.django_db


def _vote(lab: Lab, who: Participant, statement: Statement, value: int = 1) -> None:
    services.vote_cast(lab=lab, participant=who, statement_id=statement.pk, value=value)


def test_the_statement_with_the_fewest_votes_comes_first(
    lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    others = voters(3)
    me = voters(1)[0]
    # Every statement but the 7th has votes from others: the 7th has none.
    for i, statement in enumerate(statements):
        if i == 6:
            continue
        for who in others[: 1 + i % 3]:
            _vote(lab, who, statement)
    chosen = selectors.statement_next(lab=lab, participant=me)
    assert chosen == statements[6]
    # Once the 7th has a vote, the next comes from those with one vote (indices 0, 3, 9…).
    _vote(lab, me, statements[6])
    chosen = selectors.statement_next(lab=lab, participant=me)
    assert chosen in {statements[0], statements[3], statements[9]}


def test_ties_are_broken_by_the_documented_hash_and_stay_put(
    lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    a, _b = voters(2)
    expected = min(
        statements,
        key=lambda s: selectors.routing_key(seed=lab.seed, participant_id=a.pk, statement_id=s.pk),
    )
    assert selectors.statement_next(lab=lab, participant=a) == expected
    assert selectors.statement_next(lab=lab, participant=a) == expected  # page reload


def test_participants_walk_tied_statements_in_different_orders(
    lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    people = voters(8)
    firsts = {selectors.statement_next(lab=lab, participant=p) for p in people}
    assert len(firsts) > 1  # votes spread over the statements


def test_a_participant_never_gets_a_statement_twice_and_ends_with_none(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    seen = []
    while (statement := selectors.statement_next(lab=lab, participant=participant)) is not None:
        assert statement not in seen
        seen.append(statement)
        _vote(lab, participant, statement, value=0)
    assert sorted(s.pk for s in seen) == sorted(s.pk for s in statements)
    progress = selectors.participant_progress(lab=lab, participant=participant)
    assert (progress.voted, progress.total, progress.remaining) == (10, 10, 0)


def test_pending_and_rejected_statements_are_never_routed(
    lab: Lab, participant: Participant, focal_point: User, voters: Voters
) -> None:
    author = voters(1)[0]
    pending = services.statement_submit(lab=lab, participant=author, text="معلقة")
    rejected = services.statement_submit(lab=lab, participant=author, text="مرفوضة")
    services.statement_moderate(statement=rejected, actor=focal_point, approve=False, reason="لا")
    assert selectors.statement_next(lab=lab, participant=participant) is None
    services.statement_moderate(statement=pending, actor=focal_point, approve=True)
    assert selectors.statement_next(lab=lab, participant=participant) == pending


def test_routing_is_one_query(
    lab: Lab,
    statements: list[Statement],
    participant: Participant,
    django_assert_num_queries: object,
) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        selectors.statement_next(lab=lab, participant=participant)
