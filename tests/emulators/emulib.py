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
"""

from __future__ import annotations

import argparse
import collections
import datetime as _dt
import email.utils
import json
import math
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Iterator, NoReturn
from urllib.parse import unquote

LOOPBACK = "127.0.0.1"

# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def parse_bool(value: Any) -> bool:
    """Parse true/false style values from the command line or a JSON config body."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("1", "true", "yes", "on"):
            return True
        if v in ("0", "false", "no", "off"):
            return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def write_json_atomic(path: str, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` so that readers never see a partial file."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ready-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def http_date(epoch_seconds: float) -> str:
    """RFC 7231 IMF-fixdate, e.g. ``Sun, 01 Nov 2026 10:00:00 GMT``."""
    return email.utils.formatdate(epoch_seconds, usegmt=True)


def utc_day_start_ms(day: str) -> int:
    """Epoch milliseconds of 00:00:00.000 UTC on ``day`` (``YYYY-MM-DD``)."""
    d = _dt.date.fromisoformat(day)
    return int(_dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc).timestamp()) * 1000


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


class ThreadSafeRandom:
    """A seeded ``random.Random`` usable from many handler threads (fault injection etc.)."""

    def __init__(self, seed: Any) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def reseed(self, seed: Any) -> None:
        with self._lock:
            self._rng.seed(seed)

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def chance(self, probability: float) -> bool:
        """True with the given probability; 0 never draws (keeps sequences stable when faults are off)."""
        if probability <= 0:
            return False
        if probability >= 1:
            return True
        return self.random() < probability

    def randint(self, a: int, b: int) -> int:
        with self._lock:
            return self._rng.randint(a, b)

    def choice(self, seq):
        with self._lock:
            return self._rng.choice(seq)


class Stats:
    """Thread-safe counters, nested counters and in-flight gauges with peaks.

    ``snapshot()`` returns a plain dict suitable for JSON.  ``reset()`` zeroes everything (gauges keep
    their current value but their peak restarts from it).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = collections.Counter()
        self._nested: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self._inflight: dict[str, int] = collections.Counter()
        self._peak: dict[str, int] = collections.Counter()

    def incr(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counters[name] += n

    def incr_nested(self, group: str, key: str, n: int = 1) -> None:
        with self._lock:
            self._nested[group][key] += n

    def enter(self, gauge: str) -> None:
        with self._lock:
            self._inflight[gauge] += 1
            if self._inflight[gauge] > self._peak[gauge]:
                self._peak[gauge] = self._inflight[gauge]

    def leave(self, gauge: str) -> None:
        with self._lock:
            self._inflight[gauge] -= 1

    def reset(self) -> None:
        with self._lock:
            self._counters.clear()
            self._nested.clear()
            self._peak = collections.Counter(self._inflight)

    def snapshot(self, counter_names: Iterable[str] = ()) -> dict:
        with self._lock:
            out: dict[str, Any] = {name: 0 for name in counter_names}
            out.update(self._counters)
            for group, c in self._nested.items():
                out[group] = dict(c)
            out["inflight"] = dict(self._inflight)
            out["peak_inflight"] = dict(self._peak)
            return out

    def count_response(self, endpoint: str, status: int | None) -> None:
        """Count one answered request: the nested counter ``responses{"ENDPOINT STATUS"}`` and, by status,
        ``status_401``, ``status_429`` or ``status_5xx``.  Nothing when no response was sent (``None``)."""
        if status is None:
            return
        self.incr_nested("responses", f"{endpoint} {status}")
        if status == 401:
            self.incr("status_401")
        elif status == 429:
            self.incr("status_429")
        elif status >= 500:
            self.incr("status_5xx")


def group_responses(snap: dict) -> dict:
    """Regroup a ``Stats.snapshot()``'s ``responses`` counters, keyed ``"ENDPOINT STATUS"``, as
    ``{endpoint: {status: n}}`` (what ``GET /_emulator/stats`` shows); sets ``snap["responses"]`` (added
    at the end when there were none yet) and returns ``snap``."""
    responses: dict[str, dict[str, int]] = {}
    for key, n in snap.get("responses", {}).items():
        endpoint, _, status = key.rpartition(" ")
        responses.setdefault(endpoint, {})[status] = n
    snap["responses"] = responses
    return snap


class RequestLog:
    """Ring buffer of recent requests (no secrets) for tests: ``GET /_emulator/requests``."""

    def __init__(self, capacity: int = 2000) -> None:
        self._lock = threading.Lock()
        self._items: collections.deque = collections.deque(maxlen=capacity)
        self._seq = 0

    def add(self, entry: dict) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._items.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list:
        with self._lock:
            return list(self._items)


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
# Knobs: settings that are command-line flags and keys of GET/POST /_emulator/config
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Knob:
    """One knob.  ``kind`` is ``int``, ``float``, ``prob`` (a float from 0 to 1), ``bool``, ``str``,
    ``choice`` (one of ``choices``) or ``days`` (one or more ``YYYY-MM-DD``, a repeatable flag).
    ``minimum``/``maximum`` bound numbers, ``nullable`` allows ``None`` (JSON null), ``dataset`` marks
    knobs whose change means the emulator's data set must be generated again."""

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()
    dataset: bool = False


def coerce_knob(knob: Knob, value: Any, strict_numbers: bool = True) -> Any:
    """Validate and convert a knob value coming from argparse or JSON; raises ValueError saying why.

    ``strict_numbers=False`` keeps face_server's laxer number rules: an ``int`` knob takes a fractional
    number (truncated), a ``prob`` is not checked for NaN/infinity separately, and a boolean given for a
    number is "must be a number" rather than "must be a number, not a boolean".
    """
    if value is None:
        if knob.nullable:
            return None
        raise ValueError(f"{knob.name} must not be null")
    if knob.kind == "bool":
        return parse_bool(value)
    if knob.kind == "choice":
        if value not in knob.choices:
            raise ValueError(f"{knob.name} must be one of {', '.join(knob.choices)}")
        return value
    if knob.kind == "days":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValueError(f"{knob.name} must be a YYYY-MM-DD string or a non-empty list of them")
        for d in items:
            if not isinstance(d, str):
                raise ValueError(f"{knob.name}: {d!r} is not a YYYY-MM-DD string")
            try:
                _dt.date.fromisoformat(d)
            except ValueError:
                raise ValueError(f"{knob.name}: {d!r} is not a YYYY-MM-DD date") from None
        return sorted(set(items))
    if knob.kind == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"{knob.name} must be a non-empty string")
        return value
    if isinstance(value, bool):
        raise ValueError(f"{knob.name} must be a number, not a boolean" if strict_numbers
                         else f"{knob.name} must be a number")
    if knob.kind == "int":
        if strict_numbers and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{knob.name} must be an integer")
        try:
            v: Any = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{knob.name} must be an integer, got {value!r}") from None
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{knob.name} must be a number, got {value!r}") from None
        if strict_numbers and (math.isnan(v) or math.isinf(v)):
            raise ValueError(f"{knob.name} must be finite")
        if knob.kind == "prob" and not 0.0 <= v <= 1.0:
            raise ValueError(f"{knob.name} must be a probability between 0 and 1")
    if knob.minimum is not None and v < knob.minimum:
        raise ValueError(f"{knob.name} must be >= {knob.minimum}")
    if knob.maximum is not None and v > knob.maximum:
        raise ValueError(f"{knob.name} must be <= {knob.maximum}")
    return v


class KnobConfig:
    """Current values of an emulator's knobs, as attributes (``cfg.latency_ms``).

    A subclass sets ``KNOBS`` (and ``STRICT_NUMBERS = False`` for face_server's number rules, see
    ``coerce_knob``).  Attribute reads are lock-free (atomic under the GIL); updates are locked and
    all-or-nothing: every change is checked before any is made.
    """

    KNOBS: tuple[Knob, ...] = ()
    STRICT_NUMBERS = True
    KNOB_BY_NAME: dict[str, Knob] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.KNOB_BY_NAME = {k.name: k for k in cls.KNOBS}

    def __init__(self, values: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        for knob in self.KNOBS:
            setattr(self, knob.name, values.get(knob.name, knob.default))

    @classmethod
    def from_args(cls, args: argparse.Namespace, prog: str) -> "KnobConfig":
        """The configuration the knob flags (``add_knob_arguments``) give; a bad value exits the process
        with ``PROG: --flag: why`` (or ``PROG: why`` when the constructor rejects the combination)."""
        values = {}
        for knob in cls.KNOBS:
            raw = getattr(args, knob.name)
            if raw is None and knob.kind == "days":  # an append flag that was not given
                raw = knob.default
            try:
                values[knob.name] = coerce_knob(knob, raw, cls.STRICT_NUMBERS)
            except ValueError as e:
                raise SystemExit(f"{prog}: --{knob.name.replace('_', '-')}: {e}")
        try:
            return cls(values)
        except ValueError as e:
            raise SystemExit(f"{prog}: {e}")

    def as_dict(self) -> dict[str, Any]:
        """Every knob's current value, in ``KNOBS`` order (the body of ``GET /_emulator/config``)."""
        return {k.name: getattr(self, k.name) for k in self.KNOBS}

    def coerce_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Check and convert ``changes`` (knob name -> value; dashes allowed in names) without applying
        them; raises ValueError for an unknown knob or a bad value."""
        new = {}
        for raw_name, value in changes.items():
            name = raw_name.replace("-", "_")
            knob = self.KNOB_BY_NAME.get(name)
            if knob is None:
                raise ValueError(f"unknown knob {raw_name!r}; known: {', '.join(sorted(self.KNOB_BY_NAME))}")
            new[name] = coerce_knob(knob, value, self.STRICT_NUMBERS)
        return new

    def commit(self, values: dict[str, Any]) -> None:
        """Set already-checked values (knob name -> value) under the lock."""
        with self._lock:
            for name, value in values.items():
                setattr(self, name, value)

    def apply(self, changes: dict[str, Any]) -> None:
        """``coerce_changes`` then ``commit``: all of ``changes`` or, on a ValueError, none of them."""
        self.commit(self.coerce_changes(changes))


# Every emulator adds these to its KNOBS: a hostile server that answers at once but then sends the
# body of matching responses a byte at a time (what a per-read or low-speed timeout never catches).
TRICKLE_KNOBS: tuple[Knob, ...] = (
    Knob("trickle_path", "str", None,
         "responses to request paths starting with this prefix send their status and headers at once, then "
         "their body at trickle_bytes_per_second (/_emulator/ paths never trickle)", nullable=True),
    Knob("trickle_bytes_per_second", "float", 2.0, "rate of a trickled response body", minimum=0.1,
         maximum=1_000_000),
)
TRICKLE_KNOB_NAMES = frozenset(k.name for k in TRICKLE_KNOBS)


def add_knob_arguments(parser: argparse.ArgumentParser, knobs: Iterable[Knob],
                       metavar: Callable[[str], str | None] | None = None, none_shown: str = "None") -> None:
    """Add one ``--knob-name`` flag per knob (dest = the knob's name), its default shown in the help.

    ``bool`` flags take true/false, ``choice`` flags their choices, ``days`` flags repeat (default
    ``None``: see ``KnobConfig.from_args``).  Number and string flags are typed by kind; ``metavar(kind)``
    names their argument (default: argparse's own) and ``none_shown`` is the help's word for a
    ``None`` default.
    """
    types = {"int": int, "float": float, "prob": float, "str": str}
    for knob in knobs:
        flag = "--" + knob.name.replace("_", "-")
        if knob.kind == "days":
            parser.add_argument(flag, action="append", default=None, metavar="YYYY-MM-DD",
                                help=f"{knob.help} (default: {knob.default[0]})")
        elif knob.kind == "bool":
            parser.add_argument(flag, type=parse_bool, default=knob.default, metavar="true|false",
                                help=f"{knob.help} (default: {str(knob.default).lower()})")
        elif knob.kind == "choice":
            parser.add_argument(flag, choices=knob.choices, default=knob.default,
                                help=f"{knob.help} (default: {knob.default})")
        else:
            shown = none_shown if knob.default is None else knob.default
            parser.add_argument(flag, type=types[knob.kind], default=knob.default,
                                metavar=metavar(knob.kind) if metavar else None,
                                help=f"{knob.help} (default: {shown})")


# --------------------------------------------------------------------------------------------------
# TLS material
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsMaterial:
    ca_file: str
    cert_file: str
    key_file: str


_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, {server_key_usage}
extendedKeyUsage = serverAuth
subjectAltName = {san}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def _openssl(args: list[str], cwd: str) -> None:
    try:
        subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise SystemExit("emulator: the 'openssl' command is required to create test certificates")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"emulator: openssl {' '.join(args[:2])} failed: {e.stderr.decode(errors='replace')}")


def generate_tls_material(state_dir: str, name: str, key_type: str = "ec",
                          dns_names: Iterable[str] = ("localhost",),
                          ip_addresses: Iterable[str] = (LOOPBACK,),
                          days: int = 30) -> TlsMaterial:
    """Create a fresh CA and a server certificate signed by it in ``state_dir``.

    ``key_type`` is ``ec`` (P-256, default, fastest) or ``rsa`` (2048 bit).  Produces ``ca.pem``,
    ``ca.key``, ``server.pem`` and ``server.key``; the CA is regenerated on every start.
    """
    os.makedirs(state_dir, exist_ok=True)
    state_dir = os.path.abspath(state_dir)
    san = ", ".join([f"IP:{ip}" for ip in ip_addresses] + [f"DNS:{d}" for d in dns_names])
    server_ku = "digitalSignature" if key_type == "ec" else "digitalSignature, keyEncipherment"
    cnf = os.path.join(state_dir, "openssl.cnf")
    with open(cnf, "w", encoding="ascii") as f:
        f.write(_OPENSSL_CNF.format(san=san, server_key_usage=server_ku))

    if key_type == "ec":
        keygen = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    elif key_type == "rsa":
        keygen = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    else:
        raise ValueError(f"unknown key type {key_type!r} (use ec or rsa)")

    serial = "0x" + os.urandom(12).hex()
    _openssl([*keygen, "-out", "ca.key"], state_dir)
    _openssl(["req", "-x509", "-new", "-config", cnf, "-extensions", "v3_ca", "-key", "ca.key",
              "-sha256", "-days", str(days), "-subj", f"/O=ccrec tests/CN=ccrec {name} throwaway CA",
              "-set_serial", serial, "-out", "ca.pem"], state_dir)
    _openssl([*keygen, "-out", "server.key"], state_dir)
    _openssl(["req", "-new", "-config", cnf, "-key", "server.key", "-subj",
              f"/O=ccrec tests/CN={next(iter(ip_addresses), 'localhost')}", "-out", "server.csr"], state_dir)
    _openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-set_serial", "0x" + os.urandom(12).hex(), "-days", str(days), "-sha256",
              "-extfile", cnf, "-extensions", "v3_server", "-out", "server.pem"], state_dir)
    for leftover in ("server.csr",):
        try:
            os.unlink(os.path.join(state_dir, leftover))
        except OSError:
            pass
    os.chmod(os.path.join(state_dir, "ca.key"), 0o600)
    os.chmod(os.path.join(state_dir, "server.key"), 0o600)
    return TlsMaterial(ca_file=os.path.join(state_dir, "ca.pem"),
                       cert_file=os.path.join(state_dir, "server.pem"),
                       key_file=os.path.join(state_dir, "server.key"))


def server_ssl_context(material: TlsMaterial) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(material.cert_file, material.key_file)
    return ctx


# --------------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------------

_QUIET_ERRORS = (ConnectionError, ssl.SSLError, TimeoutError, socket.timeout, BrokenPipeError)


class BodyError(Exception):
    """Raised by ``EmulatorRequestHandler.iter_body`` when the request body cannot be read: the error
    answer (if any) has been sent and the connection is marked for closing."""


class EmulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer bound to 127.0.0.1, optional TLS with per-connection handshakes.

    ``emulator`` is an arbitrary object handlers reach as ``self.server.emulator``.
    """

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256
    handshake_timeout = 10.0

    def __init__(self, port: int, handler_class: type, emulator: Any,
                 ssl_context: ssl.SSLContext | None = None, stats: Stats | None = None) -> None:
        self.emulator = emulator
        self.ssl_context = ssl_context
        self.stats = stats
        super().__init__((LOOPBACK, port), handler_class)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context else "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def finish_request(self, request, client_address) -> None:  # runs in the connection thread
        if self.stats:
            self.stats.incr("connections")
        try:  # headers and body go out in separate writes: without this, Nagle + delayed ACK add 40 ms
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.ssl_context is None:
            self.RequestHandlerClass(request, client_address, self)
            return
        request.settimeout(self.handshake_timeout)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            if self.stats:
                self.stats.incr("tls_handshake_failures")
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, _QUIET_ERRORS):
            return
        super().handle_error(request, client_address)


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """Base handler: HTTP/1.1 keep-alive, strict body reading, helpers for responses and ``/_emulator/``.

    Subclasses implement ``route()``; every method (GET, HEAD, POST, ...) goes through it.  The request
    body is always read completely *before* routing so a keep-alive connection stays in sync even when
    the handler answers with an error.  ``self.emu`` is the server's emulator object; the control
    endpoints every emulator has are answered by ``handle_control()`` (see there for what it expects of
    the emulator object).
    """

    protocol_version = "HTTP/1.1"
    server_version = "ccrec-emulator/1.0"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are dropped after this many seconds
    max_body_bytes = 1 << 20
    verbose = False
    log_prefix = "emulator"

    # --- plumbing -----------------------------------------------------------------------------------

    def log_message(self, fmt: str, *args) -> None:  # BaseHTTPRequestHandler's own messages
        if self.verbose:
            sys.stderr.write(f"[{self.log_prefix}] {fmt % args}\n")

    def log_request(self, code="-", size="-") -> None:  # we log once per request ourselves
        pass

    def log_line(self, text: str) -> None:
        if self.verbose:
            sys.stderr.write(f"[{self.log_prefix}] {text}\n")

    @property
    def emu(self) -> Any:
        """The emulator object the server was made with (``EmulatorHTTPServer.emulator``)."""
        return self.server.emulator

    @property
    def raw_path(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def raw_query(self) -> str:
        return self.path.split("?", 1)[1] if "?" in self.path else ""

    def query_pairs(self) -> list[tuple[str, str]]:
        """Decoded (name, value) pairs in order, duplicates kept; ``+`` means space as in forms."""
        pairs = []
        for part in self.raw_query.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
        return pairs

    def iter_body(self, limit: int | None = None) -> Iterator[bytes]:
        """Yield the request body (Content-Length or chunked) in pieces of at most 64 KiB as it arrives.

        An unsupported Transfer-Encoding (501), a malformed chunk size or Content-Length (400) or a body
        over ``limit`` bytes (413; no limit when None) is answered, and then, like a client that goes away
        mid-body (no answer), raises ``BodyError`` with the connection marked for closing.
        """
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te:
            if te != "chunked":
                self._body_error(501, f"Transfer-Encoding {te!r} is not supported\n")
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    self._body_error()
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    self._body_error(400, "malformed chunked body\n")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                total += size
                if limit is not None and total > limit:
                    self._body_error(413, "request body too large\n")
                yield from self._read_exactly(size)
                self.rfile.readline(16)
        length = self.headers.get("Content-Length")
        if length is None:
            return
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self._body_error(400, "invalid Content-Length\n")
        if limit is not None and n > limit:
            self._body_error(413, "request body too large\n")
        yield from self._read_exactly(n)

    def _read_exactly(self, n: int) -> Iterator[bytes]:
        while n:
            data = self.rfile.read(min(n, 1 << 16))
            if not data:
                self._body_error()
            n -= len(data)
            yield data

    def _body_error(self, status: int | None = None, text: str = "") -> NoReturn:
        self.close_connection = True
        if status is not None:
            self.send_plain(status, text)
        raise BodyError(text.strip() or "request body cut short")

    def read_body(self) -> bytes | None:
        """Read the full request body (at most ``max_body_bytes``; see ``iter_body``).  Returns None
        after answering 4xx/501 or when the client went away."""
        try:
            return b"".join(self.iter_body(self.max_body_bytes))
        except BodyError:
            return None

    def load_body(self) -> bool:
        """``read_body()`` into ``self.body``; False (and ``self.body`` left unset) when it failed."""
        body = self.read_body()
        if body is None:
            return False
        self.body = body
        return True

    def send_bytes(self, status: int, body: bytes, content_type: str | None = None,
                   headers: Iterable[tuple[str, str]] = (), head_only: bool = False) -> None:
        """Send a complete response with an exact Content-Length (body omitted for HEAD)."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.response_status = status
        if body and not head_only and self.command != "HEAD":
            rate = self.trickle_rate()
            if rate is None:
                self.wfile.write(body)
            else:
                self.trickle(body, rate)

    def trickle_rate(self) -> float | None:
        """Bytes per second for this response's body when the ``TRICKLE_KNOBS`` ask for it (the request
        path starts with ``trickle_path``), else None.  Reads ``self.emu.cfg``, a ``KnobConfig`` or a
        dict; an emulator without the knobs never trickles."""
        cfg = getattr(self.emu, "cfg", None)
        if isinstance(cfg, dict):
            prefix, rate = cfg.get("trickle_path"), cfg.get("trickle_bytes_per_second", 2.0)
        else:
            prefix, rate = getattr(cfg, "trickle_path", None), getattr(cfg, "trickle_bytes_per_second", 2.0)
        path = self.raw_path
        if not prefix or path.startswith("/_emulator/") or not path.startswith(prefix):
            return None
        return float(rate)

    def trickle(self, body: bytes, rate: float) -> None:
        """Write ``body`` at about ``rate`` bytes per second (pieces of rate/10 bytes, at least one); a
        client that gives up ends it with a quiet connection error."""
        stats = getattr(self.server, "stats", None)
        if stats:
            stats.incr("trickled_responses")
        piece = max(1, int(rate // 10))
        delay = piece / rate
        self.close_connection = True  # the client may give up mid-body; never reuse the connection
        for i in range(0, len(body), piece):
            time.sleep(delay)
            self.wfile.write(body[i:i + piece])

    def send_json(self, status: int, obj: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_bytes(status, json_bytes(obj), "application/json", headers)

    def send_plain(self, status: int, text: str) -> None:
        self.send_bytes(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    # --- test control: /_emulator/... ---------------------------------------------------------------

    config_body_error = "body must be a JSON object of knob names to values"
    control_errors: tuple[type[BaseException], ...] = (ValueError, UnicodeDecodeError)  # -> 400 on config POST

    def control_body(self, error: str = "body must be a JSON object") -> dict:
        """The request body (already read into ``self.body``) as a JSON object; an empty body is ``{}``.
        Raises ValueError (``error`` when it is JSON but not an object)."""
        doc = json.loads(self.body.decode("utf-8") or "{}")
        if not isinstance(doc, dict):
            raise ValueError(error)
        return doc

    def control_config(self) -> dict:
        """Body of ``GET /_emulator/config``: by default ``self.emu.cfg.as_dict()``."""
        return self.emu.cfg.as_dict()

    def control_apply_config(self, changes: dict) -> None:
        """``POST /_emulator/config``: by default ``self.emu.cfg.apply(changes)``; raise one of
        ``control_errors`` to answer 400 ``{"error": ...}``."""
        self.emu.cfg.apply(changes)

    def control_reset_stats(self) -> None:
        """``POST /_emulator/reset-stats``: by default zero ``self.emu.stats`` and clear ``self.emu.requests``."""
        self.emu.stats.reset()
        self.emu.requests.clear()

    def handle_common_control(self, path: str, method: str) -> bool:
        """Answer the control endpoints every emulator has; False (nothing sent) for any other.

        ``GET stats`` (``emu.stats_snapshot()``), ``POST reset-stats`` (``control_reset_stats``),
        ``GET``/``POST config`` (``control_config``/``control_apply_config``; a bad body or change is
        400 ``{"error": why}``), ``GET requests`` (``{"requests": emu.requests.snapshot()}``) and
        ``GET health`` (``{"ok": true}``).
        """
        emu = self.emu
        if path == "/_emulator/stats" and method == "GET":
            self.send_json(200, emu.stats_snapshot())
        elif path == "/_emulator/reset-stats" and method == "POST":
            self.control_reset_stats()
            self.send_json(200, {"ok": True})
        elif path == "/_emulator/config" and method == "GET":
            self.send_json(200, self.control_config())
        elif path == "/_emulator/config" and method == "POST":
            try:
                self.control_apply_config(self.control_body(self.config_body_error))
            except self.control_errors as e:
                self.send_json(400, {"error": str(e)})
                return True
            self.send_json(200, self.control_config())
        elif path == "/_emulator/requests" and method == "GET":
            self.send_json(200, {"requests": emu.requests.snapshot()})
        elif path == "/_emulator/health" and method == "GET":
            self.send_json(200, {"ok": True})
        else:
            return False
        return True

    def handle_extra_control(self, path: str, method: str, query: dict[str, str]) -> bool:
        """An emulator's own control endpoints (``query``: decoded query parameters, the last of a
        repeated name); False (nothing sent) when ``path``/``method`` is none of them."""
        return False

    def handle_control(self) -> None:
        """Answer ``/_emulator/...`` (body already read): ``handle_common_control``, then
        ``handle_extra_control``, else 404 ``{"error": "unknown control endpoint METHOD PATH"}``."""
        path, method = self.raw_path, self.command
        if self.handle_common_control(path, method):
            return
        if self.handle_extra_control(path, method, dict(self.query_pairs())):
            return
        self.send_json(404, {"error": f"unknown control endpoint {method} {path}"})

    # Replace BaseHTTPRequestHandler's HTML error pages (used for malformed requests) with plain text.
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        try:
            short, _long = self.responses.get(code, ("Error", ""))
        except AttributeError:
            short = "Error"
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # unparsable request line: still answer with a status line
        body = f"{code} {message or short}\n".encode("utf-8", "replace")
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _dispatch(self) -> None:
        self.response_status = None
        self.request_started = time.monotonic()
        try:
            self.route()
        except _QUIET_ERRORS:
            self.close_connection = True
        except Exception:  # never let a handler bug kill the connection silently
            import traceback
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if self.response_status is None:
                try:
                    self.send_plain(500, "emulator internal error\n")
                except OSError:
                    pass

    def route(self) -> None:  # pragma: no cover - subclasses override
        self.send_plain(404, "not found\n")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch


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
