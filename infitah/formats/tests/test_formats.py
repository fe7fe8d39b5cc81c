"""One date and number format per language (infitah/formats), whatever the format name."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import formats, translation

from infitah.accounts.models import User
from infitah.correspondence.models import ServiceUnit
from infitah.territories.models import Collectivity

DAY = date(2026, 12, 6)
MOMENT = datetime(2026, 12, 6, 14, 5)
NAMES = ("DATE_FORMAT", "SHORT_DATE_FORMAT")
DATETIME_NAMES = ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
MOROCCAN_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
)


def _month_of(lang: str, format_name: str = "DATE_FORMAT") -> str:
    with translation.override(lang):
        text = formats.date_format(DAY, format_name)
        month = formats.date_format(DAY, "F")
    assert text == f"6 {month} 2026"
    return month


@pytest.mark.parametrize("name", NAMES)
def test_dates_read_day_month_year_in_every_format(name: str) -> None:
    """Day, month, year, in the long and the short format alike (no 12/06/2026)."""
    assert _month_of("ar", name)
    assert _month_of("fr", name) == "décembre"


@pytest.mark.parametrize("name", DATETIME_NAMES)
def test_date_and_time_read_day_month_year_then_24_hour_time(name: str) -> None:
    with translation.override("ar"):
        month = formats.date_format(DAY, "F")
        assert formats.date_format(MOMENT, name) == f"6 {month} 2026، 14:05"
    with translation.override("fr"):
        assert formats.date_format(MOMENT, name) == "6 décembre 2026 à 14:05"


def test_arabic_dates_have_western_digits_only() -> None:
    with translation.override("ar"):
        for name in (*NAMES, *DATETIME_NAMES):
            text = formats.date_format(MOMENT, name)
            assert not EASTERN_DIGITS.search(text), text
            assert "2026" in text


@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_months_are_those_of_the_moroccan_administration(month: int) -> None:
    """يناير … دجنبر, never ديسمبر/مايو: the project catalogue overrides Django's names
    (msgids "January"…, contexts "alt. month" and "abbrev. month", "jan"…)."""
    day = date(2026, month, 6)
    expected = MOROCCAN_MONTHS[month - 1]
    with translation.override("ar"):
        assert formats.date_format(day, "DATE_FORMAT") == f"6 {expected} 2026"
        for letter in ("F", "E", "N", "b"):
            assert formats.date_format(day, letter) == expected, letter


@pytest.mark.parametrize(
    ("lang", "grouped"), [("ar", "1.503"), ("fr", "1\u202f503"), ("en", "1,503")]
)
def test_quantities_are_grouped_by_language(lang: str, grouped: str) -> None:
    template = Template('{{ n|floatformat:"0g" }}')
    with translation.override(lang):
        assert template.render(Context({"n": 1503})) == grouped


def test_integers_are_not_grouped_unless_asked() -> None:
    """Ids, years and page numbers go into links and hidden inputs as they are."""
    assert settings.USE_THOUSAND_SEPARATOR is False
    template = Template('<a href="/x/{{ pk }}/">{{ year }}</a>')
    for lang in ("ar", "fr"):
        with translation.override(lang):
            html = template.render(Context({"pk": 1503, "year": 2026}))
        assert html == '<a href="/x/1503/">2026</a>'


def test_an_id_above_999_stays_whole_in_links_and_anchors(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    ServiceUnit.objects.create(
        pk=1503, collectivity=collectivity_a, name_ar="مصلحة الشكايات", name_fr="Plaintes"
    )
    client = Client()
    client.force_login(staff_a)
    for lang in ("ar", "fr"):
        html = client.get(f"/{lang}/staff/commune-a/correspondence/services/").content.decode()
        assert 'id="unit1503"' in html
        assert "/services/1503/" in html


@pytest.mark.parametrize(("lang", "grouped"), [("ar", "3.020.431"), ("fr", "3\u202f020\u202f431")])
def test_population_is_grouped_on_the_collectivity_page(
    region: Collectivity, lang: str, grouped: str
) -> None:
    html = Client().get(f"/{lang}/c/{region.slug}/").content.decode()
    assert f"<dd>{grouped}</dd>" in html
