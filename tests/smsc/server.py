"""A small SMS centre for the tests: an SMPP 3.4 server on a loopback TCP port.

It answers bind_transmitter (checking the credentials it was given), submit_sm,
enquire_link and unbind, a generic_nack to anything else, and records what it received
to a JSON file that the test reads. Standard library only; run as a process:

    python tests/smsc/server.py --record FILE [--system-id ID --password PW] [--refuse-bind]

It prints "listening HOST:PORT" once it accepts connections, then serves until killed.
Each submit_sm is recorded with its fields, its user data header (if any) and its text,
decoded here from the raw octets (GSM 7-bit default alphabet or UCS-2), independently of
the code under test.
"""

from __future__ import annotations

import argparse
import json
import os
import socketserver
import struct
import threading
from pathlib import Path
from typing import Any

BIND_TRANSMITTER, SUBMIT_SM, UNBIND, ENQUIRE_LINK = 0x02, 0x04, 0x06, 0x15
RESP = 0x80000000
GENERIC_NACK = 0x80000000
ESME_ROK, ESME_RINVCMDID, ESME_RBINDFAIL, ESME_RINVPASWD, ESME_RINVBNDSTS = (
    0x00,
    0x03,
    0x0D,
    0x0E,
    0x04,
)

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


def gsm7_decode(data: bytes) -> str:
    out, escaped = [], False
    for code in data:
        if escaped:
            out.append(GSM7_EXTENSION[code])
            escaped = False
        elif code == 0x1B:
            escaped = True
        else:
            out.append(GSM7_BASIC[code])
    return "".join(out)


class Reader:
    def __init__(self, body: bytes) -> None:
        self.body, self.at = body, 0

    def cstring(self) -> str:
        end = self.body.index(b"\x00", self.at)
        value = self.body[self.at : end].decode("latin-1")
        self.at = end + 1
        return value

    def byte(self) -> int:
        value = self.body[self.at]
        self.at += 1
        return value

    def octets(self, n: int) -> bytes:
        value = self.body[self.at : self.at + n]
        self.at += n
        return value


class Recorder:
    def __init__(self, path: Path) -> None:
        self.path, self.lock = path, threading.Lock()
        self.events: list[dict[str, Any]] = []
        self._write()

    def add(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)
            self._write()

    def _write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.events, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)


def submit_sm(body: bytes) -> dict[str, Any]:
    read = Reader(body)
    event: dict[str, Any] = {"event": "submit_sm", "service_type": read.cstring()}
    event["source_addr_ton"], event["source_addr_npi"] = read.byte(), read.byte()
    event["source_addr"] = read.cstring()
    event["dest_addr_ton"], event["dest_addr_npi"] = read.byte(), read.byte()
    event["destination_addr"] = read.cstring()
    event["esm_class"], _protocol, _priority = read.byte(), read.byte(), read.byte()
    _schedule, _validity = read.cstring(), read.cstring()
    event["registered_delivery"], _replace = read.byte(), read.byte()
    event["data_coding"], _default_id = read.byte(), read.byte()
    short_message = read.octets(read.byte())
    event["short_message_hex"] = short_message.hex()
    user_data = short_message
    if event["esm_class"] & 0x40:  # UDHI: a user data header comes first
        length = short_message[0]
        header = short_message[1 : 1 + length]
        user_data = short_message[1 + length :]
        if header[:2] == b"\x00\x03":  # concatenated message, 8-bit reference
            event["concat"] = {"reference": header[2], "total": header[3], "number": header[4]}
    event["text"] = (
        user_data.decode("utf-16-be") if event["data_coding"] == 0x08 else gsm7_decode(user_data)
    )
    return event


def make_handler(options: argparse.Namespace, recorder: Recorder) -> type:
    class Handler(socketserver.BaseRequestHandler):
        def _read(self, n: int) -> bytes:
            chunks = b""
            while len(chunks) < n:
                chunk = self.request.recv(n - len(chunks))
                if not chunk:
                    raise ConnectionError
                chunks += chunk
            return chunks

        def _answer(self, command: int, status: int, sequence: int, body: bytes = b"") -> None:
            header = struct.pack(">IIII", 16 + len(body), command, status, sequence)
            self.request.sendall(header + body)

        def handle(self) -> None:
            bound = False
            count = 0
            while True:
                try:
                    length, command, _status, sequence = struct.unpack(">IIII", self._read(16))
                    body = self._read(length - 16)
                except ConnectionError:
                    return
                if command == BIND_TRANSMITTER:
                    read = Reader(body)
                    system_id, password = read.cstring(), read.cstring()
                    status = ESME_ROK
                    if options.refuse_bind:
                        status = ESME_RBINDFAIL
                    elif (system_id, password) != (options.system_id, options.password):
                        status = ESME_RINVPASWD
                    bound = status == ESME_ROK
                    recorder.add(
                        {
                            "event": "bind_transmitter",
                            "system_id": system_id,
                            "password": password,
                            "accepted": bound,
                        }
                    )
                    self._answer(command | RESP, status, sequence, b"TESTSMSC\x00")
                elif command == SUBMIT_SM:
                    if not bound:
                        self._answer(command | RESP, ESME_RINVBNDSTS, sequence, b"\x00")
                        continue
                    count += 1
                    recorder.add(submit_sm(body))
                    self._answer(command | RESP, ESME_ROK, sequence, b"m%d\x00" % count)
                elif command == ENQUIRE_LINK:
                    self._answer(command | RESP, ESME_ROK, sequence)
                elif command == UNBIND:
                    recorder.add({"event": "unbind"})
                    self._answer(command | RESP, ESME_ROK, sequence)
                    return
                else:
                    self._answer(GENERIC_NACK, ESME_RINVCMDID, sequence)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--system-id", default="infitah")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--refuse-bind", action="store_true")
    options = parser.parse_args()
    recorder = Recorder(options.record)
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    with socketserver.ThreadingTCPServer(
        (options.host, options.port), make_handler(options, recorder)
    ) as server:
        host, port = str(server.server_address[0]), int(server.server_address[1])
        print(f"listening {host}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
