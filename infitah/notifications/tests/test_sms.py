"""SMS: encoding and segments, the transports, and the outbox (idempotent, retried with
the e-mails' backoff, then a dead letter on the network admin's page).

The SMPP transport talks to a real SMS centre process on a loopback port
(tests/smsc/server.py, started by the `smsc` fixtures), which records what it received.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from infitah.ledger.models import Event
from infitah.notifications import backoff, sms
from infitah.notifications.models import EmailStatus, OutboundSms, phone_mask
from infitah.notifications.services import (
    SmsTooLong,
    sms_queue,
    sms_resend,
    sms_retry_failed,
)
from infitah.notifications.tests.conftest import Smsc, _closed_port

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NUMBER = "+212612345678"
ARABIC = "توصلت الجماعة بشكايتكم CMP-2026-COM_0135-000123. تتبعوها هنا: "
TIFINAGH = "ⵜⴰⵎⴰⵣⵉⵖⵜ"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    sms.outbox.clear()


# ------------------------------------------------------------------ segments


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("Bonjour", sms.GSM7, 1),
        ("a" * 160, sms.GSM7, 1),
        ("a" * 161, sms.GSM7, 2),
        ("a" * 306, sms.GSM7, 2),
        ("a" * 307, sms.GSM7, 3),
        # French written with the GSM alphabet's own accents stays in GSM-7...
        ("Votre réclamation a été reçue à 9h", sms.UCS2, 1),  # "ç" is not GSM-7
        ("Votre réclamation a été traitée à 9h", sms.GSM7, 1),
        # ... a circumflex is not in it: UCS-2.
        ("Votre demande a été prêtée", sms.UCS2, 1),
        ("ب" * 70, sms.UCS2, 1),
        ("ب" * 71, sms.UCS2, 2),
        ("ب" * 134, sms.UCS2, 2),
        ("ب" * 135, sms.UCS2, 3),
        (TIFINAGH * 8 + "ⵜ" * 6, sms.UCS2, 1),  # 70 characters
        (TIFINAGH * 9, sms.UCS2, 2),  # 72
        (TIFINAGH * 16 + "ⵜ" * 6, sms.UCS2, 2),  # 134
        (TIFINAGH * 16 + "ⵜ" * 7, sms.UCS2, 3),  # 135
    ],
    ids=lambda value: f"{len(value)}" if isinstance(value, str) and len(value) > 20 else None,
)
def test_segments(text: str, encoding: str, count: int) -> None:
    cut = sms.segment(text)
    assert (cut.encoding, cut.count) == (encoding, count)
    assert sms.segment_count(text) == count
    limit = sms.SINGLE[encoding] if count == 1 else sms.SEGMENT[encoding]
    width = 1 if encoding == sms.GSM7 else 2
    assert all(len(part) <= limit * width for part in cut.parts)
    assert "".join(sms.decode(part, cut.data_coding) for part in cut.parts) == text


def test_an_extension_character_costs_two_septets_and_is_never_split() -> None:
    assert sms.segment("€" * 80).count == 1  # 160 septets
    assert sms.segment("€" * 81).count == 2
    cut = sms.segment("ab" + "€" * 80)  # 162 septets: 152, as one more pair would be 154
    assert [len(part) for part in cut.parts] == [152, 10]
    assert all(part[-1] != 0x1B for part in cut.parts)


@pytest.mark.parametrize(
    ("given", "international"),
    [
        ("0612345678", NUMBER),
        ("06 12 34 56 78", NUMBER),
        ("+212 6 12-34-56-78", NUMBER),
        ("00212612345678", NUMBER),
        ("212612345678", NUMBER),
        ("٠٦١٢٣٤٥٦٧٨", NUMBER),
        ("+33612345678", "+33612345678"),
        ("12345", ""),
        ("", ""),
    ],
)
def test_phone_international(given: str, international: str) -> None:
    assert sms.phone_international(given) == international


def test_numbers_are_masked() -> None:
    assert phone_mask(NUMBER) == "+2126••••••78"
    message = OutboundSms(to=NUMBER, last_error="refused 212612345678 and 0612345678")
    assert "612345678" not in message.last_error_masked
    assert message.to_masked == "+2126••••••78"


def test_sms_url_schemes(tmp_path: Path) -> None:
    assert isinstance(sms.backend_from_url(f"file://{tmp_path}"), sms.FileBackend)
    assert isinstance(sms.backend_from_url("locmem://"), sms.LocmemBackend)
    backend = sms.backend_from_url("smpp://u%40x:p%3Aw@smsc.example:2776?source=INFITAH")
    assert isinstance(backend, sms.SmppBackend)
    assert (backend.host, backend.port, backend.system_id, backend.password) == (
        "smsc.example",
        2776,
        "u@x",
        "p:w",
    )
    with pytest.raises(ImproperlyConfigured):
        sms.backend_from_url("http://example.test/")


def test_the_file_backend_writes_one_file_per_message(tmp_path: Path) -> None:
    folder = tmp_path / "sms"
    with override_settings(SMS_URL=f"file://{folder}"):
        sms.sms_send(sms.Sms(to=NUMBER, text=ARABIC))
        sms.sms_send(sms.Sms(to=NUMBER, text="Bonjour"))
    files = sorted(folder.iterdir())
    assert len(files) == 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert any("Encoding: ucs2" in t and ARABIC in t for t in texts)
    assert any("Encoding: gsm7\nSegments: 1" in t for t in texts)


# ------------------------------------------------------------------ SMPP


def _reassembled(submits: list[dict[str, object]]) -> str:
    concat = [s["concat"] for s in submits if "concat" in s]
    if concat:
        ordered = sorted(submits, key=lambda s: s["concat"]["number"])  # type: ignore[index]
        return "".join(str(s["text"]) for s in ordered)
    return "".join(str(s["text"]) for s in submits)


def test_smpp_sends_arabic_in_ucs2_as_two_segments_with_udh(smsc: Smsc) -> None:
    text = ARABIC + "https://infitah.ma/ar/t/c/" + "x" * 32
    assert sms.segment(text).count == 2
    sms.sms_send(sms.Sms(to=NUMBER, text=text, reference=201))
    binds = smsc.events("bind_transmitter")
    assert binds == [
        {
            "event": "bind_transmitter",
            "system_id": "infitah",
            "password": "secret",
            "accepted": True,
        }
    ]
    submits = smsc.events("submit_sm")
    assert len(submits) == 2
    for number, submit in enumerate(submits, start=1):
        assert submit["data_coding"] == 0x08
        assert submit["esm_class"] & 0x40
        assert submit["concat"] == {"reference": 201, "total": 2, "number": number}
        assert submit["destination_addr"] == "212612345678"
        assert (submit["dest_addr_ton"], submit["dest_addr_npi"]) == (1, 1)
        assert (submit["source_addr"], submit["source_addr_ton"]) == ("INFITAH", 5)
        assert len(bytes.fromhex(submit["short_message_hex"])) <= 140
    assert _reassembled(submits) == text
    assert smsc.events()[-1] == {"event": "unbind"}


def test_smpp_sends_plain_french_in_gsm7_as_one_segment(smsc: Smsc) -> None:
    text = "Votre message CMP-2026-1 a été traité. Suivi: https://infitah.ma/fr/t/c/abc"
    sms.sms_send(sms.Sms(to=NUMBER, text=text))
    (submit,) = smsc.events("submit_sm")
    assert (submit["data_coding"], submit["esm_class"]) == (0x00, 0x00)
    assert "concat" not in submit
    assert submit["text"] == text


def test_smpp_sends_tifinagh_in_ucs2(smsc: Smsc) -> None:
    text = f"{TIFINAGH} CMP-2026-1 https://infitah.ma/zgh/t/c/abc"
    sms.sms_send(sms.Sms(to=NUMBER, text=text))
    (submit,) = smsc.events("submit_sm")
    assert submit["data_coding"] == 0x08 and submit["text"] == text


def test_wrong_credentials_fail_and_name_no_secret(smsc: Smsc) -> None:
    with override_settings(SMS_URL=smsc.url(password="wrong")), pytest.raises(sms.SmsError) as e:
        sms.sms_send(sms.Sms(to=NUMBER, text="Bonjour"))
    assert "wrong" not in str(e.value) and "612345678" not in str(e.value)
    assert smsc.events("bind_transmitter")[0]["accepted"] is False
    assert smsc.events("submit_sm") == []


def _until_dead(message: OutboundSms) -> list[dt.timedelta]:
    """Run the sweep at each next attempt until the SMS is dead; the waits seen."""
    waits = []
    message.refresh_from_db()
    while message.status != EmailStatus.DEAD:
        assert message.status == EmailStatus.FAILED and message.next_attempt_at is not None
        assert message.last_attempt_at is not None
        waits.append(message.next_attempt_at - message.last_attempt_at)
        with time_machine.travel(message.next_attempt_at, tick=False):
            assert sms_retry_failed() == 1
        message.refresh_from_db()
    return waits


@pytest.mark.django_db
@override_settings(INFITAH_EMAIL_RETRY_ATTEMPTS=4, INFITAH_EMAIL_RETRY_JITTER=0)
def test_a_refusing_smsc_means_retries_with_backoff_then_a_dead_letter(
    smsc_start: Callable[..., Smsc], caplog: pytest.LogCaptureFixture
) -> None:
    refusing = smsc_start("--refuse-bind")
    caplog.set_level(logging.DEBUG)
    with override_settings(SMS_URL=refusing.url()), time_machine.travel(T0, tick=False):
        message, created = sms_queue(key="k:sms:1", to="0612345678", body=ARABIC)
    assert created
    with override_settings(SMS_URL=refusing.url()):
        waits = _until_dead(message)
    assert waits == backoff.retry_delays()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.DEAD, 4)
    assert "refused" in message.last_error.lower()
    assert len(refusing.events("bind_transmitter")) == 4
    assert refusing.events("submit_sm") == []
    # Neither the number nor the text is ever logged.
    assert "612345678" not in caplog.text and ARABIC not in caplog.text
    assert f"sms {message.pk} undeliverable" in caplog.text


@pytest.mark.django_db
@override_settings(INFITAH_EMAIL_RETRY_ATTEMPTS=2, INFITAH_EMAIL_RETRY_JITTER=0)
def test_an_unreachable_smsc_means_a_failed_attempt(smsc: Smsc) -> None:
    with override_settings(SMS_URL=f"smpp://a:b@127.0.0.1:{_closed_port()}?timeout=2"):
        message, _ = sms_queue(key="k:sms:2", to=NUMBER, body="Bonjour")
        message.refresh_from_db()
        assert (message.status, message.attempts) == (EmailStatus.FAILED, 1)
        assert "unreachable" in message.last_error
    # The SMS centre is back: the next attempt is delivered.
    assert message.next_attempt_at is not None
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert sms_retry_failed() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.SENT, 2)
    assert [s["text"] for s in smsc.events("submit_sm")] == ["Bonjour"]


@pytest.mark.django_db
def test_one_message_per_key(smsc: Smsc) -> None:
    first, created = sms_queue(key="k:sms:3", to="0612345678", body="Bonjour")
    again, created_again = sms_queue(key="k:sms:3", to="0612345678", body="Bonjour")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and OutboundSms.objects.count() == 1
    first.refresh_from_db()
    assert (first.status, first.to, first.encoding, first.segments) == (
        EmailStatus.SENT,
        NUMBER,
        sms.GSM7,
        1,
    )
    assert len(smsc.events("submit_sm")) == 1


@pytest.mark.django_db
def test_a_message_longer_than_two_segments_is_refused_before_anything_is_written() -> None:
    with pytest.raises(SmsTooLong):
        sms_queue(key="k:sms:4", to=NUMBER, body="ب" * 135)
    with pytest.raises(ValueError, match="phone"):
        sms_queue(key="k:sms:5", to="12", body="Bonjour")
    assert not OutboundSms.objects.exists()


# ------------------------------------------------------------------ dead letters page


def _dead_sms(key: str = "k:sms:dead") -> OutboundSms:
    return OutboundSms.objects.create(
        key=key,
        to=NUMBER,
        body="SECRET-LINK /t/c/abc",
        encoding=sms.GSM7,
        segments=1,
        status=EmailStatus.DEAD,
        attempts=17,
        last_error="SMSC refused: bind_transmitter for 212612345678",
    )


def _url(name: str, lang: str = "fr", **kwargs: int) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_dead_sms_are_listed_beside_the_dead_emails(client, network_admin, lang) -> None:
    dead = _dead_sms()
    client.force_login(network_admin)
    emails = client.get(_url("notifications:dead-letter-list", lang))
    assert list(emails.context["page"]) == []
    assert emails.context["other_count"] == 1
    response = client.get(_url("notifications:dead-letter-list", lang) + "?channel=sms")
    assert response.status_code == 200
    html = response.content.decode()
    assert [m.pk for m in response.context["page"]] == [dead.pk]
    assert "+2126••••••78" in html
    assert "612345678" not in html  # neither in the recipient nor in the error
    assert "SECRET-LINK" not in html
    assert dead.key in html
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_a_dead_sms_is_resent_from_the_page(client, network_admin) -> None:
    dead = _dead_sms()
    client.force_login(network_admin)
    response = client.post(_url("notifications:dead-sms-resend", pk=dead.pk))
    assert response.status_code == 302
    assert response["Location"].endswith("?channel=sms")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.resent_by) == (EmailStatus.SENT, 1, network_admin)
    assert [m.to for m in sms.outbox] == [NUMBER]
    assert Event.objects.for_object(dead).get().action == "sms.resent"
    # A second press is told, not an error, and sends nothing.
    client.post(_url("notifications:dead-sms-resend", pk=dead.pk))
    assert len(sms.outbox) == 1


@pytest.mark.django_db
def test_resend_all_dead_sms(client, network_admin) -> None:
    letters = [_dead_sms(f"k:sms:{n}") for n in range(3)]
    client.force_login(network_admin)
    assert client.post(_url("notifications:dead-sms-resend-all")).status_code == 302
    assert len(sms.outbox) == 3
    for letter in letters:
        letter.refresh_from_db()
        assert letter.status == EmailStatus.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["citizen", "staff_a", "charlie"])
def test_other_roles_cannot_resend_sms(client, request, persona) -> None:
    dead = _dead_sms()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("notifications:dead-letter-list") + "?channel=sms").status_code == 404
    assert client.post(_url("notifications:dead-sms-resend", pk=dead.pk)).status_code == 404
    assert client.post(_url("notifications:dead-sms-resend-all")).status_code == 404
    with pytest.raises(PermissionDenied):
        sms_resend(sms_id=dead.pk, actor=request.getfixturevalue(persona))
    dead.refresh_from_db()
    assert dead.status == EmailStatus.DEAD and sms.outbox == []


@pytest.mark.django_db
def test_the_dead_sms_list_costs_the_same_queries_for_many(
    client, network_admin, django_assert_max_num_queries
) -> None:
    client.force_login(network_admin)
    _dead_sms("a")
    with django_assert_max_num_queries(9) as few:
        client.get(_url("notifications:dead-letter-list") + "?channel=sms")
    for n in range(60):
        _dead_sms(f"b{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url("notifications:dead-letter-list") + "?channel=sms")
    assert response.context["page"].paginator.count == 61
