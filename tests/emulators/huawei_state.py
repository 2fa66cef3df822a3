# SPDX-License-Identifier: Apache-2.0
"""Part of the Huawei CC-Gateway emulator (huawei_gateway.py): the emulator state ``GatewayEmulator``
(agents, sessions and their GUIDs, scheduled events, recording files with deterministic contents,
fault injection) that every handler reaches as ``handler.emu``."""

from __future__ import annotations

import collections
import hashlib
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import emulib
from huawei_common import Config, LARGE_FILE, PRESET_FILES

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
