import datetime as dt

import pytest

from django.core.management import call_command

from infitah.deadlines.services import deadline_open


@pytest.mark.django_db
def test_tick_runs_the_sweeps_and_can_run_twice(collectivity_a, citizen, capsys) -> None:
    deadline_open(
        collectivity=collectivity_a,
        subject=citizen,
        limit_code="ati.answer",
        start=dt.date(2020, 1, 6),
        label="old",
        process="test",
    )
    call_command("tick")
    call_command("tick")
    out = capsys.readouterr().out
    assert out.count("'overdue': 1") == 2
