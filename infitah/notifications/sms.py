"""SMS: how a text is encoded and cut into segments, and the transports (`SMS_URL`).

A text that the GSM 7-bit default alphabet (3GPP TS 23.038) can write goes in GSM-7:
160 septets in one SMS, 153 a segment once it must be cut (the user data header of a
concatenated message takes the rest). Any other text (Arabic, Tifinagh, French with
"ê" or "ç") goes in UCS-2: 70 characters in one SMS, 67 a segment. Citizens' messages
are written to fit in one or two segments (docs/sms.md).

Transports, chosen by `SMS_URL`:

- `file:///abs/dir`: one file per message in that folder (the default, under var/sms),
  as Django's file e-mail backend does;
- `smpp://user:password@host:port?source=INFITAH`: SMPP 3.4 to an operator's SMS centre
  (bind_transmitter, one submit_sm a segment, unbind), through `smpplib`;
- `locmem://`: kept in `outbox` (tests).

Nothing here logs a phone number or a message: errors name the failure only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import smpplib.client  # type: ignore[import-untyped]
import smpplib.consts  # type: ignore[import-untyped]
import smpplib.exceptions  # type: ignore[import-untyped]
import smpplib.smpp  # type: ignore[import-untyped]

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# The GSM 7-bit default alphabet, by code (0x1B escapes to the extension table).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape, code).
GSM7_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_GSM7_CODE = {char: code for code, char in enumerate(GSM7_BASIC) if code != 0x1B}

GSM7, UCS2 = "gsm7", "ucs2"
# SMPP data_coding of each encoding: 0x00 the SMSC default alphabet (GSM-7), 0x08 UCS-2.
DATA_CODING = {GSM7: 0x00, UCS2: 0x08}
# Characters (GSM-7: septets; UCS-2: UTF-16 code units) in one SMS, and in one segment
# of a concatenated one.
SINGLE = {GSM7: 160, UCS2: 70}
SEGMENT = {GSM7: 153, UCS2: 67}
# The most segments a citizen's message may take.
MAX_SEGMENTS = 2


def is_gsm7(text: str) -> bool:
    return all(char in _GSM7_CODE or char in GSM7_EXTENSION for char in text)


def _units(text: str, encoding: str) -> list[bytes]:
    """The text as indivisible units in its encoding: a septet (one octet each, as SMPP
    carries GSM-7 unpacked), an escape and its septet, a UTF-16 code unit, or a surrogate
    pair. A segment boundary never falls inside a unit."""
    if encoding == GSM7:
        return [
            bytes([_GSM7_CODE[char]]) if char in _GSM7_CODE else bytes([0x1B, GSM7_EXTENSION[char]])
            for char in text
        ]
    return [char.encode("utf-16-be") for char in text]


def _width(unit: bytes, encoding: str) -> int:
    """How many characters of the segment budget the unit takes."""
    return len(unit) if encoding == GSM7 else len(unit) // 2


@dataclass(frozen=True)
class Segmented:
    encoding: str
    # The user data of each segment, without the header of a concatenated message.
    parts: tuple[bytes, ...]

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def data_coding(self) -> int:
        return DATA_CODING[self.encoding]


def segment(text: str) -> Segmented:
    """`text` encoded (GSM-7 if it can be, else UCS-2) and cut into segments."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    units = _units(text, encoding)
    if sum(_width(unit, encoding) for unit in units) <= SINGLE[encoding]:
        return Segmented(encoding, (b"".join(units),))
    parts: list[bytes] = []
    current: list[bytes] = []
    used = 0
    for unit in units:
        width = _width(unit, encoding)
        if used + width > SEGMENT[encoding]:
            parts.append(b"".join(current))
            current, used = [], 0
        current.append(unit)
        used += width
    parts.append(b"".join(current))
    return Segmented(encoding, tuple(parts))


def segment_count(text: str) -> int:
    return segment(text).count


def concatenation_header(reference: int, total: int, number: int) -> bytes:
    """The user data header of segment `number` (1-based) of `total`: one information
    element "concatenated short message, 8-bit reference" (IEI 0x00, 3 octets)."""
    return bytes([0x05, 0x00, 0x03, reference % 256, total, number])


def decode(data: bytes, data_coding: int) -> str:
    """The text of a segment's user data (no header): the inverse of `segment`."""
    if data_coding == DATA_CODING[UCS2]:
        return data.decode("utf-16-be")
    extension = {code: char for char, code in GSM7_EXTENSION.items()}
    chars: list[str] = []
    escaped = False
    for code in data:
        if escaped:
            chars.append(extension.get(code, " "))
            escaped = False
        elif code == 0x1B:
            escaped = True
        else:
            chars.append(GSM7_BASIC[code])
    return "".join(chars)


# ------------------------------------------------------------------------- numbers

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def phone_international(number: str) -> str:
    """A phone number in international form ("+212612345678"), or "" when it cannot be
    one. A national Moroccan number ("0612345678") gets the country code; "00" and "+"
    prefixes are kept as the country code they name."""
    digits = "".join(char for char in number.translate(_DIGITS) if char.isdigit())
    stripped = number.strip()
    if stripped.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif digits.startswith("212") and len(digits) == 12:
        international = digits
    elif digits.startswith("0") and len(digits) == 10:
        international = "212" + digits[1:]
    else:
        return ""
    if not 8 <= len(international) <= 15:
        return ""
    return "+" + international


# ------------------------------------------------------------------------ transports


class SmsError(Exception):
    """A delivery failed; the message names the failure, never the number or the text."""


@dataclass(frozen=True)
class Sms:
    to: str  # international form, "+212…"
    text: str
    # Same for every attempt of one message: the handset reassembles its segments.
    reference: int = 0


class Backend(Protocol):
    def send(self, sms: Sms) -> None: ...


# Messages sent with `locmem://`, for the tests (as django.core.mail.outbox).
outbox: list[Sms] = []


class LocmemBackend:
    def send(self, sms: Sms) -> None:
        outbox.append(sms)


class FileBackend:
    """One file per message in `folder`, named by time and a random part."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sms: Sms) -> None:
        cut = segment(sms.text)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.sms"
            (self.folder / name).write_text(
                f"To: {sms.to}\nEncoding: {cut.encoding}\nSegments: {cut.count}\n\n{sms.text}\n",
                encoding="utf-8",
            )
        except OSError as exc:
            raise SmsError(f"cannot write the message file: {exc.strerror}") from exc


# smpplib logs every PDU in hex at DEBUG, numbers included: its loggers stay at WARNING.
_SMPP_LOGGER = "infitah.notifications.smpp"
logging.getLogger(_SMPP_LOGGER).setLevel(logging.WARNING)


class SmppBackend:
    """SMPP 3.4 as a transmitter: bind, one submit_sm per segment, unbind."""

    def __init__(
        self, *, host: str, port: int, system_id: str, password: str, source: str, timeout: float
    ) -> None:
        self.host, self.port = host, port
        self.system_id, self.password = system_id, password
        self.source, self.timeout = source, timeout

    def _source_address(self) -> dict[str, object]:
        if self.source.lstrip("+").isdigit():
            return {
                "source_addr_ton": 0x01 if self.source.startswith("+") else 0x00,
                "source_addr_npi": 0x01,
                "source_addr": self.source.lstrip("+"),
            }
        # An alphanumeric sender ("INFITAH").
        return {"source_addr_ton": 0x05, "source_addr_npi": 0x00, "source_addr": self.source}

    def send(self, sms: Sms) -> None:
        cut = segment(sms.text)
        client = smpplib.client.Client(
            self.host,
            self.port,
            timeout=self.timeout,
            logger_name=_SMPP_LOGGER,
            allow_unknown_opt_params=True,
        )
        try:
            client.connect()
            client.bind_transmitter(system_id=self.system_id, password=self.password)
            for number, part in enumerate(cut.parts, start=1):
                esm_class = smpplib.consts.SMPP_MSGMODE_DEFAULT
                if cut.count > 1:
                    esm_class |= smpplib.consts.SMPP_GSMFEAT_UDHI
                    part = concatenation_header(sms.reference, cut.count, number) + part
                pdu = client.send_message(
                    **self._source_address(),
                    dest_addr_ton=0x01,
                    dest_addr_npi=0x01,
                    destination_addr=sms.to.lstrip("+"),
                    esm_class=esm_class,
                    data_coding=cut.data_coding,
                    short_message=part,
                    registered_delivery=0,
                )
                self._await_response(client, pdu.sequence)
            client.unbind()
        except smpplib.exceptions.PDUError as exc:
            raise SmsError(f"SMSC refused: {exc.args[0]}") from exc
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            raise SmsError(f"SMSC unreachable or connection lost ({type(exc).__name__})") from exc
        finally:
            client.disconnect()

    @staticmethod
    def _await_response(client: smpplib.client.Client, sequence: int) -> None:
        """Read PDUs until the submit_sm_resp of `sequence`; answer an enquire_link."""
        while True:
            pdu = client.read_pdu()
            if pdu.command == "enquire_link":
                client.send_pdu(
                    smpplib.smpp.make_pdu("enquire_link_resp", client=client, sequence=pdu.sequence)
                )
                continue
            if pdu.command in ("submit_sm_resp", "generic_nack") and (
                pdu.sequence == sequence or pdu.command == "generic_nack"
            ):
                if pdu.is_error():
                    raise smpplib.exceptions.PDUError(
                        f"{pdu.command} status 0x{int(pdu.status):08X}", int(pdu.status)
                    )
                return


def backend_from_url(url: str) -> Backend:
    """The transport that `SMS_URL` names; ImproperlyConfigured for anything else."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("SMS_URL: file:// needs an absolute folder")
        return FileBackend(Path(unquote(parts.path)))
    if parts.scheme == "locmem":
        return LocmemBackend()
    if parts.scheme == "smpp":
        if not parts.hostname:
            raise ImproperlyConfigured("SMS_URL: smpp:// needs a host")
        try:
            timeout = float(query.get("timeout", settings.SMS_TIMEOUT))
            port = parts.port or 2775
        except ValueError as exc:
            raise ImproperlyConfigured("SMS_URL: bad port or timeout") from exc
        return SmppBackend(
            host=parts.hostname,
            port=port,
            system_id=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            source=query.get("source", "INFITAH"),
            timeout=timeout,
        )
    raise ImproperlyConfigured(f"SMS_URL: unsupported scheme {parts.scheme!r}")


def sms_send(sms: Sms) -> None:
    """Send `sms` through the transport of `SMS_URL` (read at each call); SmsError on a
    failed delivery."""
    backend_from_url(settings.SMS_URL).send(sms)
