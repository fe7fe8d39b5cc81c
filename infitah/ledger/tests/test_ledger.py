"""The case history is append-only: the ORM refuses, and PostgreSQL refuses raw SQL too."""

import pytest

from django.db import DatabaseError, connection, transaction

from infitah.ledger.models import AppendOnlyError, Event
from infitah.ledger.selectors import event_list
from infitah.ledger.services import event_record


@pytest.mark.django_db
def test_record_and_read_history(collectivity_a, staff_a) -> None:
    event_record(
        obj=collectivity_a,
        action="test.opened",
        actor=staff_a,
        collectivity=collectivity_a,
        to_state="open",
    )
    event_record(
        obj=collectivity_a,
        action="test.closed",
        process="tick",
        collectivity=collectivity_a,
        from_state="open",
        to_state="closed",
        note="done",
    )
    history = list(event_list(obj=collectivity_a))
    assert [(e.action, e.from_state, e.to_state) for e in history] == [
        ("test.opened", "", "open"),
        ("test.closed", "open", "closed"),
    ]
    assert history[0].actor == staff_a and history[1].process == "tick"
    assert history[0].object_type == "territories.collectivity"


@pytest.mark.django_db
def test_an_event_needs_an_actor_or_a_process(collectivity_a) -> None:
    with pytest.raises(ValueError):
        event_record(obj=collectivity_a, action="x")


@pytest.mark.django_db
def test_orm_never_updates_nor_deletes(collectivity_a) -> None:
    event = event_record(obj=collectivity_a, action="x", process="test")
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_raw_update_and_delete(collectivity_a) -> None:
    event = event_record(obj=collectivity_a, action="x", process="test")
    for sql in (
        "UPDATE ledger_event SET note = 'x' WHERE id = %s",
        "DELETE FROM ledger_event WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert Event.objects.filter(pk=event.pk, note="").exists()
