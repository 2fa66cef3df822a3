#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Configurable loopback HTTP(S) server for the libcurl transport's integration tests.

Process contract (shared with the vendor emulators, see emulib.py)::

    python3 http_test_server.py --port 0 --ready-file PATH --state-dir DIR [--plain-http]

writes ``{"port": N, "base_url": "https://127.0.0.1:N", "ca_file": "DIR/ca.pem", "pid": P}``
atomically to PATH once listening (``ca_file`` is "" with ``--plain-http``).

Every request body is read (streamed, never held in memory) and hashed before routing, so that a
keep-alive connection stays in sync.  Endpoints:

``/echo``                 JSON: method, raw request target, headers in wire order, body sha256 and
                          length, whether the body was chunked.
``/bytes?n=N``            N deterministic bytes (byte i is ``i % 251``), with Content-Length.
``/chunked?n=N&trailer=1`` the same bytes with Transfer-Encoding: chunked (optionally a trailer).
``/gzip?n=N&encoding=E``  the same bytes gzip-encoded (Content-Encoding: gzip, or E as given).
``/slow?header_delay_ms=D&n=N&chunk=C&body_delay_ms=E``
                          waits D ms before the head, then sends N bytes in C-byte pieces with
                          E ms between pieces.
``/drop?n=N&after=K``     declares Content-Length N, sends K bytes, closes the connection.
``/status?code=C&retry_after=R&location=L``
                          status C (default 200) with optional Retry-After / Location headers and a
                          short body.
``/informational``        a ``103 Early Hints`` interim response (with a Link header), then 200.
``/connections``          JSON ``{"connections": N}``: TCP connections accepted so far
                          (``?reset=1`` zeroes the counter first).
``/trickle/R/ANYTHING``   a hostile server for any method and any further path and query (an S3
                          endpoint's base path, say): 200 with a 512-byte XML body sent at R bytes
                          per second after the head; for HEAD the status line and headers
                          themselves come at R bytes per second.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emulib  # noqa: E402

PATTERN_PERIOD = 251
_PATTERN = bytes(range(PATTERN_PERIOD)) * 262  # 65762 bytes; any slice starting below 251 has >= 65511


def pattern_chunks(offset: int, size: int, piece: int = 65536):
    """Yield the deterministic bytes [offset, offset + size) in pieces of at most ``piece``."""
    piece = max(1, min(piece, len(_PATTERN) - PATTERN_PERIOD))
    while size > 0:
        start = offset % PATTERN_PERIOD
        take = min(size, piece)
        yield _PATTERN[start:start + take]
        offset += take
        size -= take


def pattern_bytes(size: int) -> bytes:
    return b"".join(pattern_chunks(0, size))


class Handler(emulib.EmulatorRequestHandler):
    log_prefix = "http_test_server"

    # --- request body: streamed and hashed ---------------------------------------------------------

    def consume_body(self) -> dict | None:
        """Read the whole request body, hashing it.  None after answering an error (connection closed)."""
        digest = hashlib.sha256()
        length = 0
        try:
            for piece in self.iter_body():  # streamed, no size limit
                digest.update(piece)
                length += len(piece)
        except emulib.BodyError:
            return None
        chunked = bool(self.headers.get("Transfer-Encoding"))  # iter_body accepts only "chunked"
        return {"body_sha256": digest.hexdigest(), "body_length": length, "chunked": chunked}

    def query(self) -> dict:
        return {k: v for k, v in self.query_pairs()}

    def int_arg(self, q: dict, name: str, default: int) -> int:
        try:
            return int(q.get(name, default))
        except ValueError:
            return default

    # --- routing ----------------------------------------------------------------------------------

    def route(self) -> None:
        body = self.consume_body()
        if body is None:
            return
        path = self.raw_path
        q = self.query()
        if path.startswith("/trickle/"):
            self.do_trickle(path)
            return
        routes = {
            "/echo": self.do_echo,
            "/bytes": self.do_bytes,
            "/chunked": self.do_chunked,
            "/gzip": self.do_gzip,
            "/slow": self.do_slow,
            "/drop": self.do_drop,
            "/status": self.do_status,
            "/informational": self.do_informational,
            "/connections": self.do_connections,
        }
        handler = routes.get(path)
        if handler is None:
            self.send_plain(404, f"no route {path}\n")
            return
        handler(q, body)

    def do_echo(self, q: dict, body: dict) -> None:
        self.send_json(200, {
            "method": self.command,
            "target": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            **body,
        })

    def do_bytes(self, q: dict, body: dict) -> None:
        n = self.int_arg(q, "n", 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.send_header("X-Pattern-Period", str(PATTERN_PERIOD))
        self.end_headers()
        self.response_status = 200
        if self.command == "HEAD":
            return
        for piece in pattern_chunks(0, n):
            self.wfile.write(piece)

    def do_chunked(self, q: dict, body: dict) -> None:
        n = self.int_arg(q, "n", 0)
        trailer = q.get("trailer") == "1"
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        if trailer:
            self.send_header("Trailer", "X-Checksum")
        self.end_headers()
        self.response_status = 200
        if self.command == "HEAD":
            return
        for piece in pattern_chunks(0, n, 10000):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n")
        if trailer:
            self.wfile.write(b"X-Checksum: " + hashlib.sha256(pattern_bytes(n)).hexdigest().encode() + b"\r\n")
        self.wfile.write(b"\r\n")

    def do_gzip(self, q: dict, body: dict) -> None:
        n = self.int_arg(q, "n", 0)
        data = gzip.compress(pattern_bytes(n))
        encoding = q.get("encoding", "gzip")  # another name: a server answering with what was not asked for
        self.send_bytes(200, data, "application/octet-stream", [("Content-Encoding", encoding)])

    def do_slow(self, q: dict, body: dict) -> None:
        header_delay = self.int_arg(q, "header_delay_ms", 0) / 1000.0
        n = self.int_arg(q, "n", 0)
        chunk = max(1, self.int_arg(q, "chunk", 1024))
        body_delay = self.int_arg(q, "body_delay_ms", 0) / 1000.0
        if header_delay:
            time.sleep(header_delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.flush()
        self.response_status = 200
        if self.command == "HEAD":
            return
        for piece in pattern_chunks(0, n, chunk):
            self.wfile.write(piece)
            self.wfile.flush()
            if body_delay:
                time.sleep(body_delay)

    def do_trickle(self, path: str) -> None:
        try:
            rate = float(path.split("/")[2])
            if not rate > 0:
                raise ValueError
        except ValueError:
            self.send_plain(400, "use /trickle/BYTES_PER_SECOND/...\n")
            return
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n<Trickle>'
        body += b" " * (512 - len(body) - len(b"</Trickle>")) + b"</Trickle>"
        if self.command != "HEAD":
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.response_status = 200
            self.trickle(body, rate)
            return
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n" % len(body))
        self.response_status = 200
        self.trickle(head, rate)

    def do_drop(self, q: dict, body: dict) -> None:
        n = self.int_arg(q, "n", 1000)
        after = self.int_arg(q, "after", 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.response_status = 200
        for piece in pattern_chunks(0, min(after, n)):
            self.wfile.write(piece)
        self.wfile.flush()
        self.close_connection = True

    def do_status(self, q: dict, body: dict) -> None:
        code = self.int_arg(q, "code", 200)
        headers = []
        if "retry_after" in q:
            headers.append(("Retry-After", q["retry_after"]))
        if "location" in q:
            headers.append(("Location", q["location"]))
        self.send_bytes(code, f"status {code}\n".encode(), "text/plain; charset=utf-8", headers)

    def do_informational(self, q: dict, body: dict) -> None:
        self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nX-Interim: yes\r\n\r\n")
        self.wfile.flush()
        self.send_bytes(200, b"final\n", "text/plain", [("X-Final", "yes")])

    def do_connections(self, q: dict, body: dict) -> None:
        stats = self.server.stats
        if q.get("reset") == "1":
            stats.reset()
        self.send_json(200, {"connections": stats.snapshot(["connections"])["connections"]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    emulib.add_common_arguments(parser)
    args = parser.parse_args()
    stats = emulib.Stats()
    server, material = emulib.prepare_server(args, "http-test-server", Handler, emulator=None, stats=stats)
    payload = {
        "port": server.port,
        "base_url": server.base_url,
        "ca_file": material.ca_file if material else "",
    }
    return emulib.serve_until_signalled(server, args.ready_file, payload)


if __name__ == "__main__":
    emulib.main_guard(main)
