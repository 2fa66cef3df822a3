# SPDX-License-Identifier: Apache-2.0
"""Part of the Webex CC legacy v1 emulator (webex_legacy.py): the deterministic data set (CSR, CAR, ASR
and AAR records with dense periods) and the RFC 4180 CSV rendering of the records."""

from __future__ import annotations

import bisect
import csv
import datetime as _dt
import io
import json
import random
import uuid
from typing import Any

RECORD_TYPES = ("csrs", "cars", "asrs", "aars")
CSR_FIELDS = ["sid", "cstts", "cetts", "ani", "dnis", "channelType", "direction", "entrypointId", "entrypointName",
              "queueId", "queueName", "agentId", "agentName", "teamId", "teamName", "siteId", "siteName",
              "terminationType", "isRecorded", "csat", "notes", "callAssociatedData", "wrapupCode"]
CAR_FIELDS = ["id", "session", "state", "cstts", "cetts", "queueId", "queueName", "agentId", "agentName",
              "isActive", "duration"]
ASR_FIELDS = ["id", "agentId", "agentName", "agentLogin", "teamId", "teamName", "siteId", "siteName",
              "channelType", "cstts", "cetts", "isActive"]
AAR_FIELDS = ["id", "session", "agentId", "agentName", "state", "cstts", "cetts", "idleCodeName", "isActive"]
FIELDS = {"csrs": CSR_FIELDS, "cars": CAR_FIELDS, "asrs": ASR_FIELDS, "aars": AAR_FIELDS}

NOTES = [
    None,
    "Customer asked for a callback",
    'Customer said "call me back, later"',
    "Billing issue, refund requested\nEscalated to tier 2",
    "Line one\r\nLine two, with comma",
    "Plain note",
    '"Quoted" at start',
    "Ünïcödé note, ok",
]
QUEUES = [("q-1001", "Sales"), ("q-1002", "Support, Tier 1"), ("q-1003", 'Billing "VIP"')]
ENTRY_POINTS = [("ep-1", "Main Line"), ("ep-2", "Support Line")]
TEAMS = [("t-1", "Team Alpha"), ("t-2", "Team Beta")]
SITES = [("s-1", "Austin"), ("s-2", "Dublin")]


def day_start_ms(day: str) -> int:
    d = _dt.date.fromisoformat(day)
    return int(_dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc).timestamp()) * 1000


def det_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Dataset:
    """Every record of every type, sorted by (cstts, id), plus indexes."""

    def __init__(self, cfg: dict) -> None:
        rng = random.Random(f"webex-legacy:{cfg['seed']}")
        self.records: dict[str, list[dict]] = {t: [] for t in RECORD_TYPES}
        self.info: dict[str, Any] = {"days": [], "bursts": [], "ms_clusters": []}
        agents = []
        for i in range(cfg["agents"]):
            team = TEAMS[i % len(TEAMS)]
            site = SITES[i % len(SITES)]
            agents.append({"agentId": f"a-{2000 + i}", "agentName": f"Agent {i:02d}",
                           "agentLogin": f"agent{i:02d}@example.com", "teamId": team[0], "teamName": team[1],
                           "siteId": site[0], "siteName": site[1]})
        first = _dt.date.fromisoformat(cfg["day"])
        for d in range(cfg["days"]):
            day = (first + _dt.timedelta(days=d)).isoformat()
            start = day_start_ms(day)
            self.info["days"].append({"day": day, "start": start})
            times = [start, start + 86_400_000 - 1]
            times += [start + rng.randrange(86_400_000) for _ in range(cfg["csrs_per_day"])]
            burst_start = start + 10 * 3_600_000
            burst = [burst_start + rng.randrange(1000) for _ in range(cfg["burst_size"])]
            self.info["bursts"].append({"start": burst_start, "end": burst_start + 1000, "size": len(burst)})
            times += burst
            cluster_time = start + 12 * 3_600_000
            cluster_sids = []
            for t in sorted(times):
                self._add_contact(rng, t, agents)
            for _ in range(cfg["ms_cluster_size"]):
                cluster_sids.append(self._add_contact(rng, cluster_time, agents))
            self.info["ms_clusters"].append({"time": cluster_time, "size": len(cluster_sids), "sids": cluster_sids})
            for agent in agents:
                self._add_agent_session(rng, start, agent)
        self.by_id: dict[str, dict[str, dict]] = {}
        self.keys: dict[str, list[int]] = {}
        for t in RECORD_TYPES:
            id_field = "sid" if t == "csrs" else "id"
            self.records[t].sort(key=lambda r: (r["cstts"], r[id_field]))
            self.by_id[t] = {r[id_field]: r for r in self.records[t]}
            self.keys[t] = [r["cstts"] for r in self.records[t]]
        self.info["counts"] = {t: len(self.records[t]) for t in RECORD_TYPES}

    def _add_contact(self, rng: random.Random, cstts: int, agents: list[dict]) -> str:
        sid = det_uuid(rng)
        kind = rng.random()
        abandoned = kind < 0.1
        channel = "telephony" if rng.random() < 0.9 else rng.choice(["chat", "email"])
        ep = rng.choice(ENTRY_POINTS)
        queue = rng.choice(QUEUES)
        agent = rng.choice(agents) if agents and not abandoned else None
        # Activity chain (CARs): new -> ivr-connected -> parked -> connected [-> hold -> connected] -> ended.
        t = cstts
        chain: list[tuple[str, int]] = [("new", t)]
        t += rng.randint(200, 3000)
        chain.append(("ivr-connected", t))
        t += rng.randint(2000, 40_000)
        chain.append(("parked", t))
        t += rng.randint(1000, 120_000)
        if not abandoned:
            chain.append(("connected", t))
            t += rng.randint(10_000, 600_000)
            if rng.random() < 0.3:
                chain.append(("hold", t))
                t += rng.randint(5_000, 60_000)
                chain.append(("connected", t))
                t += rng.randint(10_000, 300_000)
        chain.append(("ended", t))
        cetts = t
        csr: dict[str, Any] = {
            "sid": sid, "cstts": cstts, "cetts": cetts,
            "ani": f"+1408555{rng.randint(0, 9999):04d}", "dnis": "+18005550100",
            "channelType": channel, "direction": "inbound",
            "entrypointId": ep[0], "entrypointName": ep[1],
            "queueId": queue[0], "queueName": queue[1],
            "terminationType": "abandoned" if abandoned else "normal",
            "isRecorded": (not abandoned) and rng.random() < 0.8,
            "csat": round(rng.uniform(1, 5), 1) if not abandoned and rng.random() < 0.5 else None,
            "notes": rng.choice(NOTES),
            "callAssociatedData": {"accountNumber": f"AC{rng.randint(10000, 99999)}",
                                   "priority": rng.randint(1, 5), "vip": rng.random() < 0.1},
        }
        if agent:
            csr.update({k: agent[k] for k in ("agentId", "agentName", "teamId", "teamName", "siteId", "siteName")})
            csr["wrapupCode"] = rng.choice(["Resolved", "Follow-up", None])
        self.records["csrs"].append(csr)
        for i, (state, ts) in enumerate(chain):
            nxt = chain[i + 1][1] if i + 1 < len(chain) else ts
            car: dict[str, Any] = {"id": f"{sid}-{ts}-{state}", "session": sid, "state": state, "cstts": ts,
                                   "cetts": nxt, "isActive": False, "duration": nxt - ts}
            if state in ("parked", "connected", "hold"):
                car["queueId"], car["queueName"] = queue
            if state in ("connected", "hold") and agent:
                car["agentId"], car["agentName"] = agent["agentId"], agent["agentName"]
            self.records["cars"].append(car)
        return sid

    def _add_agent_session(self, rng: random.Random, day_start: int, agent: dict) -> None:
        asr_id = det_uuid(rng)
        t = day_start + 8 * 3_600_000 + rng.randrange(3_600_000)
        activities: list[tuple[str, int, str | None]] = [("login", t, None)]
        t += rng.randint(1000, 60_000)
        for _ in range(rng.randint(3, 8)):
            state = rng.choice(["available", "connected", "wrapup", "idle"])
            code = rng.choice(["Lunch", "Meeting, team", 'Break "short"']) if state == "idle" else None
            activities.append((state, t, code))
            t += rng.randint(30_000, 1_800_000)
        activities.append(("logout", t, None))
        asr = {"id": asr_id, **agent, "channelType": "telephony", "cstts": activities[0][1], "cetts": t,
               "isActive": False}
        self.records["asrs"].append(asr)
        for i, (state, ts, code) in enumerate(activities):
            nxt = activities[i + 1][1] if i + 1 < len(activities) else ts
            self.records["aars"].append({"id": f"{asr_id}-{ts}-{state}", "session": asr_id,
                                         "agentId": agent["agentId"], "agentName": agent["agentName"],
                                         "state": state, "cstts": ts, "cetts": nxt, "idleCodeName": code,
                                         "isActive": False})

    def window(self, record_type: str, begin: int, end: int, inclusive_end: bool,
               exclusive_begin: bool = False) -> list[dict]:
        keys = self.keys[record_type]
        lo = bisect.bisect_right(keys, begin) if exclusive_begin else bisect.bisect_left(keys, begin)
        hi = bisect.bisect_right(keys, end) if inclusive_end else bisect.bisect_left(keys, end)
        return self.records[record_type][lo:max(lo, hi)]


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def to_csv(record_type: str, rows: list[dict], header: bool = True) -> bytes:
    """RFC 4180 CSV, CRLF; with ``header`` False the rows only (no header row: knob ``csv_header``)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    fields = FIELDS[record_type]
    if header:
        w.writerow(fields)
    for r in rows:
        w.writerow([csv_cell(r.get(f)) for f in fields])
    return out.getvalue().encode("utf-8")


def truncate_csv(body: bytes) -> bytes:
    """Cut inside a quoted field that spans lines if there is one (unterminated quote), else mid-row."""
    text = body.decode("utf-8")
    i = text.find('"', text.find("\r\n") + 2) if "\r\n" in text else -1
    while i != -1:
        end = text.find('"', i + 1)
        while end != -1 and text[end + 1:end + 2] == '"':
            end = text.find('"', end + 2)
        if end != -1 and ("\n" in text[i:end] or "," in text[i:end]):
            return text[:i + 2].encode("utf-8")
        i = text.find('"', end + 1) if end != -1 else -1
    lines = text.split("\r\n")
    if len(lines) > 2:
        cut = len("\r\n".join(lines[:-2])) + 2 + max(1, len(lines[-2]) // 3)
        while cut > 0 and text[cut - 1] != ",":
            cut -= 1
        return text[:cut].encode("utf-8")
    return text[: len(text) // 2].encode("utf-8")
