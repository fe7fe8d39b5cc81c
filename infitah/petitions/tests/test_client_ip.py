"""The client's address behind trusted reverse proxies (`integrity.client_ip_meta`):
X-Forwarded-For is believed only from a proxy of INFITAH_TRUSTED_PROXIES, read from the
right past the trusted proxies; anything malformed gives REMOTE_ADDR."""

from __future__ import annotations

from typing import Any

import pytest

from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from infitah.petitions.integrity import (
    FORWARDED_HOPS_MAX,
    client_ip,
    client_ip_meta,
    trusted_proxies_forget,
)
from infitah.petitions.models import Signature
from infitah.petitions.tests.conftest import MakePetition
from infitah.petitions.workflow import Status

PROXIES = ["10.0.0.0/8", "192.0.2.10", "2001:db8:ffff::/48"]
CLIENT = "198.51.100.7"


def _meta(remote: str, forwarded: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return meta


@pytest.fixture
def proxies(settings: Any) -> list[str]:
    settings.INFITAH_TRUSTED_PROXIES = PROXIES
    return PROXIES


# ------------------------------------------------------------------ no trusted proxy


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.INFITAH_TRUSTED_PROXIES = []
    assert client_ip_meta(_meta("10.0.0.1", CLIENT)) == "10.0.0.1"
    assert client_ip_meta(_meta("203.0.113.5")) == "203.0.113.5"


def test_the_setting_may_be_absent(settings: Any) -> None:
    del settings.INFITAH_TRUSTED_PROXIES
    assert client_ip_meta(_meta("10.0.0.1", CLIENT)) == "10.0.0.1"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("::1", "::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", None),
        ("nonsense", None),
        ("192.0.2.1:443", None),
        ("1" * 100, None),
    ],
)
def test_remote_addr_normalised(remote: str, expected: str | None) -> None:
    assert client_ip_meta(_meta(remote)) == expected
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=remote)) == expected


def test_no_remote_addr_is_none(proxies: list[str]) -> None:
    assert client_ip_meta({}) is None
    assert client_ip_meta({"HTTP_X_FORWARDED_FOR": CLIENT}) is None


# ---------------------------------------------------------------- trusted proxies


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # One proxy: the address it saw.
        ("10.0.0.2", CLIENT, CLIENT),
        ("192.0.2.10", CLIENT, CLIENT),
        # Two proxies: the inner one is skipped.
        ("10.0.0.2", f"{CLIENT}, 10.1.2.3", CLIENT),
        ("10.0.0.2", f"{CLIENT},192.0.2.10,10.9.9.9", CLIENT),
        # Whatever the client forged on the left stays on the left.
        ("10.0.0.2", f"10.0.0.99, 203.0.113.66, {CLIENT}", CLIENT),
        ("10.0.0.2", f"evil, {CLIENT}", CLIENT),
        # An untrusted hop between proxies: the chain stops there.
        ("10.0.0.2", f"{CLIENT}, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        # IPv6, and IPv4-mapped IPv6 in the header.
        ("2001:db8:ffff::1", "2001:db8:1::5", "2001:db8:1::5"),
        ("10.0.0.2", "2001:DB8:1:0::5", "2001:db8:1::5"),
        ("10.0.0.2", f"::ffff:{CLIENT}", CLIENT),
        ("10.0.0.2", "::ffff:10.1.1.1, ::ffff:10.1.1.2", "10.1.1.1"),  # all trusted
        # The proxy itself connected over IPv4-mapped IPv6 (a dual-stack socket).
        ("::ffff:10.0.0.2", CLIENT, CLIENT),
        # Every entry a trusted proxy: the leftmost.
        ("10.0.0.2", "10.3.3.3, 10.2.2.2", "10.3.3.3"),
        # Empty header: REMOTE_ADDR.
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_forwarded_for_from_a_trusted_proxy(
    proxies: list[str], remote: str, forwarded: str, expected: str
) -> None:
    assert client_ip_meta(_meta(remote, forwarded)) == expected


@pytest.mark.parametrize(
    "forwarded",
    [
        "unknown",
        f"{CLIENT}:51234",
        f"[{CLIENT}]",
        "[2001:db8:1::5]:443",
        "client.example.test",
        f"{CLIENT}, , 10.1.1.1",
        f"{CLIENT},",
        ",",
        "   ",
        f"{CLIENT}\x00",
        "1" * 100,
        "for=198.51.100.7",
        f"{CLIENT}, garbage, 10.1.1.1",
    ],
)
def test_a_malformed_entry_gives_remote_addr(proxies: list[str], forwarded: str) -> None:
    assert client_ip_meta(_meta("10.0.0.2", forwarded)) == "10.0.0.2"


def test_malformed_entries_left_of_the_client_do_not_matter(proxies: list[str]) -> None:
    assert client_ip_meta(_meta("10.0.0.2", f"garbage, {CLIENT}, 10.1.1.1")) == CLIENT


def test_the_header_of_an_untrusted_peer_is_never_believed(proxies: list[str]) -> None:
    for forwarded in (CLIENT, f"{CLIENT}, 10.0.0.5", "10.0.0.5"):
        assert client_ip_meta(_meta("203.0.113.5", forwarded)) == "203.0.113.5"
    # Just outside the trusted networks.
    assert client_ip_meta(_meta("11.0.0.1", CLIENT)) == "11.0.0.1"
    assert client_ip_meta(_meta("192.0.2.11", CLIENT)) == "192.0.2.11"
    assert client_ip_meta(_meta("2001:db8:fffe::1", CLIENT)) == "2001:db8:fffe::1"


def test_a_long_chain_is_read_so_far_only(proxies: list[str]) -> None:
    inner = ", ".join(f"10.0.0.{n}" for n in range(FORWARDED_HOPS_MAX))
    assert client_ip_meta(_meta("10.0.0.2", f"{CLIENT}, {inner}")) == CLIENT
    longer = f"{CLIENT}, 10.0.1.1, {inner}"
    assert client_ip_meta(_meta("10.0.0.2", longer)) == "10.0.0.2"
    # A forged header of thousands of entries: the rightmost untrusted one, at once.
    forged = ", ".join(["203.0.113.1"] * 5000) + f", {CLIENT}"
    assert client_ip_meta(_meta("10.0.0.2", forged)) == CLIENT


def test_client_ip_of_a_request_reads_the_header(proxies: list[str]) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=CLIENT)
    assert client_ip(request) == CLIENT


# ------------------------------------------------------------------------ setting


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/8, 192.0.2.10 2001:db8:ffff::/48",
        ("10.0.0.0/8", "192.0.2.10", "2001:db8:ffff::/48"),
        ["10.1.2.3/8", "192.0.2.10/32", "2001:db8:ffff::/48"],  # host bits allowed
        ["::ffff:10.0.0.0/104", "::ffff:192.0.2.10", "2001:db8:ffff::/48"],  # mapped
    ],
)
def test_the_setting_forms(settings: Any, value: Any) -> None:
    settings.INFITAH_TRUSTED_PROXIES = value
    assert client_ip_meta(_meta("10.200.0.1", CLIENT)) == CLIENT
    assert client_ip_meta(_meta("192.0.2.10", CLIENT)) == CLIENT
    assert client_ip_meta(_meta("2001:db8:ffff::9", CLIENT)) == CLIENT
    assert client_ip_meta(_meta("192.0.2.9", CLIENT)) == "192.0.2.9"


def test_a_change_of_the_setting_is_seen(settings: Any) -> None:
    settings.INFITAH_TRUSTED_PROXIES = []
    assert client_ip_meta(_meta("10.0.0.2", CLIENT)) == "10.0.0.2"
    settings.INFITAH_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip_meta(_meta("10.0.0.2", CLIENT)) == CLIENT
    settings.INFITAH_TRUSTED_PROXIES = ["10.0.0.3"]
    assert client_ip_meta(_meta("10.0.0.2", CLIENT)) == "10.0.0.2"


def test_a_bad_entry_fails_loudly(settings: Any) -> None:
    settings.INFITAH_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.internal"):
        client_ip_meta(_meta("10.0.0.2", CLIENT))
    settings.INFITAH_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        client_ip_meta(_meta("10.0.0.2", CLIENT))
    settings.INFITAH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip_meta(_meta("10.0.0.2", CLIENT)) == CLIENT
    trusted_proxies_forget()
    assert client_ip_meta(_meta("10.0.0.2", CLIENT)) == CLIENT


# ---------------------------------------------------------------- end to end


@pytest.mark.django_db
def test_the_signing_page_records_the_forwarded_client(
    proxies: list[str], make_petition: MakePetition
) -> None:
    petition = make_petition(Status.COLLECTING)
    data = {
        "full_name": "Behind a proxy",
        "cin": "PX123456",
        "residence": "commune-a",
        "interest": "resident",
        "electoral_declaration": "on",
        "email": "proxied@example.test",
    }
    response = Client().post(
        f"/fr/c/commune-a/petitions/{petition.pk}/sign/",
        data,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"203.0.113.66, {CLIENT}, 10.4.4.4",
    )
    assert response.status_code == 302
    assert Signature.objects.get(email="proxied@example.test").ip == CLIENT
