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
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import random
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402

NAME = "huawei_gateway"
PREFIX = "/agentgateway/resource/"
JSON_CT = "application/json;charset=UTF-8"
OCTET_CT = "application/octet-stream;charset=utf-8"

# ref §8: agent interface codes and CC-Gateway codes (abridged), with the gateway's own wording.
RETCODES: dict[str, str] = {
    "0": "success",
    "000-000": "unknown error",
    "000-001": "wrong method for getting agent events",
    "000-002": "URL parameter or address wrong, or interface parameter invalid",
    "000-003": "no right to invite resource",
    "000-004": "agent is being switched over",
    "000-006": "message parameter error",
    "000-007": "interface repeatedly invoked",
    "100-001": "sign-in parameter empty or invalid",
    "100-002": "agent already signed in",
    "100-003": "resource or provider unavailable",
    "100-004": "wrong user name or password",
    "100-006": "agent not signed in",
    "100-007": "exception during the operation",
    "100-008": "agent already signed out",
    "104-001": "recording download function not enabled",
    "104-002": "no recording inspection or playback right",
    "104-004": "no drive mapping configured",
    "104-005": "recording file does not exist",
    "104-007": "recording file format not supported",
    "104-008": "recording format not configured",
    "104-009": "recording file conversion failed",
    "104-010": "recording node ID not configured",
    "107-000": "cached login info invalid, sign in again",
}
RETCODE_RE = re.compile(r"retcode-(\d{3}-\d{3})")
FAIL_ENDPOINTS = ("signin", "forcelogin", "poll", "download", "logout", "handshake", "updateguid", "any")

DEFAULT_AGENTS = (("20011", 'Hw@Gw#2026+p w"&=', "70006"), ("20012", "Second#Agent+pw2", "70007"))
LARGE_FILE = "Y:/1/0/20261101/20011/large.V3"

# Preset files: realistic paths of ref §6.1 and hostile names (drive letters, backslashes, spaces,
# & + # % ? = ; , UTF-8, traversal, hidden files).  (name, size, filetype)
PRESET_FILES: tuple[tuple[str, int, int], ...] = (
    ("Y:/6/0/20161025/20011/1902050.V3", 48_000, 1),
    ("y:/1/0/20181217/120/1524488.V3", 20_000, 1),
    ("y:\\1\\0\\20181217\\120\\1524489.V3", 21_000, 1),
    ("y:/1/record/20190412/playvoice1551276018824.wav", 12_044, 2),
    ("y:/3rdfile/1/record/20190408/515/1633022.V3", 9_000, 2),
    ("Y:/1/0/20201202/503/1714442.mp4", 30_000, 1),
    ("conferenceId=7781;recordId0=20201202503;", 7_000, 1),
    ("Y:/1/0/20261101/20011/a b&c+d#e%f?g=h;i,j.V3", 5_000, 1),
    ("Y:/1/0/20261101/20011/a b&c d#e%f?g=h;i,j.V3", 5_001, 1),  # differs only by '+' vs ' '
    ("Y:/1/0/20261101/20011/100%25 sure %41.V3", 4_000, 1),       # literal "%25" and "%41" in the name
    ("Y:/1/0/20261101/20011/录音 é ü.wav", 6_044, 1),
    ("Y:/1/0/20261101/20011/../../../etc/passwd", 3_000, 1),
    ("Y:\\1\\0\\20261101\\20011\\.hidden.V3", 2_500, 1),
    ("Y:/1/0/20261101/20011/tab\tand\"quote'.V3", 2_000, 1),
)

# --------------------------------------------------------------------------------------------------
# Knobs (command-line flags and POST /_emulator/config share these names)
# --------------------------------------------------------------------------------------------------


Knob = emulib.Knob  # kinds used here: int, float, prob, bool, choice

KNOBS: tuple[Knob, ...] = (
    Knob("guid_mode", "choice", "dynamic", "static (AUTHMODE=1) or dynamic (AUTHMODE=2) GUIDs",
         choices=("static", "dynamic")),
    Knob("guid_interval_ms", "int", 60_000, "dynamic mode: GUID rotation period (GUIDINTERVAL)", minimum=1),
    Knob("old_guid_grace_ms", "int", 2_000, "a rotated-out GUID keeps working this long", minimum=0),
    Knob("rotate_on", "choice", "any",
         "which responses carry a new Set-GUID: any authenticated response, or only poll/heartbeat ones",
         choices=("any", "poll")),
    Knob("bad_guid_retcode", "choice", "000-003", "retcode for a stale or unknown Guid header",
         choices=("000-003", "100-006")),
    Knob("require_cookies", "bool", True, "calls without the sign-in cookies are answered 100-006"),
    Knob("require_content_type", "bool", True,
         "calls without Content-Type: application/json are answered 000-002"),
    Knob("session_timeout_seconds", "float", 120.0, "no poll/heartbeat for this long signs the agent out",
         minimum=0.05),
    Knob("poll_hold_seconds", "float", 10.0, "how long an event poll is held when there is no event",
         minimum=0),
    Knob("empty_event_shape", "choice", "null", "poll answer without event: \"event\":null or no member",
         choices=("null", "missing")),
    Knob("record_events", "int", 0, "AgentMediaEvent_Record events generated per agent after its first sign-in",
         minimum=0),
    Knob("event_interval_ms", "int", 1000, "time between generated record events", minimum=0),
    Knob("event_start_delay_ms", "int", 0, "delay of the first generated record event after sign-in", minimum=0),
    Knob("record_duration_ms", "int", 200, "delay between a record event and its AgentMediaEvent_StopRecordDone",
         minimum=0),
    Knob("stop_record_events", "bool", True, "send AgentMediaEvent_StopRecordDone after each record event"),
    Knob("noise_events", "bool", True, "mix unrelated agent events into the event stream"),
    Knob("record_file_bytes", "int", 65_536, "size of generated recordings", minimum=0),
    Knob("hostile_names", "bool", False, "generated recordings use hostile file names"),
    Knob("pool_mode", "bool", False, "CTI pool mode: downloads must carry the file's locationId"),
    Knob("max_concurrent_downloads_per_agent", "int", 0, "more parallel downloads of one agent get 000-007 (0 = off)",
         minimum=0),
    Knob("download_chunk_delay_ms", "int", 0, "pause after every 64 KiB of a download", minimum=0),
    Knob("download_drop_rate", "prob", 0.0, "probability of closing a download after a random part of the body"),
    Knob("strict_types", "bool", False, "sign-in fields must have JSON types (no \"4\" for 4)"),
    Knob("require_encoded_record_id", "bool", False, "a raw ':' '/' or '\\' in recordId is 000-002"),
    Knob("force_change_password", "bool", False, "sign-in result says isForceChange \"true\""),
    Knob("sign_in_latency_ms", "int", 50, "time a sign-in takes (concurrent sign-ins of one agent get 000-007)",
         minimum=0),
    Knob("latency_ms", "int", 0, "delay added to every gateway request", minimum=0),
    Knob("large_file_bytes", "int", 36_000_000, "size of the preset large recording " + LARGE_FILE, minimum=0),
    Knob("seed", "int", 1, "seed of file contents and fault randomness"),
    *emulib.TRICKLE_KNOBS,
)


class Config(emulib.KnobConfig):
    """Current knob values; reads are lock-free, updates all-or-nothing."""

    KNOBS = KNOBS


# --------------------------------------------------------------------------------------------------
# File contents: deterministic bytes generated on the fly
# --------------------------------------------------------------------------------------------------


class ContentBank(emulib.RepeatingBlock):
    """Byte ``i`` of a file is ``block[(offset + i) % PERIOD]``; ``offset`` derives from the name."""

    PERIOD = 256 * 1024
    CHUNK = 64 * 1024

    def __init__(self, seed: int) -> None:
        super().__init__(random.Random(f"huawei-content:{seed}").randbytes(self.PERIOD))


@dataclass
class RecFile:
    name: str
    size: int
    filetype: int = 1
    location_id: str = "256"
    available_at: float = 0.0  # monotonic time from which the file can be downloaded
    offset: int = 0
    sha256: str | None = None

    def describe(self) -> dict:
        return {"fileName": self.name, "size": self.size, "filetype": self.filetype,
                "locationId": self.location_id, "sha256": self.sha256}


def name_offset(seed: int, name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}\0{name}".encode("utf-8")).digest()[:8], "big") % ContentBank.PERIOD


def java_query_decode(raw: str) -> str:
    """Decode a query component the way a Java servlet does: '+' is a space, %XX bytes are UTF-8.

    Raises ValueError for malformed escapes or invalid UTF-8 (the gateway answers 000-002)."""
    out = bytearray()
    i = 0
    b = raw.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x2B:  # '+'
            out.append(0x20)
            i += 1
        elif c == 0x25:  # '%'
            h = b[i + 1:i + 3]
            if len(h) != 2 or not all(ch in b"0123456789abcdefABCDEF" for ch in h):
                raise ValueError(f"malformed percent escape at offset {i}")
            out.append(int(h, 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return out.decode("utf-8")  # strict


# --------------------------------------------------------------------------------------------------
# Sessions and events
# --------------------------------------------------------------------------------------------------


@dataclass
class Agent:
    agent_id: str
    password: str
    phone: str
    signin_inflight: bool = False
    ever_signed_in: bool = False
    foreign: bool = False  # signed in by "another client" (100-002 for us)
    events: collections.deque = field(default_factory=collections.deque)
    scheduled: list = field(default_factory=list)  # (due monotonic, event dict, file or None)
    downloads_inflight: int = 0
    task_seq: int = 5200


@dataclass
class Session:
    agent_id: str
    guid: str
    guid_issued: float
    cookies: dict
    last_keepalive: float
    old_guids: dict = field(default_factory=dict)  # guid -> monotonic expiry
    created: float = field(default_factory=time.monotonic)


def new_guid() -> str:
    return secrets.token_hex(16) + ".AgentGateway0"


class GatewayEmulator:
    def __init__(self, cfg: Config, agents: list[tuple[str, str, str]]) -> None:
        self.cfg = cfg
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.stats = emulib.Stats()
        self.requests = emulib.RequestLog()
        self.rng = emulib.ThreadSafeRandom(cfg.seed)
        self.agents = {a: Agent(a, p, ph) for a, p, ph in agents}
        self.sessions: dict[str, Session] = {}
        self.files: dict[str, RecFile] = {}
        self.failures: list[dict] = []  # injected {endpoint, retcode, count}
        self.bank = ContentBank(cfg.seed)
        self.bank_seed = cfg.seed
        self.cookie_seq = 0
        for name, size, ftype in PRESET_FILES:
            self.add_file(name, size, ftype, "256")
        self.add_file(LARGE_FILE, cfg.large_file_bytes, 1, "256")

    # --- files ---------------------------------------------------------------------------------------

    def add_file(self, name: str, size: int, filetype: int = 1, location_id: str = "256",
                 available_at: float = 0.0) -> RecFile:
        f = RecFile(name=name, size=size, filetype=filetype, location_id=location_id, available_at=available_at,
                    offset=name_offset(self.cfg.seed, name))
        with self.lock:
            self.files[name] = f
        return f

    def content(self) -> ContentBank:
        if self.bank_seed != self.cfg.seed:
            self.bank = ContentBank(self.cfg.seed)
            self.bank_seed = self.cfg.seed
            with self.lock:
                for f in self.files.values():
                    f.offset = name_offset(self.cfg.seed, f.name)
                    f.sha256 = None
        return self.bank

    def sync_large(self) -> None:
        """The preset large file follows the large_file_bytes knob."""
        with self.lock:
            f = self.files.get(LARGE_FILE)
            if f is not None and f.size != self.cfg.large_file_bytes:
                f.size = self.cfg.large_file_bytes
                f.sha256 = None

    def sha256(self, f: RecFile) -> str:
        self.sync_large()
        if f.sha256 is None:
            h = hashlib.sha256()
            for chunk in self.content().iter_payload(f.offset, 0, f.size):
                h.update(chunk)
            f.sha256 = h.hexdigest()
        return f.sha256

    # --- sessions ------------------------------------------------------------------------------------

    def sweep_locked(self, now: float) -> None:
        timeout = self.cfg.session_timeout_seconds
        for agent_id, s in list(self.sessions.items()):
            if now - s.last_keepalive > timeout:
                del self.sessions[agent_id]
                self.stats.incr("sessions_expired")
        for s in self.sessions.values():
            for g, exp in list(s.old_guids.items()):
                if exp < now - 600:
                    del s.old_guids[g]

    def make_cookies(self) -> dict:
        self.cookie_seq += 1
        return {"SERVERID": f"agw{self.cookie_seq % 4}-{secrets.token_hex(4)}",
                "AGW_SESSION": secrets.token_urlsafe(18)}

    def rotate_locked(self, s: Session, now: float) -> None:
        s.old_guids[s.guid] = now + self.cfg.old_guid_grace_ms / 1000.0
        s.guid = new_guid()
        s.guid_issued = now
        self.stats.incr("guid_rotations")

    def schedule_record_events(self, agent: Agent, now: float) -> None:
        """Called (locked) at an agent's first sign-in: schedule --record-events record events."""
        cfg = self.cfg
        for i in range(cfg.record_events):
            due = now + (cfg.event_start_delay_ms + i * cfg.event_interval_ms) / 1000.0
            self.schedule_record_locked(agent, due, None, cfg.record_file_bytes, None, None, i)

    def schedule_record_locked(self, agent: Agent, due: float, name: str | None, size: int,
                               location_id: str | None, media_type: Any, index: int,
                               stop: bool | None = None, filetype: int = 1) -> RecFile:
        cfg = self.cfg
        agent.task_seq += 1
        task_id = agent.task_seq
        ms_of_day = 1_000_000 + task_id * 37
        if name is None:
            if cfg.hostile_names:
                hostile = ("rec {n} a&b+c#d%e?f=g;h,i.V3", "录音 {n} é.V3", "..\\..\\{n}.V3", ".{n} hidden.wav")
                name = f"Y:/1/0/20261101/{agent.agent_id}/" + hostile[index % len(hostile)].format(n=task_id)
            else:
                name = f"Y:/1/0/20261101/{agent.agent_id}/{ms_of_day}.V3"
        loc = location_id if location_id is not None else ("255" if index % 2 else "256")
        f = RecFile(name=name, size=size, filetype=filetype, location_id=loc, available_at=due,
                    offset=name_offset(cfg.seed, name))
        self.files[name] = f
        if media_type is None:
            media_type = "1" if index % 2 == 0 else 1  # string and number both appear (ref §5)
        call_id = f"17934{task_id:05d}-{index}"
        content = {"taskId": task_id if index % 3 else str(task_id), "caller": "7000" + str(index % 10),
                   "recordID": f"Yc1v6a{agent.agent_id}d20261101t{ms_of_day}", "called": "60015",
                   "locationId": loc, "fileName": name, "fileMediaType": media_type, "callId": call_id}
        event = {"eventType": "AgentMediaEvent_Record", "workNo": agent.agent_id, "content": content,
                 "jsonKey": ["taskId", "caller", "recordID", "called", "locationId", "fileName", "fileMediaType",
                             "callId"]}
        agent.scheduled.append((due, event))
        if cfg.noise_events:
            agent.scheduled.append((due, {"eventType": "AgentState_Busy", "workNo": agent.agent_id,
                                          "content": None}))
        if stop if stop is not None else cfg.stop_record_events:
            agent.scheduled.append((due + cfg.record_duration_ms / 1000.0, {
                "eventType": "AgentMediaEvent_StopRecordDone", "workNo": agent.agent_id,
                "content": {"taskId": task_id, "beginTime": int(time.time() * 1000),
                            "endTime": int(time.time() * 1000) + cfg.record_duration_ms,
                            "fileMediaType": media_type}}))
        agent.scheduled.sort(key=lambda x: x[0])
        return f

    def take_due_events_locked(self, agent: Agent, now: float) -> None:
        while agent.scheduled and agent.scheduled[0][0] <= now:
            _, event = agent.scheduled.pop(0)
            event = dict(event)
            event["eventGenTime"] = int(time.time() * 1000)
            agent.events.append(event)

    def take_failure(self, endpoint: str) -> str | None:
        with self.lock:
            for f in self.failures:
                if f["count"] > 0 and f["endpoint"] in (endpoint, "any"):
                    f["count"] -= 1
                    code = f["retcode"]
                    self.failures = [x for x in self.failures if x["count"] > 0]
                    return code
        return None

    def stats_snapshot(self) -> dict:
        with self.lock:
            self.sweep_locked(time.monotonic())
            active = len(self.sessions)
        snap = self.stats.snapshot(COUNTERS)
        snap["active_sessions"] = active
        return snap


COUNTERS = ("sign_ins", "force_logins", "re_sign_ins", "sign_in_failures", "sign_outs", "guid_rotations",
            "update_guid", "stale_guid_requests", "missing_guid_requests", "requests_without_cookies",
            "wrong_cookie_requests", "requests_without_content_type", "concurrent_sign_ins", "polls",
            "polls_empty", "events_delivered", "heartbeats", "downloads", "downloads_ok", "bytes_served",
            "downloads_dropped", "sessions_expired", "password_leaks", "not_signed_in_requests",
            "concurrent_download_rejections", "connections", "tls_handshake_failures", "large_downloads")


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(emulib.EmulatorRequestHandler):
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
            emu.requests.add(entry)
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

    # --- sign-in -------------------------------------------------------------------------------------

    def handle_signin(self, agent_id: str, force: bool) -> None:
        emu = self.emu
        cfg = emu.cfg
        if not self.content_type_ok():
            return self.reply("000-002", message="Content-Type must be application/json")
        forced = emu.take_failure("forcelogin" if force else "signin")
        if forced:
            emu.stats.incr("sign_in_failures")
            return self.reply(forced)
        try:
            body = json.loads(self.body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            emu.stats.incr("sign_in_failures")
            return self.reply("000-002", message="request body is not JSON")
        agent = emu.agents.get(agent_id)
        if not isinstance(body, dict):
            emu.stats.incr("sign_in_failures")
            return self.reply("100-001")
        problem = self.check_signin_body(body)
        if problem:
            emu.stats.incr("sign_in_failures")
            self.log_extra["problem"] = problem
            return self.reply("100-001", message=f"{RETCODES['100-001']}: {problem}")
        if agent is None or body.get("password") != agent.password:
            emu.stats.incr("sign_in_failures")
            return self.reply("100-004")
        with emu.lock:
            busy = agent.signin_inflight
            agent.signin_inflight = True
        if busy:
            emu.stats.incr("concurrent_sign_ins")
            return self.reply("000-007")
        try:
            if cfg.sign_in_latency_ms:
                time.sleep(cfg.sign_in_latency_ms / 1000.0)
            now = time.monotonic()
            with emu.lock:
                emu.sweep_locked(now)
                already = not force and (agent.foreign or agent_id in emu.sessions)
                if not already:
                    agent.foreign = False
                    s = Session(agent_id=agent_id, guid=new_guid(), guid_issued=now, cookies=emu.make_cookies(),
                                last_keepalive=now)
                    emu.sessions[agent_id] = s
                    emu.stats.incr("sign_ins")
                    if force:
                        emu.stats.incr("force_logins")
                    if agent.ever_signed_in:
                        emu.stats.incr("re_sign_ins")
                    else:
                        agent.ever_signed_in = True
                        emu.schedule_record_events(agent, now)
                    guid, cookies = s.guid, dict(s.cookies)
        finally:
            with emu.lock:
                agent.signin_inflight = False
        if already:
            emu.stats.incr("sign_in_failures")
            return self.reply("100-002")
        self.extra_headers += [("Set-GUID", f"JSESSIONID={guid}"), ("Guid", guid)]
        expires = emulib.http_date(time.time() + 86400)
        self.extra_headers.append(("Set-Cookie", f"SERVERID={cookies['SERVERID']}; Path=/agentgateway; Secure"))
        self.extra_headers.append(("Set-Cookie", f"AGW_SESSION={cookies['AGW_SESSION']}; Expires={expires}; "
                                                 "Path=/; Secure; HttpOnly; SameSite=Strict"))
        result = {"vdnid": 1, "workno": agent_id, "mediatype": "TFF", "loginTime": int(time.time() * 1000),
                  "isForceChange": "true" if cfg.force_change_password else "false",
                  "serverName": "AgentGateway0", "timeRemaining": "" if not cfg.force_change_password else 0}
        self.reply("0", result)

    def check_signin_body(self, body: dict) -> str | None:
        strict = self.emu.cfg.strict_types
        pw = body.get("password")
        if not isinstance(pw, str):
            return "password must be a string"
        if len(pw) > 32:
            return "password longer than 32 characters"
        phone = body.get("phonenum")
        if not isinstance(phone, str) or not phone:
            return "phonenum is required"
        if len(phone) > 24:
            return "phonenum longer than 24 characters"
        for name in ("autoanswer", "autoenteridle", "releasephone", "checkInWebm", "checkInMailm"):
            if name in body:
                v = body[name]
                if isinstance(v, bool):
                    continue
                if strict or not (isinstance(v, str) and v.lower() in ("true", "false")):
                    return f"{name} must be a boolean"
        for name, allowed in (("agenttype", (4, 11)), ("status", (3, 4, 5))):
            if name in body:
                v = body[name]
                if isinstance(v, str) and not strict and v.isdigit():
                    v = int(v)
                if isinstance(v, bool) or not isinstance(v, int) or v not in allowed:
                    return f"{name} must be one of {allowed}"
        if "ip" in body and (not isinstance(body["ip"], str) or len(body["ip"]) > 15):
            return "ip must be an IPv4 address"
        if "callBackUri" in body or "serviceToken" in body:
            return "push mode is not supported by this emulator (poll instead)"
        return None

    # --- authenticated calls -------------------------------------------------------------------------

    def authenticate(self, agent_id: str, endpoint: str) -> Session | None:
        """Content-Type, session, cookies and Guid checks (ref §3); answers the error itself."""
        emu = self.emu
        if not self.content_type_ok():
            self.reply("000-002", message="Content-Type must be application/json")
            return None
        session, error = self._check_session(agent_id, endpoint)
        if error is not None:
            self.reply(error)
            return None
        return session

    def _check_session(self, agent_id: str, endpoint: str) -> tuple[Session | None, str | None]:
        emu = self.emu
        cfg = emu.cfg
        now = time.monotonic()
        sent: dict[str, str] = {}
        for h in self.headers.get_all("Cookie") or []:
            for part in h.split(";"):
                if "=" in part:
                    k, _, v = part.strip().partition("=")
                    sent[k] = v
        guid = self.headers.get("Guid")
        with emu.lock:
            emu.sweep_locked(now)
            s = emu.sessions.get(agent_id)
            if s is None:
                emu.stats.incr("not_signed_in_requests")
                self.log_extra["auth"] = "not signed in"
                return None, "100-006"
            cookies_ok = all(sent.get(k) == v for k, v in s.cookies.items())
            if not sent:
                emu.stats.incr("requests_without_cookies")
            elif not cookies_ok:
                emu.stats.incr("wrong_cookie_requests")
            if cfg.require_cookies and not cookies_ok:
                self.log_extra["auth"] = "cookies"
                return None, "100-006"
            if not guid:
                emu.stats.incr("missing_guid_requests")
                self.log_extra["auth"] = "no guid"
                return None, "100-006"
            if guid != s.guid:
                exp = s.old_guids.get(guid)
                if exp is None or exp < now:
                    emu.stats.incr("stale_guid_requests")
                    self.log_extra["auth"] = "stale guid" if exp is not None else "unknown guid"
                    return None, cfg.bad_guid_retcode
                self.log_extra["auth"] = "old guid in grace"
            self.auth = (s, endpoint, guid)
            return s, None

    def guid_headers(self) -> list[tuple[str, str]]:
        """Dynamic GUIDs, decided when the answer is sent: rotate when due, and announce the current GUID
        on eligible answers to a request that carried another one."""
        auth = getattr(self, "auth", None)
        if auth is None:
            return []
        s, endpoint, sent = auth
        emu = self.emu
        cfg = emu.cfg
        eligible = cfg.rotate_on == "any" or endpoint in ("poll", "handshake")
        if cfg.guid_mode != "dynamic" or not eligible:
            return []
        now = time.monotonic()
        with emu.lock:
            if emu.sessions.get(s.agent_id) is not s:
                return []
            if now - s.guid_issued >= cfg.guid_interval_ms / 1000.0:
                emu.rotate_locked(s, now)
            if sent != s.guid:
                return [("Set-GUID", f"JSESSIONID={s.guid}")]
        return []

    def handle_session_call(self, endpoint: str, agent_id: str, action: str) -> None:
        emu = self.emu
        s = self.authenticate(agent_id, endpoint)
        if s is None:
            return
        forced = emu.take_failure(endpoint)
        if forced:
            return self.reply(forced)
        now = time.monotonic()
        if endpoint == "logout":
            self.auth = None
            with emu.lock:
                if emu.sessions.get(agent_id) is s:
                    del emu.sessions[agent_id]
            emu.stats.incr("sign_outs")
            return self.reply("0", None, message="", msg_key="msg")
        if endpoint == "handshake":
            with emu.lock:
                s.last_keepalive = now
            emu.stats.incr("heartbeats")
            return self.reply("0", None, message="success")
        if endpoint == "updateguid":
            with emu.lock:
                emu.rotate_locked(s, now)
                guid = s.guid
            emu.stats.incr("update_guid")
            self.auth = None  # the new GUID is in the body only (ref §3)
            return self.reply("0", {"guid": guid}, message="success")
        self.reply("000-002")

    # --- event poll ----------------------------------------------------------------------------------

    def handle_poll(self, agent_id: str) -> None:
        emu = self.emu
        s = self.authenticate(agent_id, "poll")
        if s is None:
            return
        emu.stats.incr("polls")
        forced = emu.take_failure("poll")
        if forced:
            return self.reply(forced)
        agent = emu.agents[agent_id]
        deadline = time.monotonic() + emu.cfg.poll_hold_seconds
        event = None
        while True:
            now = time.monotonic()
            with emu.lock:
                s.last_keepalive = now
                emu.take_due_events_locked(agent, now)
                if emu.sessions.get(agent_id) is not s:
                    break
                if agent.events:
                    event = agent.events.popleft()
                    break
            if now >= deadline:
                break
            time.sleep(min(0.1, max(0.0, deadline - now)))
        with emu.lock:
            alive = emu.sessions.get(agent_id) is s
            if alive:
                s.last_keepalive = time.monotonic()
        if not alive:
            if event is not None:
                with emu.lock:
                    agent.events.appendleft(event)
            return self.reply("100-006")
        if event is None:
            emu.stats.incr("polls_empty")
            doc = {"message": "", "retcode": "0"}
            if emu.cfg.empty_event_shape == "null":
                doc["event"] = None
            self.retcode = "0"
            return self.send_bytes(200, emulib.json_bytes(doc), JSON_CT, self.extra_headers + self.guid_headers())
        emu.stats.incr("events_delivered")
        self.log_extra["event"] = event.get("eventType")
        self.retcode = "0"
        self.send_bytes(200, emulib.json_bytes({"message": "", "retcode": "0", "event": event}), JSON_CT,
                        self.extra_headers + self.guid_headers())

    # --- download ------------------------------------------------------------------------------------

    def parse_download_query(self) -> tuple[dict | None, str | None]:
        params: dict[str, str] = {}
        raw_record_id = None
        for part in self.raw_query.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            if name == "recordId":
                raw_record_id = value
            try:
                params[java_query_decode(name)] = java_query_decode(value)
            except (ValueError, UnicodeDecodeError) as e:
                return None, f"bad query parameter {name!r}: {e}"
        if raw_record_id is not None:
            self.log_extra["raw_record_id"] = raw_record_id
            if self.emu.cfg.require_encoded_record_id and any(c in raw_record_id for c in ":/\\"):
                return None, "recordId must be percent-encoded"
        return params, None

    def handle_download(self, agent_id: str) -> None:
        emu = self.emu
        cfg = emu.cfg
        s = self.authenticate(agent_id, "download")
        if s is None:
            return
        emu.stats.incr("downloads")
        params, problem = self.parse_download_query()
        if params is None:
            return self.reply("000-002", message=f"{RETCODES['000-002']}: {problem}")
        record_id = params.get("recordId")
        self.log_extra["record_id"] = record_id
        if not record_id:
            return self.reply("000-002", message=f"{RETCODES['000-002']}: recordId is required")
        filetype = params.get("filetype", "1")
        if filetype not in ("1", "2"):
            return self.reply("000-002", message=f"{RETCODES['000-002']}: filetype must be 1 or 2")
        location_id = params.get("locationId")
        if location_id is not None and not location_id.isdigit():
            return self.reply("000-002", message=f"{RETCODES['000-002']}: locationId must be a number")
        magic = RETCODE_RE.search(record_id)
        if magic:
            return self.reply(magic.group(1))
        forced = emu.take_failure("download")
        if forced:
            return self.reply(forced)
        with emu.lock:
            f = emu.files.get(record_id)
        if f is None or f.available_at > time.monotonic():
            return self.reply("104-005")
        if cfg.pool_mode:
            if location_id is None:
                return self.reply("104-010")
            if location_id != f.location_id:
                return self.reply("104-005", message=f"{RETCODES['104-005']} on node {location_id}")
        if str(f.filetype) != filetype:
            return self.reply("104-005", message=f"{RETCODES['104-005']} (filetype {filetype})")
        agent = emu.agents[agent_id]
        with emu.lock:
            limit = cfg.max_concurrent_downloads_per_agent
            busy = bool(limit) and agent.downloads_inflight >= limit
            if not busy:
                agent.downloads_inflight += 1
        if busy:
            emu.stats.incr("concurrent_download_rejections")
            return self.reply("000-007")
        try:
            self.stream_file(f)
        finally:
            with emu.lock:
                agent.downloads_inflight -= 1

    def stream_file(self, f: RecFile) -> None:
        emu = self.emu
        cfg = emu.cfg
        emu.sync_large()
        bank = emu.content()
        size = f.size
        self.retcode = None
        self.send_response(200)
        self.response_status = 200
        self.send_header("Content-Type", OCTET_CT)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Disposition", "attachment; filename=\"recordfile\"")
        for k, v in self.extra_headers + self.guid_headers():
            self.send_header(k, v)
        self.end_headers()
        stop_at = size
        dropped = False
        if size > 0 and emu.rng.chance(cfg.download_drop_rate):
            stop_at = emu.rng.randint(0, size - 1)
            dropped = True
        sent = 0
        try:
            for chunk in bank.iter_payload(f.offset, 0, stop_at):
                self.wfile.write(chunk)
                sent += len(chunk)
                if cfg.download_chunk_delay_ms:
                    time.sleep(cfg.download_chunk_delay_ms / 1000.0)
        finally:
            emu.stats.incr("bytes_served", sent)
        if dropped:
            emu.stats.incr("downloads_dropped")
            self.close_connection = True
            return
        emu.stats.incr("downloads_ok")
        if size > 30 * 1024 * 1024:
            emu.stats.incr("large_downloads")
        self.log_extra["bytes"] = sent

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
