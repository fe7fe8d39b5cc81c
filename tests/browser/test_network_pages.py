"""The network's own pages in a real browser (issue 19): the members, the charter, the
application form, the events and the practices of the exchange, the network's
participation, and the back office of network administrators and of a collectivity's
administrator, in Arabic (right to left) and French.

The data are the apps' own demo data, on the whole country (`hcp_load`): the demo
commune (Aït Melloul) and three regions flagged as in infitah/core/demo.py, the demo
staff accounts the demos link to, then `members_demo` (126 members, the charter, two
applications), `events_demo` (the Saïdia gathering and its workshops, two trainings),
`practices_demo` (three published practices) and `network_participation_demo` (a closed
consultation of the members and an open survey of their citizens).

For every page, in both languages:

- with JavaScript off the page loads, in its language and direction, and shows its main
  heading; in Arabic, a heading with Latin letters is an English message left
  untranslated (the headings are translated messages and Arabic names and titles);
- at 360 px and 1280 px (scripts on for axe-core; the pages have none of their own),
  axe-core finds no violation (every rule it runs by default), and at 360 px the page is
  no wider than the window (`document.scrollingElement.scrollWidth`);
- the first view (empty cache) weighs at most 30 KB, gzip-compressed as production sends
  it (`first_view_bytes` of test_opendata.py).

Every problem of a page is collected and reported together, so that one failure does
not hide the others.

The office pages are seen by a network administrator (signed in through the login page,
no second factor here: test_network_accounts.py passes it); the team page by the demo
commune's administrator. Screenshots (`network-<page>-<lang>-<width>.png`) go to
pytest's tmp_path, copied to the folder INFITAH_SCREENSHOTS_DIR names, when set.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from infitah.accounts.models import Membership, NetworkRole, Role, User
from infitah.network.demo_events import events_demo
from infitah.network.demo_members import members_demo
from infitah.network.demo_practices import practices_demo
from infitah.network.models import Event, EventKind, EventStatus, Practice, PracticeStatus
from infitah.participation.network_demo import network_participation_demo
from infitah.territories.hcp import hcp_load
from infitah.territories.models import Collectivity, Kind
from tests.browser.test_opendata import (
    DESKTOP,
    MAX_FIRST_VIEW_BYTES,
    PHONE,
    axe_source,
    axe_violations,
    first_view_bytes,
    in_language,
    shoot,
    visitor,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

PASSWORD = "network-pages-2026"
DEMO_DOMAIN = "demo.infitah.ma"
# The demo commune and regions of infitah/core/demo.py, by HCP code and folded name.
AIT_MELLOUL_CODE = "09.273.01.05"
NETWORK_START = dt.date(2022, 10, 21)
LATIN = re.compile(r"[A-Za-z]")
DEMO_REGIONS = {
    "bmk": "beni mellal khenifra",
    "draa": "draa tafilalet",
    "laayoune": "laayoune sakia el hamra",
}


@dataclass(frozen=True)
class World:
    commune: Collectivity
    network_admin: User
    admin: User
    event: Event
    practice: Practice


def _user(email: str, full_name: str, **extra: Any) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, **extra)


def _member(collectivity: Collectivity) -> None:
    collectivity.is_network_member = True
    collectivity.joined_network_on = NETWORK_START
    collectivity.save()


def _region(folded: str) -> Collectivity:
    found = Collectivity.objects.filter(kind=Kind.REGION).matching(folded).first()
    assert found is not None, folded
    return found


def build_world() -> World:
    """The country, the demo's members and accounts, then the network's demos."""
    hcp_load()
    commune = Collectivity.objects.get(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE)
    _member(commune)
    regions = {key: _region(name) for key, name in DEMO_REGIONS.items()}
    for region in regions.values():
        _member(region)
    # The demo accounts the network's demos link to (core/demo.py makes them).
    network_admin = _user(
        f"network-admin@{DEMO_DOMAIN}",
        "Network admin (demo)",
        network_role=NetworkRole.NETWORK_ADMIN,
        is_staff=True,
    )
    admin = _user(f"admin@{DEMO_DOMAIN}", "Administrateur — Aït Melloul")
    Membership.objects.create(user=admin, collectivity=commune, role=Role.ADMIN)
    for email, name, place, role in (
        (f"focal-point@{DEMO_DOMAIN}", "نقطة الارتكاز — أيت ملول", commune, Role.FOCAL_POINT),
        (
            f"focal-point.draa@{DEMO_DOMAIN}",
            "Point focal — Drâa",
            regions["draa"],
            Role.FOCAL_POINT,
        ),
        (f"focal-point.bmk@{DEMO_DOMAIN}", "نقطة الارتكاز — BMK", regions["bmk"], Role.FOCAL_POINT),
        (
            f"information-officer.bmk@{DEMO_DOMAIN}",
            "Chargée de l'information — BMK",
            regions["bmk"],
            Role.INFORMATION_OFFICER,
        ),
    ):
        user = _user(email, name)
        Membership.objects.create(user=user, collectivity=place, role=role)

    def quiet(line: object) -> None:
        return None

    members_demo(quiet)
    events_demo(quiet)
    practices_demo(quiet)
    network_participation_demo(quiet)

    event = (
        Event.objects.filter(kind=EventKind.GATHERING, status=EventStatus.PUBLISHED)
        .order_by("starts_at", "pk")
        .first()
    )
    assert event is not None
    practice = (
        Practice.objects.filter(collectivity=commune, status=PracticeStatus.PUBLISHED)
        .order_by("pk")
        .first()
    )
    assert practice is not None
    commune.refresh_from_db()
    return World(
        commune=commune,
        network_admin=network_admin,
        admin=admin,
        event=event,
        practice=practice,
    )


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    # The demos store PDFs: in tmp_path (the live server runs in this process).
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


# page: (path with {lang}, who is signed in: None, "network" or "admin")
PAGES: dict[str, tuple[str, str | None]] = {
    "members": ("/{lang}/network/members/", None),
    "charter": ("/{lang}/network/charter/", None),
    "apply": ("/{lang}/network/members/apply/", None),
    "events": ("/{lang}/network/events/", None),
    "event": ("/{lang}/network/events/{event}/", None),
    "practices": ("/{lang}/network/practices/", None),
    "practice": ("/{lang}/network/practices/{practice}/", None),
    "participation": ("/{lang}/network/participation/", None),
    "office": ("/{lang}/network/office/", "network"),
    "office-health": ("/{lang}/network/office/health/", "network"),
    "office-accounts": ("/{lang}/network/office/accounts/", "network"),
    "team": ("/{lang}/staff/{slug}/team/", "admin"),
}


def _signed_in(browser: Browser, base: str, user: User) -> Any:
    """The cookies of `user` signed in through the login page."""
    with visitor(browser) as page:
        page.goto(f"{base}/fr/accounts/login/")
        page.locator("#id_username").fill(user.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator('main form button[type="submit"]').click()
        page.wait_for_load_state("load")
        expect(page.locator("#id_password")).to_have_count(0)
        return page.context.storage_state()


def _overflow(page: Page) -> int:
    """How many pixels the page sticks out sideways beyond the window."""
    width, window = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    return int(width) - int(window)


def _untranslated(text: str) -> bool:
    """Latin letters in an Arabic heading: an English message left untranslated (the
    headings here are translated messages and Arabic names and titles)."""
    return bool(LATIN.search(text))


@pytest.mark.parametrize("name", list(PAGES))
def test_network_pages_are_accessible_fit_a_phone_work_without_javascript_and_stay_light(
    browser: Browser, live_server: LiveServer, world: World, name: str, tmp_path: Path
) -> None:
    base = live_server.url
    template, who = PAGES[name]
    state = None
    if who is not None:
        state = _signed_in(browser, base, world.network_admin if who == "network" else world.admin)
    source = axe_source()
    problems: list[str] = []
    for lang in ("ar", "fr"):
        url = base + template.format(
            lang=lang, event=world.event.pk, practice=world.practice.pk, slug=world.commune.slug
        )
        # Without JavaScript: the page, its language and direction, its main heading.
        with visitor(browser, storage_state=state) as page:
            answer = page.goto(url)
            assert answer is not None and answer.status == 200, f"{url}: {answer and answer.status}"
            in_language(page, lang)
            heading = page.locator("main h1")
            expect(heading).to_have_count(1)
            expect(heading).to_be_visible()
            text = (heading.inner_text() or "").strip()
            assert text, f"{url}: an empty heading"
            if lang == "ar" and _untranslated(text):
                problems.append(f"{url}: untranslated heading {text!r}")
        # At each width (scripts on, for axe-core): a screenshot, nothing sticking out
        # sideways on a phone, no axe-core violation.
        for viewport in (PHONE, DESKTOP):
            width = viewport["width"]
            with visitor(browser, viewport, javascript=True, storage_state=state) as page:
                answer = page.goto(url)
                assert answer is not None and answer.status == 200, url
                in_language(page, lang)
                shoot(page, tmp_path / "shots", f"network-{name}-{lang}-{width}")
                if width == PHONE["width"] and (extra := _overflow(page)) > 0:
                    problems.append(f"{url}: {extra}px wider than a {width}px window")
                problems += [f"{url} at {width}px: {v}" for v in axe_violations(page, source)]
        weight = first_view_bytes(browser, url, storage_state=state)
        if weight > MAX_FIRST_VIEW_BYTES:
            problems.append(
                f"{url}: {weight} bytes on a first view (at most {MAX_FIRST_VIEW_BYTES})"
            )
    assert not problems, "\n".join(problems)
