#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Webex Contact Center legacy v1 API emulator (CSR / CAR / ASR / AAR records, API-key HMAC auth).

Implements the v1 "Analyzer" record API as described in docs/reference/webex-legacy-v1.md, on
127.0.0.1 only, for ccrec's integration tests:

* ``GET /aws/api/{csrs|cars|asrs|aars}/{id}`` - one record (JSON object; 404 when unknown).
* ``GET /aws/api/{csrs|cars|asrs|aars}?q=<percent-encoded query JSON>`` - the records whose ``cstts`` is in
  ``[dateBegin[0], dateEnd[0])``, sorted by ``(cstts, id)``, at most ``min(numberOfRecords, row cap)`` of
  them (row cap 1000), no paging.  ``Accept: text/csv`` gives RFC 4180 CSV (header row, CRLF, quoted
  fields with commas, quotes and newlines); anything else gives a JSON array.
* Authentication exactly as the lab describes: ``Authorization: base64(HMAC-SHA1(key=API key,
  message=user id))`` followed by ``;tenantId=<tenant>`` (see ``--tenant-mode``) and ``From: <user id>``.
  Anything else is 401.  Raw ``{ } " [ ]`` (or spaces) in the request target are rejected with 400, as
  is a ``q`` that is not (once-decoded) JSON.

Where the v1 documents are silent the emulator does what the ccrec issue assumes (row cap, half-open
windows on ``cstts``, sorted rows, JSON arrays, CSV header row).  The data set is deterministic (seed,
day) and has dense periods so that clients must split windows: a burst of ``--burst-size`` CSRs inside
one second (10:00:00 UTC) and ``--ms-cluster-size`` CSRs in one millisecond (12:00:00.000 UTC).

Control endpoints: ``/_emulator/stats``, ``/_emulator/reset-stats`` (POST), ``/_emulator/config``
(GET/POST knobs), ``/_emulator/info``, ``/_emulator/records?type=&from=&to=`` (ground truth),
``/_emulator/requests``, ``/_emulator/health``.  Standard library only.

Modules: this file (knobs, the emulator state, the request handler, the command line) and
``webex_legacy_data`` (the data set and its CSV rendering).
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
from webex_legacy_data import RECORD_TYPES, Dataset, to_csv, truncate_csv  # noqa: E402

NAME = "webex_legacy"
DEFAULT_USER_ID = "userID@portal-controlhub.com"
DEFAULT_API_KEY = "myRandomApiKeY"
DEFAULT_TENANT_ID = "11894"
RAW_FORBIDDEN = set('{}"[] ')

# --------------------------------------------------------------------------------------------------
# Knobs
# --------------------------------------------------------------------------------------------------

# Bodies of the csv_error_answer knob: what a gateway or the service could answer with HTTP 200 (the v1
# error bodies are undocumented, reference §6).
CSV_ERROR_ANSWERS = {
    "off": b"",
    "text": b"Error: timed out",
    "html": b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body><h1>504 Gateway Time-out</h1>"
            b"</body>\r\n</html>\r\n",
    "json": b'{"error":"timed out","status":504}',
    "empty": b"",
}

# The configuration is a plain dict (knob name -> value) guarded by LegacyEmulator.lock and checked by this
# emulator's own ``coerce``.  dataset=True: a change regenerates the data set.
Knob = emulib.Knob
KNOBS: tuple[Knob, ...] = (
    Knob("tenant_mode", "choice", "required",
         "the ';tenantId=' suffix: required (2024 lab), optional, or forbidden (2021 lab)",
         choices=("required", "optional", "forbidden")),
    Knob("row_cap", "int", 1000, "largest number of rows one response carries (min(numberOfRecords, cap))"),
    Knob("date_end_inclusive", "bool", False, "treat dateEnd as inclusive (default: exclusive)"),
    Knob("date_begin_exclusive", "bool", False, "treat dateBegin as exclusive (default: inclusive)"),
    Knob("rate_429", "prob", 0.0, "probability of answering an API call with 429 + Retry-After"),
    Knob("rate_503", "prob", 0.0, "probability of answering an API call with 503"),
    Knob("retry_after", "int", 1, "Retry-After seconds sent with 429s"),
    Knob("next_429", "int", 0, "answer the next N API calls with 429 + Retry-After"),
    Knob("next_503", "int", 0, "answer the next N API calls with 503"),
    Knob("malformed_json", "bool", False, "JSON bodies are cut in half (invalid JSON, correct Content-Length)"),
    Knob("truncate_csv", "bool", False, "CSV bodies are cut inside a quoted field / mid-row (correct Content-Length)"),
    Knob("csv_header", "bool", True, "CSV bodies start with the header row (off: the raw rows only, no header)"),
    Knob("csv_error_answer", "choice", "off",
         "answer CSV list queries with HTTP 200, Content-Type text/csv and an error text in place of the CSV: "
         "text ('Error: timed out'), html (a gateway's 504 page), json (an error object) or empty (no byte, as "
         "from a proxy that lost the body); off: the CSV",
         choices=tuple(CSV_ERROR_ANSWERS)),
    Knob("only_past", "bool", False,
         "serve only records whose cstts is before the current time, as a real service (no record exists before "
         "its contact starts); off: the whole data set whatever the date"),
    Knob("latency_ms", "int", 0, "delay added to every API call"),
    Knob("seed", "int", 1, "seed of the data set and of fault randomness", dataset=True),
    Knob("day", "str", "2026-11-01", "first UTC day of generated data (YYYY-MM-DD)", dataset=True),
    Knob("days", "int", 1, "number of consecutive days", dataset=True),
    Knob("csrs_per_day", "int", 400, "CSRs spread over each day (besides the burst and the cluster)", dataset=True),
    Knob("burst_size", "int", 1500, "CSRs inside the one second starting 10:00:00 UTC each day", dataset=True),
    Knob("ms_cluster_size", "int", 7, "CSRs sharing the millisecond 12:00:00.000 UTC each day", dataset=True),
    Knob("agents", "int", 30, "agents (one ASR per agent and day, with its AAR chain)", dataset=True),
    *emulib.TRICKLE_KNOBS,
)
KNOB_BY_NAME = {k.name: k for k in KNOBS}


def coerce(name: str, value: Any) -> Any:
    knob = KNOB_BY_NAME.get(name)
    if knob is None:
        raise ValueError(f"unknown knob {name!r}")
    if name in emulib.TRICKLE_KNOB_NAMES:
        return emulib.coerce_knob(knob, value)
    kind = knob.kind
    if kind == "bool":
        return emulib.parse_bool(value)
    if kind == "choice":
        if value not in knob.choices:
            raise ValueError(f"{name} must be one of {', '.join(knob.choices)}")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
        if name == "day":
            _dt.date.fromisoformat(value)
        return value
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    if kind == "int":
        v = int(value)
        if v < 0 or (name in ("row_cap", "days") and v < 1):
            raise ValueError(f"{name} is out of range")
        return v
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be a probability between 0 and 1")
    return v


# --------------------------------------------------------------------------------------------------
# Emulator state
# --------------------------------------------------------------------------------------------------

STAT_COUNTERS = ("connections", "tls_handshake_failures", "status_401", "status_429", "status_5xx", "auth_failures",
                 "raw_character_rejections", "rows_served", "full_responses", "max_number_of_records",
                 "number_of_records_over_cap", "csv_responses", "json_responses", "tenant_suffix_seen",
                 "malformed_json_served", "truncated_csv_served", "headerless_csv_served",
                 "csv_error_answers_served")


class LegacyEmulator:
    def __init__(self, cfg: dict, identity: dict) -> None:
        self.cfg = cfg
        self.identity = identity
        self.lock = threading.Lock()
        self.stats = emulib.Stats()
        self.requests = emulib.RequestLog()
        self.rng = emulib.ThreadSafeRandom(f"webex-legacy-faults:{cfg['seed']}")
        self.dataset = Dataset(cfg)
        self.max_n = 0

    def expected_signature(self) -> str:
        mac = hmac.new(self.identity["api_key"].encode("utf-8"), self.identity["user_id"].encode("utf-8"),
                       hashlib.sha1)
        return base64.b64encode(mac.digest()).decode("ascii")

    def apply_config(self, changes: dict) -> None:
        with self.lock:
            new = dict(self.cfg)
            for k, v in changes.items():
                name = k.replace("-", "_")
                new[name] = coerce(name, v)
            rebuild = any(KNOB_BY_NAME[k].dataset and new[k] != self.cfg[k] for k in new)
            dataset = Dataset(new) if rebuild else None
            self.cfg.clear()
            self.cfg.update(new)
            if dataset is not None:
                self.dataset = dataset
            self.rng.reseed(f"webex-legacy-faults:{new['seed']}")

    def take_forced(self, name: str) -> bool:
        with self.lock:
            if self.cfg[name] > 0:
                self.cfg[name] -= 1
                return True
            return False

    def note_number_of_records(self, n: int) -> None:
        with self.lock:
            if n > self.max_n:
                self.max_n = n

    def stats_snapshot(self) -> dict:
        snap = self.stats.snapshot(STAT_COUNTERS)
        snap["max_number_of_records"] = self.max_n
        emulib.group_responses(snap)
        snap.setdefault("requests", {})
        return snap


class Reject(Exception):
    def __init__(self, status: int, error: str, message: str, headers: list | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or []


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(emulib.EmulatorRequestHandler):
    log_prefix = NAME
    control_errors = (ValueError, TypeError, UnicodeDecodeError)
    emu: LegacyEmulator

    def version_string(self) -> str:
        return "ccrec-emulator/1.0 (webex_legacy)"

    def route(self) -> None:
        path = self.raw_path
        if path.startswith("/_emulator/"):
            self._endpoint("emulator", self.handle_control)
        elif path.startswith("/aws/api/"):
            rest = path[len("/aws/api/"):]
            self._endpoint("get" if "/" in rest else "list", self.handle_api)
        else:
            self._endpoint("other", lambda: self.fail(Reject(404, "Not Found", f"no such endpoint {path}")))

    def _endpoint(self, name: str, fn) -> None:
        emu = self.emu
        emu.stats.incr_nested("requests", name)
        self.tracking_id = f"EMU_{uuid.uuid4()}"
        try:
            if not self.load_body():
                return
            fn()
        finally:
            status = getattr(self, "response_status", None)
            emu.stats.count_response(name, status)
            if name != "emulator":
                emu.requests.add({"time": round(time.time(), 3), "method": self.command, "endpoint": name,
                                  "path": self.raw_path, "query": self.raw_query, "status": status,
                                  "accept": self.headers.get("Accept"),
                                  "authorization": self.headers.get("Authorization") is not None,
                                  "from": self.headers.get("From")}, getattr(self, "arrival", None))
            self.log_line(f"{self.command} {self.path} -> {status}")

    def fail(self, r: Reject) -> None:
        self.send_json(r.status, {"status": r.status, "error": r.error, "message": r.message,
                                  "trackingId": self.tracking_id}, headers=r.headers)

    # --- API ------------------------------------------------------------------------------------------

    def check_auth(self) -> None:
        emu = self.emu
        auth = self.headers.get("Authorization")
        if not auth:
            raise Reject(401, "Unauthorized", "Missing Authorization header.")
        signature, sep, rest = auth.partition(";")
        mode = emu.cfg["tenant_mode"]
        if sep:
            emu.stats.incr("tenant_suffix_seen")
            name, eq, tenant = rest.partition("=")
            if name.strip() != "tenantId" or not eq:
                raise Reject(401, "Unauthorized", "Malformed Authorization header: expected '<signature>;tenantId=<id>'.")
            if mode == "forbidden":
                raise Reject(401, "Unauthorized", "Malformed Authorization header.")
            if tenant != emu.identity["tenant_id"]:
                raise Reject(401, "Unauthorized", "Unknown tenant.")
        elif mode == "required":
            raise Reject(401, "Unauthorized", "Authorization header lacks ';tenantId='.")
        sender = self.headers.get("From")
        if not sender:
            raise Reject(401, "Unauthorized", "Missing From header (the API user's login).")
        if sender != emu.identity["user_id"]:
            raise Reject(401, "Unauthorized", "Unknown user.")
        if not hmac.compare_digest(signature.strip().encode(), emu.expected_signature().encode()):
            raise Reject(401, "Unauthorized", "Invalid API key signature.")

    def handle_api(self) -> None:
        emu = self.emu
        try:
            if self.command != "GET":
                raise Reject(405, "Method Not Allowed", f"{self.command} is not allowed; use GET.",
                             [("Allow", "GET")])
            if any(c in RAW_FORBIDDEN for c in self.path):
                emu.stats.incr("raw_character_rejections")
                raise Reject(400, "Bad Request", "Invalid character found in the request target. The valid "
                                                 "characters are defined in RFC 7230 and RFC 3986.")
            try:
                self.check_auth()
            except Reject:
                emu.stats.incr("auth_failures")
                raise
            if emu.cfg["latency_ms"]:
                time.sleep(emu.cfg["latency_ms"] / 1000)
            if emu.take_forced("next_429") or emu.rng.chance(emu.cfg["rate_429"]):
                raise Reject(429, "Too Many Requests", "Rate limit exceeded.",
                             [("Retry-After", str(emu.cfg["retry_after"]))])
            if emu.take_forced("next_503") or emu.rng.chance(emu.cfg["rate_503"]):
                raise Reject(503, "Service Unavailable", "The service is temporarily unavailable.")
            accept = (self.headers.get("Accept") or "*/*").lower()
            want_csv = "text/csv" in accept
            if not want_csv and not any(a in accept for a in ("application/json", "*/*", "application/*")):
                raise Reject(406, "Not Acceptable", "Use Accept: application/json or text/csv.")
            rest = self.raw_path[len("/aws/api/"):]
            record_type, _, rid = rest.partition("/")
            if record_type not in RECORD_TYPES:
                raise Reject(404, "Not Found", f"Unknown record type '{record_type}'.")
            if rid:
                self.handle_get(record_type, unquote(rid), want_csv)
            else:
                self.handle_list(record_type, want_csv)
        except Reject as r:
            self.fail(r)

    def handle_get(self, record_type: str, rid: str, want_csv: bool) -> None:
        if self.raw_query:
            raise Reject(400, "Bad Request", "A record GET takes no query parameters.")
        record = self.emu.dataset.by_id[record_type].get(rid)
        if record is not None and self.emu.cfg["only_past"] and record["cstts"] >= int(time.time() * 1000):
            record = None
        if record is None:
            raise Reject(404, "Not Found", f"No {record_type[:-1].upper()} with id '{rid}'.")
        self.send_records(record_type, [record], want_csv, single=True)

    def handle_list(self, record_type: str, want_csv: bool) -> None:
        emu = self.emu
        pairs = self.query_pairs()
        if [n for n, _ in pairs] != ["q"]:
            raise Reject(400, "Bad Request", "Exactly one query parameter 'q' (the query JSON) is required.")
        raw_q = self.raw_query.partition("=")[2]
        text = unquote(raw_q)  # once: the client must percent-encode exactly once
        try:
            query = json.loads(text)
        except ValueError:
            hint = " (it looks percent-encoded twice)" if text.startswith("%7B") or text.startswith("%7b") else ""
            raise Reject(400, "Bad Request", f"Parameter 'q' is not valid JSON{hint}.") from None
        if not isinstance(query, dict):
            raise Reject(400, "Bad Request", "Parameter 'q' must be a JSON object.")

        def one_ms(name: str) -> int:
            v = query.get(name)
            if not (isinstance(v, list) and len(v) == 1 and isinstance(v[0], int) and not isinstance(v[0], bool)):
                raise Reject(400, "Bad Request", f"'{name}' must be an array holding one epoch-millisecond integer.")
            return v[0]

        begin, end = one_ms("dateBegin"), one_ms("dateEnd")
        if end < begin:
            raise Reject(400, "Bad Request", "'dateEnd' is before 'dateBegin'.")
        n = query.get("numberOfRecords", 1000)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise Reject(400, "Bad Request", "'numberOfRecords' must be a positive integer.")
        if "timezone" in query and not isinstance(query["timezone"], str):
            raise Reject(400, "Bad Request", "'timezone' must be a string.")
        emu.note_number_of_records(n)
        cap = emu.cfg["row_cap"]
        if n > cap:
            emu.stats.incr("number_of_records_over_cap")
        limit = min(n, cap)
        rows = emu.dataset.window(record_type, begin, end, emu.cfg["date_end_inclusive"],
                                  emu.cfg["date_begin_exclusive"])
        if emu.cfg["only_past"]:
            now_ms = int(time.time() * 1000)
            rows = [r for r in rows if r["cstts"] < now_ms]
        rows = rows[-limit:] if query.get("lastNRecords") is True else rows[:limit]
        if len(rows) == limit:
            emu.stats.incr("full_responses")
        emu.stats.incr("rows_served", len(rows))
        self.send_records(record_type, rows, want_csv, single=False)

    def send_records(self, record_type: str, rows: list[dict], want_csv: bool, single: bool) -> None:
        emu = self.emu
        headers = [("TrackingID", self.tracking_id)]
        if want_csv and not single and emu.cfg["csv_error_answer"] != "off":
            emu.stats.incr("csv_error_answers_served")
            self.send_bytes(200, CSV_ERROR_ANSWERS[emu.cfg["csv_error_answer"]], "text/csv;charset=UTF-8", headers)
            return
        if want_csv:
            body = to_csv(record_type, rows, header=emu.cfg["csv_header"])
            if not emu.cfg["csv_header"]:
                emu.stats.incr("headerless_csv_served")
            if emu.cfg["truncate_csv"]:
                body = truncate_csv(body)
                emu.stats.incr("truncated_csv_served")
            emu.stats.incr("csv_responses")
            self.send_bytes(200, body, "text/csv;charset=UTF-8", headers)
            return
        body = json.dumps(rows[0] if single else rows, ensure_ascii=False).encode("utf-8")
        if emu.cfg["malformed_json"]:
            body = body[: len(body) // 2]
            emu.stats.incr("malformed_json_served")
        emu.stats.incr("json_responses")
        self.send_bytes(200, body, "application/json;charset=UTF-8", headers)

    # --- control ----------------------------------------------------------------------------------------

    def control_config(self) -> dict:
        with self.emu.lock:
            return dict(self.emu.cfg)

    def control_apply_config(self, changes: dict) -> None:
        self.emu.apply_config(changes)

    def control_reset_stats(self) -> None:
        super().control_reset_stats()
        with self.emu.lock:
            self.emu.max_n = 0

    def handle_extra_control(self, path: str, method: str, q: dict[str, str]) -> bool:
        emu = self.emu
        if path == "/_emulator/info" and method == "GET":
            ds = emu.dataset
            example = ds.records["csrs"][len(ds.records["csrs"]) // 3]
            chain = [c["id"] for c in ds.records["cars"] if c["session"] == example["sid"]]
            self.send_json(200, {**ds.info, "user_id": emu.identity["user_id"],
                                 "tenant_id": emu.identity["tenant_id"], "example_sid": example["sid"],
                                 "example_chain": chain})
        elif path == "/_emulator/records" and method == "GET":
            record_type = q.get("type", "csrs")
            if record_type not in RECORD_TYPES:
                self.send_json(400, {"error": "type must be one of " + ", ".join(RECORD_TYPES)})
                return True
            try:
                lo, hi = int(q.get("from", 0)), int(q.get("to", 2**62))
            except ValueError:
                self.send_json(400, {"error": "from/to must be epoch milliseconds"})
                return True
            rows = emu.dataset.window(record_type, lo, hi, False)
            id_field = "sid" if record_type == "csrs" else "id"
            self.send_json(200, {"count": len(rows), "ids": [r[id_field] for r in rows]})
        else:
            return False
        return True


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    emulib.add_common_arguments(p)
    p.add_argument("--user-id", default=DEFAULT_USER_ID, help=f"API user (From header) (default: {DEFAULT_USER_ID})")
    p.add_argument("--api-key", default=DEFAULT_API_KEY, help="the user's API key (default: the lab's placeholder)")
    p.add_argument("--tenant-id", default=DEFAULT_TENANT_ID, help=f"tenant id (default: {DEFAULT_TENANT_ID})")
    emulib.add_knob_arguments(p, KNOBS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = {name: coerce(name, getattr(args, name)) for name in KNOB_BY_NAME}
    except ValueError as e:
        raise SystemExit(f"{NAME}: {e}")
    identity = {"user_id": args.user_id, "api_key": args.api_key, "tenant_id": args.tenant_id}
    emu = LegacyEmulator(cfg, identity)
    server, material = emulib.prepare_server(args, NAME, Handler, emu, emu.stats)
    return emulib.serve(args, NAME, server, material, identity, str(emu.dataset.info["counts"]))


if __name__ == "__main__":
    emulib.main_guard(main)
