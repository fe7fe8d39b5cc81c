"""The bureau's page of the collectivity's petition settings (`petitions-staff:settings`),
end to end through the test client: prefilled with the current values beside the law's
figure, saved through `petition_settings_save` (PRG), refused per field with nothing
changed; the public page follows (threshold, CNDP notice); tenancy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from django.forms.models import model_to_dict
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import Membership, Role, User
from infitah.ledger.models import Event
from infitah.petitions.models import Petition, PetitionSettings
from infitah.petitions.tests.conftest import MakePetition
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
SETTINGS = "/{lang}/staff/{slug}/petitions/settings/"
CNDP = "D-GC-258/2024"
BASIS = "600 — Souss-Massa council page"
ARABIC = re.compile("[\u0600-\u06ff]")


def _url(lang: str = "ar", slug: str = "commune-a") -> str:
    return SETTINGS.format(lang=lang, slug=slug)


def _public(petition: Petition, lang: str) -> str:
    return f"/{lang}/c/{petition.collectivity.slug}/petitions/{petition.pk}/"


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "threshold_override": "",
        "threshold_basis": "",
        "province_share_percent": "5",
        "association_min_years": "3",
        "retention_days": "365",
        "cndp_authorisation": "",
    }
    data.update(overrides)
    return data


def _saved(collectivity: Collectivity) -> dict[str, Any]:
    found = PetitionSettings.objects.filter(collectivity=collectivity).first()
    return model_to_dict(found) if found is not None else {}


def _in(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


@pytest.fixture
def bureau_client(bureau_a: User) -> Client:
    client = Client()
    client.force_login(bureau_a)
    return client


# ------------------------------------------------------------------------------- GET


@pytest.mark.parametrize("lang", LANGS)
def test_the_bureau_sees_the_current_values_and_the_laws_figure(
    lang: str, low_threshold: PetitionSettings, bureau_client: Client
) -> None:
    PetitionSettings.objects.filter(pk=low_threshold.pk).update(
        retention_days=200, cndp_authorisation=CNDP
    )
    response = bureau_client.get(_url(lang))
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form["threshold_override"].value() == 2
    assert form["threshold_basis"].value() == "test council page"
    assert form["retention_days"].value() == 200
    assert form["cndp_authorisation"].value() == CNDP
    # Aït Melloul, 191,000 inhabitants: the law's band is 200; the council applies 2.
    law, threshold = response.context["law"], response.context["threshold"]
    assert (law.required, law.source) == (200, "law")
    assert (threshold.required, threshold.source) == (2, "override")
    html = response.content.decode()
    assert "<strong>200</strong>" in html and "113.14" in html
    assert _in(lang, "figure set by the council") in html
    assert 'value="test council page"' in html and f'value="{CNDP}"' in html
    assert 'dir="ltr"' in html


def test_without_settings_the_form_shows_the_defaults(
    collectivity_a: Collectivity, bureau_a: User
) -> None:
    client = Client()
    client.force_login(bureau_a)
    response = client.get(_url("fr"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["threshold_override"].value() is None
    assert form["province_share_percent"].value() == 5
    assert form["association_min_years"].value() == 3
    assert form["retention_days"].value() == 365
    assert response.context["threshold"].source == "law"
    assert not PetitionSettings.objects.exists()  # a GET saves nothing


def test_the_law_figure_of_a_region_with_unknown_population(
    region_world: Any, staff_for: Callable[[str], User]
) -> None:
    region = region_world.region
    Collectivity.objects.filter(pk=region.pk).update(population=None)
    user = staff_for(Role.PETITIONS_BUREAU)
    Membership.objects.create(user=user, collectivity=region, role=Role.PETITIONS_BUREAU)
    client = Client()
    client.force_login(user)
    response = client.get(_url("fr", region.slug))
    assert response.status_code == 200
    law = response.context["law"]
    assert (law.required, law.source) == (500, "default-band")
    assert [minimum for _p, minimum in law.per_province] == [25, 25]
    assert "111.14" in response.content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_links_to_the_settings(
    lang: str, collectivity_a: Collectivity, bureau_client: Client
) -> None:
    html = bureau_client.get(f"/{lang}/staff/commune-a/petitions/").content.decode()
    assert f'href="{_url(lang)}"' in html


# ------------------------------------------------------------------------- tenancy


def test_outsiders_get_404_and_change_nothing(
    low_threshold: PetitionSettings,
    charlie: User,
    citizen: User,
    network_admin: User,
    staff_for: Callable[[str], User],
) -> None:
    before = _saved(low_threshold.collectivity)
    officer = staff_for(Role.COMPLAINTS_OFFICER)  # a member of A, not of its bureau
    for outsider in (charlie, citizen, network_admin, officer):
        client = Client()
        client.force_login(outsider)
        for lang in LANGS:
            assert client.get(_url(lang)).status_code == 404, (outsider, lang)
            response = client.post(_url(lang), _data(threshold_override="9", threshold_basis="x"))
            assert response.status_code == 404, (outsider, lang)
    assert _saved(low_threshold.collectivity) == before
    assert not Event.objects.filter(action="petitions.settings_saved").exists()


def test_the_bureau_of_another_collectivity_gets_404(
    collectivity_b: Collectivity, bureau_client: Client
) -> None:
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    url = _url("fr", collectivity_b.slug)
    assert bureau_client.get(url).status_code == 404
    response = bureau_client.post(url, _data(threshold_override="9", threshold_basis="x"))
    assert response.status_code == 404
    assert not PetitionSettings.objects.filter(collectivity=collectivity_b).exists()


@pytest.mark.parametrize("lang", LANGS)
def test_anonymous_is_sent_to_the_login(lang: str, low_threshold: PetitionSettings) -> None:
    before = _saved(low_threshold.collectivity)
    for response in (
        Client().get(_url(lang)),
        Client().post(_url(lang), _data(threshold_override="9", threshold_basis="x")),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _saved(low_threshold.collectivity) == before


# ---------------------------------------------------------------------------- save


@pytest.mark.parametrize("lang", LANGS)
def test_an_override_with_its_basis_shows_on_the_public_page(
    lang: str, make_petition: MakePetition, bureau_a: User, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    response = bureau_client.post(
        _url(lang), _data(threshold_override="600", threshold_basis=f"  {BASIS} ")
    )
    assert response.status_code == 302 and response["Location"] == _url(lang)
    saved = PetitionSettings.objects.get(collectivity=petition.collectivity)
    assert (saved.threshold_override, saved.threshold_basis) == (600, BASIS)
    event = Event.objects.get(action="petitions.settings_saved")
    assert event.actor == bureau_a and event.collectivity_id == petition.collectivity_id
    page = bureau_client.get(_url(lang))
    assert _in(lang, "Saved.") in page.content.decode()
    assert page.context["threshold"].required == 600

    public = Client().get(_public(petition, lang))
    assert public.status_code == 200
    threshold = public.context["threshold"]
    assert (threshold.required, threshold.source, threshold.law_required) == (600, "override", 200)
    assert threshold.basis.endswith(BASIS) and "113.14" in threshold.basis
    html = public.content.decode()
    assert "<strong>600</strong>" in html and BASIS in html
    assert _in(lang, "figure set by the council") in html
    assert public.context["required"] == 600


def test_emptying_the_override_brings_back_the_laws_figure(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    assert Client().get(_public(petition, "fr")).context["threshold"].required == 2
    response = bureau_client.post(_url("fr"), _data(threshold_basis="stale basis"))
    assert response.status_code == 302
    saved = PetitionSettings.objects.get(collectivity=petition.collectivity)
    assert saved.threshold_override is None
    threshold = Client().get(_public(petition, "fr")).context["threshold"]
    assert (threshold.required, threshold.source) == (200, "law")


def test_a_lodged_petition_keeps_its_figure(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    lodged = make_petition(Status.LODGED)
    bureau_client.post(_url("fr"), _data(threshold_override="600", threshold_basis=BASIS))
    assert Client().get(_public(lodged, "fr")).context["required"] == 2


def test_the_other_numbers_are_saved(collectivity_a: Collectivity, bureau_client: Client) -> None:
    response = bureau_client.post(
        _url("fr"),
        _data(
            province_share_percent="10",
            association_min_years="2",
            retention_days="90",
            cndp_authorisation=f" {CNDP} ",
        ),
    )
    assert response.status_code == 302
    saved = PetitionSettings.objects.get(collectivity=collectivity_a)
    assert (saved.province_share_percent, saved.association_min_years) == (10, 2)
    assert (saved.retention_days, saved.cndp_authorisation) == (90, CNDP)
    assert saved.threshold_override is None


# ----------------------------------------------------------------------- bad input

BAD: list[tuple[dict[str, str], str, str | None]] = [
    # (fields, field in error, the service's message, when it is the one that answers)
    ({"threshold_override": "600"}, "threshold_basis", "Say where this figure comes from."),
    (
        {"threshold_override": "600", "threshold_basis": "   "},
        "threshold_basis",
        "Say where this figure comes from.",
    ),
    ({"threshold_override": "six cents", "threshold_basis": BASIS}, "threshold_override", None),
    ({"threshold_override": "6.5", "threshold_basis": BASIS}, "threshold_override", None),
    (
        {"threshold_override": "-600", "threshold_basis": BASIS},
        "threshold_override",
        "Give a number of signatures, or leave empty.",
    ),
    (
        {"threshold_override": "0", "threshold_basis": BASIS},
        "threshold_override",
        "Give a number of signatures, or leave empty.",
    ),
    (
        {"threshold_override": "1000001", "threshold_basis": BASIS},
        "threshold_override",
        "Give a number of signatures, or leave empty.",
    ),
    ({"threshold_override": "600", "threshold_basis": "x" * 301}, "threshold_basis", None),
    ({"cndp_authorisation": "C" * 101}, "cndp_authorisation", None),
    ({"threshold_basis": "a\x00b", "threshold_override": "600"}, "threshold_basis", None),
    ({"province_share_percent": "101"}, "province_share_percent", None),
    ({"province_share_percent": "-1"}, "province_share_percent", None),
    ({"association_min_years": "x"}, "association_min_years", None),
    ({"retention_days": "0"}, "retention_days", None),
    ({"retention_days": "3651"}, "retention_days", None),
    ({"retention_days": ""}, "retention_days", None),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_bad_input_is_a_400_with_the_error_and_changes_nothing(
    lang: str,
    fields: dict[str, str],
    field: str,
    message: str | None,
    make_petition: MakePetition,
    bureau_client: Client,
) -> None:
    petition = make_petition(Status.COLLECTING)
    before = _saved(petition.collectivity)
    response = bureau_client.post(_url(lang), _data(**fields))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    html = response.content.decode()
    for error in form.errors[field]:
        assert escape(error) in html
        if lang == "ar":  # Django's messages and the service's, translated
            assert ARABIC.search(error), error
    if message is not None:
        assert form.errors[field] == [_in(lang, message)]
    assert 'role="alert"' in html
    assert _saved(petition.collectivity) == before
    assert not Event.objects.filter(action="petitions.settings_saved").exists()
    assert Client().get(_public(petition, lang)).context["threshold"].required == 2


def test_several_errors_at_once(low_threshold: PetitionSettings, bureau_client: Client) -> None:
    response = bureau_client.post(
        _url("fr"),
        _data(threshold_override="600", retention_days="0", province_share_percent="500"),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "threshold_basis",
        "retention_days",
        "province_share_percent",
    }
    # The page still shows what is in force, not the refused figure.
    assert response.context["threshold"].required == 2


# ------------------------------------------------------------------- CNDP notice


@pytest.mark.parametrize("lang", LANGS)
def test_the_cndp_notice_shows_only_once_set(
    lang: str, make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.COLLECTING)
    before = Client().get(_public(petition, lang)).content.decode()
    assert 'id="sign"' in before  # the signing form is there
    assert CNDP not in before and "<bdi" not in before
    assert "CNDP" not in before
    response = bureau_client.post(
        _url(lang),
        _data(
            threshold_override="2",
            threshold_basis="test council page",
            retention_days="180",
            cndp_authorisation=CNDP,
        ),
    )
    assert response.status_code == 302
    public = Client().get(_public(petition, lang))
    html = public.content.decode()
    assert html.count(CNDP) == 1
    sign_section = html[html.index('id="sign"') :]
    start = sign_section.index(f'<bdi dir="ltr">{CNDP}</bdi>')  # beside the signing form
    notice = sign_section[sign_section.rindex("<p", 0, start) : sign_section.index("</p>", start)]
    assert "180" in notice and "09-08" in notice
    if lang == "fr":
        assert 'lang="fr" dir="ltr"' in html
    else:
        assert 'lang="ar" dir="rtl"' in html


def test_the_notice_is_escaped(make_petition: MakePetition, bureau_client: Client) -> None:
    petition = make_petition(Status.COLLECTING)
    bureau_client.post(
        _url("fr"),
        _data(
            threshold_override="2",
            threshold_basis="test council page",
            cndp_authorisation="<b>A-1</b>",
        ),
    )
    html = Client().get(_public(petition, "fr")).content.decode()
    assert "&lt;b&gt;A-1&lt;/b&gt;" in html and "<b>A-1</b>" not in html


def test_no_notice_without_a_signing_form(
    make_petition: MakePetition, low_threshold: PetitionSettings
) -> None:
    PetitionSettings.objects.filter(pk=low_threshold.pk).update(cndp_authorisation=CNDP)
    lodged = make_petition(Status.LODGED)
    html = Client().get(_public(lodged, "ar")).content.decode()
    assert CNDP not in html
