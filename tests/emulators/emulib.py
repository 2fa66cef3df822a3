# SPDX-License-Identifier: Apache-2.0
"""Shared plumbing for ccrec's loopback vendor emulators (tests/emulators/).

Every emulator (Webex Contact Center, Webex legacy v1, Huawei CC-Gateway, Oracle FACE, ...) follows the
same process contract, implemented here once:

* ``--port 0`` binds 127.0.0.1 on a free port (never another interface).
* ``--state-dir DIR`` receives a throwaway CA and a server certificate made with the ``openssl``
  command-line tool (``DIR/ca.pem``, ``DIR/server.pem``, ``DIR/server.key``); the server speaks TLS
  unless ``--plain-http`` is given.  The certificate names ``IP:127.0.0.1`` and ``DNS:localhost``.
* ``--ready-file PATH`` is written atomically (temp file + rename) with a JSON object once the socket
  is listening, and removed again on clean shutdown.
* SIGTERM / SIGINT shut the server down cleanly and the process exits 0.
* HTTP/1.1 with keep-alive, one daemon thread per connection, TLS handshakes done in the connection's
  thread (a stalled client never blocks ``accept``), correct ``Content-Length`` on every response.

Besides that contract it holds what the emulators would otherwise each write again:

* knobs (``Knob``, ``coerce_knob``, ``KnobConfig``, ``add_knob_arguments``): run-time settings that are
  both command-line flags and keys of ``GET``/``POST /_emulator/config``;
* deterministic file contents streamed without storing them (``RepeatingBlock``, ``iter_with_header``);
* the request handler's body reading (``read_body``, streamed ``iter_body``) and JSON/plain replies;
* the control endpoints every emulator has (``/_emulator/stats``, ``reset-stats``, ``config``,
  ``requests``, ``health``; ``EmulatorRequestHandler.handle_control``) and the per-endpoint response
  counters behind ``stats`` (``Stats.count_response``, ``group_responses``);
* start-up and shut-down (``prepare_server``, ``serve``, ``serve_until_signalled``, ``main_guard``).

The self-tests' client side (start an emulator, wait for its ready file, talk HTTPS with its CA, stop
it) is in ``emutest.py``.  Only the Python 3.11 standard library is used (plus the ``openssl`` binary
for certificates).

Modules: this file (deterministic file contents, the process life cycle, and every name below as
``emulib.NAME``), ``emulib_util`` (small helpers, ``ThreadSafeRandom``), ``emulib_stats`` (``Stats``,
``group_responses``, ``RequestLog``), ``emulib_knobs`` (knobs), ``emulib_tls`` (certificates) and
``emulib_http`` (``EmulatorHTTPServer``, ``EmulatorRequestHandler``).  Emulators import ``emulib`` only.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterator

# The parts, one module per idea; every name stays reachable as emulib.NAME.
from emulib_http import BodyError, EmulatorHTTPServer, EmulatorRequestHandler  # noqa: F401
from emulib_knobs import (  # noqa: F401
    Knob, KnobConfig, TRICKLE_KNOB_NAMES, TRICKLE_KNOBS, add_knob_arguments, coerce_knob,
)
from emulib_stats import RequestLog, Stats, group_responses  # noqa: F401
from emulib_tls import TlsMaterial, generate_tls_material, server_ssl_context  # noqa: F401
from emulib_util import (  # noqa: F401
    LOOPBACK, ThreadSafeRandom, http_date, json_bytes, parse_bool, utc_day_start_ms, write_json_atomic,
)


# --------------------------------------------------------------------------------------------------
# Deterministic file contents, generated on the fly
# --------------------------------------------------------------------------------------------------


class RepeatingBlock:
    """File payloads that are never stored: byte ``i`` of a payload starting at ``offset`` is
    ``block[(offset + i) % PERIOD]``, so any range of any size can be streamed (or hashed) again later.

    A subclass sets ``PERIOD`` (the block's length; offsets are taken modulo it) and optionally ``CHUNK``
    (the largest piece ``iter_payload`` yields; default ``PERIOD``) and passes its block to ``__init__``.
    The block is kept repeated so that every piece is one zero-copy memoryview slice.
    """

    PERIOD = 0
    CHUNK = 0

    def __init__(self, block: bytes) -> None:
        if len(block) != self.PERIOD:
            raise ValueError(f"block of {len(block)} bytes, PERIOD is {self.PERIOD}")
        self.chunk = self.CHUNK or self.PERIOD
        self.view = memoryview(block * (1 + -(-self.chunk // self.PERIOD)))

    def iter_payload(self, offset: int, start: int, end: int) -> Iterator[memoryview]:
        """Bytes [start, end) of the payload that begins at ``offset`` in the block, in pieces of at most
        ``CHUNK`` bytes."""
        pos = start
        while pos < end:
            off = (offset + pos) % self.PERIOD
            n = min(end - pos, self.chunk)
            yield self.view[off:off + n]
            pos += n


def iter_with_header(header: bytes, payload: RepeatingBlock, offset: int, start: int,
                     end: int) -> Iterator[bytes | memoryview]:
    """Bytes [start, end) of a file made of ``header`` followed by ``payload``'s bytes from ``offset`` on
    (a WAV header and its samples, say), streamed without building the file."""
    if start < len(header):
        yield header[start:min(end, len(header))]
        start = len(header)
    if start < end:
        yield from payload.iter_payload(offset, start - len(header), end - len(header))


# --------------------------------------------------------------------------------------------------
# Process life cycle
# --------------------------------------------------------------------------------------------------


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags shared by every emulator (process contract)."""
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default 0 = pick a free one)")
    parser.add_argument("--ready-file", required=True, help="JSON file written atomically once listening")
    parser.add_argument("--state-dir", required=True, help="directory for the throwaway CA and certificate")
    parser.add_argument("--plain-http", action="store_true", help="serve HTTP instead of HTTPS")
    parser.add_argument("--tls-key-type", choices=("ec", "rsa"), default="ec",
                        help="key type of the throwaway CA and server certificate (default: ec = P-256)")
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="shut down (exit 0) when the parent process goes away, so a crashed test "
                             "harness leaves no emulator behind")


def prepare_server(args: argparse.Namespace, name: str, handler_class: type, emulator: Any,
                   stats: Stats | None = None) -> tuple[EmulatorHTTPServer, TlsMaterial | None]:
    """Set ``handler_class.verbose`` from --verbose, remove a stale ready file, make certificates
    (unless --plain-http) and bind the socket."""
    handler_class.verbose = args.verbose
    try:
        os.unlink(args.ready_file)
    except FileNotFoundError:
        pass
    os.makedirs(args.state_dir, exist_ok=True)
    material = None
    ctx = None
    if not args.plain_http:
        material = generate_tls_material(args.state_dir, name, key_type=args.tls_key_type)
        ctx = server_ssl_context(material)
    server = EmulatorHTTPServer(args.port, handler_class, emulator, ctx, stats)
    return server, material


def serve_until_signalled(server: EmulatorHTTPServer, ready_file: str, ready_payload: dict,
                          exit_with_parent: bool = False) -> int:
    """Serve in a background thread, publish the ready file, wait for SIGTERM/SIGINT, shut down.

    With ``exit_with_parent`` the server also stops when the parent process changes (it died).
    Returns the process exit code (0 on a clean shutdown).
    """
    stop = threading.Event()
    parent = os.getppid()

    def on_signal(signum, frame):  # noqa: ARG001 - signal API
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="serve_forever", daemon=True)
    thread.start()
    payload = dict(ready_payload)
    payload.setdefault("pid", os.getpid())
    write_json_atomic(ready_file, payload)
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():
                sys.stderr.write("emulator: server loop died\n")
                return 1
            if exit_with_parent and os.getppid() != parent:
                break
    finally:
        server.shutdown()
        server.server_close()
        try:
            os.unlink(ready_file)
        except OSError:
            pass
    return 0


def serve(args: argparse.Namespace, name: str, server: EmulatorHTTPServer, material: TlsMaterial | None,
          ready: dict, note: str = "") -> int:
    """The end of an emulator's ``main()`` after ``prepare_server``: publish the ready file and serve
    until SIGTERM/SIGINT (or the parent's exit with --exit-with-parent); returns the exit code.

    The ready file holds ``port``, ``base_url``, ``ca_file`` (None with --plain-http) and ``pid``, plus
    the emulator's own ``ready`` entries.  With --verbose, ``[NAME] listening on BASE_URL (NOTE)`` goes
    to stderr first (without the parentheses when ``note`` is empty).
    """
    payload = {"port": server.port, "base_url": server.base_url,
               "ca_file": material.ca_file if material else None, "pid": os.getpid(), **ready}
    if args.verbose:
        sys.stderr.write(f"[{name}] listening on {server.base_url}" + (f" ({note})" if note else "") + "\n")
    return serve_until_signalled(server, args.ready_file, payload, args.exit_with_parent)


def main_guard(fn: Callable[[], int]) -> None:
    """Run ``fn`` and exit with its code; turn KeyboardInterrupt during start-up into exit 0."""
    try:
        code = fn()
    except KeyboardInterrupt:
        code = 0
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
