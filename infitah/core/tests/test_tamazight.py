"""The Tamazight interface (`/zgh/`, docs/tamazight.md): the citizen pages render in
Tifinagh, left to right, with the strings the zgh catalogue translates translated and the
others in Arabic; staff pages stay Arabic; dates use IRCAM's month names."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from infitah.complaints.services import ComplaintInput, complaint_submit
from infitah.core.demo import demo_load
from infitah.information.services import RequestInput, request_file
from infitah.lib.casework import site_language
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.publication.models import Category
from infitah.territories.models import Collectivity

PO = Path(settings.LOCALE_PATHS[0]) / "zgh" / "LC_MESSAGES" / "django.po"
TIFINAGH = re.compile("[\u2d30-\u2d7f]")
IRCAM_MONTHS = (
    "ⵢⵏⵏⴰⵢⵔ",
    "ⴱⵕⴰⵢⵕ",
    "ⵎⴰⵕⵚ",
    "ⵉⴱⵔⵉⵔ",
    "ⵎⴰⵢⵢⵓ",
    "ⵢⵓⵏⵢⵓ",
    "ⵢⵓⵍⵢⵓⵣ",
    "ⵖⵓⵛⵜ",
    "ⵛⵓⵜⴰⵏⴱⵉⵔ",
    "ⴽⵜⵓⴱⵔ",
    "ⵏⵓⵡⴰⵏⴱⵉⵔ",
    "ⴷⵓⵊⴰⵏⴱⵉⵔ",
)
# Shorter strings ("Yes", "API") may be data or codes as well: not telling alone.
_TOO_SHORT = 4


def _catalogue() -> tuple[dict[str, str], dict[str, str]]:
    """(translated msgid → msgstr, untranslated msgid → Arabic msgstr) of plain entries
    without placeholders or markup, that can be looked for in a page as they are."""
    arabic = {
        e.msgid: e.msgstr
        for e in polib.pofile(str(PO.parent.parent.parent / "ar/LC_MESSAGES/django.po"))
    }
    translated: dict[str, str] = {}
    untranslated: dict[str, str] = {}
    for entry in polib.pofile(str(PO)):
        if entry.msgid_plural or entry.msgctxt or entry.obsolete:
            continue
        if re.search(r"[%<>&\"'{]", entry.msgid) or len(entry.msgid) < _TOO_SHORT:
            continue
        if entry.translated():
            translated[entry.msgid] = entry.msgstr
        elif arabic.get(entry.msgid):
            untranslated[entry.msgid] = arabic[entry.msgid]
    return translated, untranslated


class _Text(HTMLParser):
    """The visible text of a page (no scripts, styles or attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _nodes(html: str) -> set[str]:
    """The text nodes of a page, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    return {" ".join(part.split()) for part in parser.parts} - {""}


def _check_zgh_page(client: Client, url: str, others: dict[str, set[str]]) -> list[str]:
    """200, lang="zgh" dir="ltr", Tifinagh on the page; returns the text nodes that are
    the English, Arabic or French of a string the zgh catalogue translates."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="zgh" dir="ltr">' in html, url
    nodes = _nodes(html)
    assert any(TIFINAGH.search(node) for node in nodes), url
    return [
        f"{url}: {msgid!r} shown as {forms & nodes}"
        for msgid, forms in others.items()
        if forms & nodes
    ]


def _untranslated_forms() -> set[str]:
    """The Arabic and French of the strings the zgh catalogue leaves to Arabic: a text
    node equal to one of them may come from that string (e.g. "Files" and "Cases" are
    both "الملفات")."""
    untranslated = {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(PO)) if not e.translated()}
    forms: set[str] = set()
    for code in ("ar", "fr"):
        for entry in polib.pofile(str(PO.parent.parent.parent / code / "LC_MESSAGES/django.po")):
            if (entry.msgctxt or "", entry.msgid) in untranslated:
                forms.add(entry.msgstr)
                forms.update(entry.msgstr_plural.values())
    return forms


@pytest.mark.django_db
def test_every_citizen_page_renders_in_tamazight_left_to_right() -> None:
    """Home, collectivity home, documents and search, information request, complaint,
    petition signing, consultations, surveys, labs, tracking pages, and the e-mails."""
    demo_load(log=lambda _line: None, import_dataset=False)
    commune = Collectivity.objects.get(slug="ait-melloul")
    translated, _untranslated = _catalogue()
    others: dict[str, set[str]] = {msgid: {msgid} for msgid in translated}
    for code in ("ar", "fr"):
        with translation.override(code):
            for msgid in translated:
                others[msgid].add(translation.gettext(msgid))
    # Data in Arabic and French (the catalogue's categories: "Statistics") is not a
    # string of the interface.
    ambiguous = _untranslated_forms() | {
        name for pair in Category.objects.values_list("name_ar", "name_fr") for name in pair
    }
    for msgid, zgh in translated.items():
        others[msgid] -= {zgh, *ambiguous}

    complaint, complaint_token = complaint_submit(
        collectivity=commune,
        data=ComplaintInput(
            kind="complaint",
            category="",
            description="ⵜⴰⴼⴰⵡⵜ ⵏ ⵓⵖⴰⵔⴰⵙ ⵓⵔ ⵜⵙⵙⴰⵖ ⵙⴳ ⵙⵉⵏ ⵉⵎⴰⵍⴰⵙⵏ, ⴰⵖⴰⵔⴰⵙ ⵉⴷⵍⵍⵉⵙ ⴳ ⵢⵉⴹ.",
            name="Tiziri",
            email="tiziri@example.test",
            phone="",
            address="",
            latitude="",
            longitude="",
            chikaya_reference="",
        ),
        email_confirmed=True,
        language="zgh",
    )
    assert complaint.language == "zgh"
    _info, info_token = request_file(
        collectivity=commune,
        data=RequestInput(
            requester_type="citizen",
            first_name="Tiziri",
            last_name="Amellal",
            id_type="cin",
            id_number="JB123456",
            address="ⴰⵢⵜ ⵎⵍⵍⵓⵍ",
            email="tiziri@example.test",
            subject="ⵜⴰⵙⵓⵜⵔⴰ",
            description="ⵜⴰⵙⵓⵜⵔⴰ ⵏ ⵜⵏⵖⵎⵉⵙⵜ ⵖⴼ ⵜⵙⵎⴽⵜⵉⵜ ⵏ 2026.",
            delivery="email",
        ),
        email_confirmed=True,
        language="zgh",
    )
    petition = Petition.objects.filter(
        collectivity=commune, status=PetitionStatus.COLLECTING
    ).first()
    consultation = Consultation.objects.filter(collectivity=commune).first()
    survey = Survey.objects.filter(collectivity=commune).first()
    lab = Lab.objects.filter(collectivity=commune).first()
    assert petition and consultation and survey and lab
    slug = commune.slug
    translation.activate("zgh")
    pages = [
        reverse("territories:home"),
        reverse("territories:home") + "?q=ⴰⵢⵜ+ⵎⵍⵍⵓⵍ",
        reverse("territories:collectivity", kwargs={"slug": slug}),
        reverse("publication:list", kwargs={"slug": slug}),
        reverse("search:search") + "?q=ⴰⴳⴰⴷⵉⵔ",
        reverse("search:search") + f"?q=budget&collectivity={slug}",
        reverse("information:home", kwargs={"slug": slug}),
        reverse("information:file", kwargs={"slug": slug}),
        reverse("information:track", kwargs={"token": info_token}),
        reverse("information:recover"),
        reverse("complaints:home", kwargs={"slug": slug}),
        reverse("complaints:submit", kwargs={"slug": slug}),
        reverse("complaints:track", kwargs={"token": complaint_token}),
        reverse("complaints:recover"),
        reverse("petitions:home", kwargs={"slug": slug}),
        reverse("petitions:detail", kwargs={"slug": slug, "pk": petition.pk}),
        reverse("consultations:list", kwargs={"slug": slug}),
        reverse("consultations:detail", kwargs={"slug": slug, "pk": consultation.pk}),
        reverse("surveys:list", kwargs={"slug": slug}),
        reverse("surveys:detail", kwargs={"slug": slug, "pk": survey.pk}),
        reverse("labs:list", kwargs={"slug": slug}),
        reverse("labs:detail", kwargs={"slug": slug, "pk": lab.pk}),
        reverse("participation:join"),
    ]
    translation.deactivate()
    assert all(url.startswith("/zgh/") for url in pages)
    client = Client()
    left = [line for url in pages for line in _check_zgh_page(client, url, others)]
    assert left == []

    # A form sent empty comes back in Tamazight too (the signing form is on the
    # petition's page; its errors come back there).
    for url in (
        reverse_zgh("complaints:submit", slug=slug),
        reverse_zgh("petitions:sign", slug=slug, pk=petition.pk),
    ):
        response = client.post(url, {})
        assert response.status_code in (200, 400), (url, response.status_code)
        html = response.content.decode()
        assert '<html lang="zgh" dir="ltr">' in html, url
        assert "ⴰⵣⵏ" in html or "ⵣⵎⵎⴰⵎ" in html, url  # the form again, its button in zgh

    # The shell is translated on every page: the menu and the language switch.
    home = client.get("/zgh/").content.decode()
    assert "ⵜⵉⵎⵓⵏⵉⵏ" in home and "ⴰⵔⵣⵣⵓ" in home
    switch = re.findall(r'hreflang="(\w+)"[^>]*>([^<]+)</a>', home)
    assert switch == [
        ("zgh", "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
        ("ar", translation.get_language_info("ar")["name_local"]),  # العربيّة
        ("fr", "français"),
    ]
    for code in ("zgh", "ar", "fr"):
        assert f'<link rel="alternate" hreflang="{code}" href="/{code}/">' in home

    # The e-mails to a citizen who wrote in Tamazight link to the Tamazight pages.
    to_citizen = [m for m in mail.outbox if "tiziri@example.test" in m.to]
    assert to_citizen
    for message in to_citizen:
        assert "/zgh/" in message.body, message.body


def reverse_zgh(name: str, **kwargs: Any) -> str:
    with translation.override("zgh"):
        return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
def test_an_untranslated_string_shows_in_arabic_not_english() -> None:
    _translated, untranslated = _catalogue()
    msgid, arabic = next(iter(untranslated.items()))
    with translation.override("ar"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    with translation.override("zgh"):
        assert translation.gettext(msgid) == arabic
        # Django's own strings too (form errors): Arabic, never English.
        assert translation.gettext("This field is required.") == required
        assert translation.get_language_bidi() is False
        assert translation.get_language_info("zgh")["name_local"] == "ⵜⴰⵎⴰⵣⵉⵖⵜ"


def test_plural_forms_follow_the_header() -> None:
    with translation.override("zgh"):
        one = translation.ngettext("%(n)s day", "%(n)s days", 1) % {"n": 1}
        many = translation.ngettext("%(n)s day", "%(n)s days", 5) % {"n": 5}
    assert one == "1 ⵡⴰⵙⵙ" and many == "5 ⵡⵓⵙⵙⴰⵏ"
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in PO.read_text(encoding="utf-8")


@pytest.mark.parametrize("month", range(1, 13))
def test_dates_use_ircam_month_names_and_western_digits(month: int) -> None:
    day = date(2026, month, 6)
    expected = IRCAM_MONTHS[month - 1]
    with translation.override("zgh"):
        assert formats.date_format(day, "DATE_FORMAT") == f"6 {expected} 2026"
        for letter in ("F", "E", "N", "b"):
            assert formats.date_format(day, letter) == expected, letter
        moment = datetime(2026, month, 6, 14, 5)
        assert formats.date_format(moment, "DATETIME_FORMAT") == f"6 {expected} 2026, 14:05"
        assert formats.number_format(1503, force_grouping=True) == "1\u202f503"


@pytest.mark.django_db
def test_staff_pages_in_tamazight_redirect_to_arabic(staff_a: Any) -> None:
    client = Client()
    response = client.get("/zgh/accounts/login/?next=/ar/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/accounts/login/?next=/ar/staff/"
    client.force_login(staff_a)
    response = client.get("/zgh/staff/commune-a/complaints/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/staff/commune-a/complaints/"
    assert client.post("/zgh/staff/commune-a/complaints/").status_code == 307
    # A staff page's language switch does not offer Tamazight.
    page = Client().get("/ar/accounts/login/").content.decode()
    assert 'hreflang="fr"' in page and 'hreflang="zgh"' not in page


@pytest.mark.django_db
def test_citizen_language_is_kept_for_e_mails() -> None:
    assert site_language("zgh") == "zgh"
    assert site_language("fr-ma") == "fr"
    assert site_language("xx") == "ar"
