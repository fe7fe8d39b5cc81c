"""E-mail goes through the task queue, once per key, whatever the number of runs."""

import pytest

from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.services import email_queue, email_retry_failed
from infitah.notifications.tasks import email_deliver

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_same_key_is_queued_and_sent_once() -> None:
    email, created = email_queue(key="x:1", to="a@example.test", subject="S", body="B")
    assert created
    again, created_again = email_queue(key="x:1", to="a@example.test", subject="S", body="B")
    assert not created_again and again.pk == email.pk
    assert len(mail.outbox) == 1  # immediate backend in tests
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 1
    assert email_deliver.call(email.pk) == "skipped"  # a re-run sends nothing
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_database_backend_and_worker_deliver() -> None:
    from django_tasks_db.models import DBTaskResult

    email_queue(key="x:2", to="b@example.test", subject="Hello", body="Body")
    assert mail.outbox == []  # nothing leaves before the worker runs
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    assert [m.to for m in mail.outbox] == [["b@example.test"]]
    assert OutboundEmail.objects.get(key="x:2").status == EmailStatus.SENT
    email_deliver.enqueue(OutboundEmail.objects.get(key="x:2").pk)  # a duplicate task
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="infitah.notifications.tests.failing.FailingBackend")
def test_failed_delivery_is_kept_and_retried() -> None:
    email_queue(key="x:3", to="c@example.test", subject="S", body="B")
    email = OutboundEmail.objects.get(key="x:3")
    assert email.status == EmailStatus.FAILED and "down" in email.last_error
    assert email.next_attempt_at is not None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert email_retry_failed(now=email.next_attempt_at) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
