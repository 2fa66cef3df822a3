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

Standard library only (plus the ``openssl`` binary, through emulib, for the throwaway CA).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote, unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
import face_media  # noqa: E402  (WAV segment layouts, issue 16)
import face_templates  # noqa: E402  (format=template, issue 16)

NAME = "face_server"
DAY_MS = 86_400_000
VERSION = "5.2.0M1P0 build 2016.12.15_13.29"

DEFAULT_USER = "israpi@acmepacket.com"
DEFAULT_PASSWORD = "Admin1234"
EXPIRED_USER = "expired.api@acmepacket.com"
EXPIRED_PASSWORD = "Expired1234"
LOCKED_USER = "locked.api@acmepacket.com"
LOCKED_PASSWORD = "Locked1234"
WEB_USER = "webuser@acmepacket.com"  # not an API user: may not use FACE (ref §2)
WEB_PASSWORD = "Web12345"

MSG_LIST = "Selection criteria insufficient to determine recording. Returning all matches."
MSG_TRUNCATED = ("Selection criteria insufficient to determine recording. There were more matches than "
                 "maxListLength, please refine your search if the entry you require is not in this list.")
MSG_LOGIN_FAILED = "Unable to authenticate. Please check your credentials."
MSG_PASSWORD_EXPIRED = "The password for this user has expired. Please change it using the ISR Dashboard."
MSG_BAD_TOKEN = "Invalid or expired token"
MSG_MULTI_SEGMENT = ("This recording has multiple segments; download and redirect work for single-segment "
                     "recordings only. Use audioRecording/segment/download for each segment.")

# Return-code table (ref §7).
CODE_MESSAGES = {
    0: "ACK",
    -1: "NACK",
    1: "Feature Not Licensed",
    2: "Host Not Authorized",
    3: "Parameter Missing",
    4: "Missing Command - command parameter is required",
    5: "Invalid Command",
    6: "Missing Parameter - ANI parameter is required",
    7: "Missing Parameter - DNIS parameter is required",
    8: "Missing Parameter - channelId parameter is required",
    9: "Missing Parameter - fileId parameter is required",
    10: "Error establishing database connection",
    11: "Error retrieving file with supplied criteria",
    12: "Recording has already started on this channel",
    13: "Recording is started by another session or not started, cannot end recording.",
    14: "Invalid Parameter for RecordEnd - fileId not found from recording index.",
    15: "Error Indexing for RecordEnd - java.sql.SQLException",
    16: "Error Generating Token",
    17: "Couldn't find route information",
    18: "ANI and DNIS are required for command SaveRecording",
    19: "No recording found with supplied criteria",
    20: "RSS could not successfully perform the operation",
    21: "Cannot change name of file while recording is in progress",
    22: "Cannot rename a file that is set to be deleted",
    23: "Could not convert file to playable format",
    24: "Timed out waiting for file conversion",
    25: "Conversion already initiated by another user, please try again later",
    26: "No session or file was found matching the provided UCID",
    27: "Missing Parameter - %parameter% is required",
}

# Selection criteria (ref §4).
GENERAL_PARAMS = ("isrUcid", "ingressCallId", "egressCallId", "thirdpartyId", "ani", "from", "dnis", "to",
                  "filename", "start", "earliestStart", "latestStart", "end", "earliestEnd", "latestEnd", "aor",
                  "inProgress")
CONTROL_ONLY_PARAMS = ("channelNumber", "rssId", "recordingId", "tmpRecordingId", "audioOnly", "mustHaveVideo",
                       "format", "formatName", "version")
CUSTOM_FIELDS = ("customerId", "campaign", "testCustomData1")
DATE_PARAMS = ("start", "earliestStart", "latestStart", "end", "earliestEnd", "latestEnd")
BOOL_PARAMS = ("inProgress", "audioOnly", "mustHaveVideo")
SELECTION = GENERAL_PARAMS + CONTROL_ONLY_PARAMS + CUSTOM_FIELDS
METADATA_BODY_PARAMS = ("filename", "agentId", "agentTerminal", "sensitive", "setNeverExpire") + CUSTOM_FIELDS

COMMAND_PARAMS: dict[str, tuple[str, ...]] = {
    "audioRecording/details": SELECTION + ("maxListLength",),
    "audioRecording/download": SELECTION,
    "audioRecording/redirect": SELECTION,
    "audioRecording/segment/details": SELECTION + ("segmentId", "maxListLength"),
    "audioRecording/segment/download": SELECTION + ("segmentId",),
    "audioRecording/segment/redirect": SELECTION + ("segmentId",),
    "audioRecording/start": SELECTION + ("codecProfile",),
    "audioRecording/stop": SELECTION,
    "audioRecording/pause": SELECTION + ("fillWithSilence",),
    "audioRecording/resume": SELECTION,
    "audioRecording/split": SELECTION,
    "audioRecording/delete": SELECTION,
    "file/download": ("filename", "supplementalFileId", "type"),
    # The ISR API guide's parameters (eventNotify?event=..&ucid=..&calledAors=aor1,aor2;
    # StartScreenCapture?IsrId=..&AgentId=.. or &ScreenIP=..; StopScreenCapture?AgentId=.. or ?ScreenIP=..).
    "eventNotify": ("event", "ucid", "calledAors"),
    "StartScreenCapture": ("IsrId", "AgentId", "ScreenIP"),
    "StopScreenCapture": ("AgentId", "ScreenIP"),
}
CONTROL_COMMANDS = ("start", "stop", "pause", "resume", "split", "delete")

SQL_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?")

# --------------------------------------------------------------------------------------------------
# Knobs
# --------------------------------------------------------------------------------------------------


Knob = emulib.Knob  # kinds used here: int, prob, bool, str

KNOBS: tuple[Knob, ...] = (
    Knob("token_ttl_max", "int", 86_400, "largest token lifetime in seconds (omitted expirationSeconds -> this)",
         minimum=1),
    Knob("token_ttl_override", "int", None, "every new token lives this many seconds, whatever was asked",
         minimum=0, nullable=True),
    Knob("list_cap", "int", 1000, "server-side cap on list length, applied below maxListLength", minimum=1),
    Knob("list_times_in_seconds", "bool", False,
         "code -1 lists write start/end times as yyyy-MM-dd HH:mm:ss (ref §5.2 examples); filters stay exact"),
    Knob("ignore_accept", "bool", False, "always answer XML, even when JSON was asked for"),
    Knob("xml", "choice", "off",
         "off: XML unless Accept asks for JSON (bytes UTF-8 under the guide's encoding=\"UTF-16\" declaration); "
         "otherwise every answer is XML, whatever Accept says, encoded as named (utf-16le/utf-16be with a BOM, "
         "-nobom without one)",
         choices=("off", "utf-8", "utf-16le", "utf-16be", "utf-16le-nobom", "utf-16be-nobom")),
    Knob("json_quirks", "bool", True, "trailing empty {\"segment\":{}}, account as a string (ref §5.3)"),
    Knob("lockout_after", "int", 5, "failed logins after which an account is locked (0 = never)", minimum=0),
    Knob("vendor_error_http_status", "int", 200, "HTTP status of responses carrying a FACE error code", minimum=100),
    Knob("media_content_type", "str", "audio/wav", "Content-Type of downloaded audio"),
    Knob("media_drop_rate", "prob", 0.0, "probability of closing a download after part of the body"),
    Knob("latency_ms", "int", 0, "delay added to every /Face request", minimum=0),
    *emulib.TRICKLE_KNOBS,
)


class Config(emulib.KnobConfig):
    KNOBS = KNOBS
    STRICT_NUMBERS = False  # this emulator's knobs always took these laxer number rules


# --------------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------------


def sql_time(ms: int) -> str:
    """``yyyy-MM-dd HH:mm:ss.SSS`` UTC (the response format of ref §5.3)."""
    t = _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + f".{ms % 1000:03d}"


def parse_sql_time(text: str) -> int | None:
    m = SQL_TIME_RE.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        t = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=_dt.timezone.utc)
    except ValueError:
        return None
    ms = int((frac or "0").ljust(3, "0"))
    return int(t.timestamp()) * 1000 + ms


# --------------------------------------------------------------------------------------------------
# Data set
# --------------------------------------------------------------------------------------------------

BYTES_PER_MS = 16  # 8 kHz, 16-bit mono
AudioBank = face_media.AudioBank  # the samples; WAV headers: face_media.wav_header


HOSTILE_NAMES = (
    "../../../etc/passwd.wav",
    "..\\..\\windows\\system32\\drivers.wav",
    "call 1&token=abc?x=#frag%2F.wav",
    "\u00dcn\u00efc\u00f6d\u00e9 \u96fb\u8a71 \U0001F4DE.wav",
    ".hidden.wav",
    "a+b=c;rm -rf ~ $(id) `id`.wav",
    "x" * 300 + ".wav",
    "noextension",
)


@dataclass
class Segment:
    segment_id: int
    recording_id: int
    sequence: int
    filename: str
    directory: str
    start_ms: int
    end_ms: int | None
    data_len: int
    offset: int
    location_id: int = 4
    has_video: bool = False
    pause_length: int = 0
    header: bytes | None = None  # set by face_media.apply_layout (--wav-layout)
    sample_rate: int = 8000

    @property
    def in_progress(self) -> bool:
        return self.filename.endswith(".rpdd") or self.end_ms is None

    def wav_header(self) -> bytes:
        return face_media.wav_header(self.data_len) if self.header is None else self.header

    @property
    def size(self) -> int:
        return len(self.wav_header()) + self.data_len

    def iter_bytes(self, audio: AudioBank, start: int = 0, end: int | None = None) -> Iterator[bytes | memoryview]:
        end = self.size if end is None else end
        yield from emulib.iter_with_header(self.wav_header(), audio, self.offset, start, end)


@dataclass
class Recording:
    recording_id: int
    ani: str
    dnis: str
    start_ms: int
    isr_ucid: str
    ingress_call_id: str
    egress_call_id: str
    account: int
    rss: int
    route: int
    agent_id: str
    sensitive: int
    custom: list  # [(customDataId, name, value)]
    participants: list  # [(participantId, aor, name)]
    segments: list = field(default_factory=list)
    supplemental: list = field(default_factory=list)  # [(supplementalFileId, filename, bytes)]
    deleted: bool = False
    paused: bool = False
    channel_number: int = 1
    kind: str = "normal"  # normal multi in_progress hostile plus_ani cluster

    @property
    def in_progress(self) -> bool:
        return any(s.in_progress for s in self.segments) or not self.segments

    @property
    def end_ms(self) -> int | None:
        if self.in_progress:
            return None
        return max(s.end_ms for s in self.segments)

    @property
    def duration_ms(self) -> int | None:
        end = self.end_ms
        return None if end is None else end - self.start_ms


def _int_hash(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()[:8], "big")


class Dataset:
    """Recordings of one UTC day, generated deterministically from the seed and the counts."""

    def __init__(self, seed: int, day: str, count: int, in_progress: int, multi_rate: float, hostile: bool,
                 cluster: int, min_bytes: int, max_bytes: int) -> None:
        self.seed = seed
        self.audio = AudioBank(seed)
        self.lock = threading.RLock()
        rng = random.Random(f"face-data:{seed}:{day}:{count}")
        day_start = int(_dt.datetime.fromisoformat(day).replace(tzinfo=_dt.timezone.utc).timestamp()) * 1000
        self.day_start = day_start
        self.min_bytes, self.max_bytes = min_bytes, max_bytes
        self.recordings: dict[int, Recording] = {}
        self.segments: dict[int, Segment] = {}
        self.next_recording_id = 11_905_000
        self.next_segment_id = 1_214_900
        starts = sorted(day_start + rng.randrange(60_000, DAY_MS - 3_600_000) for _ in range(count))
        cluster_at = day_start + 12 * 3_600_000 + 345  # several recordings in the same millisecond
        hostile_left = list(HOSTILE_NAMES) if hostile else []
        for i, start in enumerate(starts):
            kind = "normal"
            if i < cluster:
                start, kind = cluster_at, "cluster"
            elif i >= count - in_progress:
                kind = "in_progress"
            elif hostile_left and i % 3 == 0:
                kind = "hostile"
            elif i % 7 == 1:
                kind = "plus_ani"
            n_segments = 1
            if kind != "hostile" and rng.random() < multi_rate:
                n_segments = rng.choice((2, 2, 3))
                if kind == "normal":
                    kind = "multi"
            rec = self._new_recording(rng, start, kind)
            self._add_segments(rng, rec, n_segments, hostile_left.pop(0) if kind == "hostile" else None)
            if kind == "in_progress":
                last = rec.segments[-1]
                last.filename = last.filename.rsplit(".", 1)[0] + ".rpdd"
                last.end_ms = None
            if i % 11 == 5:
                rec.supplemental.append((_int_hash("supp", seed, rec.recording_id) % 900_000 + 100_000,
                                         f"supp-{rec.recording_id}.txt",
                                         f"supplemental file of recording {rec.recording_id}\n".encode()))
        # Recordings outside the day (must never be listed for a window on the day).
        for start in (day_start - 1, day_start + DAY_MS):
            rec = self._new_recording(rng, start, "outside")
            self._add_segments(rng, rec, 1, None)

    def _phone(self, rng: random.Random) -> str:
        return f"{rng.randint(2012000000, 9899999999)}"

    def _new_recording(self, rng: random.Random, start: int, kind: str) -> Recording:
        rid = self.next_recording_id
        self.next_recording_id += rng.randint(1, 9)
        n = rng.randint(10000, 99999)
        host = f"10.10.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        ani = "+1" + self._phone(rng) if kind == "plus_ani" else ("sipp_" + self._phone(rng))
        dnis = "+1800555" + f"{rng.randint(0, 9999):04d}" if rng.random() < 0.4 else "rss_" + self._phone(rng)
        custom = [(7, "customerId", f"C-{rng.randint(100000, 999999)}"),
                  (8, "campaign", rng.choice(["spring", "retention", "winback"]))]
        if kind == "hostile":
            custom.append((9, "testCustomData1", 'He said "hi" \\ <b>&amp;</b> \u00e9 ' + "\t" + "/../x"))
        participants = [("1", f"sip:{ani}@{host}", "Caller"), ("2", f"sip:agent{rng.randint(1, 40)}@example.com", "")]
        rec = Recording(recording_id=rid, ani=ani, dnis=dnis, start_ms=start, isr_ucid=f"x-isr-ucid-1-{n}@{host}",
                        ingress_call_id=f"1-{n}@{host}", egress_call_id=f"2-{n}@{host}", account=1,
                        rss=rng.randint(1, 3), route=1, agent_id="" if rng.random() < 0.5 else f"agent{rng.randint(1, 40)}",
                        sensitive=0, custom=custom, participants=participants, kind=kind,
                        channel_number=rng.randint(1, 64))
        self.recordings[rid] = rec
        return rec

    def _add_segments(self, rng: random.Random, rec: Recording, n: int, hostile_name: str | None) -> None:
        t = rec.start_ms
        for k in range(n):
            sid = self.next_segment_id
            self.next_segment_id += rng.randint(1, 5)
            data_len = rng.randint(self.min_bytes, self.max_bytes) // 2 * 2
            end = t + data_len // BYTES_PER_MS
            fname = hostile_name if hostile_name else f"{rec.dnis}-{rec.ingress_call_id}.seg{k}.wav"
            directory = _dt.datetime.fromtimestamp(t / 1000, tz=_dt.timezone.utc).strftime("/%Y-%m-%d/%H/%M")
            seg = Segment(segment_id=sid, recording_id=rec.recording_id, sequence=k + 1, filename=fname,
                          directory=directory, start_ms=t, end_ms=end, data_len=data_len,
                          offset=_int_hash("off", self.seed, sid) % AudioBank.PERIOD)
            rec.segments.append(seg)
            self.segments[sid] = seg
            t = end + rng.randint(0, 2000)

    def finish(self, rec: Recording) -> None:
        for s in rec.segments:
            if s.in_progress:
                s.filename = s.filename.rsplit(".", 1)[0] + ".wav"
                s.end_ms = s.start_ms + s.data_len // BYTES_PER_MS

    def start_recording(self, ani: str, dnis: str, now_ms: int) -> Recording:
        rng = random.Random(f"face-start:{self.seed}:{self.next_recording_id}")
        rec = self._new_recording(rng, now_ms, "started")
        rec.ani, rec.dnis = ani, dnis
        self._add_segments(rng, rec, 1, None)
        seg = rec.segments[0]
        seg.filename = seg.filename.rsplit(".", 1)[0] + ".rpdd"
        seg.end_ms = None
        return rec

    def split(self, rec: Recording, now_ms: int) -> None:
        rng = random.Random(f"face-split:{self.seed}:{rec.recording_id}:{len(rec.segments)}")
        last = rec.segments[-1]
        last.filename = last.filename.rsplit(".", 1)[0] + ".wav"
        last.end_ms = max(last.start_ms + 1, now_ms)
        self._add_segments(rng, rec, 1, None)
        new = rec.segments[-1]
        new.sequence = len(rec.segments)
        new.filename = new.filename.rsplit(".", 1)[0] + ".rpdd"
        new.end_ms = None

    def sha256(self, seg: Segment) -> str:
        h = hashlib.sha256()
        for chunk in seg.iter_bytes(self.audio):
            h.update(chunk)
        return h.hexdigest()


# --------------------------------------------------------------------------------------------------
# Response documents: one tree, rendered as XML or JSON (ref §5)
# --------------------------------------------------------------------------------------------------


class Lst:
    """A list element: XML ``<name><item>..</item>..</name>``, JSON ``"name":[{"item":{..}},..]``."""

    def __init__(self, item: str, items: list, trailing_empty: bool = False) -> None:
        self.item = item
        self.items = items
        self.trailing_empty = trailing_empty


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xml(name: str, value: Any) -> str:
    if value is None or value == "" or (isinstance(value, Lst) and not value.items):
        return f"<{name}/>"
    if isinstance(value, Lst):
        return f"<{name}>" + "".join(to_xml(value.item, v) for v in value.items) + f"</{name}>"
    if isinstance(value, list):  # ordered pairs = an element with children
        return f"<{name}>" + "".join(to_xml(k, v) for k, v in value) + f"</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{_xml_escape(str(value))}</{name}>"


def to_jsonable(value: Any, quirks: bool) -> Any:
    if isinstance(value, Lst):
        out = [{value.item: to_jsonable(v, quirks)} for v in value.items]
        if quirks and value.trailing_empty:
            out.append({value.item: {}})
        return out
    if isinstance(value, list):
        return {k: to_jsonable(v, quirks) for k, v in value}
    if value is None:
        return ""
    return value


XML_ENCODINGS = {  # knob value -> (codec, BOM)
    "off": ("utf-8", b""), "utf-8": ("utf-8", b""),
    "utf-16le": ("utf-16-le", b"\xff\xfe"), "utf-16be": ("utf-16-be", b"\xfe\xff"),
    "utf-16le-nobom": ("utf-16-le", b""), "utf-16be-nobom": ("utf-16-be", b""),
}


def render(pairs: list, as_json: bool, quirks: bool, xml_encoding: str = "off",
           root: str = "result") -> tuple[bytes, str]:
    if as_json:
        # Compact, like the guide's JSON examples (ref §5.2).
        return (json.dumps({root: to_jsonable(pairs, quirks)}, ensure_ascii=False, separators=(",", ":")).encode(),
                "application/json")
    # The guide's examples declare UTF-16 (ref §5.3); by default the bytes are UTF-8 (as the examples
    # show them), with the ``xml`` knob really UTF-16.
    body = '<?xml version="1.0" encoding="UTF-16"?>\n' + to_xml(root, pairs)
    codec, bom = XML_ENCODINGS[xml_encoding]
    if codec == "utf-8":
        return body.encode("utf-8"), "application/xml"
    return bom + body.encode(codec), "application/xml;charset=UTF-16"


def result(code: int, message: str, *extra: tuple[str, Any]) -> list:
    return [("code", code), ("message", message), *extra]


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


class BadRequest(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------


def check_params(command: str, pairs: list[tuple[str, str]], emu: FaceEmulator) -> dict[str, str]:
    """Strict parameter validation: documented names only, no repeats, no empty values."""
    allowed = set(COMMAND_PARAMS[command]) | {"token"}
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            emu.stats.incr("rejected_params")
            raise BadRequest(-1, f"Invalid parameter '{name}' for command {command}.")
        if name in seen:
            emu.stats.incr("rejected_params")
            raise BadRequest(-1, f"Parameter '{name}' was given more than once.")
        if value == "":
            emu.stats.incr("rejected_params")
            raise BadRequest(27, f"Missing Parameter - {name} is required")
        seen[name] = value
    for name in DATE_PARAMS:
        if name in seen and parse_sql_time(seen[name]) is None:
            emu.stats.incr("rejected_params")
            raise BadRequest(-1, f"Invalid date '{seen[name]}' for parameter {name}; "
                                 "expected yyyy-MM-dd HH:mm:ss[.SSS]")
    for name in BOOL_PARAMS + ("fillWithSilence",):
        if name in seen and seen[name] not in ("true", "false"):
            emu.stats.incr("rejected_params")
            raise BadRequest(-1, f"Invalid value '{seen[name]}' for parameter {name}; expected true or false")
    for name, lo, hi in (("maxListLength", 1, 1000), ("codecProfile", 1, 5), ("recordingId", 0, 2**62),
                         ("segmentId", 0, 2**62), ("channelNumber", 0, 2**31), ("rssId", 0, 2**31),
                         ("supplementalFileId", 0, 2**62), ("tmpRecordingId", 0, 2**62)):
        if name in seen:
            v = seen[name]
            if not re.fullmatch(r"[0-9]{1,19}", v) or not lo <= int(v) <= hi:
                emu.stats.incr("rejected_params")
                raise BadRequest(-1, f"Invalid value '{v}' for parameter {name}; expected an integer {lo}..{hi}")
    if "format" in seen and seen["format"] != "template":
        raise BadRequest(-1, "Invalid value for parameter format; the only value is template")
    return seen


def recording_matches(rec: Recording, q: dict[str, str]) -> bool:
    if rec.deleted:
        return False
    def eq(name: str, actual: Any) -> bool:
        return name not in q or q[name] == str(actual)
    if not (eq("recordingId", rec.recording_id) and eq("tmpRecordingId", rec.recording_id) and
            eq("isrUcid", rec.isr_ucid) and eq("ingressCallId", rec.ingress_call_id) and
            eq("egressCallId", rec.egress_call_id) and eq("ani", rec.ani) and eq("from", rec.ani) and
            eq("dnis", rec.dnis) and eq("to", rec.dnis) and eq("channelNumber", rec.channel_number) and
            eq("rssId", rec.rss)):
        return False
    if "thirdpartyId" in q:
        return False
    if "aor" in q and not any(q["aor"] == p[1] for p in rec.participants):
        return False
    if "filename" in q and not any(q["filename"] == s.filename for s in rec.segments):
        return False
    for name in CUSTOM_FIELDS:
        if name in q and not any(c[1] == name and c[2] == q[name] for c in rec.custom):
            return False
    if q.get("inProgress") == "true" and not rec.in_progress:
        return False
    if q.get("audioOnly") == "true" and rec.supplemental:
        return False
    if q.get("mustHaveVideo") == "true":
        return False
    if not time_matches(rec.start_ms, rec.end_ms, q):
        return False
    return True


def time_matches(start: int, end: int | None, q: dict[str, str]) -> bool:
    t = {k: parse_sql_time(q[k]) for k in DATE_PARAMS if k in q}
    if "start" in t and start != t["start"]:
        return False
    if "earliestStart" in t and start < t["earliestStart"]:
        return False
    if "latestStart" in t and start > t["latestStart"]:
        return False
    if any(k in t for k in ("end", "earliestEnd", "latestEnd")):
        if end is None:
            return False
        if "end" in t and end != t["end"]:
            return False
        if "earliestEnd" in t and end < t["earliestEnd"]:
            return False
        if "latestEnd" in t and end > t["latestEnd"]:
            return False
    return True


def segment_matches(seg: Segment, rec: Recording, q: dict[str, str]) -> bool:
    if "segmentId" in q and q["segmentId"] != str(seg.segment_id):
        return False
    if "filename" in q and q["filename"] != seg.filename:
        return False
    rq = {k: v for k, v in q.items() if k not in DATE_PARAMS and k not in ("segmentId", "filename")}
    if not recording_matches(rec, rq):
        return False
    return time_matches(seg.start_ms, seg.end_ms, q)


def segment_doc(seg: Segment, quirks: bool, as_json: bool) -> list:
    location_name = "locationId" if as_json else "location"
    return [("segmentId", seg.segment_id), ("recordingId", seg.recording_id), ("sequence", seg.sequence),
            ("filename", seg.filename), ("directory", seg.directory), ("fileStatus", 0),
            (location_name, seg.location_id), ("start", sql_time(seg.start_ms)),
            ("end", sql_time(seg.end_ms) if seg.end_ms is not None else None),
            ("checksumMismatch", False), ("pauseLength", seg.pause_length), ("hasVideo", seg.has_video),
            ("archived", 0 if seg.in_progress else 1), ("conversionStatus", 0)]


def recording_doc(rec: Recording, quirks: bool, as_json: bool) -> list:
    account: Any = str(rec.account) if (as_json and quirks) else rec.account
    segments = []
    for seg in rec.segments:
        doc = segment_doc(seg, quirks, as_json)
        participants = Lst("participant", [[("participantId", p[0]), ("aor", p[1]), ("name", p[2] or None)]
                                           for p in rec.participants])
        streams = Lst("stream", [[("streamId", f"stream-{seg.segment_id}-{i}"), ("label", str(i))]
                                 for i in (1, 2)])
        siprec = Lst("siprecData", [[("sessionId", f"session-{rec.isr_ucid}"), ("participants", participants),
                                     ("streams", streams), ("dtmfDigits", Lst("digit", []))]])
        doc.append(("siprecDataSets", siprec))
        segments.append(doc)
    duration = rec.duration_ms
    pairs = [("recordingId", rec.recording_id), ("ani", rec.ani), ("dnis", rec.dnis), ("account", account),
             ("duration", duration if duration is not None else None), ("startTime", sql_time(rec.start_ms)),
             ("rss", rec.rss), ("route", rec.route), ("agentId", rec.agent_id), ("sensitive", rec.sensitive),
             ("deleteFlag", rec.deleted), ("isrUcid", rec.isr_ucid), ("ingressCallId", rec.ingress_call_id),
             ("egressCallId", rec.egress_call_id),
             ("customDataSets", Lst("customData", [[("customDataId", c[0]), ("name", c[1]), ("value", c[2])]
                                                   for c in rec.custom])),
             ("segments", Lst("segment", segments, trailing_empty=True))]
    if rec.supplemental:
        pairs.append(("supplementalFiles", Lst("supplementalFile", [
            [("supplementalFileId", s[0]), ("filename", s[1]), ("size", len(s[2])), *face_media.type_member(s)]
            for s in rec.supplemental])))
    return pairs


def list_time(ms: int, seconds: bool) -> str:
    """A time in a code -1 list: with milliseconds, or (``list_times_in_seconds``) truncated to the second."""
    return sql_time(ms)[:19] if seconds else sql_time(ms)


def match_doc(rec: Recording, seconds: bool = False) -> list:
    return [("recordingId", rec.recording_id), ("isrUcid", rec.isr_ucid), ("ingressCallId", rec.ingress_call_id),
            ("filename", rec.segments[0].filename if rec.segments else None), ("from", rec.ani), ("to", rec.dnis),
            ("start", list_time(rec.start_ms, seconds))]


def segment_match_doc(seg: Segment, seconds: bool = False) -> list:
    return [("segmentId", seg.segment_id), ("recordingId", seg.recording_id), ("filename", seg.filename),
            ("start", list_time(seg.start_ms, seconds)),
            ("end", list_time(seg.end_ms, seconds) if seg.end_ms is not None else None), ("hasVideo", seg.has_video)]


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(emulib.EmulatorRequestHandler):
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
                emu.requests.add(entry)
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

    def apply_metadata(self, q: dict[str, str]) -> None:
        ds = self.emu.dataset
        form = dict(self.form_pairs())
        with ds.lock:
            for rec in ds.recordings.values():
                if recording_matches(rec, q):
                    for name in CUSTOM_FIELDS:
                        if name in form:
                            rec.custom = [c for c in rec.custom if c[1] != name] + [(99, name, form[name])]
                    if "agentId" in form:
                        rec.agent_id = form["agentId"]

    def select_recordings(self, q: dict[str, str]) -> list[Recording]:
        ds = self.emu.dataset
        with ds.lock:
            return [r for r in ds.recordings.values() if recording_matches(r, q)]

    def select_segments(self, q: dict[str, str]) -> list[Segment]:
        ds = self.emu.dataset
        with ds.lock:
            return [s for s in ds.segments.values()
                    if s.recording_id in ds.recordings and segment_matches(s, ds.recordings[s.recording_id], q)]

    def shuffled(self, items: list, q: dict[str, str]) -> list:
        """Lists are not ordered by start time (ref §5.2 [U]): a deterministic shuffle per query."""
        key = "&".join(f"{k}={v}" for k, v in sorted(q.items()) if k != "token")
        items = list(items)
        random.Random(f"face-order:{self.emu.dataset.seed}:{key}").shuffle(items)
        return items

    def list_seconds(self) -> bool:
        return bool(self.emu.cfg.list_times_in_seconds)

    def list_limit(self, q: dict[str, str]) -> int:
        requested = int(q.get("maxListLength", "1000"))
        return min(requested, self.emu.cfg.list_cap)

    def handle_details(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr("details_calls")
        recs = self.select_recordings(q)
        if "format" in q or "formatName" in q or "version" in q:
            face_templates.render(self, q, recs)
            return
        as_json = self.wants_json()
        if "recordingId" not in q and emu.purge_after_list:
            with emu.dataset.lock:
                for r in recs:
                    if r.recording_id in emu.purge_after_list:
                        emu.purge_after_list.discard(r.recording_id)
                        r.deleted = True  # listed below, gone for the next request
        if not recs:
            self.send_code(19)
        elif len(recs) == 1:
            with emu.dataset.lock:
                doc = recording_doc(recs[0], emu.cfg.json_quirks, as_json)
            self.send_result(result(0, "ACK", ("recording", doc)))
        else:
            limit = self.list_limit(q)
            items = self.shuffled(recs, q)
            message = MSG_LIST
            if len(items) > limit:
                items = items[:limit]
                message = MSG_TRUNCATED
                emu.stats.incr("truncated_lists")
            self.send_result(result(-1, message, ("matches", Lst("match", [match_doc(r, self.list_seconds())
                                                          for r in items]))))

    def handle_segment_details(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr("segment_details_calls")
        segs = self.select_segments(q)
        if "format" in q or "formatName" in q or "version" in q:
            return face_media.render_segments_template(self, q, segs)
        as_json = self.wants_json()
        if not segs:
            self.send_code(19)
        elif len(segs) == 1:
            self.send_result(result(0, "ACK", ("segment", segment_doc(segs[0], emu.cfg.json_quirks, as_json))))
        else:
            limit = self.list_limit(q)
            items = self.shuffled(segs, q)
            message = MSG_LIST
            if len(items) > limit:
                items = items[:limit]
                message = MSG_TRUNCATED
                emu.stats.incr("truncated_lists")
            self.send_result(result(-1, message, ("matches", Lst("match", [segment_match_doc(s, self.list_seconds())
                                                          for s in items]))))

    def single_recording(self, q: dict[str, str]) -> Recording | None:
        recs = self.select_recordings(q)
        if not recs:
            self.send_code(19)
            return None
        if len(recs) > 1:
            self.send_result(result(-1, MSG_LIST, ("matches", Lst("match", [match_doc(r, self.list_seconds())
                                                          for r in recs[:1000]]))),
                             self.emu.cfg.vendor_error_http_status)
            return None
        rec = recs[0]
        if len(rec.segments) > 1:
            self.emu.stats.incr("multi_segment_download_errors")
            self.send_code(-1, MSG_MULTI_SEGMENT)
            return None
        return rec

    def single_segment(self, q: dict[str, str]) -> Segment | None:
        segs = self.select_segments(q)
        if not segs:
            self.send_code(19)
            return None
        if len(segs) > 1:
            self.send_result(result(-1, MSG_LIST, ("matches", Lst("match", [segment_match_doc(s, self.list_seconds())
                                                          for s in segs[:1000]]))),
                             self.emu.cfg.vendor_error_http_status)
            return None
        return segs[0]

    def handle_download(self, q: dict[str, str]) -> None:
        self.emu.stats.incr("downloads")
        rec = self.single_recording(q)
        if rec is not None:
            self.send_segment(rec.segments[0])

    def handle_segment_download(self, q: dict[str, str]) -> None:
        self.emu.stats.incr("segment_downloads")
        seg = self.single_segment(q)
        if seg is not None:
            self.send_segment(seg)

    def send_segment(self, seg: Segment) -> None:
        emu = self.emu
        if seg.in_progress:
            emu.stats.incr("in_progress_downloads")
            self.send_code(11, "Error retrieving file with supplied criteria: the recording is in progress")
            return
        size = seg.size
        self.send_response(200)
        self.send_header("Content-Type", emu.cfg.media_content_type)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Disposition", f"attachment; filename=\"{quote(seg.filename)}\"")
        self.end_headers()
        self.response_status = 200
        self.face_code = None
        if self.command == "HEAD":
            return
        drop_at = None
        if emu.cfg.media_drop_rate and emu.rng.random() < emu.cfg.media_drop_rate:
            drop_at = max(1, int(size * emu.rng.random()))
        sent = 0
        for chunk in seg.iter_bytes(emu.dataset.audio):
            if drop_at is not None and sent + len(chunk) >= drop_at:
                self.wfile.write(chunk[:drop_at - sent])
                sent = drop_at
                emu.stats.incr("media_dropped")
                self.close_connection = True
                break
            self.wfile.write(chunk)
            sent += len(chunk)
        emu.stats.incr("bytes_served", sent)
        self.wfile.flush()

    def store_url(self, seg: Segment) -> str:
        return f"{self.emu.base_url}/Recordings{seg.directory}/{quote(seg.filename, safe='')}"

    def handle_redirect(self, q: dict[str, str]) -> None:
        self.emu.stats.incr("redirects")
        rec = self.single_recording(q)
        if rec is not None:
            self.send_bytes(302, b"", None, [("Location", self.store_url(rec.segments[0]))])

    def handle_segment_redirect(self, q: dict[str, str]) -> None:
        self.emu.stats.incr("redirects")
        seg = self.single_segment(q)
        if seg is not None:
            self.send_bytes(302, b"", None, [("Location", self.store_url(seg))])

    def handle_store(self) -> None:
        """The recording store a redirect points to (no token; ref §6 [U])."""
        ds = self.emu.dataset
        rest = self.raw_path[len("/Recordings"):]
        directory, _, name = rest.rpartition("/")
        name = unquote(name)
        with ds.lock:
            seg = next((s for s in ds.segments.values() if s.directory == directory and s.filename == name), None)
        if seg is None:
            self.send_plain(404, "no such file\n")
            return
        self.send_segment(seg)

    def handle_file_download(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr("file_downloads")
        if "filename" not in q and "supplementalFileId" not in q:
            self.send_code(27, "Missing Parameter - filename or supplementalFileId is required")
            return
        if q.get("type") not in (None, "video"):
            self.send_result(result(-1, "Invalid value for parameter type; the only value is video"), 400)
            return
        with emu.dataset.lock:
            found = face_media.find_files(emu.dataset, q)
        if len(found) != 1:
            self.send_code(19)
            return
        data = found[0][2]
        emu.stats.incr("bytes_served", len(data))
        self.send_bytes(200, data, face_media.content_type(found[0]))

    def send_face_response(self, code: int, message: str) -> None:
        """The guide's answer shape for eventNotify and screen capture: <response><Code>..</Code>.."""
        self.send_result([("Code", code), ("message", message)], root="response")

    def handle_event_notify(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr_nested("control_commands", "eventNotify")
        if "event" not in q:
            self.send_code(27, "Missing Parameter - event is required")
            return
        aors = q["calledAors"].split(",") if "calledAors" in q else []
        if any(not a for a in aors):
            emu.stats.incr("rejected_params")
            self.send_code(-1, "Invalid value for parameter calledAors; expected a comma-separated list of AORs")
            return
        with emu.lock:
            emu.events.append({"event": q["event"], "ucid": q.get("ucid"), "calledAors": aors})
        self.send_face_response(0, "success")

    def screen_key(self, q: dict[str, str], command: str) -> str | None:
        """``AgentId=..`` or ``ScreenIP=..``, exactly one; else answers the error and returns None."""
        if ("AgentId" in q) == ("ScreenIP" in q):
            self.emu.stats.incr("rejected_params")
            if "AgentId" in q:
                self.send_code(-1, f"{command}: AgentId and ScreenIP are exclusive")
            else:
                self.send_code(27, "Missing Parameter - AgentId or ScreenIP is required")
            return None
        return f"AgentId={q['AgentId']}" if "AgentId" in q else f"ScreenIP={q['ScreenIP']}"

    def handle_start_screen_capture(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr_nested("control_commands", "StartScreenCapture")
        if "IsrId" not in q:
            emu.stats.incr("rejected_params")
            self.send_code(27, "Missing Parameter - IsrId is required")
            return
        key = self.screen_key(q, "StartScreenCapture")
        if key is None:
            return
        with emu.lock:
            emu.screen_captures[key] = q["IsrId"]
        self.send_face_response(0, "ACK")

    def handle_stop_screen_capture(self, q: dict[str, str]) -> None:
        emu = self.emu
        emu.stats.incr_nested("control_commands", "StopScreenCapture")
        key = self.screen_key(q, "StopScreenCapture")
        if key is None:
            return
        with emu.lock:
            emu.screen_captures.pop(key, None)
        self.send_face_response(0, "ACK")

    def handle_control_command(self, name: str, q: dict[str, str]) -> None:
        emu = self.emu
        ds = emu.dataset
        emu.stats.incr_nested("control_commands", name)
        if name == "start":
            if "ani" not in q:
                self.send_code(6)
                return
            if "dnis" not in q:
                self.send_code(7)
                return
            with ds.lock:
                rec = ds.start_recording(q["ani"], q["dnis"], int(time.time() * 1000))
            self.send_result(result(0, "start command returned successfully", ("recordingId", rec.recording_id)))
            return
        selection = {k: v for k, v in q.items() if k not in ("fillWithSilence", "codecProfile")}
        if not selection:
            self.send_code(3)
            return
        recs = self.select_recordings(selection)
        if not recs:
            self.send_code(19)
            return
        if len(recs) > 1:
            self.send_result(result(-1, MSG_LIST, ("matches", Lst("match", [match_doc(r, self.list_seconds())
                                                          for r in recs[:1000]]))),
                             emu.cfg.vendor_error_http_status)
            return
        rec = recs[0]
        now = int(time.time() * 1000)
        with ds.lock:
            if name == "delete":
                rec.deleted = True
            elif name == "stop":
                if not rec.in_progress:
                    self.send_code(13)
                    return
                ds.finish(rec)
            elif name == "pause":
                if not rec.in_progress:
                    self.send_code(12, "Recording is started by another session or not started")
                    return
                if rec.paused:
                    self.send_code(12, "Recording is already paused")
                    return
                rec.paused = True
            elif name == "resume":
                if not rec.paused:
                    self.send_code(12, "Recording is not paused")
                    return
                rec.paused = False
            elif name == "split":
                if not rec.in_progress:
                    self.send_code(12, "Recording is started by another session or not started")
                    return
                ds.split(rec, now)
        self.send_code(0, f"{name} command returned successfully")

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
