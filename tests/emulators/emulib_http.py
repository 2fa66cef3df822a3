# SPDX-License-Identifier: Apache-2.0
"""Part of emulib (tests/emulators/emulib.py): the threaded HTTP/1.1 server (127.0.0.1, per-connection
TLS handshakes) and the base request handler (strict body reading, replies, trickled bodies and the
``/_emulator/`` control endpoints every emulator has)."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, Iterator, NoReturn
from urllib.parse import unquote

from emulib_stats import Stats
from emulib_util import LOOPBACK, json_bytes

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
        # Control requests (/_emulator/...) are not logged; others are, once answered.
        requests = getattr(getattr(self, "emu", None), "requests", None)
        logged = requests is not None and not self.path.startswith("/_emulator/")
        self.arrival = requests.arrive() if logged else 0
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
        finally:
            if self.arrival:
                requests.done(self.arrival)  # in case the route logged nothing

    def route(self) -> None:  # pragma: no cover - subclasses override
        self.send_plain(404, "not found\n")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch
