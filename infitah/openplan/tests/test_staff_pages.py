"""The programme's core staff pages, end to end through the test client: the home, a
new programme, the dashboard (phases, axes, commitments), a commitment (milestones,
reports with evidence, indicators and values, assessments); in Arabic and French; who
may open and post what; tenancy on every URL; bad ids and bad input never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import User
from infitah.cases.services import case_transition
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import RegisterEntry
from infitah.openplan.models import (
    Assessment,
    Axis,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgressReport,
)
from infitah.openplan.process import PROCESS
from infitah.openplan.register import EVIDENCE_TYPE
from infitah.openplan.services import core, monitoring
from infitah.openplan.staff_core_urls import urlpatterns
from infitah.openplan.tests.conftest import PROGRAMME_DATA, pdf_file, png_file
from infitah.openplan.workflow import Action, Completion, PhaseKind, Status

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
READ = {"home", "programme", "commitment"}
ASSESS = {"assessment"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _base(lang: str = "fr") -> str:
    return f"/{lang}/staff/commune-a/programmes/"


@pytest.fixture
def focal(focal_point: User) -> Client:
    return _client(focal_point)


@pytest.fixture
def watcher(monitor: User) -> Client:
    return _client(monitor)


def _adopt(programme: Programme, actor: User) -> None:
    case_transition(PROCESS, programme, Action.ADOPT, actor=actor)


@pytest.fixture
def world(programme: Programme, commitment: Commitment, focal_point: User) -> dict[str, Any]:
    """A's programme with a phase, an axis, a commitment with a milestone (and one under
    it), an indicator with a value: every kind of object a staff URL names."""
    phase = core.phase_set(
        programme=programme,
        actor=focal_point,
        data={"kind": PhaseKind.COCREATION, "starts_on": "2026-03-01", "ends_on": "2026-04-30"},
    )
    top = core.milestone_create(
        commitment=commitment, actor=focal_point, data={"title_ar": "مرحلة", "weight": "2"}
    )
    under = core.milestone_create(
        commitment=commitment, actor=focal_point, data={"title_fr": "Sous-étape", "parent": top.pk}
    )
    indicator = monitoring.indicator_save(
        commitment=commitment,
        actor=focal_point,
        data={"name_ar": "مؤشر", "baseline": "0", "target": "10"},
    )
    value = monitoring.indicator_value_record(
        indicator=indicator,
        actor=focal_point,
        data={"measured_on": timezone.localdate(), "value": "3"},
    )
    return {
        "slug": "commune-a",
        "pk": programme.pk,
        "commitment": commitment.pk,
        "kind": phase.kind,
        "axis": programme.axes.first().pk,  # type: ignore[union-attr]
        "milestone": under.pk,
        "indicator": indicator.pk,
        "value": value.pk,
        "top": top,
        "under": under,
    }


def _urls(world: dict[str, Any], lang: str = "fr") -> dict[str, str]:
    """Every staff URL of this part, for A's objects."""
    urls = {}
    with translation.override(lang):
        for pattern in urlpatterns:
            assert isinstance(pattern, URLPattern) and pattern.name
            names = pattern.pattern.converters.keys() | {"slug"}
            urls[pattern.name] = reverse(
                f"openplan-staff:{pattern.name}", kwargs={k: world[k] for k in names}
            )
    return urls


# --- home and a new programme ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_lists_the_programmes_with_their_clocks(
    lang: str, focal: Client, watcher: Client, programme: Programme, focal_point: User
) -> None:
    base = _base(lang)
    html = focal.get(base).content.decode()
    assert f'lang="{lang}"' in html
    assert f'href="{base}{programme.pk}/"' in html and programme.reference in html
    assert f'href="{base}new/"' in html
    with translation.override(lang):
        assert escape(str(Status.DRAFTING.label)) in html
    # The monitor reads it, without the link to create.
    html = watcher.get(base).content.decode()
    assert f'href="{base}{programme.pk}/"' in html and f'href="{base}new/"' not in html
    # Once adopted, the due date of the public update shows.
    _adopt(programme, focal_point)
    programme.refresh_from_db()
    assert programme.update_due is not None
    html = focal.get(base).content.decode()
    assert programme.update_due.isoformat() in html
    # Submitted to OGP: the inception assessment's due date shows too, and on the dashboard.
    case_transition(PROCESS, programme, Action.SUBMIT, actor=focal_point)
    programme.refresh_from_db()
    assert programme.inception_due is not None
    assert programme.inception_due.isoformat() in focal.get(base).content.decode()
    html = watcher.get(f"{base}{programme.pk}/").content.decode()
    assert programme.inception_due.isoformat() in html
    assert programme.update_due.isoformat() in html


@pytest.mark.parametrize("lang", LANGS)
def test_create_a_programme(lang: str, focal: Client, collectivity_a: Any) -> None:
    url = f"{_base(lang)}new/"
    assert focal.get(url).status_code == 200
    bad = focal.post(url, {"kind": "remacto", "title_ar": "", "starts_on": "2027-13-01"})
    html = bad.content.decode()
    assert bad.status_code == 400 and html.count('class="error-summary" role="alert"') == 1
    assert 'href="#id_starts_on"' in html  # the summary links to the field
    assert not Programme.objects.exists()
    response = focal.post(
        url,
        {
            "kind": "ogp_local",
            "title_ar": "خطة العمل",
            "title_fr": "Plan d'action",
            "starts_on": "2027-01-01",
            "ends_on": "2028-12-31",
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_base(lang)}{programme.pk}/"
    assert programme.kind == "ogp_local" and programme.collectivity == collectivity_a
    # The success message shows on the page it leads to.
    page = focal.get(response["Location"])
    assert 'class="messages"' in page.content.decode()


# --- the dashboard ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboard_links_every_part(
    lang: str, focal: Client, watcher: Client, programme: Programme, commitment: Commitment
) -> None:
    url = f"{_base(lang)}{programme.pk}/"
    html = focal.get(url).content.decode()
    with translation.override(lang):
        for name in ("cocreation", "forum", "adoption"):
            assert reverse(f"openplan-staff:{name}", args=["commune-a", programme.pk]) in html
        assert reverse("openplan:programme", args=["commune-a", programme.pk]) in html
    assert f'href="{url}commitments/{commitment.pk}/"' in html
    assert f'href="{url}edit/"' in html and f'action="{url}axes/add/"' in html
    for kind in PhaseKind.values:
        assert f'href="{url}phases/{kind}/"' in html
    assert escape(commitment.title_ar) in html or escape(commitment.title_fr) in html
    # The monitor reads the dashboard, without a form or an editing link.
    html = watcher.get(url).content.decode()
    assert f"{url}edit/" not in html and "<form" not in html
    assert f'href="{url}commitments/{commitment.pk}/"' in html


def test_the_candidacy_link_shows_on_an_ogp_local_plan(
    focal: Client, programme: Programme, focal_point: User
) -> None:
    with translation.override("fr"):
        candidacy = reverse("openplan-staff:candidacy", args=["commune-a"])
    url = f"{_base()}{programme.pk}/"
    assert candidacy not in focal.get(url).content.decode()
    core.programme_update(
        programme=programme, actor=focal_point, data={**PROGRAMME_DATA, "kind": "ogp_local"}
    )
    assert candidacy in focal.get(url).content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_edit_the_programme_phases_and_axes(
    lang: str, focal: Client, programme: Programme, commitment: Commitment
) -> None:
    url = f"{_base(lang)}{programme.pk}/"
    response = focal.post(
        f"{url}edit/", {**PROGRAMME_DATA, "title_fr": "Nouveau titre", "starts_on": "2027-01-01"}
    )
    assert response.status_code == 302 and response["Location"] == url
    programme.refresh_from_db()
    assert programme.title_fr == "Nouveau titre"

    phase_url = f"{url}phases/consultation/"
    assert focal.get(phase_url).status_code == 200
    bad = focal.post(phase_url, {"starts_on": "2027-07-01", "ends_on": "2027-06-01"})
    assert bad.status_code == 400 and not Phase.objects.exists()
    response = focal.post(phase_url, {"starts_on": "2027-07-01", "ends_on": "2027-09-30"})
    assert response.status_code == 302 and response["Location"] == f"{url}#timeline"
    phase = Phase.objects.get()
    assert (phase.kind, phase.ends_on) == ("consultation", dt.date(2027, 9, 30))
    html = focal.get(phase_url).content.decode()
    assert 'value="2027-09-30"' in html  # the form shows the dates set
    assert focal.get(f"{url}phases/nope/").status_code == 404
    assert focal.get(f"{url}phases/awareness/delete/").status_code == 404  # not set
    assert focal.get(f"{phase_url}delete/").status_code == 200
    assert focal.post(f"{phase_url}delete/").status_code == 302
    assert not Phase.objects.exists()

    response = focal.post(f"{url}axes/add/", {"title_ar": "", "title_fr": ""})
    assert response.status_code == 400
    response = focal.post(f"{url}axes/add/", {"title_fr": "Économie sociale", "order": ""})
    assert response.status_code == 302 and response["Location"] == f"{url}#axes"
    added = Axis.objects.get(title_fr="Économie sociale")
    assert added.order == 3
    response = focal.post(f"{url}axes/{added.pk}/", {"title_ar": "الاقتصاد", "order": "1"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title_ar, added.order) == ("الاقتصاد", 1)
    # An axis a commitment uses stays; a free one goes.
    used = commitment.axis
    assert used is not None
    response = focal.post(f"{url}axes/{used.pk}/delete/")
    assert response.status_code == 400 and Axis.objects.filter(pk=used.pk).exists()
    assert 'role="alert"' in response.content.decode()
    assert focal.post(f"{url}axes/{added.pk}/delete/").status_code == 302
    assert not Axis.objects.filter(pk=added.pk).exists()


# --- commitments and milestones ---------------------------------------------------------


COMMITMENT_POST = {
    "title_ar": "ميزانية مفتوحة",
    "title_fr": "Budget ouvert",
    "problem_ar": "غياب المعلومات عن الميزانية",
    "description_fr": "Publier le budget",
    "solution_ar": "نشر الميزانية بصيغة مفتوحة",
    "value_access": "on",
    "value_accountability": "on",
    "lead_unit": "مصلحة الميزانية",
    "partners_civil_society": "جمعية",
    "budget": "150000",
    "budget_line": "20.10.30",
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
}


@pytest.mark.parametrize("lang", LANGS)
def test_create_edit_and_remove_a_commitment_with_its_milestones(
    lang: str, focal: Client, programme: Programme, axis: Axis
) -> None:
    url = f"{_base(lang)}{programme.pk}/"
    assert focal.get(f"{url}commitments/new/").status_code == 200
    bad = focal.post(
        f"{url}commitments/new/", {**COMMITMENT_POST, "budget": "-1", "axis": "999999"}
    )
    assert bad.status_code == 400 and not Commitment.objects.exists()
    response = focal.post(f"{url}commitments/new/", {**COMMITMENT_POST, "axis": axis.pk})
    commitment = Commitment.objects.get()
    page = f"{url}commitments/{commitment.pk}/"
    assert response.status_code == 302 and response["Location"] == page
    assert commitment.value_access and commitment.value_accountability
    assert not commitment.value_participation and commitment.budget == Decimal("150000")
    assert commitment.axis == axis

    html = focal.get(page).content.decode()
    assert escape("20.10.30") in html and f'action="{page}milestones/add/"' in html
    assert f'href="{page}delete/"' in html and f'href="{page}report/"' not in html

    response = focal.post(f"{page}milestones/add/", {"title_ar": "الإعداد", "weight": "2"})
    assert response.status_code == 302 and response["Location"] == f"{page}#milestones"
    top = Milestone.objects.get()
    response = focal.post(
        f"{page}milestones/add/", {"title_fr": "Sous-étape", "parent": top.pk, "weight": "0"}
    )
    assert response.status_code == 400  # a weight of 0
    focal.post(f"{page}milestones/add/", {"title_fr": "Sous-étape", "parent": top.pk})
    under = Milestone.objects.get(parent=top)
    html = focal.get(page).content.decode()
    assert f'id="milestone-{under.pk}"' in html and f'id="milestone-{top.pk}"' in html
    # The sub-milestone is drawn inside its parent's item.
    assert html.index(f'id="milestone-{top.pk}"') < html.index(f'id="milestone-{under.pk}"')
    # Its parent cannot become its own sub-milestone's child.
    response = focal.post(
        f"{page}milestones/{top.pk}/", {"title_ar": "الإعداد", "parent": under.pk}
    )
    assert response.status_code == 400
    response = focal.post(
        f"{page}milestones/{under.pk}/", {"title_fr": "Étape 2", "ends_on": "2027-06-30"}
    )
    assert response.status_code == 302
    under.refresh_from_db()
    assert (under.parent, under.ends_on) == (None, dt.date(2027, 6, 30))

    response = focal.post(f"{page}edit/", {**COMMITMENT_POST, "title_fr": "Budget citoyen"})
    assert response.status_code == 302 and response["Location"] == page
    commitment.refresh_from_db()
    assert commitment.title_fr == "Budget citoyen" and commitment.axis is None

    assert focal.post(f"{page}milestones/{top.pk}/delete/").status_code == 302
    assert list(Milestone.objects.all()) == [under]
    response = focal.post(f"{page}delete/")
    assert response.status_code == 302 and response["Location"] == f"{url}#commitments"
    assert not Commitment.objects.exists()


def test_an_adopted_programme_offers_reports_not_removals(
    focal: Client, world: dict[str, Any], programme: Programme, focal_point: User
) -> None:
    _adopt(programme, focal_point)
    urls = _urls(world)
    html = focal.get(urls["commitment"]).content.decode()
    assert f'href="{urls["report"]}"' in html
    assert f'href="{urls["commitment-delete"]}"' not in html
    assert f'href="{urls["milestone-delete"]}"' not in html
    response = focal.post(urls["milestone-delete"])
    assert response.status_code == 400 and Milestone.objects.filter(pk=world["milestone"]).exists()
    response = focal.post(urls["commitment-delete"])
    assert response.status_code == 400 and Commitment.objects.exists()


# --- monitoring ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_report_progress_with_files_and_links(
    lang: str, focal: Client, world: dict[str, Any], programme: Programme, focal_point: User
) -> None:
    urls = _urls(world, lang)
    report = urls["report"]
    # Before adoption, the form says why it is refused.
    response = focal.post(report, {"milestone": world["milestone"], "progress": "10"})
    assert response.status_code == 400 and not ProgressReport.objects.exists()
    _adopt(programme, focal_point)
    html = focal.get(report).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert "multiple" in html
    # The parent (from its sub-milestone) is not offered; its sub-milestone is.
    assert f'value="{world["milestone"]}"' in html and f'value="{world["top"].pk}"' not in html
    bad = focal.post(
        report,
        {
            "milestone": world["milestone"],
            "progress": "150",
            "link_title_1": "بوابة",
            "link_url_1": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 400 and not ProgressReport.objects.exists()
    assert 'href="#id_link_url_1"' in bad.content.decode()
    # A file that is not what its name says: refused beside the field, nothing stored.
    fake = SimpleUploadedFile("faux.pdf", b"MZ\x90 not a pdf", content_type="application/pdf")
    bad = focal.post(report, {"milestone": world["milestone"], "evidence": [pdf_file(), fake]})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'href="#id_evidence"' in html and "faux.pdf" in html
    assert not Evidence.objects.exists() and not RegisterEntry.objects.exists()
    response = focal.post(
        report,
        {
            "milestone": world["milestone"],
            "progress": "60",
            "note": "تقدم الأشغال",
            "unit": "مصلحة التواصل",
            "evidence": [pdf_file(), png_file()],
            "link_title_1": "بوابة المعطيات",
            "link_url_1": "https://data.example.ma",
            "link_url_2": "https://example.ma/b",
        },
    )
    assert response.status_code == 302 and response["Location"] == urls["commitment"] + "#reports"
    saved = ProgressReport.objects.get()
    assert saved.progress == Decimal("60.00") and saved.evidence.count() == 4
    assert RegisterEntry.objects.filter(document_type=EVIDENCE_TYPE).count() == 2
    # The sub-milestone at 60: the parent, then the commitment (its only milestone): 60.
    commitment = Commitment.objects.get()
    assert commitment.progress == Decimal("60.00")
    programme.refresh_from_db()
    assert Deadline.objects.filter(
        subject_id=str(programme.pk), status=DeadlineStatus.MET, limit__code="openplan.update"
    ).exists()
    html = focal.get(urls["commitment"]).content.decode()
    for evidence in Evidence.objects.exclude(kind="link"):
        with translation.override(lang):
            assert (
                reverse("openplan:evidence", args=["commune-a", programme.pk, evidence.pk]) in html
            )
    assert 'href="https://data.example.ma"' in html
    with translation.override(lang):
        assert escape(str(Completion.SUBSTANTIAL.label)) in html


@pytest.mark.parametrize("lang", LANGS)
def test_indicators_and_their_values(lang: str, focal: Client, world: dict[str, Any]) -> None:
    urls = _urls(world, lang)
    response = focal.post(urls["indicator-add"], {"name_fr": "Visites", "baseline": "x"})
    assert response.status_code == 400 and Indicator.objects.count() == 1
    response = focal.post(
        urls["indicator-add"],
        {"name_fr": "Visites", "unit": "visites", "baseline": "100", "target": "1000"},
    )
    assert response.status_code == 302
    added = Indicator.objects.get(name_fr="Visites")
    assert added.order == 2
    response = focal.post(
        urls["indicator-edit"], {"name_ar": "مؤشر", "baseline": "0", "target": "20"}
    )
    assert response.status_code == 302
    assert Indicator.objects.get(pk=world["indicator"]).target == Decimal("20.00")
    today = timezone.localdate().isoformat()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = focal.post(urls["value-record"], {"measured_on": future, "value": "4"})
    assert response.status_code == 400
    response = focal.post(urls["value-record"], {"measured_on": today, "value": "4"})
    assert response.status_code == 302
    # The same day again replaced the value.
    assert list(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal("4.00")]
    html = focal.get(urls["commitment"]).content.decode()
    assert urls["value-delete"] in html
    # An indicator with a value stays (the removal is refused, not hidden only).
    assert focal.post(urls["indicator-delete"]).status_code == 400
    assert focal.post(urls["value-delete"]).status_code == 302
    assert focal.post(urls["indicator-delete"]).status_code == 302
    assert not Indicator.objects.filter(pk=world["indicator"]).exists()


@pytest.mark.parametrize("lang", LANGS)
def test_the_monitor_assesses_and_both_sources_show(
    lang: str, watcher: Client, focal: Client, world: dict[str, Any]
) -> None:
    urls = _urls(world, lang)
    html = watcher.get(urls["commitment"]).content.decode()
    assert f'href="{urls["assessment"]}"' in html
    assert f'href="{urls["commitment-edit"]}"' not in html and "<form" not in html
    assert watcher.get(urls["assessment"]).status_code == 200
    bad = watcher.post(urls["assessment"], {"source": "committee", "assessed_on": "x"})
    assert bad.status_code == 400 and not Assessment.objects.exists()
    today = timezone.localdate().isoformat()
    for source, completion in (("committee", "substantial"), ("independent", "limited")):
        response = watcher.post(
            urls["assessment"],
            {
                "source": source,
                "completion": completion,
                "assessed_on": today,
                "is_verifiable": "yes",
                "potential": "modest",
                "comment": "ملاحظة",
            },
        )
        assert response.status_code == 302
    html = watcher.get(urls["commitment"]).content.decode()
    with translation.override(lang):
        assert escape(str(Completion.SUBSTANTIAL.label)) in html
        assert escape(str(Completion.LIMITED.label)) in html
    assert 'id="assessments-committee"' in html and 'id="assessments-independent"' in html
    # The focal point does not assess.
    assert focal.get(urls["assessment"]).status_code == 404


# --- who may open what ------------------------------------------------------------------------


def test_charlie_gets_404_on_every_url_of_a(world: dict[str, Any], charlie: User) -> None:
    client = _client(charlie)
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"title_ar": "x"}).status_code == 404, name
    # Nor through his own collectivity's prefix.
    for name, url in _urls({**world, "slug": "commune-b"}).items():
        if name in ("home", "programme-create"):  # his own collectivity's
            continue
        assert client.get(url).status_code == 404, name


def test_a_citizen_gets_404_and_a_visitor_signs_in(world: dict[str, Any], citizen: User) -> None:
    client = _client(citizen)
    visitor = Client()
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
        response = visitor.get(url)
        assert response.status_code == 302 and "login" in response["Location"], name


def test_the_monitor_reads_but_cannot_edit(world: dict[str, Any], watcher: Client) -> None:
    before = (Programme.objects.values().get(), list(Milestone.objects.values()))
    for name, url in _urls(world).items():
        if name in READ or name in ASSESS:
            assert watcher.get(url).status_code == 200, name
        else:
            assert watcher.get(url).status_code == 404, name
            assert watcher.post(url, {"title_ar": "x", "title_fr": "x"}).status_code == 404, name
    assert (Programme.objects.values().get(), list(Milestone.objects.values())) == before


def test_bad_ids_and_bad_input_are_never_a_500(
    world: dict[str, Any], focal: Client, programme: Programme
) -> None:
    base = _base()
    huge = "9" * 30
    for path in (
        "999999/",
        f"{huge}/",
        f"{programme.pk}/commitments/{huge}/",
        f"{programme.pk}/commitments/{world['commitment']}/milestones/{huge}/",
        f"{programme.pk}/commitments/{world['commitment']}/indicators/{huge}/values/add/",
        f"{programme.pk}/commitments/{world['commitment']}/indicators/{world['indicator']}"
        f"/values/{huge}/delete/",
        f"{programme.pk}/axes/{huge}/",
        f"{programme.pk}/phases/%00/",
        "abc/",
    ):
        assert focal.get(base + path).status_code == 404, path
    urls = _urls(world)
    nasty = {
        "kind": "remacto\x00",
        "title_ar": "x\x00y",
        "title_fr": "t" * 400,
        "starts_on": "2027-02-30",
        "ends_on": "\x00",
        "baseline": "1e999",
        "target": "NaN",
        "budget": "١٢",
        "weight": "-3",
        "progress": "abc",
        "parent": "not-a-pk",
        "axis": huge,
        "milestone": huge,
        "order": huge,
        "measured_on": "x",
        "value": "1" * 40,
        "source_url": "javascript:alert(1)",
        "source": "x",
        "completion": "x",
        "assessed_on": "2027-01-01\x00",
        "note": "\x00",
    }
    for name, url in urls.items():
        if name in READ or name.endswith("delete") or name == "assessment":
            continue
        response = focal.post(url, nasty)
        assert response.status_code == 400, (name, response.status_code)
    assert Phase.objects.count() == 1 and Milestone.objects.count() == 2
    assert Programme.objects.get().title_fr == PROGRAMME_DATA["title_fr"]
    assert not ProgressReport.objects.exists()
