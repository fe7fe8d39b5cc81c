"""The weights page: network administrators record a new version of the method; nobody
else learns the page exists (404), anonymous visitors are sent to sign in, staff pass
the second factor first, and bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from django.test import Client

from infitah.accounts.models import User
from infitah.openness.models import DEFAULT_WEIGHTS, ITEMS, Method, Score
from infitah.openness.tests.test_pages import method_v1  # noqa: F401 - autouse fixture

URL = "/fr/openness/weights/"


def _post(
    weights: dict[str, Any] | None = None, note: str = "Budget counts more."
) -> dict[str, Any]:
    data: dict[str, Any] = {f"weight_{code}": value for code, value in DEFAULT_WEIGHTS.items()}
    data.update({f"weight_{code}": value for code, value in (weights or {}).items()})
    data["note"] = note
    return data


def _versions() -> list[int]:
    return list(Method.objects.order_by("version").values_list("version", flat=True))


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for response in (client.get(URL), client.post(URL, _post({"budget": 20}))):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert _versions() == [1]


@pytest.mark.parametrize("who", ["citizen", "staff_a", "charlie"])
def test_anyone_but_a_network_admin_gets_404(
    client: Client, who: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _post({"budget": 20})).status_code == 404
    assert _versions() == [1]


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_form_shows_the_weights_in_force(
    client: Client, network_admin: User, lang: str, direction: str
) -> None:
    client.force_login(network_admin)
    response = client.get(f"/{lang}/openness/weights/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in page
    for code in ITEMS:
        assert f'name="weight_{code}" value="{DEFAULT_WEIGHTS[code]}"' in page
    assert '<label for="id_weight_budget">' in page and 'name="note"' in page


def test_saving_records_a_new_version_and_keeps_the_old_one(
    client: Client, network_admin: User, collectivity_a: Any
) -> None:
    client.force_login(network_admin)
    response = client.post(URL, _post({"budget": 20, "opendata": 0}))
    assert response.status_code == 302
    assert response["Location"] == "/fr/openness/method/"
    assert _versions() == [1, 2]
    v1, v2 = Method.objects.get(version=1), Method.objects.get(version=2)
    assert v1.weights == DEFAULT_WEIGHTS
    assert v2.weights == {**DEFAULT_WEIGHTS, "budget": 20, "opendata": 0}
    assert v2.note == "Budget counts more." and v2.created_by == network_admin
    # The month's scores are recomputed with it (the test backend runs tasks at once).
    assert Score.objects.filter(method=v2).exists()
    method_page = client.get(response["Location"]).content.decode()
    assert 'id="v2"' in method_page and "Budget counts more." in method_page


@pytest.mark.parametrize(
    ("weights", "note", "field"),
    [
        ({"budget": -1}, "x", "weight_budget"),
        ({"budget": "ten"}, "x", "weight_budget"),
        ({"budget": "1.5"}, "x", "weight_budget"),
        ({"budget": 101}, "x", "weight_budget"),
        ({"budget": "99999999999999999999"}, "x", "weight_budget"),
        ({"budget": ""}, "x", "weight_budget"),
        ({}, "", "note"),
        ({"budget": 20}, "   ", "note"),
        (dict.fromkeys(ITEMS, 0), "all zero", None),
        ({}, "the same weights", None),
    ],
)
def test_bad_input_is_refused_with_an_error_and_nothing_changes(
    client: Client,
    network_admin: User,
    weights: dict[str, Any],
    note: str,
    field: str | None,
) -> None:
    client.force_login(network_admin)
    for lang in ("ar", "fr"):
        response = client.post(f"/{lang}/openness/weights/", _post(weights, note))
        assert response.status_code == 400
        page = response.content.decode()
        assert 'role="alert"' in page
        if field is not None:
            errors = page[page.index(f'id="id_{field}"') :].split("</p>")[0]
            assert 'class="errorlist' in errors
        else:
            alert = page[page.index('<div role="alert">') :].split("</div>")[0]
            assert 'class="errorlist' in alert
    assert _versions() == [1]


def test_staff_pass_the_second_factor_first(
    client: Client, network_admin: User, settings: Any
) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    client.force_login(network_admin)
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]
    assert client.post(URL, _post({"budget": 20})).status_code == 302
    assert _versions() == [1]
