#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Oracle ISR FACE emulator for ccrec integration tests.

Emulates, on one loopback HTTPS server, the ISR FACE REST API as described in
``docs/reference/oracle-face.md`` (cited as "ref §N"):

* ``POST /Face/login`` (ref §2): form ``userEmail``, ``password``, ``expirationSeconds``; token returned as
  XML by default, JSON with ``Accept: application/json``; ``expiration`` as ``"3600seconds"``.  Wrong
  credentials and locked-out users get the same generic HTTP 200 / code -1 error; an expired password gets
  its own message; repeated failures lock an account (``lockout_after``).  Code 16 can be injected.
* Every other command needs ``token=`` in the URL.  No token: HTTP 401, code 27 "Missing Parameter - token
  is required"; unknown or expired token: HTTP 401, code -1 "Invalid or expired token".
* ``GET /Face/version`` (no token needed).
* ``audioRecording/details`` and ``audioRecording/segment/details`` (ref §4, §5): only documented
  parameters (unknown, repeated or empty ones are rejected with HTTP 400), dates strictly
  ``yyyy-MM-dd HH:mm:ss[.SSS]`` UTC, inclusive bounds; one match -> code 0 with the full recording
  (segments, customDataSets, SIPREC data), several -> code -1 "Returning all matches" list in no particular
  order, none -> code 19.  ``maxListLength`` (1..1000) caps the list and a ``list_cap`` knob may cap it
  lower; a capped list carries the "more matches than maxListLength" message.  JSON uses the wrapper
  shapes of ref §5.3 (``"matches":[{"match":{...}}]``) and, with ``json_quirks``, a trailing empty
  ``{"segment":{}}``, ``account`` as a string and ``locationId`` (XML: ``location``).
* ``audioRecording/download`` (single-segment recordings only: a multi-segment one fails with a message
  pointing to ``segment/download``), ``audioRecording/segment/download``, ``redirect`` (302 to
  ``/Recordings/...``), ``file/download`` (supplemental files).  In-progress segments (``.rpdd``, no end)
  cannot be downloaded (code 11, counted in ``in_progress_downloads``).
* Control commands ``start stop pause resume split delete`` with their parameters (ref §1, §4);
  a POST body on details or a control command is a metadata update and is counted (``metadata_updates``).
* ``eventNotify`` (exactly ``event``, optional ``ucid`` and comma-separated ``calledAors``) and
  ``StartScreenCapture`` (``IsrId`` and one of ``AgentId``/``ScreenIP``) / ``StopScreenCapture`` (one of
  ``AgentId``/``ScreenIP``): they answer the guide's ``<response><Code>0</Code><message>..</message></response>``
  shape, in JSON (an assumed mirror) ``{"response":{"Code":0,"message":".."}}``.  Active captures are kept
  per screen; ``events`` and ``screen_captures`` in the stats list what was received.
* Formats (ref §5): XML unless ``Accept`` asks for JSON (compact, like the guide's examples); the
  ``xml`` knob (``utf-8``, ``utf-16le``, ``utf-16be``, ``utf-16le-nobom``, ``utf-16be-nobom``) answers
  every command in XML in that encoding whatever ``Accept`` says, the ``<?xml ... encoding="UTF-16"?>``
  declaration of the guide's examples included.
* ``/_emulator/...``: stats, config, ground truth, error injection, token expiry, finishing in-progress
  recordings, and ``purge-after-list`` (``{"recording_ids":[...]}``): each is deleted right after a
  listing (a details search without ``recordingId``) returned it, so fetching it then answers code 19.

Modules: this file (the emulator state ``FaceEmulator``, routing, login, test control, the command
line), ``face_common`` (constants, codes, parameters, knobs), ``face_data`` (the data set),
``face_docs`` (matching and the XML/JSON documents), ``face_recordings`` (searches and downloads),
``face_control`` (control commands), ``face_media`` and ``face_templates``; every handler reaches the
one ``FaceEmulator`` as ``handler.emu``.

Standard library only (plus the ``openssl`` binary, through emulib, for the throwaway CA).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
import face_control  # noqa: E402
import face_media  # noqa: E402
import face_recordings  # noqa: E402
from face_common import (  # noqa: E402
    BadRequest, CODE_MESSAGES, COMMAND_PARAMS, Config, DEFAULT_PASSWORD, DEFAULT_USER, EXPIRED_PASSWORD,
    EXPIRED_USER, KNOBS, LOCKED_PASSWORD, LOCKED_USER, MSG_BAD_TOKEN, MSG_LOGIN_FAILED, MSG_PASSWORD_EXPIRED, NAME,
    VERSION, WEB_PASSWORD, WEB_USER,
)
from face_data import Dataset, sql_time  # noqa: E402
from face_docs import check_params, render, result  # noqa: E402


# --------------------------------------------------------------------------------------------------
# Emulator state
# --------------------------------------------------------------------------------------------------

STAT_COUNTERS = ("connections", "tls_handshake_failures", "logins", "login_attempts", "login_failures",
                 "login_expired_password", "login_locked", "api_calls", "missing_token", "invalid_token_calls",
                 "expired_token_calls", "details_calls", "segment_details_calls", "downloads", "segment_downloads",
                 "file_downloads", "redirects", "bytes_served", "metadata_updates", "details_posts",
                 "rejected_params", "truncated_lists", "in_progress_downloads", "multi_segment_download_errors",
                 "injected_errors", "xml_responses", "json_responses", "media_dropped", "version_calls")


class TokenStore:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (email, expires_at)

    def issue(self, email: str, ttl: int) -> str:
        token = str(uuid.uuid4())
        with self.lock:
            self.tokens[token] = (email, time.time() + ttl)
        return token

    def check(self, token: str) -> str:
        """'' when valid, else 'unknown' or 'expired'."""
        with self.lock:
            rec = self.tokens.get(token)
        if rec is None:
            return "unknown"
        return "expired" if time.time() >= rec[1] else ""

    def expire_all(self) -> int:
        now = time.time()
        with self.lock:
            for k, (email, exp) in list(self.tokens.items()):
                self.tokens[k] = (email, min(exp, now))
            return len(self.tokens)


class Users:
    def __init__(self, email: str, password: str) -> None:
        self.lock = threading.Lock()
        self.users = {
            email.lower(): {"password": password, "kind": "api"},
            EXPIRED_USER: {"password": EXPIRED_PASSWORD, "kind": "expired"},
            LOCKED_USER: {"password": LOCKED_PASSWORD, "kind": "locked"},
            WEB_USER: {"password": WEB_PASSWORD, "kind": "web"},
        }
        self.failures: dict[str, int] = {}


class FaceEmulator:
    def __init__(self, cfg: Config, dataset: Dataset, email: str, password: str) -> None:
        self.cfg = cfg
        self.dataset = dataset
        self.users = Users(email, password)
        self.tokens = TokenStore()
        self.stats = emulib.Stats()
        self.requests = emulib.RequestLog()
        self.rng = emulib.ThreadSafeRandom(f"face-faults:{dataset.seed}")
        self.inject_lock = threading.Lock()
        self.injections: list[dict] = []
        # recordingIds to delete right after a listing returned them (a purge between list and fetch)
        self.purge_after_list: set[int] = set()
        self.base_url = ""
        # eventNotify calls received, and the active screen captures ("AgentId=.." -> IsrId)
        self.lock = threading.Lock()
        self.events: list[dict] = []
        self.screen_captures: dict[str, str] = {}

    def take_injection(self, command: str) -> dict | None:
        with self.inject_lock:
            for inj in self.injections:
                if inj["endpoint"] in (command, "any") and inj["count"] > 0:
                    inj["count"] -= 1
                    if inj["count"] == 0:
                        self.injections.remove(inj)
                    return inj
        return None

    def stats_snapshot(self) -> dict:
        snap = emulib.group_responses(self.stats.snapshot(STAT_COUNTERS))
        snap.setdefault("requests", {})
        snap.setdefault("control_commands", {})
        with self.lock:
            snap["events"] = list(self.events)
            snap["screen_captures"] = dict(self.screen_captures)
        return snap


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(face_recordings.RecordingsMixin, face_control.ControlMixin, emulib.EmulatorRequestHandler):
    log_prefix = NAME
    emu: FaceEmulator

    def version_string(self) -> str:
        return "Apache-Coyote/1.1"

    def route(self) -> None:
        path = self.raw_path
        emu = self.emu
        self.log_extra: dict[str, Any] = {}
        self.face_code: int | None = None
        self.as_json = False
        name = "other"
        try:
            if not self.load_body():
                return
            if path.startswith("/_emulator/"):
                name = "emulator"
                self.handle_control()
            elif path.startswith("/Recordings/"):
                name = "store"
                self.handle_store()
            elif path.startswith("/Face/"):
                name = path[len("/Face/"):]
                self.handle_face(name)
            else:
                self.send_plain(404, "not found\n")
        finally:
            status = getattr(self, "response_status", None)
            emu.stats.incr_nested("requests", name)
            if status is not None:
                emu.stats.incr_nested("responses", f"{name} {status}")
            if name != "emulator":
                query = re.sub(r"(^|&)token=[^&]*", r"\1token=***", self.raw_query)
                entry = {"time": round(time.time(), 3), "method": self.command, "command": name,
                         "query": query, "status": status, "code": self.face_code,
                         "accept": self.headers.get("Accept"), "body_bytes": len(getattr(self, "body", b"") or b""),
                         "content_type": self.headers.get("Content-Type")}
                entry.update(self.log_extra)
                emu.requests.add(entry, self.arrival)
            self.log_line(f"{self.command} {self.raw_path} -> {status}")

    # --- helpers --------------------------------------------------------------------------------------

    def wants_json(self) -> bool:
        if self.emu.cfg.ignore_accept or self.emu.cfg.xml != "off":
            return False
        return "application/json" in (self.headers.get("Accept") or "").lower()

    def send_result(self, pairs: list, status: int = 200, headers: list | None = None, root: str = "result") -> None:
        emu = self.emu
        as_json = self.wants_json()
        code = next((v for k, v in pairs if k in ("code", "Code")), None)
        self.face_code = code if isinstance(code, int) else None
        body, ctype = render(pairs, as_json, emu.cfg.json_quirks, emu.cfg.xml, root)
        emu.stats.incr("json_responses" if as_json else "xml_responses")
        self.send_bytes(status, body, ctype, headers or [])

    def send_code(self, code: int, message: str | None = None, status: int | None = None) -> None:
        if status is None:
            status = self.emu.cfg.vendor_error_http_status if code not in (0,) else 200
        self.send_result(result(code, message or CODE_MESSAGES.get(code, "NACK")), status)

    def form_pairs(self) -> list[tuple[str, str]]:
        text = self.body.decode("utf-8", "replace")
        pairs = []
        for part in text.split("&"):
            if not part:
                continue
            k, _, v = part.partition("=")
            pairs.append((unquote(k.replace("+", " ")), unquote(v.replace("+", " "))))
        return pairs

    # --- /Face ------------------------------------------------------------------------------------------

    def handle_face(self, command: str) -> None:
        emu = self.emu
        if emu.cfg.latency_ms:
            time.sleep(emu.cfg.latency_ms / 1000)
        if command == "login":
            self.handle_login()
            return
        if command == "version":
            emu.stats.incr("version_calls")
            self.send_result([("version", VERSION)])
            return
        emu.stats.incr("api_calls")
        if command not in COMMAND_PARAMS:
            self.send_code(5, f"Invalid Command: {command}")
            return
        pairs = self.query_pairs()
        token = next((v for k, v in pairs if k == "token"), None)
        if not token:
            emu.stats.incr("missing_token")
            self.send_result(result(27, "Missing Parameter - token is required"), 401)
            return
        state = emu.tokens.check(token)
        if state:
            emu.stats.incr("expired_token_calls" if state == "expired" else "invalid_token_calls")
            self.send_result(result(-1, MSG_BAD_TOKEN), 401)
            return
        try:
            q = check_params(command, pairs, emu)
        except BadRequest as e:
            self.send_result(result(e.code, e.message), e.status)
            return
        inj = emu.take_injection(command)
        if inj is not None:
            emu.stats.incr("injected_errors")
            msg = inj.get("message") or CODE_MESSAGES.get(inj["code"], "NACK")
            self.send_result(result(inj["code"], msg), inj.get("http_status", emu.cfg.vendor_error_http_status))
            return
        if self.body:
            if command in ("audioRecording/details", "audioRecording/start", "audioRecording/stop",
                           "audioRecording/pause", "audioRecording/resume"):
                emu.stats.incr("metadata_updates")
                self.apply_metadata(q)
            if command == "audioRecording/details":
                emu.stats.incr("details_posts")
        handler = {
            "audioRecording/details": self.handle_details,
            "audioRecording/segment/details": self.handle_segment_details,
            "audioRecording/download": self.handle_download,
            "audioRecording/segment/download": self.handle_segment_download,
            "audioRecording/redirect": self.handle_redirect,
            "audioRecording/segment/redirect": self.handle_segment_redirect,
            "file/download": self.handle_file_download,
            "eventNotify": self.handle_event_notify,
            "StartScreenCapture": self.handle_start_screen_capture,
            "StopScreenCapture": self.handle_stop_screen_capture,
        }.get(command)
        if handler is None:
            self.handle_control_command(command.split("/", 1)[1], q)
        else:
            handler(q)

    def handle_login(self) -> None:
        emu = self.emu
        if self.command != "POST":
            self.send_result(result(-1, "login requires POST"), 405, [("Allow", "POST")])
            return
        emu.stats.incr("login_attempts")
        ctype = (self.headers.get("Content-Type") or "").lower()
        if not ctype.startswith("application/x-www-form-urlencoded"):
            self.send_result(result(-1, "login expects a form-encoded body (application/x-www-form-urlencoded)"), 400)
            return
        form = self.form_pairs()
        names = [k for k, _ in form]
        for k in names:
            if k not in ("userEmail", "password", "expirationSeconds"):
                self.send_result(result(-1, f"Invalid parameter '{k}' for command login."), 400)
                return
        if self.query_pairs():
            self.send_result(result(-1, "login parameters belong in the POST body, not the URL"), 400)
            return
        f = dict(form)
        for req in ("userEmail", "password"):
            if not f.get(req):
                self.send_code(27, f"Missing Parameter - {req} is required")
                return
        inj = emu.take_injection("login")
        if inj is not None:
            emu.stats.incr("injected_errors")
            self.send_result(result(inj["code"], inj.get("message") or CODE_MESSAGES.get(inj["code"], "NACK")),
                             inj.get("http_status", 200))
            return
        ttl_max = emu.cfg.token_ttl_max
        ttl = ttl_max
        if "expirationSeconds" in f:
            if not re.fullmatch(r"[0-9]{1,9}", f["expirationSeconds"]) or int(f["expirationSeconds"]) < 1:
                self.send_result(result(-1, "Invalid value for parameter expirationSeconds"), 400)
                return
            ttl = min(int(f["expirationSeconds"]), ttl_max)
        email = f["userEmail"].lower()  # case-insensitive (ref §2)
        users = emu.users
        with users.lock:
            user = users.users.get(email)
            failures = users.failures.get(email, 0)
            locked = user is not None and (user["kind"] == "locked" or
                                           (emu.cfg.lockout_after and failures >= emu.cfg.lockout_after))
            ok = user is not None and user["password"] == f["password"]
            if not ok and user is not None:
                users.failures[email] = failures + 1
        if locked:
            emu.stats.incr("login_locked")
            emu.stats.incr("login_failures")
            self.send_result(result(-1, MSG_LOGIN_FAILED))  # generic: indistinguishable from bad credentials
            return
        if not ok or user["kind"] == "web":
            emu.stats.incr("login_failures")
            self.send_result(result(-1, MSG_LOGIN_FAILED))
            return
        if user["kind"] == "expired":
            emu.stats.incr("login_failures")
            emu.stats.incr("login_expired_password")
            self.send_result(result(-1, MSG_PASSWORD_EXPIRED))
            return
        with users.lock:
            users.failures.pop(email, None)
        actual = emu.cfg.token_ttl_override if emu.cfg.token_ttl_override is not None else ttl
        token = emu.tokens.issue(email, actual)
        emu.stats.incr("logins")
        self.send_result(result(0, "ACK", ("token", token), ("expiration", f"{actual}seconds")))

    # --- /_emulator -------------------------------------------------------------------------------------

    def handle_extra_control(self, path: str, method: str, q: dict[str, str]) -> bool:
        emu = self.emu
        if path == "/_emulator/expire-tokens" and method == "POST":
            self.send_json(200, {"expired": emu.tokens.expire_all()})
        elif path == "/_emulator/inject" and method == "POST":
            try:
                spec = json.loads(self.body.decode("utf-8") or "{}")
                endpoint = spec.get("endpoint", "any")
                if endpoint not in ("any", "login", *COMMAND_PARAMS):
                    raise ValueError(f"unknown endpoint {endpoint!r}")
                code = int(spec["code"])
                inj = {"endpoint": endpoint, "code": code, "count": int(spec.get("count", 1)),
                       "message": spec.get("message")}
                if "http_status" in spec:
                    inj["http_status"] = int(spec["http_status"])
            except (ValueError, KeyError, TypeError) as e:
                self.send_json(400, {"error": f"bad injection: {e}"})
                return True
            with emu.inject_lock:
                if inj["count"] <= 0:  # clear: every injection for "any", else those of the endpoint
                    emu.injections = [] if endpoint == "any" else [i for i in emu.injections
                                                                   if i["endpoint"] != endpoint]
                else:
                    emu.injections.append(inj)
            self.send_json(200, {"ok": True, "pending": len(emu.injections)})
        elif path == "/_emulator/purge-after-list" and method == "POST":
            try:
                ids = {int(i) for i in json.loads(self.body.decode("utf-8") or "{}")["recording_ids"]}
            except (ValueError, KeyError, TypeError) as e:
                self.send_json(400, {"error": f"bad purge: {e}"})
                return True
            with emu.dataset.lock:
                emu.purge_after_list |= ids
            self.send_json(200, {"ok": True, "armed": sorted(emu.purge_after_list)})
        elif path == "/_emulator/finish-recordings" and method == "POST":
            ds = emu.dataset
            finished = []
            with ds.lock:
                for rec in ds.recordings.values():
                    if rec.in_progress and rec.segments:
                        ds.finish(rec)
                        finished.append(rec.recording_id)
            self.send_json(200, {"finished": finished})
        elif path == "/_emulator/recordings" and method == "GET":
            self.send_json(200, self.ground_truth(q))
        elif path == "/_emulator/expected" and method == "GET":
            ds = emu.dataset
            try:
                seg = ds.segments.get(int(q.get("segment_id", "-1")))
            except ValueError:
                seg = None
            if seg is None:
                self.send_json(404, {"error": "unknown segment_id"})
                return True
            self.send_json(200, {"segmentId": seg.segment_id, "recordingId": seg.recording_id,
                                 "filename": seg.filename, "size": seg.size, "sha256": ds.sha256(seg),
                                 "inProgress": seg.in_progress})
        elif path == "/_emulator/info" and method == "GET":
            self.send_json(200, self.info())
        else:
            return False
        return True

    def ground_truth(self, q: dict[str, str]) -> dict:
        """Every non-deleted recording with from <= start < to (epoch ms), with segments and checksums."""
        ds = self.emu.dataset
        lo = int(q.get("from", 0))
        hi = int(q.get("to", 2**62))
        out = []
        with ds.lock:
            recs = sorted(ds.recordings.values(), key=lambda r: (r.start_ms, r.recording_id))
            for r in recs:
                if r.deleted or not lo <= r.start_ms < hi:
                    continue
                out.append({
                    "recordingId": str(r.recording_id), "ani": r.ani, "dnis": r.dnis, "startMs": r.start_ms,
                    "isrUcid": r.isr_ucid, "ingressCallId": r.ingress_call_id,
                    "start": sql_time(r.start_ms), "kind": r.kind, "inProgress": r.in_progress,
                    "custom": {c[1]: c[2] for c in r.custom},
                    "segments": [{"segmentId": str(s.segment_id), "filename": s.filename, "size": s.size,
                                  "sha256": ds.sha256(s), "inProgress": s.in_progress, "sequence": s.sequence,
                                  "start": sql_time(s.start_ms), **face_media.truth(s)} for s in r.segments],
                    "supplemental": face_media.supplemental_truth(r)})
        return {"from": lo, "to": hi, "count": len(out), "recordings": out}

    def info(self) -> dict:
        ds = self.emu.dataset
        ex: dict[str, list] = {}
        with ds.lock:
            for r in ds.recordings.values():
                ex.setdefault(r.kind, []).append(str(r.recording_id))
                if len(r.segments) > 1:
                    ex.setdefault("multiSegment", []).append(str(r.recording_id))
                if r.supplemental:
                    ex.setdefault("supplemental", []).append(
                        {"recordingId": str(r.recording_id), "supplementalFileId": str(r.supplemental[0][0]),
                         "filename": r.supplemental[0][1]})
        return {"seed": ds.seed, "dayStartMs": ds.day_start, "recordingCount": len(ds.recordings),
                "examples": ex, "config": self.emu.cfg.as_dict(), "version": VERSION}


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    emulib.add_common_arguments(p)
    p.add_argument("--user-email", default=DEFAULT_USER, help=f"API user (default {DEFAULT_USER})")
    p.add_argument("--password", default=DEFAULT_PASSWORD, help="its password (default fixed)")
    p.add_argument("--seed", type=int, default=1, help="data set seed (default 1)")
    p.add_argument("--day", default="2026-11-01", help="UTC day of the recordings (default 2026-11-01)")
    p.add_argument("--recordings", type=int, default=40, help="recordings on the day (default 40)")
    p.add_argument("--in-progress", type=int, default=2, help="recordings still in progress (default 2)")
    p.add_argument("--multi-segment-rate", type=float, default=0.35, help="share of multi-segment recordings")
    p.add_argument("--hostile-names", type=emulib.parse_bool, default=True, metavar="true|false",
                   help="give some segments hostile file names (default true)")
    p.add_argument("--same-start-cluster", type=int, default=3,
                   help="recordings sharing one start millisecond (default 3)")
    p.add_argument("--segment-min-bytes", type=int, default=2048)
    p.add_argument("--segment-max-bytes", type=int, default=24576)
    p.add_argument("--wav-layout", default="plain", choices=face_media.LAYOUTS,
                   help="segment WAV headers: plain (44 bytes, one format) or varied (see face_media.py)")
    p.add_argument("--video-files", type=emulib.parse_bool, default=False, metavar="true|false",
                   help="give some recordings a supplemental video file (type video; see face_media.py)")
    emulib.add_knob_arguments(p, KNOBS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = Config.from_args(args, NAME)
    if args.recordings < args.in_progress + args.same_start_cluster:
        raise SystemExit(f"{NAME}: --recordings must be at least --in-progress + --same-start-cluster")
    if not 16 <= args.segment_min_bytes <= args.segment_max_bytes:
        raise SystemExit(f"{NAME}: need 16 <= --segment-min-bytes <= --segment-max-bytes")
    dataset = Dataset(args.seed, args.day, args.recordings, args.in_progress, args.multi_segment_rate,
                      args.hostile_names, args.same_start_cluster, args.segment_min_bytes, args.segment_max_bytes)
    face_media.apply_layout(dataset, args.wav_layout)
    if args.video_files:
        face_media.add_video_files(dataset)
    emu = FaceEmulator(cfg, dataset, args.user_email, args.password)
    server, material = emulib.prepare_server(args, NAME, Handler, emu, emu.stats)
    emu.base_url = server.base_url
    ready = {"face_url": server.base_url, "user_email": args.user_email, "password": args.password,
             "expired_user_email": EXPIRED_USER, "expired_user_password": EXPIRED_PASSWORD,
             "locked_user_email": LOCKED_USER, "locked_user_password": LOCKED_PASSWORD,
             "web_user_email": WEB_USER, "web_user_password": WEB_PASSWORD, "day_start_ms": dataset.day_start}
    return emulib.serve(args, NAME, server, material, ready, f"{len(dataset.recordings)} recordings")


if __name__ == "__main__":
    emulib.main_guard(main)
