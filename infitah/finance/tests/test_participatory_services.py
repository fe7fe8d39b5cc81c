"""The participatory budgeting services: the envelope capped by the budgeted investment
expenditure (amended, else approved, else proposed), the consultation and survey of the
same collectivity only, projects (cost, votes), retaining a project on an investment
expenditure line of the same budget within the envelope, releasing it, votes read from
the survey's results; permission, bad input (nothing written), ledger events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    ParticipatoryBudget,
    ParticipatoryProject,
)
from infitah.finance.participatory_selectors import investment_expenditure
from infitah.finance.services import participatory as services
from infitah.finance.workflow import Direction, Phase, Section
from infitah.ledger.models import Event
from infitah.participation.consultations.models import Consultation
from infitah.participation.surveys.models import (
    Answer,
    Kind,
    Option,
    Question,
    Response,
    Survey,
)
from infitah.participation.surveys.models import Status as SurveyStatus
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

# The lines of the test budget: (direction, section, code, amount in the approved version).
LINES = [
    (Direction.REVENUE, Section.INVESTMENT, "30.10.1", Decimal("900000")),
    (Direction.EXPENDITURE, Section.OPERATING, "10.20.1", Decimal("400000")),
    (Direction.EXPENDITURE, Section.INVESTMENT, "20.10.1", Decimal("600000")),
    (Direction.EXPENDITURE, Section.INVESTMENT, "20.10.2", Decimal("400000")),
]


# --- helpers shared with the page tests ------------------------------------------------------


def make_items(budget: Budget) -> dict[str, BudgetItem]:
    """The budget's lines of LINES, by code."""
    return {
        code: BudgetItem.objects.create(
            budget=budget,
            direction=direction,
            section=section,
            chapter=code.split(".")[0],
            code=code,
            label_ar=f"سطر {code}",
            label_fr=f"Ligne {code}",
        )
        for direction, section, code, _amount in LINES
    }


def make_version(
    budget: Budget,
    items: dict[str, BudgetItem],
    phase: str = Phase.APPROVED,
    *,
    number: int = 1,
    scale: Decimal = Decimal(1),
) -> BudgetVersion:
    """A version of `phase` with LINES' amounts times `scale`."""
    version = BudgetVersion.objects.create(
        budget=budget,
        phase=phase,
        number=number,
        name="budget.csv",
        content_type="text/csv",
        size=1,
        sha256="0" * 64,
    )
    Amount.objects.bulk_create(
        Amount(version=version, item=items[code], amount=amount * scale)
        for _direction, _section, code, amount in LINES
    )
    return version


def make_consultation(collectivity: Collectivity, title: str = "Propositions") -> Consultation:
    now = timezone.now()
    return Consultation.objects.create(
        collectivity=collectivity,
        title_ar="اقتراحات",
        title_fr=title,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=10),
    )


def make_survey(collectivity: Collectivity, *, published: bool = True) -> Survey:
    now = timezone.now()
    return Survey.objects.create(
        collectivity=collectivity,
        title_ar="التصويت",
        title_fr="Vote",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
        status=SurveyStatus.PUBLISHED if published else SurveyStatus.DRAFT,
    )


def make_campaign(budget: Budget, envelope: str = "500000", **extra: Any) -> ParticipatoryBudget:
    return ParticipatoryBudget.objects.create(
        budget=budget, title_ar="الميزانية التشاركية", title_fr="Budget participatif",
        envelope=Decimal(envelope), **extra,
    )  # fmt: skip


def make_project(
    campaign: ParticipatoryBudget, title: str, cost: str, votes: int = 0, **extra: Any
) -> ParticipatoryProject:
    return ParticipatoryProject.objects.create(
        campaign=campaign, title_fr=title, cost=Decimal(cost), votes=votes, **extra
    )


def events(action: str) -> int:
    return Event.objects.filter(action=f"finance.participatory_{action}").count()


def data(**values: Any) -> dict[str, Any]:
    base = {"title_ar": "", "title_fr": "Budget participatif 2026", "envelope": "300000"}
    return {**base, **values}


@pytest.fixture
def items(budget: Budget) -> dict[str, BudgetItem]:
    return make_items(budget)


@pytest.fixture
def approved(budget: Budget, items: dict[str, BudgetItem]) -> BudgetVersion:
    return make_version(budget, items)


@pytest.fixture
def campaign(budget: Budget) -> ParticipatoryBudget:
    return make_campaign(budget)


# --- the envelope -----------------------------------------------------------------------------


def test_investment_expenditure_follows_amended_else_approved_else_proposed(
    budget: Budget, items: dict[str, BudgetItem]
) -> None:
    assert investment_expenditure(budget) is None
    make_version(budget, items, Phase.EXECUTED, scale=Decimal(5))
    assert investment_expenditure(budget) is None  # an execution is not a budgeted version
    make_version(budget, items, Phase.PROPOSED, scale=Decimal(2))
    assert investment_expenditure(budget) == Decimal("2000000.00")
    make_version(budget, items, Phase.APPROVED)
    assert investment_expenditure(budget) == Decimal("1000000.00")
    make_version(budget, items, Phase.AMENDED, scale=Decimal(3))
    make_version(budget, items, Phase.AMENDED, number=2, scale=Decimal("0.5"))
    assert investment_expenditure(budget) == Decimal("500000.00")


def test_the_finance_officer_opens_a_campaign(
    budget: Budget, finance_officer: User, approved: BudgetVersion
) -> None:
    consultation = make_consultation(budget.collectivity)
    survey = make_survey(budget.collectivity)
    campaign = services.participatory_save(
        budget=budget,
        actor=finance_officer,
        data=data(consultation=str(consultation.pk), survey=survey),
    )
    campaign.refresh_from_db()
    assert campaign.envelope == Decimal("300000.00")
    assert campaign.consultation == consultation and campaign.survey == survey
    assert campaign.title_fr == "Budget participatif 2026"
    event = Event.objects.get(action="finance.participatory_saved")
    assert event.collectivity == budget.collectivity
    assert event.object_id == str(campaign.pk)
    assert event.data["envelope"] == "300000.00" and event.data["created"] is True


def test_the_envelope_may_equal_but_not_exceed_the_investment_expenditure(
    budget: Budget, finance_officer: User, approved: BudgetVersion
) -> None:
    assert services.participatory_save(
        budget=budget, actor=finance_officer, data=data(envelope="1000000")
    ).envelope == Decimal("1000000.00")
    with pytest.raises(ValidationError) as caught:
        services.participatory_save(
            budget=budget, actor=finance_officer, data=data(envelope="1000000.01")
        )
    assert set(caught.value.message_dict) == {"envelope"}
    assert ParticipatoryBudget.objects.count() == 1
    assert events("saved") == 1


def test_the_amended_budget_sets_the_cap(
    budget: Budget, finance_officer: User, items: dict[str, BudgetItem], approved: BudgetVersion
) -> None:
    make_version(budget, items, Phase.AMENDED, scale=Decimal("0.2"))  # 200,000 of investment
    with pytest.raises(ValidationError) as caught:
        services.participatory_save(budget=budget, actor=finance_officer, data=data())
    assert "envelope" in caught.value.message_dict


def test_without_a_budgeted_version_the_envelope_is_not_capped(
    budget: Budget, finance_officer: User
) -> None:
    campaign = services.participatory_save(
        budget=budget, actor=finance_officer, data=data(envelope="99999999")
    )
    assert campaign.envelope == Decimal("99999999.00")


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"envelope": "-1"}, {"envelope"}),
        ({"envelope": "abc"}, {"envelope"}),
        ({"envelope": "NaN"}, {"envelope"}),
        ({"envelope": ""}, {"envelope"}),
        ({"envelope": "1e20"}, {"envelope"}),
        ({"title_fr": ""}, {"title_ar"}),
        ({"title_fr": "x" * 301}, {"title_fr"}),
        ({"title_fr": "Budget\x00"}, {"title_fr"}),
        ({"consultation": "abc"}, {"consultation"}),
        ({"consultation": "999999"}, {"consultation"}),
        ({"survey": "-3"}, {"survey"}),
        ({"survey": 999999}, {"survey"}),
    ],
)
def test_bad_campaign_input_is_refused_field_by_field(
    budget: Budget, finance_officer: User, values: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.participatory_save(budget=budget, actor=finance_officer, data=data(**values))
    assert set(caught.value.message_dict) == fields
    assert not ParticipatoryBudget.objects.exists()
    assert events("saved") == 0


def test_a_consultation_or_survey_of_another_collectivity_is_refused(
    budget: Budget, finance_officer: User, collectivity_b: Collectivity
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.participatory_save(
            budget=budget,
            actor=finance_officer,
            data=data(
                consultation=make_consultation(collectivity_b), survey=make_survey(collectivity_b)
            ),
        )
    assert set(caught.value.message_dict) == {"consultation", "survey"}
    assert not ParticipatoryBudget.objects.exists()


def test_the_envelope_cannot_drop_below_the_retained_projects(
    campaign: ParticipatoryBudget, finance_officer: User, items: dict[str, BudgetItem]
) -> None:
    make_project(campaign, "Parc", "200000", is_retained=True, item=items["20.10.1"])
    with pytest.raises(ValidationError) as caught:
        services.participatory_save(
            budget=campaign.budget,
            actor=finance_officer,
            data=data(envelope="199999.99"),
            campaign=campaign,
        )
    assert "envelope" in caught.value.message_dict
    campaign.refresh_from_db()
    assert campaign.envelope == Decimal("500000.00")
    changed = services.participatory_save(
        budget=campaign.budget, actor=finance_officer, data=data(envelope="200000"),
        campaign=campaign,
    )  # fmt: skip
    assert changed.pk == campaign.pk and changed.envelope == Decimal("200000.00")


def test_a_campaign_of_another_budget_is_refused(
    campaign: ParticipatoryBudget, finance_officer: User, collectivity_a: Collectivity
) -> None:
    other = Budget.objects.create(collectivity=collectivity_a, year=2025)
    with pytest.raises(ValidationError):
        services.participatory_save(
            budget=other, actor=finance_officer, data=data(), campaign=campaign
        )
    campaign.refresh_from_db()
    assert campaign.title_fr == "Budget participatif"


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADVISORY_SECRETARY, None])
def test_who_may_not_manage_finance_is_refused_everything(
    campaign: ParticipatoryBudget,
    items: dict[str, BudgetItem],
    staff_for: Callable[[str], User],
    citizen: User,
    role: str | None,
) -> None:
    actor = staff_for(role) if role else citizen
    project = make_project(campaign, "Parc", "1000")
    calls: list[Callable[[], object]] = [
        lambda: services.participatory_save(budget=campaign.budget, actor=actor, data=data()),
        lambda: services.project_save(
            campaign=campaign, actor=actor, data={"title_fr": "X", "cost": "1"}
        ),
        lambda: services.project_retain(project=project, actor=actor, item=items["20.10.1"]),
        lambda: services.project_release(project=project, actor=actor),
        lambda: services.project_delete(project=project, actor=actor),
        lambda: services.project_votes_from_survey(campaign=campaign, actor=actor),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert ParticipatoryProject.objects.get() == project
    assert not Event.objects.exists()


def test_charlie_cannot_touch_a_campaign_of_a(
    campaign: ParticipatoryBudget, charlie: User, items: dict[str, BudgetItem]
) -> None:
    project = make_project(campaign, "Parc", "1000")
    with pytest.raises(PermissionDenied):
        services.project_retain(project=project, actor=charlie, item=items["20.10.1"])
    with pytest.raises(PermissionDenied):
        services.participatory_save(budget=campaign.budget, actor=charlie, data=data())


def test_the_collectivity_admin_may(budget: Budget, staff_for: Callable[[str], User]) -> None:
    admin = staff_for(Role.ADMIN)
    assert services.participatory_save(budget=budget, actor=admin, data=data()).pk


# --- projects ---------------------------------------------------------------------------------


def test_projects_are_added_changed_and_removed(
    campaign: ParticipatoryBudget, finance_officer: User
) -> None:
    project = services.project_save(
        campaign=campaign,
        actor=finance_officer,
        data={"title_ar": "حديقة", "title_fr": "", "cost": "120000.5"},
    )
    assert (project.cost, project.votes) == (Decimal("120000.50"), 0)
    changed = services.project_save(
        campaign=campaign,
        actor=finance_officer,
        data={"title_ar": "حديقة", "title_fr": "Jardin", "cost": "100000", "votes": "42"},
        project=project,
    )
    project.refresh_from_db()
    assert changed.pk == project.pk and (project.votes, project.title_fr) == (42, "Jardin")
    services.project_delete(project=project, actor=finance_officer)
    assert not ParticipatoryProject.objects.exists()
    assert (events("project_saved"), events("project_deleted")) == (2, 1)


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"cost": "-5"}, {"cost"}),
        ({"cost": ""}, {"cost"}),
        ({"cost": "dix"}, {"cost"}),
        ({"votes": "-1"}, {"votes"}),
        ({"votes": "1.5"}, {"votes"}),
        ({"votes": "٣"}, {"votes"}),
        ({"votes": "99999999999"}, {"votes"}),
        ({"title_fr": ""}, {"title_ar"}),
        ({"title_fr": "\x00"}, {"title_fr"}),
    ],
)
def test_bad_project_input_is_refused(
    campaign: ParticipatoryBudget, finance_officer: User, values: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.project_save(
            campaign=campaign,
            actor=finance_officer,
            data={"title_fr": "Parc", "cost": "1000", "votes": "3", **values},
        )
    assert set(caught.value.message_dict) == fields
    assert not ParticipatoryProject.objects.exists()


def test_a_project_of_another_campaign_is_refused(
    campaign: ParticipatoryBudget, finance_officer: User
) -> None:
    other = make_campaign(campaign.budget)
    project = make_project(other, "Parc", "1000")
    with pytest.raises(ValidationError):
        services.project_save(
            campaign=campaign,
            actor=finance_officer,
            data={"title_fr": "Changed", "cost": "1"},
            project=project,
        )
    project.refresh_from_db()
    assert project.title_fr == "Parc"


# --- retaining --------------------------------------------------------------------------------


def test_a_retained_project_flows_into_an_investment_expenditure_line(
    campaign: ParticipatoryBudget, finance_officer: User, items: dict[str, BudgetItem]
) -> None:
    project = make_project(campaign, "Parc", "300000")
    services.project_retain(project=project, actor=finance_officer, item=str(items["20.10.2"].pk))
    project.refresh_from_db()
    assert project.is_retained and project.item == items["20.10.2"]
    event = Event.objects.get(action="finance.participatory_project_retained")
    assert event.data["code"] == "20.10.2" and event.data["cost"] == "300000.00"
    # Another line for the same project: its own cost is not counted twice.
    services.project_retain(project=project, actor=finance_officer, item=items["20.10.1"])
    project.refresh_from_db()
    assert project.item == items["20.10.1"]
    services.project_release(project=project, actor=finance_officer)
    project.refresh_from_db()
    assert not project.is_retained and project.item is None
    assert events("project_released") == 1
    services.project_release(project=project, actor=finance_officer)  # nothing to release
    assert events("project_released") == 1


@pytest.mark.parametrize("code", ["30.10.1", "10.20.1"])
def test_only_an_investment_expenditure_line_takes_a_project(
    campaign: ParticipatoryBudget, finance_officer: User, items: dict[str, BudgetItem], code: str
) -> None:
    project = make_project(campaign, "Parc", "1000")
    with pytest.raises(ValidationError) as caught:
        services.project_retain(project=project, actor=finance_officer, item=items[code])
    assert set(caught.value.message_dict) == {"item"}
    project.refresh_from_db()
    assert not project.is_retained and project.item is None


@pytest.mark.parametrize("raw", ["", None, "abc", "0", "-1", "99999999"])
def test_a_missing_or_bad_line_is_refused(
    campaign: ParticipatoryBudget, finance_officer: User, raw: Any
) -> None:
    project = make_project(campaign, "Parc", "1000")
    with pytest.raises(ValidationError) as caught:
        services.project_retain(project=project, actor=finance_officer, item=raw)
    assert set(caught.value.message_dict) == {"item"}


def test_a_line_of_another_budget_is_refused(
    campaign: ParticipatoryBudget,
    finance_officer: User,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    project = make_project(campaign, "Parc", "1000")
    for other in (
        Budget.objects.create(collectivity=collectivity_a, year=2025),
        Budget.objects.create(collectivity=collectivity_b, year=2026),
    ):
        line = make_items(other)["20.10.1"]
        with pytest.raises(ValidationError) as caught:
            services.project_retain(project=project, actor=finance_officer, item=line)
        assert set(caught.value.message_dict) == {"item"}
    assert events("project_retained") == 0


def test_the_retained_total_may_not_exceed_the_envelope(
    campaign: ParticipatoryBudget, finance_officer: User, items: dict[str, BudgetItem]
) -> None:
    line = items["20.10.1"]
    first = make_project(campaign, "Parc", "300000")
    second = make_project(campaign, "Bibliothèque", "200000")
    third = make_project(campaign, "Éclairage", "0.01")
    services.project_retain(project=first, actor=finance_officer, item=line)
    services.project_retain(project=second, actor=finance_officer, item=line)  # 500,000 exactly
    with pytest.raises(ValidationError) as caught:
        services.project_retain(project=third, actor=finance_officer, item=line)
    assert set(caught.value.message_dict) == {"cost"}
    message = caught.value.message_dict["cost"][0]
    assert "0.01" in message and "500,000.01" in message  # the overshoot and the total
    third.refresh_from_db()
    assert not third.is_retained
    assert events("project_retained") == 2


def test_a_retained_projects_cost_stays_within_the_envelope(
    campaign: ParticipatoryBudget, finance_officer: User, items: dict[str, BudgetItem]
) -> None:
    make_project(campaign, "Parc", "400000", is_retained=True, item=items["20.10.1"])
    project = make_project(campaign, "Piste", "100000", is_retained=True, item=items["20.10.1"])
    with pytest.raises(ValidationError) as caught:
        services.project_save(
            campaign=campaign,
            actor=finance_officer,
            data={"title_fr": "Piste", "cost": "100000.01"},
            project=project,
        )
    assert set(caught.value.message_dict) == {"cost"}
    project.refresh_from_db()
    assert project.cost == Decimal("100000.00")
    # Not retained: any cost.
    free = make_project(campaign, "Stade", "1")
    services.project_save(
        campaign=campaign, actor=finance_officer, data={"title_fr": "Stade", "cost": "9000000"},
        project=free,
    )  # fmt: skip


# --- votes from the survey --------------------------------------------------------------------


def _ballot(survey: Survey, choices: list[tuple[str, str]], ballots: list[list[int]]) -> None:
    question = Question.objects.create(
        survey=survey, kind=Kind.MULTIPLE, text_ar="المشاريع", text_fr="Projets"
    )
    options = [
        Option.objects.create(question=question, label_ar=ar, label_fr=fr, order=n)
        for n, (ar, fr) in enumerate(choices)
    ]
    for n, picked in enumerate(ballots):
        participant = make_participant(email=f"voter{n}@example.test")
        response = Response.objects.create(survey=survey, participant=participant)
        Answer.objects.bulk_create(
            Answer(response=response, question=question, option=options[i]) for i in picked
        )


def test_votes_are_read_from_the_survey_results(budget: Budget, finance_officer: User) -> None:
    survey = make_survey(budget.collectivity)
    _ballot(
        survey,
        [("حديقة", "Jardin"), ("مكتبة", "bibliothèque "), ("ملعب", "Stade")],
        [[0, 1], [0], [0, 2], [1]],
    )
    campaign = make_campaign(budget, survey=survey)
    garden = make_project(campaign, "", "1", title_ar="حديقة")
    library = make_project(campaign, "Bibliothèque", "1")
    unnamed = make_project(campaign, "Piscine", "1", votes=7)
    assert services.project_votes_from_survey(campaign=campaign, actor=finance_officer) == 2
    garden.refresh_from_db()
    library.refresh_from_db()
    unnamed.refresh_from_db()
    assert (garden.votes, library.votes, unnamed.votes) == (3, 2, 7)
    event = Event.objects.get(action="finance.participatory_votes_recorded")
    assert event.data["respondents"] == 4 and event.data["projects"] == 2


def test_votes_need_a_survey_of_the_collectivity(
    campaign: ParticipatoryBudget, finance_officer: User, collectivity_b: Collectivity
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.project_votes_from_survey(campaign=campaign, actor=finance_officer)
    assert set(caught.value.message_dict) == {"survey"}
    # A foreign survey set behind the services' back is not read either.
    campaign.survey = make_survey(collectivity_b)
    campaign.save()
    with pytest.raises(ValidationError):
        services.project_votes_from_survey(campaign=campaign, actor=finance_officer)
    assert events("votes_recorded") == 0
