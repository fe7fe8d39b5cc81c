"""Demo data: the collectivities of the seed texts, their network membership and staff.

Idempotent: a second run changes nothing. Refused in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import NetworkRole, Role, User
from infitah.accounts.services import membership_grant
from infitah.advisory.demo import advisory_demo
from infitah.complaints.demo import demo_complaints
from infitah.council.demo import council_demo
from infitah.finance.demo import finance_demo
from infitah.information.demo import demo_information
from infitah.lib.pagecache import bump
from infitah.network.demo_events import events_demo
from infitah.network.demo_members import members_demo
from infitah.network.demo_practices import practices_demo
from infitah.opendata.demo import opendata_demo
from infitah.opendata.sync import datasets_sync
from infitah.openness.demo import openness_demo
from infitah.openplan.demo import openplan_demo
from infitah.participation.consultations.demo import consultations_demo
from infitah.participation.labs.demo import labs_demo
from infitah.participation.network_demo import network_participation_demo
from infitah.participation.surveys.demo import surveys_demo
from infitah.petitions.demo import petitions_demo
from infitah.publication.demo import publication_demo_load
from infitah.territories.hcp import hcp_load, read_crosswalk
from infitah.territories.models import Collectivity, Kind

DEMO_DOMAIN = "demo.infitah.ma"
DEMO_COMMUNE_SLUG = "ait-melloul"

# The collectivities the seed texts describe, by folded French name, with the date
# they joined the network (the programme's first cohort, 21 Oct 2022).
DEMO_REGIONS = ["beni mellal khenifra", "draa tafilalet", "laayoune sakia el hamra"]
NETWORK_START = dt.date(2022, 10, 21)

# Commune of Ait Melloul, prefecture of Inezgane-Ait Melloul (Souss-Massa): its HCP code.
# Its names and RGPH 2024 population come from hcp_load (docs/territories.md).
AIT_MELLOUL_CODE = "09.273.01.05"


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, description) of every demo login, as `manage.py serve` prints them."""
    rows = [
        (f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}", f"{role.label} — Aït Melloul")
        for role in Role
    ]
    rows.append(
        (
            f"information-officer.bmk@{DEMO_DOMAIN}",
            f"{Role.INFORMATION_OFFICER.label} — Béni Mellal-Khénifra",
        )
    )
    for role in (Role.COUNCIL_SECRETARY, Role.ADVISORY_SECRETARY):
        rows.append(
            (
                f"{role.value.replace('_', '-')}.bmk@{DEMO_DOMAIN}",
                f"{role.label} — Béni Mellal-Khénifra",
            )
        )
    for place, name in (("draa", "Drâa-Tafilalet"), ("bmk", "Béni Mellal-Khénifra")):
        rows.append((f"focal-point.{place}@{DEMO_DOMAIN}", f"{Role.FOCAL_POINT.label} — {name}"))
    rows.append((f"monitor.bmk@{DEMO_DOMAIN}", f"{Role.MONITOR.label} — Béni Mellal-Khénifra"))
    rows.append(
        (
            f"finance-officer.bmk@{DEMO_DOMAIN}",
            f"{Role.FINANCE_OFFICER.label} — Béni Mellal-Khénifra",
        )
    )
    rows.append((f"network-admin@{DEMO_DOMAIN}", str(NetworkRole.NETWORK_ADMIN.label)))
    return [(email, str(desc)) for email, desc in rows]


def _find(kind: str, folded_name: str) -> Collectivity | None:
    for c in Collectivity.objects.filter(kind=kind).matching(folded_name):
        return c
    return None


def _user(email: str, full_name: str, **extra: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, **extra
        )
    return user


def crosswalk_path() -> Path | None:
    """old-to-hcp.csv beside the project (../shared/data/territories), when present.

    Only a database an earlier demo filled from the public dataset (COM_xxxx codes)
    needs it: hcp_load then moves those rows onto their HCP codes.
    """
    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "territories" / "old-to-hcp.csv"
    return path if path.is_file() else None


@transaction.atomic
def demo_load(*, log: Callable[[str], None] = print, import_dataset: bool = True) -> None:
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    path = crosswalk_path() if import_dataset else None
    territories = hcp_load(crosswalk=read_crosswalk(path) if path is not None else None)
    log("\n".join(territories.lines()))

    commune = (
        Collectivity.objects.filter(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE).first()
        or Collectivity.objects.filter(slug=DEMO_COMMUNE_SLUG).first()
    )
    if commune is None:
        raise RuntimeError("The HCP data lacks the commune of Ait Melloul.")
    changed = False
    for field, value in {"is_network_member": True, "joined_network_on": NETWORK_START}.items():
        if getattr(commune, field) != value:
            setattr(commune, field, value)
            changed = True
    if changed:
        commune.save()

    for name in DEMO_REGIONS:
        region = _find(Kind.REGION, name)
        if region is None:
            raise RuntimeError(f"The reference data lacks the region {name!r}.")
        if not region.is_network_member:
            region.is_network_member = True
            region.joined_network_on = NETWORK_START
            region.save(update_fields=["is_network_member", "joined_network_on", "updated_at"])

    bmk = _find(Kind.REGION, DEMO_REGIONS[0])
    assert bmk is not None
    for role in Role:
        user = _user(f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}", f"{role.label} (demo)")
        membership_grant(user=user, collectivity=commune, role=role, actor=None, process="demo")
    officer = _user(f"information-officer.bmk@{DEMO_DOMAIN}", "Information officer BMK (demo)")
    membership_grant(
        user=officer, collectivity=bmk, role=Role.INFORMATION_OFFICER, actor=None, process="demo"
    )
    network_admin = _user(
        f"network-admin@{DEMO_DOMAIN}",
        "Network admin (demo)",
        network_role=NetworkRole.NETWORK_ADMIN,
    )
    # Network administrators enter /django-admin/ for the catalogue and the calendar.
    if not network_admin.is_staff:
        network_admin.is_staff = True
        network_admin.save(update_fields=["is_staff"])
    bump("territories")
    publication_demo_load(log=log)
    demo_information(stdout=log)
    demo_complaints(stdout=log)
    petitions_demo(log=log)
    consultations_demo(commune, log=log)
    surveys_demo(commune)
    log("surveys demo: 1 open survey with answers")
    labs_demo(commune, log=log)
    council_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), log)
    advisory_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), log)
    openplan_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), log)
    finance_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), log)
    # The network's 2024 composition (after the demos above, which pick their places
    # among the members); the catalogue and the index below read it.
    members_demo(log=log)
    # The network's own consultation and survey (the members' accounts exist by now).
    network_participation_demo(log=log)
    # The Saïdia gathering and trainings, then the practices presented there.
    events_demo(log=log)
    practices_demo(log=log)
    # Last: the catalogue reads every register above, and the index reads the catalogue.
    opendata_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), log)
    openness_demo(log=log)
    # The index itself is a network-wide dataset: published once it has scores.
    datasets_sync(collectivity_ids=[])
    log("demo data ready")
