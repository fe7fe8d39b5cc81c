"""The background task worker (django-tasks-db's `db_worker`), surviving a lost database.

`db_worker` stops when a query fails on a connection the server has dropped (restart,
failover, `pg_terminate_backend`): its loop re-raises every OperationalError but "database
is locked". This command runs the same worker, with the same options, and on a lost
connection (OperationalError or InterfaceError) closes it, waits (1 s, doubling up to
30 s while the database stays away), puts the tasks this worker had claimed and not
finished back in the queue (tasks are idempotent: docs/operations.md) and goes on.

`manage.py serve` runs it; it still stops on SIGTERM/SIGINT as `db_worker` does (after
the task in progress).
"""

from __future__ import annotations

import logging
import time
from argparse import ArgumentParser
from contextlib import suppress
from typing import Any

from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.translation import gettext as _

logger = logging.getLogger("infitah.task_worker")

RECONNECT_MIN_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0
# A worker that ran this long since its last reconnection starts again from the minimum.
STABLE_SECONDS = 60.0


class ReconnectingWorker(Worker):  # type: ignore[misc]  # the base is untyped
    """db_worker's Worker, whose loop is resumed after a lost database connection."""

    def run(self) -> None:
        delay = RECONNECT_MIN_SECONDS
        interrupted = False
        while True:
            started = time.monotonic()
            try:
                if interrupted:
                    self._requeue_interrupted()
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    raise
                if time.monotonic() - started >= STABLE_SECONDS:
                    delay = RECONNECT_MIN_SECONDS
                logger.warning(
                    "task worker: database connection lost (%s); reconnecting in %.0f s",
                    str(exc).strip() or type(exc).__name__,
                    delay,
                )
                for connection in connections.all(initialized_only=True):
                    with suppress(DatabaseError):
                        connection.close()
                interrupted = True
                # SIGTERM during this sleep stops the worker at once (db_worker's handler).
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _requeue_interrupted(self) -> None:
        """Put back in the queue the tasks this worker claimed and could not record as
        finished: the connection was lost while they ran or while their outcome was saved.
        """
        running = DBTaskResult.objects.running().filter(backend_name=self.backend_name)
        mine = [
            pk
            for pk, worker_ids in running.values_list("pk", "worker_ids")
            if worker_ids and worker_ids[-1] == self.worker_id
        ]
        if mine:
            count = running.filter(pk__in=mine).update(status=TaskResultStatus.READY)
            logger.warning("task worker: %d interrupted task(s) queued again", count)


class Command(DbWorkerCommand):  # type: ignore[misc]  # the base is untyped
    help = (
        "Run the background task worker (db_worker), reconnecting after a lost database "
        "connection instead of stopping."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reload"]:
            raise CommandError(_("--reload is not supported here: use manage.py db_worker."))
        if options["exclude_queues"] and "*" not in options["queue_name"].split(","):
            raise CommandError(_("--exclude-queues can only be used with --queue-name='*'."))
        self.configure_logging(options["verbosity"])
        worker = ReconnectingWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=(
                options["exclude_queues"].split(",") if options["exclude_queues"] else []
            ),
        )
        worker.configure_signals()
        worker.run()
