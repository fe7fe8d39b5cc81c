"""The network's accounts in a real browser (issue 19), end to end: the network
administrator invites a commune's focal point, who accepts, enrols TOTP and invites an
information officer, who accepts, enrols TOTP and answers an access-to-information
request — with the second factor required, as in production.

- The network administrator (a confirmed authenticator already) signs in on the login
  page, types the code of their device, finds the member commune by name on the invite
  page, and invites its focal point from the commune's team page as the network sees it.
  The network invites a collectivity's administrator and focal point: the focal point
  here holds both roles, since a collectivity's team (and so inviting its staff) is
  managed by its administrator (`Perm.MEMBERS_MANAGE`, accounts/permissions.py).
- The invitation's link is read from the e-mail that left (the test e-mail backend,
  `django.core.mail.outbox`; the immediate task backend sends it at once). The focal
  point opens it in a fresh browser, in Arabic (right to left) on a phone, creates the
  account (a name, the password twice), is sent to enrol an authenticator (from the key
  the page shows), reaches the back office, opens the team page and invites the
  information officer.
- The officer opens that link in another browser, switches it to French, creates the
  account, enrols, and answers the request from the staff pages.
- Then the database: the request is answered; the ledger says who gave which role to
  whom (the network administrator gave the focal point's roles, the focal point gave the
  officer's), by which invitation.

Everything a person does runs with JavaScript off; axe-core audits the invitation page
(in a context with JavaScript, the page having no script of its own). Screenshots
(`accounts-<step>.png`) go to pytest's tmp_path, copied to the folder
INFITAH_SCREENSHOTS_DIR names, when set.
"""

from __future__ import annotations

import base64
import re
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.apps import apps as django_apps
from django.core import mail
from django.utils import translation

from infitah.accounts.models import Invitation, Membership, Role, User
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.services import RequestInput, request_confirm, request_file
from infitah.information.workflow import Status
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity
from tests.browser.test_opendata import PHONE, audit, fits, in_language, shoot, visitor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

ADMIN_PASSWORD = "test-password-123"  # the root conftest's personas
FOCAL_EMAIL = "amina.focal@commune-a.test"
FOCAL_NAME = "أمينة الإدريسي"
FOCAL_PASSWORD = "Nkta-irtikaz-2026!"
OFFICER_EMAIL = "youssef.info@commune-a.test"
OFFICER_NAME = "Youssef Benali"
OFFICER_PASSWORD = "Droit-a-l-info-2026!"
# What the network gives the commune's focal point: see the module docstring.
FOCAL_ROLES = [Role.FOCAL_POINT, Role.ADMIN]
ANSWER = "Vous trouverez ci-joint le budget 2026 de la commune, adopté en octobre."
LATIN = re.compile(r"[A-Za-z]")
LINK = re.compile(r"https?://\S+/accounts/invitations/[^/\s]+/")


@pytest.fixture
def court_appeal_limit(legal_limits: None) -> None:
    """The appeal limit of the information requests (seeded by a migration that a
    transactional test before this one emptied; the seed function is idempotent)."""
    import_module("infitah.information.migrations.0002_seed_court_appeal_limit").seed(
        django_apps, None
    )


@pytest.fixture
def filed(collectivity_a: Collectivity, court_appeal_limit: None) -> InformationRequest:
    """A request to commune A, filed and confirmed by its requester: it awaits an answer."""
    InformationSettings.objects.create(
        collectivity=collectivity_a,
        cndp_authorisation="A-RA-123/2026",
        desk_email="info@commune-a.test",
    )
    # Filed in French (a legal duty's label is written in the language of its request).
    with translation.override("fr"):
        request, _token = request_file(
            collectivity=collectivity_a,
            data=RequestInput(
                requester_type="citizen",
                first_name="Fatima",
                last_name="Zahra",
                id_type="cin",
                id_number="AB123456",
                address="12 rue des Orangers, Aït Melloul",
                email="fatima.requester@example.test",
                subject="Budget de la commune 2026",
                description="Je demande une copie du budget 2026 adopté par le conseil.",
                delivery="email",
            ),
        )
        request_confirm(request=request)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    return request


@pytest.fixture
def authenticator(network_admin: User) -> TOTPDevice:
    """The network administrator's authenticator, enrolled earlier."""
    return TOTPDevice.objects.create(user=network_admin, name="default", confirmed=True)


def _code(key: bytes, device: TOTPDevice | None = None) -> str:
    """The six digits an authenticator app shows now for `key`."""
    step, t0, digits = (device.step, device.t0, device.digits) if device else (30, 0, 6)
    return f"{totp(key, step=step, t0=t0, digits=digits):0{digits}d}"


def _second_factor(page: Page, code: str) -> None:
    """Type `code` on the second-factor page and send it."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    page.locator("main input[name=token]").fill(code)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state("load")


def _enrol(page: Page) -> None:
    """Enrol an authenticator from the key the page shows, and give its first code."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    key = (page.locator("main code[dir=ltr]").inner_text() or "").replace(" ", "")
    assert len(key) >= 16, key
    _second_factor(page, _code(base64.b32decode(key + "=" * (-len(key) % 8))))


def _invitation_path(to: str) -> str:
    """The path of the link in the last e-mail sent to `to`."""
    sent = [m for m in mail.outbox if m.to == [to]]
    assert len(sent) == 1, [m.to for m in mail.outbox]
    found = LINK.search(str(sent[0].body))
    assert found is not None, sent[0].body
    return urlsplit(found.group(0)).path


def _success(page: Page) -> None:
    expect(page.locator('main .messages[role="status"] > li.success')).to_have_count(1)


def _new_account(page: Page, name: str, password: str) -> None:
    form = page.locator('main form[method="post"]')
    expect(form.locator("#id_full_name")).to_be_visible()
    form.locator("#id_full_name").fill(name)
    form.locator("#id_password1").fill(password)
    form.locator("#id_password2").fill(password)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")


def test_the_network_invites_a_focal_point_who_invites_an_officer_who_answers(
    browser: Browser,
    live_server: LiveServer,
    settings: Any,
    collectivity_a: Collectivity,
    network_admin: User,
    authenticator: TOTPDevice,
    filed: InformationRequest,
    tmp_path: Path,
) -> None:
    # The second factor, as in production (the live server reads this setting).
    settings.INFITAH_REQUIRE_2FA = True
    base = live_server.url
    slug = collectivity_a.slug
    shots = tmp_path / "shots"
    assert collectivity_a.is_network_member
    assert not Membership.objects.filter(collectivity=collectivity_a).exists()
    untranslated: list[str] = []

    # ---- The network administrator: sign in, second factor, find A, invite.
    invite = "/fr/network/office/accounts/invite/"
    team_seen_by_network = f"/fr/network/office/accounts/c/{slug}/"
    with visitor(browser) as page:
        page.goto(base + invite)
        expect(page).to_have_url(re.compile(r"/fr/accounts/login/\?next="))
        page.locator("#id_username").fill(network_admin.email)
        page.locator("#id_password").fill(ADMIN_PASSWORD)
        page.locator('main form button[type="submit"]').click()
        page.wait_for_load_state("load")
        _second_factor(page, _code(authenticator.bin_key, authenticator))
        expect(page).to_have_url(base + invite)
        in_language(page, "fr")
        shoot(page, shots, "accounts-1-network-invite-fr")

        # The commune, found by its name typed without its diaeresis ("Aït Melloul").
        search = page.locator('main form[method="get"]')
        search.locator("#id_q").fill("ait melloul")
        search.locator('button[type="submit"]').click()
        page.wait_for_load_state("load")
        page.locator(f'main a[href="{team_seen_by_network}"]').click()
        expect(page).to_have_url(base + team_seen_by_network)
        expect(page.locator("main h1")).to_contain_text(collectivity_a.name_fr)

        # Only the administrator and the focal point are offered.
        form = page.locator('main form[method="post"]:has(input[name="roles"])')
        offered = form.locator('input[name="roles"]').evaluate_all(
            "boxes => boxes.map(box => box.value)"
        )
        assert sorted(offered) == sorted([Role.ADMIN.value, Role.FOCAL_POINT.value])
        form.locator("#id_email").fill(FOCAL_EMAIL)
        form.locator("#id_full_name").fill(FOCAL_NAME)
        for role in FOCAL_ROLES:
            form.locator(f'input[name="roles"][value="{role}"]').check()
        form.locator('button[type="submit"]').click()
        expect(page).to_have_url(base + team_seen_by_network)
        _success(page)
        expect(page.locator("main #pending + ul h3")).to_have_text([FOCAL_EMAIL])
        shoot(page, shots, "accounts-2-network-invited-fr")
    invitation = Invitation.objects.get(email=FOCAL_EMAIL)
    assert invitation.invited_by == network_admin and invitation.collectivity == collectivity_a
    assert sorted(invitation.roles) == sorted(FOCAL_ROLES)
    assert invitation.language == "fr"

    # ---- The focal point: in Arabic, on a phone, from the e-mail's link.
    focal_link = _invitation_path(FOCAL_EMAIL)
    assert focal_link.startswith("/fr/accounts/invitations/")
    arabic_link = "/ar/" + focal_link.removeprefix("/fr/")
    # The invitation page, audited before it is used (opening it changes nothing).
    problems = audit(
        browser, base + arabic_link, lang="ar", folder=shots, name="accounts-3-invitation"
    )
    problems += audit(
        browser, base + focal_link, lang="fr", folder=shots, name="accounts-3-invitation"
    )
    assert not problems, "axe-core:\n" + "\n".join(problems)
    invitation.refresh_from_db()
    assert not invitation.is_accepted

    team = f"/ar/staff/{slug}/team/"
    with visitor(browser, PHONE) as page:
        page.goto(base + arabic_link)
        in_language(page, "ar")
        fits(page)
        heading = page.locator("main h1")
        expect(heading).to_contain_text(collectivity_a.name_ar)
        # Checked at the end, so that the rest of the journey runs whatever it finds.
        if LATIN.search(heading.inner_text()):
            untranslated.append(f"{arabic_link}: heading {heading.inner_text()!r}")
        expect(page.locator("main")).to_contain_text(FOCAL_EMAIL)
        # The name the network typed is offered.
        expect(page.locator("main #id_full_name")).to_have_value(FOCAL_NAME)
        # Two different passwords: said, nothing created.
        form = page.locator('main form[method="post"]')
        form.locator("#id_password1").fill(FOCAL_PASSWORD)
        form.locator("#id_password2").fill(FOCAL_PASSWORD + "x")
        form.locator('button[type="submit"]').click()
        page.wait_for_load_state("load")
        expect(page).to_have_url(base + arabic_link)
        in_language(page, "ar")
        expect(page.locator("main form [role=alert], main form .errorlist").first).to_be_visible()
        assert not User.objects.filter(email=FOCAL_EMAIL).exists()

        _new_account(page, FOCAL_NAME, FOCAL_PASSWORD)
        # The back office asks for the second factor first: enrol from the key shown.
        in_language(page, "ar")
        fits(page)
        shoot(page, shots, "accounts-4-focal-enrol-ar-360")
        _enrol(page)
        expect(page).to_have_url(f"{base}/ar/staff/{slug}/")
        in_language(page, "ar")
        fits(page)
        shoot(page, shots, "accounts-5-focal-backoffice-ar-360")

        page.locator(f'main a[href="{team}"]').click()
        expect(page).to_have_url(base + team)
        in_language(page, "ar")
        fits(page)
        members = page.locator("main ul.members").first
        expect(members).to_contain_text(FOCAL_NAME)
        form = page.locator(f'main form[action="/ar/staff/{slug}/team/invite/"]')
        form.locator("#id_email").fill(OFFICER_EMAIL)
        form.locator("#id_full_name").fill(OFFICER_NAME)
        form.locator(f'input[name="roles"][value="{Role.INFORMATION_OFFICER}"]').check()
        form.locator('button[type="submit"]').click()
        expect(page).to_have_url(base + team)
        _success(page)
        expect(page.locator("main #pending + ul h3")).to_have_text([OFFICER_EMAIL])
        fits(page)
        shoot(page, shots, "accounts-6-focal-team-invited-ar-360")
    focal = User.objects.get(email=FOCAL_EMAIL)
    assert focal.full_name == FOCAL_NAME
    assert set(
        Membership.objects.filter(user=focal, collectivity=collectivity_a).values_list(
            "role", flat=True
        )
    ) == set(FOCAL_ROLES)
    assert TOTPDevice.objects.filter(user=focal, confirmed=True).count() == 1

    # ---- The officer: the link (in Arabic, the focal point's language) switched to
    # French, an account, the second factor, then the request.
    officer_link = _invitation_path(OFFICER_EMAIL)
    assert officer_link.startswith("/ar/accounts/invitations/")
    listed = f"/fr/staff/{slug}/information/"
    detail = f"{listed}{filed.reference}/"
    with visitor(browser) as page:
        page.goto(base + officer_link)
        in_language(page, "ar")
        page.locator('header a[hreflang="fr"]').click()
        expect(page).to_have_url(base + "/fr/" + officer_link.removeprefix("/ar/"))
        in_language(page, "fr")
        _new_account(page, OFFICER_NAME, OFFICER_PASSWORD)
        _enrol(page)
        expect(page).to_have_url(f"{base}/fr/staff/{slug}/")
        shoot(page, shots, "accounts-7-officer-backoffice-fr")
        page.locator(f'main a[href="{listed}"]').click()
        expect(page).to_have_url(base + listed)
        page.locator(f'main a[href="{detail}"]').click()
        expect(page).to_have_url(base + detail)
        in_language(page, "fr")
        answer = page.locator(f'main form[action="{detail}answer/"]')
        answer.locator('textarea[name="text"]').fill(ANSWER)
        answer.locator('button[type="submit"]').click()
        expect(page).to_have_url(base + detail)
        _success(page)
        shoot(page, shots, "accounts-8-officer-answered-fr")
    officer = User.objects.get(email=OFFICER_EMAIL)
    assert list(
        Membership.objects.filter(user=officer).values_list("collectivity__slug", "role")
    ) == [(slug, Role.INFORMATION_OFFICER)]
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1

    # ---- The request is answered, by the officer.
    filed.refresh_from_db()
    assert filed.status == Status.ANSWERED and filed.answer_text == ANSWER
    assert Event.objects.filter(
        action__startswith="information.", actor=officer, object_id=str(filed.pk)
    ).exists()

    # ---- The ledger: who gave which role to whom, by which invitation.
    granted = {
        (e.data["user"], e.to_state): (e.actor, e.process, e.data.get("invitation"))
        for e in Event.objects.filter(action="membership.granted", collectivity=collectivity_a)
    }
    by_officer_invitation = Invitation.objects.get(email=OFFICER_EMAIL)
    assert by_officer_invitation.invited_by == focal
    assert granted == {
        **{
            (FOCAL_EMAIL, role.value): (network_admin, "invitation", invitation.pk)
            for role in FOCAL_ROLES
        },
        (OFFICER_EMAIL, Role.INFORMATION_OFFICER.value): (
            focal,
            "invitation",
            by_officer_invitation.pk,
        ),
    }
    accepted = Event.objects.filter(action="invitation.accepted").order_by("at", "pk")
    assert [(e.actor, e.object_id) for e in accepted] == [
        (focal, str(invitation.pk)),
        (officer, str(by_officer_invitation.pk)),
    ]
    assert set(
        Event.objects.filter(action="totp.enrolled").values_list("actor__email", flat=True)
    ) == {FOCAL_EMAIL, OFFICER_EMAIL}

    # ---- The Arabic invitation page speaks Arabic.
    assert not untranslated, untranslated
