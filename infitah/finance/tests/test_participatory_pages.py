"""The participatory budgeting pages, end to end through the test client.

Staff: the year's campaigns with their projects and totals, the forms (open or change a
campaign, add, change or remove a project, record the votes, retain on an investment
line, release), in Arabic and French; who may open them (the finance unit and the
admin; Charlie, other staff and citizens get 404, visitors sign in); bad ids and bad
input never a 500, nothing written. Public: a campaign's page in both languages, 404
for a collectivity outside the network; both pages cost the same queries with 3 or 40
projects.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import Role, User
from infitah.finance.models import Budget, BudgetItem, ParticipatoryBudget, ParticipatoryProject
from infitah.finance.staff_participatory_urls import urlpatterns
from infitah.finance.tests.test_participatory_services import (
    make_campaign,
    make_consultation,
    make_items,
    make_project,
    make_survey,
    make_version,
)
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
PUBLIC_MAX_BYTES = 30 * 1024


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(finance_officer: User) -> Client:
    return _client(finance_officer)


@pytest.fixture
def world(budget: Budget) -> dict[str, Any]:
    """A's 2026 budget (approved: 1,000,000 MAD of investment expenditure), a campaign
    of 500,000 MAD with a consultation and a published survey, three projects of which
    one is retained on the line 20.10.1."""
    items = make_items(budget)
    make_version(budget, items)
    consultation = make_consultation(budget.collectivity)
    survey = make_survey(budget.collectivity)
    campaign = make_campaign(budget, consultation=consultation, survey=survey)
    park = make_project(
        campaign, "Parc des enfants", "200000", votes=120, is_retained=True, item=items["20.10.1"]
    )
    make_project(campaign, "Bibliothèque", "150000", votes=300)
    make_project(campaign, "Piste cyclable", "90000", votes=45)
    return {
        "slug": "commune-a",
        "year": 2026,
        "pk": campaign.pk,
        "project": park.pk,
        "budget": budget,
        "campaign": campaign,
        "park": park,
        "items": items,
        "consultation": consultation,
        "survey": survey,
    }


def _urls(world: dict[str, Any], lang: str = "fr") -> dict[str, str]:
    """Every staff URL of participatory budgeting, for A's objects."""
    urls = {}
    with translation.override(lang):
        for pattern in urlpatterns:
            assert isinstance(pattern, URLPattern) and pattern.name
            names = pattern.pattern.converters.keys() | {"slug"}
            urls[pattern.name] = reverse(
                f"finance-staff:{pattern.name}", kwargs={k: world[k] for k in names}
            )
    return urls


def _public(world: dict[str, Any], lang: str = "fr", slug: str = "commune-a") -> str:
    return f"/{lang}/c/{slug}/finance/budgets/{world['year']}/participatory/{world['pk']}/"


# --- the staff pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_year_page_shows_campaigns_projects_and_totals(
    lang: str, officer: Client, world: dict[str, Any]
) -> None:
    urls = _urls(world, lang)
    response = officer.get(urls["participatory"])
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    campaign, park = world["campaign"], world["park"]
    assert f'id="campaign-{campaign.pk}"' in html
    assert html.count('data-project="') == 3 and html.count('data-retained="1"') == 1
    assert 'class="retained-total" data-value="200000.00"' in html
    assert 'class="remaining" data-value="300000.00"' in html
    for name in (
        "participatory-add",
        "participatory-edit",
        "participatory-votes",
        "participatory-project-add",
        "participatory-project-edit",
        "participatory-project-retain",
        "participatory-project-release",
        "participatory-project-delete",
    ):
        assert f'href="{urls[name]}"' in html, name
    assert f'href="{_public(world, lang)}"' in html
    assert escape(world["consultation"].title) in html and "20.10.1" in html
    # Projects by votes.
    assert html.index("Bibliothèque") < html.index("Parc des enfants") < html.index("Piste")
    with translation.override(lang):
        assert escape(gettext("Participatory budgeting")) in html
    assert "<table" not in html and "style=" not in html
    assert f'id="project-{park.pk}"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_every_form_page_opens(lang: str, officer: Client, world: dict[str, Any]) -> None:
    for name, url in _urls(world, lang).items():
        response = officer.get(url)
        assert response.status_code == 200, name
        assert f'lang="{lang}"' in response.content.decode()


def test_the_year_page_without_campaign(officer: Client, budget: Budget) -> None:
    html = officer.get("/fr/staff/commune-a/finance/budgets/2026/participatory/").content.decode()
    assert 'id="no-campaign"' in html and 'id="cap"' in html


def test_a_campaign_is_opened_and_changed(officer: Client, world: dict[str, Any]) -> None:
    urls = _urls(world)
    consultation, survey = world["consultation"], world["survey"]
    response = officer.post(
        urls["participatory-add"],
        {
            "title_ar": "الميزانية التشاركية 2026",
            "title_fr": "",
            "envelope": "250000.50",
            "consultation": str(consultation.pk),
            "survey": str(survey.pk),
        },
    )
    created = ParticipatoryBudget.objects.exclude(pk=world["pk"]).get()
    assert response.status_code == 302
    assert response["Location"] == f"{urls['participatory']}#campaign-{created.pk}"
    assert created.envelope == Decimal("250000.50") and created.survey == survey
    response = officer.post(
        urls["participatory-edit"], {"title_fr": "Renommé", "envelope": "400000"}
    )
    assert response.status_code == 302
    campaign = ParticipatoryBudget.objects.get(pk=world["pk"])
    assert campaign.title_fr == "Renommé" and campaign.consultation is None


@pytest.mark.parametrize(
    "values",
    [
        {"envelope": "1000000.01"},  # above the investment expenditure
        {"envelope": "-1"},
        {"envelope": "beaucoup"},
        {"envelope": "1" * 40},
        {"title_fr": "x" * 301},
        {"title_fr": "Budget\x00"},
        {"title_fr": ""},
        {"consultation": "abc"},
        {"survey": "999999"},
    ],
)
def test_bad_campaign_input_is_a_400_and_nothing_is_written(
    officer: Client, world: dict[str, Any], values: dict[str, str]
) -> None:
    urls = _urls(world)
    posted = {"title_fr": "Nouveau", "envelope": "1000", **values}
    response = officer.post(urls["participatory-add"], posted)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert ParticipatoryBudget.objects.count() == 1
    assert not Event.objects.exists()


def test_a_foreign_consultation_is_refused_through_the_form(
    officer: Client, world: dict[str, Any], collectivity_b: Collectivity
) -> None:
    foreign = make_consultation(collectivity_b, "Étrangère")
    urls = _urls(world)
    response = officer.post(
        urls["participatory-add"],
        {"title_fr": "X", "envelope": "10", "consultation": str(foreign.pk)},
    )
    assert response.status_code == 400 and "Étrangère" not in response.content.decode()
    assert ParticipatoryBudget.objects.count() == 1


def test_the_envelope_cap_message_is_shown(officer: Client, world: dict[str, Any]) -> None:
    response = officer.post(
        _urls(world)["participatory-edit"], {"title_fr": "X", "envelope": "2000000"}
    )
    assert response.status_code == 400
    with translation.override("fr"):
        expected = gettext(
            "The envelope cannot exceed the budget's investment expenditure (%(cap)s MAD)."
        ) % {"cap": "1\u202f000\u202f000,00"}
    html = response.content.decode()
    assert escape(expected) in html or escape(expected.replace("\u202f", "\xa0")) in html


def test_projects_are_added_changed_and_removed(officer: Client, world: dict[str, Any]) -> None:
    urls = _urls(world)
    response = officer.post(
        urls["participatory-project-add"], {"title_ar": "ملعب", "cost": "80000", "votes": "12"}
    )
    added = ParticipatoryProject.objects.get(title_ar="ملعب")
    assert response.status_code == 302
    assert response["Location"] == f"{urls['participatory']}#project-{added.pk}"
    assert (added.cost, added.votes) == (Decimal("80000.00"), 12)
    response = officer.post(
        urls["participatory-project-edit"],
        {"title_fr": "Parc des enfants", "cost": "199999", "votes": "121"},
    )
    assert response.status_code == 302
    park = ParticipatoryProject.objects.get(pk=world["park"].pk)
    assert (park.cost, park.votes, park.is_retained) == (Decimal("199999.00"), 121, True)
    assert officer.post(urls["participatory-project-delete"]).status_code == 302
    assert not ParticipatoryProject.objects.filter(pk=park.pk).exists()


@pytest.mark.parametrize(
    "values",
    [
        {"cost": "-1"},
        {"cost": ""},
        {"cost": "1,5,6"},
        {"votes": "-2"},
        {"votes": "abc"},
        {"votes": "9" * 30},
        {"title_fr": "\x00"},
        {"title_fr": "y" * 301},
        {"title_fr": ""},
    ],
)
def test_bad_project_input_is_a_400(
    officer: Client, world: dict[str, Any], values: dict[str, str]
) -> None:
    urls = _urls(world)
    response = officer.post(
        urls["participatory-project-add"], {"title_fr": "Stade", "cost": "10", **values}
    )
    assert response.status_code == 400
    assert ParticipatoryProject.objects.count() == 3


def test_a_retained_projects_new_cost_may_not_overshoot(
    officer: Client, world: dict[str, Any]
) -> None:
    response = officer.post(
        _urls(world)["participatory-project-edit"],
        {"title_fr": "Parc des enfants", "cost": "500000.01", "votes": "1"},
    )
    assert response.status_code == 400
    assert ParticipatoryProject.objects.get(pk=world["park"].pk).cost == Decimal("200000.00")


def test_a_project_is_retained_on_an_investment_line_and_released(
    officer: Client, world: dict[str, Any]
) -> None:
    campaign, items = world["campaign"], world["items"]
    library = ParticipatoryProject.objects.get(campaign=campaign, title_fr="Bibliothèque")
    urls = _urls({**world, "project": library.pk})
    form = officer.get(urls["participatory-project-retain"]).content.decode()
    # Only the investment expenditure lines are offered.
    assert f'value="{items["20.10.1"].pk}"' in form and f'value="{items["20.10.2"].pk}"' in form
    assert f'value="{items["10.20.1"].pk}"' not in form
    assert f'value="{items["30.10.1"].pk}"' not in form
    response = officer.post(
        urls["participatory-project-retain"], {"item": str(items["20.10.2"].pk)}
    )
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.is_retained and library.item == items["20.10.2"]
    response = officer.post(urls["participatory-project-release"])
    assert response.status_code == 302
    library.refresh_from_db()
    assert not library.is_retained and library.item is None


@pytest.mark.parametrize("line", ["10.20.1", "30.10.1", "", "abc", "999999"])
def test_retaining_on_a_wrong_line_is_a_400(
    officer: Client, world: dict[str, Any], line: str
) -> None:
    library = ParticipatoryProject.objects.get(title_fr="Bibliothèque")
    urls = _urls({**world, "project": library.pk})
    value = str(world["items"][line].pk) if line in world["items"] else line
    assert officer.post(urls["participatory-project-retain"], {"item": value}).status_code == 400
    library.refresh_from_db()
    assert not library.is_retained


def test_retaining_beyond_the_envelope_is_a_400_naming_the_overshoot(
    officer: Client, world: dict[str, Any]
) -> None:
    campaign, items = world["campaign"], world["items"]
    big = make_project(campaign, "Piscine", "300000.01")
    urls = _urls({**world, "project": big.pk})
    response = officer.post(
        urls["participatory-project-retain"], {"item": str(items["20.10.1"].pk)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "0,01" in html and 'class="errorlist"' in html
    big.refresh_from_db()
    assert not big.is_retained


def test_the_votes_are_recorded_from_the_survey(officer: Client, world: dict[str, Any]) -> None:
    url = _urls(world)["participatory-votes"]
    response = officer.post(url)
    assert response.status_code == 302  # no option names a project: nothing changes
    assert Event.objects.filter(action="finance.participatory_votes_recorded").count() == 1
    campaign = world["campaign"]
    campaign.survey = None
    campaign.save()
    assert officer.post(url).status_code == 400


# --- who may open what ------------------------------------------------------------------------


def test_charlie_gets_404_on_every_url_of_a(world: dict[str, Any], charlie: User) -> None:
    client = _client(charlie)
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"title_fr": "x", "envelope": "1", "cost": "1"}).status_code == 404
    # Nor through his own collectivity's prefix.
    for name, url in _urls({**world, "slug": "commune-b"}).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"title_fr": "x", "envelope": "1", "cost": "1"}).status_code == 404
    assert ParticipatoryBudget.objects.count() == 1 and ParticipatoryProject.objects.count() == 3
    assert not Event.objects.exists()


def test_other_staff_and_citizens_get_404_and_visitors_sign_in(
    world: dict[str, Any], citizen: User, staff_for: Callable[[str], User]
) -> None:
    for user in (
        citizen,
        staff_for(Role.ADVISORY_SECRETARY),
        staff_for(Role.FOCAL_POINT),
        staff_for(Role.PUBLICATION_EDITOR),
    ):
        client = _client(user)
        for name, url in _urls(world).items():
            assert client.get(url).status_code == 404, (user, name)
    visitor = Client()
    for name, url in _urls(world).items():
        response = visitor.get(url)
        assert response.status_code == 302 and "login" in response["Location"], name


def test_the_admin_opens_every_page(
    world: dict[str, Any], staff_for: Callable[[str], User]
) -> None:
    client = _client(staff_for(Role.ADMIN))
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 200, name


def test_bad_ids_are_404_never_a_500(officer: Client, world: dict[str, Any]) -> None:
    base = "/fr/staff/commune-a/finance/budgets/"
    huge = "9" * 30
    campaign, park = world["campaign"], world["park"]
    other = make_campaign(
        Budget.objects.create(collectivity=world["budget"].collectivity, year=2025)
    )
    stray = make_project(other, "Ailleurs", "1")
    sibling = make_campaign(world["budget"])
    for path in (
        "2025/participatory/",  # a year without... a campaign of 2026
        "1999/participatory/",
        f"{huge}/participatory/",
        "abc/participatory/",
        "2027/participatory/add/",
        f"2026/participatory/{huge}/edit/",
        "2026/participatory/999999/edit/",
        f"2026/participatory/{other.pk}/edit/",
        f"2025/participatory/{campaign.pk}/edit/",
        f"2026/participatory/{campaign.pk}/projects/{huge}/",
        f"2026/participatory/{campaign.pk}/projects/{stray.pk}/",
        f"2026/participatory/{sibling.pk}/projects/{park.pk}/retain/",
        f"2026/participatory/{campaign.pk}/projects/abc/delete/",
    ):
        response = officer.get(base + path)
        expected = 200 if path == "2025/participatory/" else 404
        assert response.status_code == expected, path
        assert officer.post(base + path, {"item": "1"}).status_code in (expected, 400, 302), path
    park.refresh_from_db()
    assert park.is_retained and ParticipatoryProject.objects.filter(pk=stray.pk).exists()


# --- the public page ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_public_page_shows_the_campaign(lang: str, world: dict[str, Any]) -> None:
    response = Client().get(_public(world, lang))
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    assert len(response.content) <= PUBLIC_MAX_BYTES
    assert 'id="envelope" data-value="500000.00"' in html
    assert 'id="retained-total" data-value="200000.00"' in html
    assert 'id="remaining" data-value="300000.00"' in html
    slug, consultation, survey = "commune-a", world["consultation"], world["survey"]
    assert f'href="/{lang}/c/{slug}/consultations/{consultation.pk}/"' in html
    assert f'href="/{lang}/c/{slug}/surveys/{survey.pk}/"' in html
    assert f'href="/{lang}/c/{slug}/surveys/{survey.pk}/results/"' in html  # closed
    # By votes; the retained one with its line's code and label.
    assert html.index("Bibliothèque") < html.index("Parc des enfants") < html.index("Piste")
    assert html.count('data-retained="1"') == 1 and 'class="line-code">20.10.1<' in html
    with translation.override(lang):
        label = world["items"]["20.10.1"].label
        assert escape(label) in html
        assert escape(gettext("Retained")) in html
    assert (
        "<table" not in html
        and "style=" not in html
        and "<script" not in html.split("</main>")[0].split("<main")[-1]
    )


def test_a_draft_survey_is_not_linked(world: dict[str, Any]) -> None:
    survey = world["survey"]
    survey.status = "draft"
    survey.save()
    html = Client().get(_public(world)).content.decode()
    assert f"/surveys/{survey.pk}/" not in html and 'id="consultation"' in html


def test_the_public_page_is_404_outside_the_network_and_for_bad_ids(
    world: dict[str, Any], collectivity_b: Collectivity
) -> None:
    budget_b = Budget.objects.create(collectivity=collectivity_b, year=2026)
    campaign_b = make_campaign(budget_b)
    client = Client()
    assert (
        client.get(_public({"year": 2026, "pk": campaign_b.pk}, slug="commune-b")).status_code
        == 404
    )
    # B's campaign through A's prefix, a wrong year, unknown ids.
    for year, pk in (
        (2026, campaign_b.pk),
        (2025, world["pk"]),
        (2026, 999999),
        (1999, world["pk"]),
    ):
        assert client.get(_public({"year": year, "pk": pk})).status_code == 404, (year, pk)
    assert (
        client.get(f"/fr/c/commune-a/finance/budgets/2026/participatory/{'9' * 30}/").status_code
        == 404
    )
    assert client.get("/fr/c/commune-a/finance/budgets/2026/participatory/abc/").status_code == 404
    assert client.post(_public(world)).status_code == 405


# --- queries ------------------------------------------------------------------------------------


def _grow(campaign: ParticipatoryBudget, upto: int, line: BudgetItem) -> None:
    have = campaign.projects.count()
    ParticipatoryProject.objects.bulk_create(
        ParticipatoryProject(
            campaign=campaign,
            title_fr=f"Projet {n}",
            cost=Decimal(1),
            votes=n,
            is_retained=n % 2 == 0,
            item=line if n % 2 == 0 else None,
        )
        for n in range(have, upto)
    )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_the_pages_cost_the_same_queries_with_3_or_40_projects(
    officer: Client, world: dict[str, Any]
) -> None:
    campaign, line = world["campaign"], world["items"]["20.10.2"]
    staff, public = _urls(world)["participatory"], _public(world)
    second = make_campaign(world["budget"])
    _grow(second, 3, line)
    visitor = Client()
    before = (_count(officer, staff), _count(visitor, public))
    _grow(campaign, 40, line)
    _grow(second, 40, line)
    make_campaign(world["budget"])
    after = (_count(officer, staff), _count(visitor, public))
    assert before == after
    assert officer.get(staff).content.decode().count('data-project="') == 80
