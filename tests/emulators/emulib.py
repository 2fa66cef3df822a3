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

Only the Python 3.11 standard library is used (plus the ``openssl`` binary for certificates).
"""

from __future__ import annotations

import argparse
import collections
import datetime as _dt
import email.utils
import json
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
from typing import Any, Callable, Iterable
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
    """Base handler: HTTP/1.1 keep-alive, strict body reading, helpers for responses.

    Subclasses implement ``route()``; every method (GET, HEAD, POST, ...) goes through it.  The request
    body is always read completely *before* routing so a keep-alive connection stays in sync even when
    the handler answers with an error.
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

    def read_body(self) -> bytes | None:
        """Read the full request body (Content-Length or chunked).  Returns None after answering 4xx."""
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te:
            if te != "chunked":
                self.close_connection = True
                self.send_plain(501, f"Transfer-Encoding {te!r} is not supported\n")
                return None
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    self.close_connection = True
                    return None
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    self.send_plain(400, "malformed chunked body\n")
                    return None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > self.max_body_bytes:
                    self.close_connection = True
                    self.send_plain(413, "request body too large\n")
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            self.send_plain(400, "invalid Content-Length\n")
            return None
        if n > self.max_body_bytes:
            self.close_connection = True
            self.send_plain(413, "request body too large\n")
            return None
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            self.close_connection = True
            return None
        return data

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
        if body and not head_only and self.command != "HEAD":
            self.wfile.write(body)
        self.response_status = status

    def send_json(self, status: int, obj: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_bytes(status, json_bytes(obj), "application/json", headers)

    def send_plain(self, status: int, text: str) -> None:
        self.send_bytes(status, text.encode("utf-8"), "text/plain; charset=utf-8")

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
    """Remove a stale ready file, make certificates (unless --plain-http) and bind the socket."""
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


def main_guard(fn: Callable[[], int]) -> None:
    """Run ``fn`` and exit with its code; turn KeyboardInterrupt during start-up into exit 0."""
    try:
        code = fn()
    except KeyboardInterrupt:
        code = 0
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
