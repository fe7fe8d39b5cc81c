"""Integrity: rate limits per IP and per e-mail domain, refused domains (changed at run
time), bulk invalidation with recomputed tallies, statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from infitah.ledger.models import Event
from infitah.petitions import selectors, signatures
from infitah.petitions.integrity import (
    RateLimited,
    current_window,
    domain_refused,
    integrity_settings_get,
    integrity_settings_save,
)
from infitah.petitions.models import IntegritySettings, Invalidation, Petition, Signature, Tally
from infitah.petitions.tests.conftest import signature_input, token_from_last_email
from infitah.petitions.workflow import SignatureStatus

SETTINGS = {
    "ip_limit_per_hour": 20,
    "domain_limit_per_hour": 500,
    "disposable_domains": "mailinator.com\nyopmail.com",
    "enabled": True,
}


def _submit(petition: Petition, n: int, ip: str = "192.0.2.1", **overrides: Any) -> Signature:
    return signatures.signature_submit(
        petition=petition, data=signature_input(n, **overrides), ip=ip, language="fr"
    )


def test_the_settings_row_is_seeded_with_disposable_domains(db):
    found = IntegritySettings.objects.get(pk=1)
    assert found.ip_limit_per_hour == 20
    assert found.domain_limit_per_hour == 500
    assert "mailinator.com" in found.disposable_set
    assert len(found.disposable_set) >= 12


def test_ip_rate_limit(make_petition, network_admin):
    integrity_settings_save(actor=network_admin, data={**SETTINGS, "ip_limit_per_hour": 3})
    petition = make_petition()
    for n in range(3):
        _submit(petition, n)
    with pytest.raises(RateLimited) as exc:
        _submit(petition, 10)
    assert 1 <= exc.value.retry_after <= 3600
    assert "network" in exc.value.message
    # Another address, or another petition, is not limited.
    _submit(petition, 11, ip="198.51.100.7")
    _submit(make_petition(), 12)
    assert Signature.objects.count() == 5


def test_domain_rate_limit(make_petition, network_admin):
    integrity_settings_save(actor=network_admin, data={**SETTINGS, "domain_limit_per_hour": 2})
    petition = make_petition()
    _submit(petition, 1, ip="192.0.2.1", email="a@bulk.example")
    _submit(petition, 2, ip="192.0.2.2", email="b@bulk.example")
    with pytest.raises(RateLimited) as exc:
        _submit(petition, 3, ip="192.0.2.3", email="c@bulk.example")
    assert "e-mail provider" in exc.value.message
    _submit(petition, 4, ip="192.0.2.4", email="d@other.example")


def test_limits_reset_in_the_next_window(make_petition, network_admin, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    integrity_settings_save(actor=network_admin, data={**SETTINGS, "ip_limit_per_hour": 1})
    petition = make_petition()
    _submit(petition, 1)
    with pytest.raises(RateLimited) as exc:
        _submit(petition, 2)
    time_machine.shift(timedelta(seconds=exc.value.retry_after + 1))
    _submit(petition, 2)


def test_disposable_domains_are_refused(make_petition):
    petition = make_petition()
    with pytest.raises(ValidationError) as exc:
        _submit(petition, 1, email="someone@mailinator.com")
    assert "throw-away" in exc.value.message_dict["email"][0]
    with pytest.raises(ValidationError):
        _submit(petition, 1, email="someone@eu.mailinator.com")  # subdomain
    assert domain_refused("yopmail.com")
    assert not domain_refused("gmail.com")


def test_a_runtime_change_takes_effect_without_restart(make_petition, network_admin):
    petition = make_petition()
    assert integrity_settings_get().ip_limit_per_hour == 20  # now cached
    _submit(petition, 1, email="x@newtrash.example")
    integrity_settings_save(
        actor=network_admin,
        data={**SETTINGS, "disposable_domains": "newtrash.example", "ip_limit_per_hour": 2},
    )
    with pytest.raises(ValidationError):
        _submit(petition, 2, email="y@newtrash.example")
    _submit(petition, 2, email="y@mailinator.com")  # no longer refused
    with pytest.raises(RateLimited):
        _submit(petition, 3)
    integrity_settings_save(actor=network_admin, data={**SETTINGS, "enabled": False})
    _submit(petition, 4, email="z@mailinator.com")  # checks off: neither limit nor domain


def test_only_network_admins_change_the_settings(staff_a, network_admin):
    with pytest.raises(PermissionDenied):
        integrity_settings_save(actor=staff_a, data=SETTINGS)
    with pytest.raises(ValidationError) as exc:
        integrity_settings_save(
            actor=network_admin,
            data={**SETTINGS, "ip_limit_per_hour": "0", "domain_limit_per_hour": "many"},
        )
    assert set(exc.value.message_dict) == {"ip_limit_per_hour", "domain_limit_per_hour"}
    saved = integrity_settings_save(
        actor=network_admin,
        data={**SETTINGS, "disposable_domains": " @Trash.Example \n\n# comment\ntrash.example"},
    )
    assert saved.disposable_domains == "trash.example"
    assert Event.objects.filter(action="petitions.integrity_saved").count() == 1


def test_window_arithmetic():
    window = current_window(7200.0 + 100)
    assert (window.number, window.retry_after) == (2, 3500)


# ---- bulk invalidation ------------------------------------------------------------------


@pytest.fixture
def signed(make_petition, sign):
    """A petition with 3 signatures from 203.0.113.9 at bot.example and 2 others."""
    petition = make_petition()
    for n in range(3):
        sig = _submit(petition, 100 + n, ip="203.0.113.9", email=f"b{n}@bot.example")
        signatures.signature_confirm(token=token_from_last_email(sig.email))
    sign(petition, 2)
    _submit(petition, 200, ip="203.0.113.9", email="pending@bot.example")  # pending
    return petition


def test_invalidate_by_ip(signed, bureau_a):
    assert selectors.confirmed_count(signed) == 5
    invalidation = signatures.signatures_invalidate(
        petition=signed, actor=bureau_a, by_ip="203.0.113.9", reason="Same address, 2 minutes."
    )
    assert invalidation.count == 4  # 3 confirmed + 1 pending
    assert invalidation.criteria == {"ip": "203.0.113.9"}
    assert invalidation.reason == "Same address, 2 minutes."
    assert invalidation.actor == bureau_a
    assert selectors.confirmed_count(signed) == 2  # cache dropped, tallies recomputed
    assert sum(Tally.objects.filter(petition=signed).values_list("count", flat=True)) == 2
    assert (
        Signature.objects.filter(
            invalidation=invalidation, status=SignatureStatus.INVALIDATED
        ).count()
        == 4
    )
    event = Event.objects.get(action="petitions.signatures_invalidated")
    assert event.data == {"invalidation": invalidation.pk, "count": 4, "by": ["ip"]}
    assert "203.0.113.9" not in str(event.data)


def test_invalidate_by_domain_and_window(signed, bureau_a):
    now = timezone.now()
    invalidation = signatures.signatures_invalidate(
        petition=signed,
        actor=bureau_a,
        domain="@BOT.example",
        window=(now - timedelta(hours=1), now + timedelta(minutes=1)),
        reason="Bot",
    )
    assert invalidation.count == 4
    assert set(invalidation.criteria) == {"domain", "from", "to"}
    # An empty window matches nothing.
    none = signatures.signatures_invalidate(
        petition=signed,
        actor=bureau_a,
        window=(now - timedelta(days=3), now - timedelta(days=2)),
        reason="Nothing",
    )
    assert none.count == 0
    assert Invalidation.objects.count() == 2


def test_an_invalidated_signature_cannot_be_confirmed_again(make_petition, bureau_a):
    petition = make_petition()
    sig = _submit(petition, 1, ip="203.0.113.50")
    token = token_from_last_email(sig.email)
    signatures.signatures_invalidate(
        petition=petition, actor=bureau_a, by_ip="203.0.113.50", reason="x"
    )
    found = signatures.signature_confirm(token=token)
    assert found.status == SignatureStatus.INVALIDATED
    assert selectors.counts_by_province_exact(petition) == {}


def test_invalidation_needs_a_reason_and_a_criterion(signed, bureau_a, charlie):
    with pytest.raises(ValidationError) as exc:
        signatures.signatures_invalidate(petition=signed, actor=bureau_a, reason="")
    assert set(exc.value.message_dict) == {"reason", "by_ip"}
    with pytest.raises(ValidationError) as exc:
        signatures.signatures_invalidate(
            petition=signed, actor=bureau_a, by_ip="not-an-ip", reason="x"
        )
    assert "by_ip" in exc.value.message_dict
    now = timezone.now()
    with pytest.raises(ValidationError):
        signatures.signatures_invalidate(
            petition=signed, actor=bureau_a, window=(now, now - timedelta(hours=1)), reason="x"
        )
    with pytest.raises(PermissionDenied):
        signatures.signatures_invalidate(
            petition=signed, actor=charlie, by_ip="203.0.113.9", reason="x"
        )
    assert not Invalidation.objects.exists()


def test_tally_recompute_repairs_the_shards(signed):
    Tally.objects.filter(petition=signed).update(count=7)
    counts = signatures.tally_recompute(signed)
    assert counts == {signed.collectivity.parent_id: 5}
    assert selectors.confirmed_count(signed) == 5


# ---- statistics -------------------------------------------------------------------------


def test_statistics(signed, bureau_a):
    signatures.signature_paper_add(
        petition=signed, actor=bureau_a, data=signature_input(900, email="")
    )
    stats = selectors.signature_statistics(signed)
    assert (stats.confirmed, stats.pending, stats.invalidated) == (6, 1, 0)
    assert sum(n for _hour, n in stats.by_hour) == 6
    assert dict(stats.by_domain) == {"bot.example": 3, "example.test": 2}
    assert dict(stats.by_channel) == {"online": 5, "paper": 1}
    assert dict(stats.by_commune) == {"commune-a": 6}
    assert stats.by_ip[0] == ("203.0.113.9", 3)


def test_statistics_keep_only_the_last_72_hours(signed):
    Signature.objects.filter(petition=signed, ip="203.0.113.9").update(
        confirmed_at=timezone.now() - timedelta(hours=80)
    )
    stats = selectors.signature_statistics(signed)
    assert sum(n for _hour, n in stats.by_hour) == 2
    assert stats.confirmed == 5


@pytest.fixture(params=["locmem", "redis"])
def rate_cache(request: pytest.FixtureRequest, settings: Any) -> Any:
    """The test cache (locmem), then the production one (Redis, a key prefix of this test
    only, deleted afterwards)."""
    if request.param == "redis":
        import uuid

        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        try:
            client.ping()
        except redis.RedisError:
            pytest.skip("no Redis at 127.0.0.1:6379")
        prefix = f"test-rate-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/0",
                "KEY_PREFIX": prefix,
            }
        }
        yield request.param
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
        return
    yield request.param


def test_a_batch_is_counted_as_one_attempt_after_another(rate_cache, network_admin):
    """`rate_check_many` (the ingest) and `rate_check` (Django's path) count alike, on
    either cache: in order, and an attempt refused on its address does not count against
    its e-mail domain."""
    from infitah.petitions.integrity import rate_check, rate_check_many

    integrity_settings_save(
        actor=network_admin, data={**SETTINGS, "ip_limit_per_hour": 2, "domain_limit_per_hour": 3}
    )
    settings = integrity_settings_get()
    a, b, c = "192.0.2.1", "192.0.2.2", "192.0.2.3"
    outcome = rate_check_many(
        [(1, a, "x.example"), (1, a, "x.example"), (1, a, "x.example"), (1, b, "x.example")],
        settings,
    )
    assert outcome[:2] == [None, None]
    assert outcome[2] is not None and outcome[2][0] == "ip"
    assert outcome[3] is None  # the third attempt of `a` did not count for x.example
    # x.example has 3 attempts counted: the next one from a fresh address is refused.
    with pytest.raises(RateLimited) as exc:
        rate_check(petition_id=1, ip=c, domain="x.example", settings=settings)
    assert "e-mail provider" in exc.value.message
    # Another petition has its own counters; no address counts the domain alone.
    assert rate_check_many([(2, a, "x.example"), (2, None, "x.example")], settings) == [None, None]
