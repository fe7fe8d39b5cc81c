"""Submission of an OGP Local action plan and its inception assessment through the case
engine: `submit` opens the `inception` clock (a Deadline of `openplan.inception`, 2
calendar months), the independent monitoring body's `inception` meets it; who may take
each step; what is refused; and, committed for real, the public page that shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event
from infitah.openplan.models import Programme, ProgrammeDocument
from infitah.openplan.services import core
from infitah.openplan.services import forum as services
from infitah.openplan.tests.conftest import PROGRAMME_DATA, pdf_file
from infitah.openplan.tests.test_forum_services import denied, refused
from infitah.openplan.workflow import Kind, ProgrammeDocumentKind, Status
from infitah.territories.models import Collectivity


def _ogp(collectivity: Collectivity, actor: User) -> Programme:
    return core.programme_create(
        collectivity=collectivity,
        actor=actor,
        data={
            **PROGRAMME_DATA,
            "kind": Kind.OGP_LOCAL,
            "independent_monitor": "جمعية تطوان أسمير",
        },
    )


@pytest.fixture
def ogp(collectivity_a: Collectivity, focal_point: User) -> Programme:
    return _ogp(collectivity_a, focal_point)


def _deadlines(programme: Programme) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_type="openplan.programme", subject_id=str(programme.pk))
        .select_related("limit")
        .order_by("pk")
    )


def _actions(programme: Programme) -> list[str]:
    return list(
        Event.objects.filter(object_type="openplan.programme", object_id=str(programme.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_submit_opens_the_inception_clock_and_the_assessment_meets_it(
    ogp: Programme, focal_point: User, monitor: User
) -> None:
    today = timezone.localdate()
    submitted = today - dt.timedelta(days=3)
    assert not _deadlines(ogp)
    services.programme_submit(
        programme=ogp, actor=focal_point, submitted_on=submitted, document=pdf_file("plan.pdf")
    )
    ogp.refresh_from_db()
    assert ogp.submitted_on == submitted and ogp.status == Status.DRAFTING
    [clock] = _deadlines(ogp)
    assert clock.limit.code == "openplan.inception" and clock.is_open
    assert clock.start_date == submitted
    assert clock.due_date == due_date_compute(start=submitted, limit="openplan.inception").due_date
    assert ogp.inception_deadline == clock and ogp.inception_due == clock.due_date
    [plan] = ProgrammeDocument.objects.all()
    assert plan.kind == ProgrammeDocumentKind.ACTION_PLAN and plan.dated == submitted
    assert plan.title == ogp.title_ar
    submit = Event.objects.get(action="openplan.submit")
    assert submit.data["submitted_on"] == submitted.isoformat()
    assert submit.data["sha256"] == plan.sha256

    document = services.inception_record(
        programme=ogp,
        actor=monitor,
        file=pdf_file("inception.pdf"),
        title="تقرير التقييم الأولي",
        dated=today,
    )
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET
    assert document.kind == ProgrammeDocumentKind.INCEPTION and document.created_by == monitor
    actions = _actions(ogp)
    assert actions.index("openplan.submit") < actions.index("openplan.inception")
    assert Event.objects.get(action="openplan.inception").actor == monitor


@pytest.mark.django_db
def test_who_may_submit_and_assess(
    ogp: Programme, focal_point: User, monitor: User, charlie: User, citizen: User
) -> None:
    for actor in (monitor, charlie, citizen):
        denied(
            partial(
                services.programme_submit,
                programme=ogp,
                actor=actor,
                submitted_on=timezone.localdate(),
            )
        )
    for actor in (focal_point, charlie, citizen):
        denied(
            partial(
                services.inception_record,
                programme=ogp,
                actor=actor,
                file=pdf_file(),
                title="و",
                dated=timezone.localdate(),
            )
        )
    assert not _deadlines(ogp)


@pytest.mark.django_db
def test_what_a_submission_refuses(ogp: Programme, programme: Programme, focal_point: User) -> None:
    today = timezone.localdate()
    # A REMACTO programme is not submitted to OGP.
    refused(
        lambda: services.programme_submit(
            programme=programme, actor=focal_point, submitted_on=today
        )
    )
    for bad in (None, "", "2026-13-01", today + dt.timedelta(days=1)):
        refused(
            partial(services.programme_submit, programme=ogp, actor=focal_point, submitted_on=bad),
            "submitted_on",
        )
    refused(
        lambda: services.programme_submit(
            programme=ogp, actor=focal_point, submitted_on=today, document=pdf_file("plan.png")
        ),
        "file",
    )
    services.programme_submit(programme=ogp, actor=focal_point, submitted_on=today)
    # Submitted once: a second submission would open a second clock.
    refused(lambda: services.programme_submit(programme=ogp, actor=focal_point, submitted_on=today))
    assert len(_deadlines(ogp)) == 1 and not ProgrammeDocument.objects.exists()


@pytest.mark.django_db
def test_a_closed_plan_is_neither_submitted_nor_assessed_at_inception(
    collectivity_a: Collectivity, focal_point: User, monitor: User
) -> None:
    closed = _ogp(collectivity_a, focal_point)
    Programme.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    closed.refresh_from_db()
    refused(
        lambda: services.programme_submit(
            programme=closed, actor=focal_point, submitted_on=timezone.localdate()
        )
    )
    refused(
        lambda: services.inception_record(
            programme=closed, actor=monitor, file=pdf_file(), title="و", dated="2026-01-01"
        )
    )
    # The final assessment may come once the programme is closed.
    services.programme_document_add(
        programme=closed,
        actor=monitor,
        kind="final",
        title="التقييم النهائي",
        dated=timezone.localdate(),
        file=pdf_file(),
    )
    assert ProgrammeDocument.objects.get().kind == "final"


@pytest.mark.django_db
def test_an_inception_assessment_without_a_submission_opens_no_clock(
    programme: Programme, monitor: User
) -> None:
    services.inception_record(
        programme=programme, actor=monitor, file=pdf_file(), title="و", dated="2026-01-01"
    )
    assert not _deadlines(programme)
    assert Event.objects.filter(action="openplan.inception").count() == 1


def test_committed_submission_and_assessment_show_on_the_public_page(
    legal_limits: None, collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> None:
    """Committed for real (on_commit runs): the cached public page goes stale."""
    focal = staff_for(Role.FOCAL_POINT)
    assessor = staff_for(Role.MONITOR)
    ogp = _ogp(collectivity_a, focal)
    url = f"/fr/c/{collectivity_a.slug}/programmes/{ogp.pk}/forum/"
    client = Client()
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    services.programme_submit(programme=ogp, actor=focal, submitted_on=timezone.localdate())
    after = client.get(url)
    assert after["X-Page-Cache"] == "miss"
    ogp.refresh_from_db()
    assert f'datetime="{ogp.submitted_on.isoformat()}"' in after.content.decode()
    assert f'datetime="{ogp.inception_due.isoformat()}"' in after.content.decode()
    services.inception_record(
        programme=ogp, actor=assessor, file=pdf_file(), title="Rapport initial", dated="2026-01-01"
    )
    html = client.get(url).content.decode()
    assert "Rapport initial" in html
    [clock] = _deadlines(ogp)
    assert clock.status == DeadlineStatus.MET
