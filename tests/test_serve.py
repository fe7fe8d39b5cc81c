"""`manage.py serve` supervises the site's processes (docs/operations.md).

A stopped child (the task worker, the tick, gunicorn itself) is started again and the
site stays up; the periodic sweeps run beside the web server; links in e-mails use the
address serve listens on when INFITAH_SITE_URL is not set; SIGTERM stops everything
(checked by `serve()` on exit).
"""

from __future__ import annotations

import os
import re
import signal
import socket

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from infitah.complaints.models import Complaint
from infitah.core.management.commands.serve import site_url_for_bind
from infitah.notifications.models import EmailStatus, OutboundEmail
from tests.serving import (
    alive,
    complaint_body,
    free_port,
    on_postgresql,
    process_children,
    serve,
    site_open,
    wait_for,
)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_serve_restarts_a_stopped_child_and_the_site_stays_up(collectivity_a, tmp_path) -> None:
    site = site_open(collectivity_a)
    with serve(tmp_path, "--workers", "1", "--tick-every", "1") as served:
        # The periodic sweeps run beside the web server (here every second).
        wait_for(lambda: served.output().count("deadlines: ") >= 2, 30, "two rounds of tick")

        # INFITAH_SITE_URL is not set: links in e-mails use the bound address.
        reply = served.request("POST", site.complaints_url, complaint_body("site-url"))
        assert reply.status == 202, reply.body
        assert reply.json()["tracking_url"].startswith(f"http://127.0.0.1:{served.port}/")

        for marker in ("task_worker", "tick --every"):
            old = served.child(marker)
            assert old is not None, served.output()[-3000:]
            os.kill(old, signal.SIGKILL)

            def replaced(marker: str = marker, old: int = old) -> bool:
                return served.child(marker) not in {None, old}

            wait_for(replaced, 15, f"{marker} restarted")
        # The restarted worker does its job: the e-mail of the next complaint is sent.
        reply = served.request("POST", site.complaints_url, complaint_body("after-restart"))
        assert reply.status == 202, reply.body
        wait_for(
            OutboundEmail.objects.filter(
                to="after-restart@example.test", status=EmailStatus.SENT
            ).exists,
            30,
            "the e-mail sent by the restarted worker",
        )

        # gunicorn's master killed: its orphaned workers are stopped (they would keep the
        # port and serve unsupervised), a new gunicorn takes over.
        master = served.child("gunicorn")
        orphans = served.web_workers()
        assert master is not None and orphans
        os.kill(master, signal.SIGKILL)
        wait_for(lambda: not any(alive(pid) for pid in orphans), 15, "the old workers stopped")
        wait_for(
            lambda: (
                served.child("gunicorn") not in {None, master}
                and served.web_workers()
                and served.request("GET", "/healthz", timeout=2).status == 200
            ),
            45,
            "a new gunicorn answering",
        )
        reply = served.request("POST", site.complaints_url, complaint_body("after-web"))
        assert reply.status == 202, reply.body
        output = served.output()
        assert output.count("stopped with signal 9; restarting in") == 3, output[-3000:]
    assert Complaint.objects.filter(collectivity=collectivity_a).count() == 3


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("[::]:8000", "http://[::1]:8000"),
        ("localhost:8001", "http://localhost:8001"),
        ("unix:/run/infitah.sock", None),
    ],
)
def test_site_url_for_bind(bind, url) -> None:
    assert site_url_for_bind(bind) == url


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, "--workers: at least 1."),
        ({"graceful_timeout": 0}, "--graceful-timeout: at least 1 second."),
        ({"tick_every": -1}, "--tick-every: a number of seconds, 0 or more."),
    ],
)
def test_serve_refuses_bad_options_and_starts_nothing(options, message) -> None:
    bind = f"127.0.0.1:{free_port()}"
    before = set(process_children(os.getpid()))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("serve", bind=bind, **options)
    assert set(process_children(os.getpid())) == before


def test_serve_refuses_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match="already in use"):
            call_command("serve", bind=f"127.0.0.1:{port}")


def test_tick_refuses_a_negative_period() -> None:
    with pytest.raises(CommandError, match=re.escape("--every: a number of seconds, 0 or more.")):
        call_command("tick", every=-5)
