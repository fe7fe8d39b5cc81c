"""The task worker survives a lost database connection (`manage.py task_worker`).

django-tasks' `db_worker` stopped on the first query that failed on a connection the
server had dropped (`pg_terminate_backend`, a restart, a failover), and `serve` then
stopped the whole site. `task_worker` reconnects, queues again the task it could not
record as finished, and goes on.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.conf import settings

from tests.serving import nap, on_postgresql, production_env, terminate_backends, wait_for


def _status(result_id: str) -> str:
    return str(DBTaskResult.objects.get(pk=result_id).status)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_connection_lost_during_a_task_does_not_stop_the_worker(tmp_path) -> None:
    backend: Any = DatabaseBackend(alias="default", params={})
    first = backend.enqueue(nap, [3], {})
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "task_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
            ],
            cwd=settings.BASE_DIR,
            env=production_env(tmp_path / "var"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: _status(first.id) == TaskResultStatus.RUNNING, 60, "the task started")
        # While the task sleeps, its connection is cut: recording its outcome fails.
        assert terminate_backends() >= 1
        wait_for(
            lambda: _status(first.id) == TaskResultStatus.SUCCESSFUL or worker.poll() is not None,
            60,
            "the task run again to its end",
        )
        assert worker.poll() is None, log.read_text()
        assert _status(first.id) == TaskResultStatus.SUCCESSFUL
        assert "database connection lost" in log.read_text()
        # and the worker goes on with the next task
        second = backend.enqueue(nap, [0], {})
        wait_for(lambda: _status(second.id) == TaskResultStatus.SUCCESSFUL, 30, "the next task")
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    assert code == 0, log.read_text()
