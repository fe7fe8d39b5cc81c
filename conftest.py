"""The shared test world: named personas (see docs/testing.md).

- `collectivity_a` / `collectivity_b`: two communes, in two provinces of one region;
- `citizen`: a signed-in person with no role;
- `staff_a`: a user holding every role in A (`staff_for(role)` gives one role only);
- `charlie`: staff (admin) of B, who must get 404 on everything of A;
- `network_admin`: the network administrator.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import import_module

import pytest

from django.apps import apps as django_apps
from django.core.cache import cache
from django.utils import translation

from infitah.accounts.models import Membership, NetworkRole, Role, User
from infitah.territories.models import Collectivity, Kind


@pytest.fixture
def region(db: None) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.REGION,
        slug="souss-massa-test",
        name_ar="سوس ماسة",
        name_fr="Souss-Massa",
        code="R-TEST",
        population=3_020_431,
    )


@pytest.fixture
def prefecture(region: Collectivity) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.PREFECTURE,
        slug="inezgane-test",
        name_ar="إنزكان آيت ملول",
        name_fr="Inezgane-Aït Melloul",
        parent=region,
        region=region,
    )


@pytest.fixture
def collectivity_a(prefecture: Collectivity) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="commune-a",
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=prefecture,
        region=prefecture.region,
        population=191_000,
        is_network_member=True,
    )


@pytest.fixture
def collectivity_b(prefecture: Collectivity) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="commune-b",
        name_ar="إنزكان",
        name_fr="Inezgane",
        parent=prefecture,
        region=prefecture.region,
        population=140_000,
    )


def _user(email: str, **extra: object) -> User:
    return User.objects.create_user(email=email, password="test-password-123", **extra)


@pytest.fixture
def citizen(db: None) -> User:
    return _user("citizen@example.test", full_name="Citizen")


@pytest.fixture
def staff_a(collectivity_a: Collectivity) -> User:
    user = _user("staff-a@example.test", full_name="Staff A")
    Membership.objects.bulk_create(
        Membership(user=user, collectivity=collectivity_a, role=role) for role in Role
    )
    return user


@pytest.fixture
def staff_for(collectivity_a: Collectivity) -> Callable[[str], User]:
    def make(role: str) -> User:
        user = _user(f"{role}@example.test")
        Membership.objects.create(user=user, collectivity=collectivity_a, role=role)
        return user

    return make


@pytest.fixture
def charlie(collectivity_b: Collectivity) -> User:
    user = _user("charlie@example.test", full_name="Charlie")
    Membership.objects.create(user=user, collectivity=collectivity_b, role=Role.ADMIN)
    return user


@pytest.fixture
def network_admin(db: None) -> User:
    return _user("network@example.test", network_role=NetworkRole.NETWORK_ADMIN)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Each test starts with an empty cache (pages, calendar) and no in-process memo."""
    from infitah.petitions.integrity import integrity_settings_forget
    from infitah.petitions.selectors import territory_forget

    cache.clear()
    integrity_settings_forget()
    territory_forget()


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Outside a request, tests read messages in the source language (English); a request
    activates its own language from the URL, and a test may activate another."""
    with translation.override("en"):
        yield


@pytest.fixture
def legal_limits(transactional_db: None) -> None:
    """The legal time limits (complaint.acknowledge, ati.answer…) that a migration seeds,
    put back for a transactional test: another transactional test empties the database
    when it ends. The migration's own seed function, which is idempotent."""
    import_module("infitah.deadlines.migrations.0002_seed_legal_limits").seed(django_apps, None)
    import_module("infitah.deadlines.migrations.0005_legallimit_names").name(django_apps, None)
    import_module("infitah.deadlines.migrations.0006_council_advisory_limits").seed(
        django_apps, None
    )
    import_module("infitah.deadlines.migrations.0008_openplan_limits").seed(django_apps, None)


# ---- PDF tests: run where WeasyPrint can draw Arabic, skipped (in one line) elsewhere ----

# Drawn in a child process: with no usable font at all, Pango may crash the process.
_PDF_PROBE = """
import io, sys
from infitah.lib.pdf import PdfUnavailable, html_to_pdf
phrase = "الحق في الحصول على المعلومات"
try:
    pdf = html_to_pdf(
        '<p dir="rtl" lang="ar" style="font-family: \\'Noto Naskh Arabic\\', '
        f"'Noto Sans Arabic', 'DejaVu Sans'\\">{phrase}</p>"
    )
except PdfUnavailable:
    print("pango")
    sys.exit(0)
from pypdf import PdfReader
text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
print("ok" if phrase in text else "font")
"""
_PDF_PROBLEMS = {
    "pango": "WeasyPrint cannot load Pango (Debian: apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0)",
    "font": "no font draws Arabic here (Debian: apt-get install fonts-noto-core)",
}


@functools.cache
def pdf_problem() -> str | None:
    """Why this machine cannot draw the project's PDFs, or None when it can."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PDF_PROBE],
            cwd=os.path.dirname(os.path.abspath(__file__)),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "drawing a PDF took more than two minutes"
    verdict = probe.stdout.strip().splitlines()[-1:] if probe.returncode == 0 else ["font"]
    return None if verdict == ["ok"] else _PDF_PROBLEMS.get(verdict[0] if verdict else "", "?")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `pdf` are skipped where PDFs cannot be drawn, unless
    INFITAH_REQUIRE_PDF=1 (set by .ci/run), where that stops the run."""
    marked = [item for item in items if item.get_closest_marker("pdf")]
    problem = pdf_problem() if marked else None
    if problem is None:
        return
    if os.environ.get("INFITAH_REQUIRE_PDF", "") == "1":
        raise pytest.UsageError(f"PDF tests required (INFITAH_REQUIRE_PDF=1), but {problem}")
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=problem))
    config.stash[_PDF_SKIPPED] = (len(marked), problem)


_PDF_SKIPPED = pytest.StashKey[tuple[int, str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(_PDF_SKIPPED, None)
    if skipped:
        count, problem = skipped
        terminalreporter.write_line(f"{count} PDF tests skipped: {problem}")
