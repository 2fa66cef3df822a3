#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Huawei CC-Gateway (AgentGateway) emulator for ccrec integration tests.

Emulates, on one loopback HTTPS server, the agent-facing REST gateway of Huawei's contact-center products
(CEC / ICD / AICC) as far as ccrec uses it for recording downloads.  Facts come from
``docs/reference/huawei-cc-gateway.md`` (cited as "ref §N"); where the Huawei documents are silent the
behaviour follows the assumptions of ccrec issue 6 and is a knob:

* ``PUT  /agentgateway/resource/onlineagent/{agentid}``             sign-in (ref §2): JSON body with
  ``password`` and ``phonenum`` (+ optional fields), ``100-002`` when the agent is already signed in,
  ``000-007`` when a sign-in of the same agent is still running.  Answers with ``Set-GUID:
  JSESSIONID=<guid>`` and ``Guid`` headers and sets cookies that every later call must carry.
* ``PUT  .../onlineagent/{agentid}/forcelogin``                     forced sign-in (ref §2).
* ``PUT  .../onlineagent/{agentid}/updateGuid``                     new GUID in ``result.guid`` (ref §3).
* ``POST .../onlineagent/{agentid}/handshake``                      heartbeat (ref §4, push mode).
* ``DELETE .../onlineagent/{agentid}/logout`` / ``forcelogout``     sign-out (ref §7).
* ``GET  .../agentevent/{agentid}``                                 long poll (ref §4): one event per answer,
  held ``--poll-hold-seconds`` (10) when there is none; the poll is the keep-alive: no poll for
  ``--session-timeout-seconds`` (120) signs the agent out.
* ``GET  .../recordfile/{agentid}?recordId=..&filetype=1|2[&locationId=N]`` download (ref §6): the
  file as ``application/octet-stream;charset=utf-8``, or a JSON error ``{"message","retcode","result"}``
  with HTTP 200 (ref §8 codes).  ``recordId`` is decoded like a Java servlet does (``+`` is a space), so
  only a correctly percent-encoded name finds its file.

GUIDs: static (``--guid-mode static``, AUTHMODE=1) or dynamic (default, AUTHMODE=2): every
``--guid-interval-ms`` the GUID rotates and the new one is sent as ``Set-GUID`` on the next response
(``--rotate-on any``: any authenticated response, downloads included; ``poll``: only event-poll and
heartbeat responses, as documented); the old one keeps working for ``--old-guid-grace-ms``.

Test control under ``/_emulator/``: stats, config, files, expected content, event injection, session
kill, forced GUID rotation, fault injection (``/_emulator/fail``), request log.  Magic record ids whose
name contains ``retcode-NNN-NNN`` answer with that retcode.  The user guide is ``docs/huawei.md``.

Stats (``GET /_emulator/stats``): ``sign_ins`` (successful, forced included), ``force_logins``,
``re_sign_ins`` (successful sign-ins of an agent that had signed in before in this process),
``sign_in_failures``, ``sign_outs``, ``guid_rotations``, ``update_guid``, ``stale_guid_requests`` (a stale or
unknown Guid), ``missing_guid_requests``, ``requests_without_cookies``, ``wrong_cookie_requests``,
``requests_without_content_type``, ``concurrent_sign_ins`` (000-007 at sign-in), ``polls``, ``polls_empty``,
``events_delivered``, ``heartbeats``, ``downloads``, ``downloads_ok``, ``downloads_dropped``, ``bytes_served``,
``large_downloads`` (over 30 MiB), ``sessions_expired``, ``password_leaks`` (a password in a URL or header),
``not_signed_in_requests``, ``concurrent_download_rejections``, ``active_sessions``, ``requests{endpoint}``,
``retcodes{"endpoint code"}``, ``connections``, ``tls_handshake_failures``.

Standard library only (plus the ``openssl`` binary, through emulib, for the throwaway CA).

Modules: this file (the request handler: routing, replies, test control; the command line),
``huawei_common`` (constants, return codes, preset files, knobs), ``huawei_state`` (the emulator state
``GatewayEmulator``: agents, sessions, events, files), ``huawei_session`` (sign-in, Guid checks, session
calls, event poll) and ``huawei_download`` (recording downloads); every handler reaches the one
``GatewayEmulator`` as ``handler.emu``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
import huawei_download  # noqa: E402
import huawei_session  # noqa: E402
from huawei_common import (  # noqa: E402,F401  (the self-test reads PRESET_FILES, RETCODES)
    Config, DEFAULT_AGENTS, FAIL_ENDPOINTS, JSON_CT, KNOBS, LARGE_FILE, NAME, PREFIX, PRESET_FILES, RETCODES,
)
from huawei_state import GatewayEmulator  # noqa: E402


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(huawei_session.SessionMixin, huawei_download.DownloadMixin, emulib.EmulatorRequestHandler):
    log_prefix = NAME
    config_body_error = "body must be a JSON object"
    emu: GatewayEmulator

    def version_string(self) -> str:
        return "ccrec-emulator/1.0 (huawei_gateway)"

    # --- routing -------------------------------------------------------------------------------------

    def route(self) -> None:
        self.extra_headers: list[tuple[str, str]] = []
        self.auth = None
        self.log_extra: dict[str, Any] = {}
        self.retcode: str | None = None
        if not self.load_body():
            return
        path = self.raw_path
        emu = self.emu
        if path.startswith("/_emulator/"):
            emu.stats.incr_nested("requests", "emulator")
            return self.handle_control()
        endpoint = "other"
        try:
            if not path.startswith(PREFIX):
                return self.send_plain(404, "not found\n")
            parts = path[len(PREFIX):].split("/")
            self.check_password_leak()
            if emu.cfg.latency_ms:
                time.sleep(emu.cfg.latency_ms / 1000.0)
            if parts[0] == "onlineagent" and len(parts) in (2, 3):
                agent_id = parts[1]
                action = parts[2] if len(parts) == 3 else ""
                endpoint = {"": "signin", "forcelogin": "forcelogin", "loginex": "signin",
                            "updateGuid": "updateguid", "handshake": "handshake", "logout": "logout",
                            "forcelogout": "logout"}.get(action, "other")
                methods = {"signin": "PUT", "forcelogin": "PUT", "updateguid": "PUT", "handshake": "POST",
                           "logout": "DELETE"}
                if endpoint == "other":
                    return self.send_plain(404, "not found\n")
                if self.command != methods[endpoint]:
                    return self.method_not_allowed(methods[endpoint])
                if endpoint in ("signin", "forcelogin"):
                    return self.handle_signin(agent_id, force=endpoint == "forcelogin")
                return self.handle_session_call(endpoint, agent_id, action)
            if parts[0] == "agentevent" and len(parts) == 2:
                endpoint = "poll"
                if self.command != "GET":
                    return self.reply("000-001")
                return self.handle_poll(parts[1])
            if parts[0] == "recordfile" and len(parts) == 2:
                endpoint = "download"
                if self.command != "GET":
                    return self.method_not_allowed("GET")
                return self.handle_download(parts[1])
            return self.send_plain(404, "not found\n")
        finally:
            emu.stats.incr_nested("requests", endpoint)
            status = getattr(self, "response_status", None)
            if self.retcode is not None:
                emu.stats.incr_nested("retcodes", f"{endpoint} {self.retcode}")
            entry = {"time": round(time.time(), 3), "method": self.command, "endpoint": endpoint,
                     "path": self.raw_path, "status": status, "retcode": self.retcode,
                     "content_type": self.headers.get("Content-Type"),
                     "guid_sent": self.headers.get("Guid") is not None,
                     "cookie_sent": self.headers.get("Cookie") is not None}
            entry.update(self.log_extra)
            emu.requests.add(entry, self.arrival)
            ms = (time.monotonic() - self.request_started) * 1000
            self.log_line(f"{self.command} {self.raw_path} -> {status} retcode={self.retcode} ({ms:.0f} ms)")

    def method_not_allowed(self, allowed: str) -> None:
        self.send_bytes(405, b"<html><body>HTTP Status 405 - Method Not Allowed</body></html>",
                        "text/html;charset=utf-8", [("Allow", allowed)])

    def reply(self, retcode: str, result: Any = "", message: str | None = None, msg_key: str = "message",
              extra: dict | None = None) -> None:
        """A JSON envelope with HTTP 200 (ref §1), plus any pending Set-GUID / Set-Cookie headers."""
        self.retcode = retcode
        doc = {msg_key: RETCODES.get(retcode, "error") if message is None else message, "retcode": retcode,
               "result": result}
        if extra:
            doc.update(extra)
        self.send_bytes(200, emulib.json_bytes(doc), JSON_CT, self.extra_headers + self.guid_headers())

    def check_password_leak(self) -> None:
        """A password anywhere but in the sign-in body (URL, headers) is a leak."""
        from urllib.parse import quote
        target = self.path
        hdrs = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        for agent in self.emu.agents.values():
            for form in {agent.password, quote(agent.password, safe=""), quote(agent.password)}:
                if form and (form in target or form in hdrs):
                    self.emu.stats.incr("password_leaks")
                    return

    def content_type_ok(self) -> bool:
        ct = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ct == "application/json":
            return True
        self.emu.stats.incr("requests_without_content_type")
        return not self.emu.cfg.require_content_type

    # --- /_emulator/... ------------------------------------------------------------------------------

    def handle_control(self) -> None:
        """emulib's common endpoints plus this gateway's own; unlike the other emulators, any bad body or
        value of a control call is 400 and an unknown control endpoint says "no such control endpoint"."""
        emu = self.emu
        path, method = self.raw_path, self.command
        q = dict(self.query_pairs())
        try:
            if self.handle_common_control(path, method):
                return
            if path == "/_emulator/files" and method == "GET":
                emu.sync_large()
                with emu.lock:
                    files = [f.describe() for f in emu.files.values()]
                return self.send_json(200, {"files": files, "large_file": LARGE_FILE})
            if path == "/_emulator/files" and method == "POST":
                b = self.control_body()
                name = b.get("fileName")
                if not isinstance(name, str) or not name:
                    raise ValueError("fileName is required")
                f = emu.add_file(name, int(b.get("size", 1000)), int(b.get("filetype", 1)),
                                 str(b.get("locationId", "256")))
                return self.send_json(200, dict(f.describe(), sha256=emu.sha256(f)))
            if path == "/_emulator/expected" and method == "GET":
                with emu.lock:
                    f = emu.files.get(q.get("fileName", ""))
                if f is None:
                    return self.send_json(404, {"error": "unknown fileName"})
                return self.send_json(200, dict(f.describe(), sha256=emu.sha256(f)))
            if path == "/_emulator/record" and method == "POST":
                return self.control_record(self.control_body())
            if path == "/_emulator/events" and method == "POST":
                b = self.control_body()
                agent = emu.agents.get(str(b.get("agent_id")))
                events = b.get("events")
                if agent is None or not isinstance(events, list):
                    raise ValueError("need agent_id (a configured agent) and events (a list)")
                with emu.lock:
                    agent.events.extend(events)
                return self.send_json(200, {"queued": len(events)})
            if path == "/_emulator/kill-session" and method == "POST":
                b = self.control_body()
                agent_id = str(b.get("agent_id"))
                mode = b.get("mode", "drop")
                if agent_id not in emu.agents or mode not in ("drop", "elsewhere"):
                    raise ValueError("need agent_id (a configured agent) and mode drop|elsewhere")
                with emu.lock:
                    killed = emu.sessions.pop(agent_id, None) is not None
                    if mode == "elsewhere":
                        emu.agents[agent_id].foreign = True
                return self.send_json(200, {"killed": killed})
            if path == "/_emulator/rotate-guid" and method == "POST":
                b = self.control_body()
                with emu.lock:
                    s = emu.sessions.get(str(b.get("agent_id")))
                    if s is not None:
                        emu.rotate_locked(s, time.monotonic())
                if s is None:
                    return self.send_json(404, {"error": "agent not signed in"})
                return self.send_json(200, {"rotated": True})
            if path == "/_emulator/fail" and method == "POST":
                b = self.control_body()
                endpoint = b.get("endpoint", "any")
                code = b.get("retcode")
                count = int(b.get("count", 1))
                if endpoint not in FAIL_ENDPOINTS or not isinstance(code, str) or code == "0":
                    raise ValueError(f"need endpoint ({'|'.join(FAIL_ENDPOINTS)}) and a non-zero retcode")
                with emu.lock:
                    if count > 0:
                        emu.failures.append({"endpoint": endpoint, "retcode": code, "count": count})
                    else:
                        emu.failures = [f for f in emu.failures if f["endpoint"] != endpoint]
                return self.send_json(200, {"failures": emu.failures})
            if path == "/_emulator/sessions" and method == "GET":
                now = time.monotonic()
                with emu.lock:
                    emu.sweep_locked(now)
                    out = {a: {"age_seconds": round(now - s.created, 3),
                               "idle_seconds": round(now - s.last_keepalive, 3)}
                           for a, s in emu.sessions.items()}
                return self.send_json(200, {"sessions": out})
            if path == "/_emulator/retcodes" and method == "GET":
                return self.send_json(200, RETCODES)
            return self.send_json(404, {"error": f"no such control endpoint: {method} {path}"})
        except (ValueError, TypeError, UnicodeDecodeError) as e:
            return self.send_json(400, {"error": str(e)})

    def control_record(self, b: dict) -> None:
        emu = self.emu
        agent = emu.agents.get(str(b.get("agent_id")))
        if agent is None:
            raise ValueError("need agent_id (a configured agent)")
        size = int(b.get("size", emu.cfg.record_file_bytes))
        delay = float(b.get("delay_ms", 0)) / 1000.0
        with emu.lock:
            f = emu.schedule_record_locked(agent, time.monotonic() + delay, b.get("fileName"), size,
                                           None if b.get("locationId") is None else str(b["locationId"]),
                                           b.get("fileMediaType"), int(b.get("index", 0)), b.get("stop"),
                                           int(b.get("filetype", 1)))
        self.send_json(200, dict(f.describe(), sha256=emu.sha256(f)))


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def parse_agent(text: str) -> tuple[str, str, str]:
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
        raise argparse.ArgumentTypeError("expected AGENTID:PASSWORD:PHONE")
    return parts[0], parts[1], parts[2]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    emulib.add_common_arguments(p)
    p.add_argument("--agent", action="append", type=parse_agent, default=None, metavar="ID:PASSWORD:PHONE",
                   help="agent account (repeatable; default 20011 and 20012 with fixed passwords)")
    p.add_argument("--signed-in-elsewhere", action="append", default=[], metavar="ID",
                   help="agent already signed in by another client at start (sign-in answers 100-002)")
    p.add_argument("--fail", action="append", default=[], metavar="ENDPOINT:RETCODE:COUNT",
                   help="answer the next COUNT calls of ENDPOINT (" + "|".join(FAIL_ENDPOINTS) + ") with RETCODE")
    emulib.add_knob_arguments(p, KNOBS, metavar=str.upper)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = Config.from_args(args, NAME)
    agents = args.agent or list(DEFAULT_AGENTS)
    emu = GatewayEmulator(cfg, agents)
    for a in args.signed_in_elsewhere:
        if a not in emu.agents:
            raise SystemExit(f"{NAME}: --signed-in-elsewhere {a}: not a configured agent")
        emu.agents[a].foreign = True
    for spec in args.fail:
        parts = spec.split(":")
        if len(parts) != 3 or parts[0] not in FAIL_ENDPOINTS or not parts[2].isdigit():
            raise SystemExit(f"{NAME}: --fail {spec}: expected ENDPOINT:RETCODE:COUNT")
        emu.failures.append({"endpoint": parts[0], "retcode": parts[1], "count": int(parts[2])})
    server, material = emulib.prepare_server(args, NAME, Handler, emu, emu.stats)
    first = agents[0]
    ready = {"gateway_url": server.base_url, "agent_id": first[0], "password": first[1], "phone": first[2],
             "agents": [{"agent_id": a, "password": p, "phone": ph} for a, p, ph in agents],
             "large_file": LARGE_FILE}
    return emulib.serve(args, NAME, server, material, ready)


if __name__ == "__main__":
    emulib.main_guard(main)
