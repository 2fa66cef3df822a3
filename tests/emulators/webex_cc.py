#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Webex Contact Center (WxCC) emulator for ccrec integration tests and benchmarks.

Emulates, on one loopback HTTPS server, the parts of Webex Contact Center that ccrec uses, strictly on the
request side and realistically on the response side.  Facts come from ``docs/reference/webex-cc.md``
(cited as "ref §N") and the official spec subset (GitHub ``webex/webex-openapi-specs``, ``public-spec/webex-contact-center.json``):

* ``POST /v1/access_token``  - OAuth2 token endpoint (ref §2.2): form-encoded ``refresh_token`` and
  ``authorization_code`` grants, rotating refresh tokens (ref §2.4, [U] modelled as strict rotation with
  an optional grace period), Cisco-style opaque tokens ``<base64>_PF84_<orgId>`` (ref §2.7).
* ``GET /v1/tasks``  - Tasks API (ref §4): only ``from``, ``to``, ``channelTypes``, ``pageSize``,
  ``orgId``; sorted by createdTime; no paging fields at all (ref §4.3); ``from`` inclusivity is a knob
  because it is undocumented; ``to`` is exclusive.
* ``POST /v1/captures/query``  - Captures API (ref §5): body ``{"query": {...}}``, at most 10 unique
  task IDs, ``urlExpiration`` minutes 1..60 (default 60), stitched vs segmented main recordings, consult
  legs, virtual-agent legs, unknown task IDs answered with empty arrays (200).
* ``GET|HEAD /media/...``  - S3-style pre-signed download URLs (ref §5.4): signature checked over the raw
  request target exactly as sent, 400 InvalidArgument when an Authorization header is added, 403 when
  expired or tampered, Range requests, streamed bodies (1 GiB+ without buffering).
* ``/_emulator/...``  - test control: stats, config (fault injection at run time), ground truth.

Error bodies use the spec's ``ApiErrorResponse`` (ref §7); ``TrackingId`` request headers are echoed.
Rate limiting (ref §7): ``--rate-limit-per-minute`` is a real sliding window per client ID, ``--rate-429``
answers random 429s with ``Retry-After``.

Data are generated deterministically from ``--seed``; see README.md and ``GET /_emulator/info``.
Standard library only (plus the ``openssl`` binary, through emulib, for the throwaway CA).
"""

from __future__ import annotations

import argparse
import base64
import bisect
import collections
import datetime as _dt
import gzip
import hashlib
import hmac
import json
import math
import os
import random
import re
import secrets
import struct
import sys
import threading
import time
import uuid
from array import array
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import parse_qsl, quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
import webex_cc_auth  # noqa: E402
import webex_cc_search  # noqa: E402
import webex_cc_webhooks  # noqa: E402

NAME = "webex_cc"
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
CHANNEL_TYPES = ("email", "chat", "telephony", "social")
TASK_QUERY_PARAMS = ("from", "to", "channelTypes", "pageSize", "orgId")
CAPTURE_QUERY_KEYS = ("taskIds", "urlExpiration", "includeSegments", "includeVARecordings", "orgId")
INT64_MAX = 2**63 - 1

# Fixed identity defaults (overridable by flags).  Client IDs of Webex integrations are "C" + 64 hex.
DEFAULT_ORG_ID = "6a1f4d2e-9c3b-4e57-8a0d-2f5b7c9e1d34"
DEFAULT_CLIENT_ID = "C" + hashlib.sha256(b"ccrec-emulator-client-id").hexdigest()
DEFAULT_CLIENT_SECRET = hashlib.sha256(b"ccrec-emulator-client-secret").hexdigest()
DEFAULT_REDIRECT_URI = "http://localhost:8910/oauth/callback"
DEFAULT_SERVICE_APP_ID = base64.b64encode(b"ciscospark://us/APPLICATION/ccrec-emulator-service-app").decode().rstrip("=")
DEFAULT_SERVICE_APP_CLIENT_ID = "C" + hashlib.sha256(b"ccrec-emulator-service-app-client-id").hexdigest()
DEFAULT_SERVICE_APP_CLIENT_SECRET = hashlib.sha256(b"ccrec-emulator-service-app-client-secret").hexdigest()
DEFAULT_APPLICATIONS_TOKEN = "YXBwbGljYXRpb25zLXRva2Vu_PF84_" + "ccrec-emulator-applications-token"
_DEFAULT_REFRESH_BODY = "NWY3ZGZmYjMtNTc1Ny00ZTZmLWI2N2EtZDZiZWM1NzQ3NzdkNjRmYjk4N2ItZjc3"
_DEFAULT_CODE_BODY = "YmE5ZTI0OWItZDFkNC00NjU4LTk3ZTctNDlhYTA0YzY4ZGNhZjZiMGI5NjAtNDFj"

# S3-flavoured constants for pre-signed URLs.
S3_ACCESS_KEY = "ASIAEMULATORWXCC7Q2K"
S3_REGION = "us-east-1"

# --------------------------------------------------------------------------------------------------
# Knobs (command-line flags and POST /_emulator/config share these names)
# --------------------------------------------------------------------------------------------------


Knob = emulib.Knob  # kinds used here: int, float, prob, bool, days, str; dataset=True: a change regenerates the data

KNOBS: tuple[Knob, ...] = (
    Knob("authorize_decision", "choice", "accept", "what the user answers on GET /v1/authorize: accept (a code) "
         "or deny (error=access_denied)", choices=("accept", "deny")),
    Knob("service_app_authorized", "bool", True,
         "the Service App is authorized by a Full Admin (false: its token endpoint answers 403)"),
    Knob("access_token_ttl", "int", 3600, "access token lifetime in seconds (expires_in)", minimum=0),
    Knob("refresh_token_ttl", "int", 7_776_000, "refresh token lifetime in seconds at authorization",
         minimum=1),
    Knob("refresh_token_extend", "bool", False,
         "give rotated refresh tokens a fresh lifetime (false: they inherit the old expiry, as in "
         "Cisco's sample log, ref §2.4)"),
    Knob("refresh_grace_seconds", "float", 0.0,
         "seconds a rotated (used) refresh token stays usable", minimum=0),
    Knob("rate_429", "prob", 0.0, "probability of answering an API call with 429 + Retry-After"),
    Knob("retry_after", "int", 1, "Retry-After seconds sent with random 429s", minimum=0),
    Knob("rate_limit_per_minute", "int", 0, "sliding 60 s request limit per client ID (0 = off)",
         minimum=0),
    Knob("rate_limit_window_seconds", "float", 60.0,
         "length of the --rate-limit-per-minute sliding window (tests scale it down to stay fast)",
         minimum=0.1),
    Knob("rate_5xx", "prob", 0.0, "probability of answering an API call with 500/502/503"),
    Knob("token_5xx_rate", "prob", 0.0, "probability of answering the token endpoint with 503"),
    Knob("media_drop_rate", "prob", 0.0,
         "probability of closing a media download after a random part of the body"),
    Knob("media_5xx_rate", "prob", 0.0, "probability of answering a media GET with 500/503 (S3 XML)"),
    Knob("media_short_206_rate", "prob", 0.0,
         "probability of answering a Range request with a 206 that stops early (an honest Content-Range "
         "ending before the last byte, e.g. a CDN capping range sizes)"),
    Knob("media_replace_on_drop", "prob", 0.0,
         "probability that a dropped recording download is followed by the object being replaced (new "
         "bytes, new ETag and Last-Modified) before the client resumes"),
    Knob("latency_ms", "int", 0, "delay added to every API and media request", minimum=0),
    Knob("url_expiry_override_seconds", "int", None,
         "pre-signed URLs expire after this many seconds regardless of urlExpiration", minimum=0,
         nullable=True),
    Knob("from_inclusive", "bool", True, "tasks with createdTime == from are returned (undocumented, ref §4.3)"),
    Knob("settle_pending", "bool", False,
         "late tasks settle: pending captures appear, captureRequested null becomes true/false, open "
         "tasks complete"),
    Knob("seed", "int", 1, "seed of the data set and of fault randomness", dataset=True),
    Knob("day", "days", ["2026-11-01"], "UTC day(s) of generated data (repeatable)", dataset=True),
    Knob("days", "int", 1, "number of consecutive days starting at each --day", dataset=True, minimum=1,
         maximum=366),
    Knob("tasks_per_day", "int", 1200, "tasks generated per day (all channels)", dataset=True, minimum=0,
         maximum=200_000),
    Knob("big_cluster_size", "int", 12, "size of the largest group of tasks sharing one millisecond",
         dataset=True, minimum=0, maximum=100_000),
    Knob("median_size_bytes", "int", 64 * 1024, "median recording size", dataset=True, minimum=64),
    Knob("min_size_bytes", "int", 4 * 1024, "smallest recording size", dataset=True, minimum=64),
    Knob("max_size_bytes", "int", 2 * 1024 * 1024, "largest recording size (except the large one)",
         dataset=True, minimum=64),
    Knob("large_recording_bytes", "int", 0,
         "size of the designated task's main recording (0 = off); rounded down to a multiple of 4",
         dataset=True, minimum=0),
    Knob("large_recording_task_id", "str", None,
         "task ID that gets the large recording (off = first recorded telephony task)", dataset=True,
         nullable=True),
    *emulib.TRICKLE_KNOBS,
)


class Config(emulib.KnobConfig):
    """Current knob values.  Attribute reads are lock-free (atomic under the GIL); updates are locked."""

    KNOBS = KNOBS

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.check_sizes(self.as_dict())

    @staticmethod
    def check_sizes(v: dict) -> None:
        if not v["min_size_bytes"] <= v["median_size_bytes"] <= v["max_size_bytes"]:
            raise ValueError("need min_size_bytes <= median_size_bytes <= max_size_bytes")
        if v["large_recording_bytes"] and v["large_recording_bytes"] < 64:
            raise ValueError("large_recording_bytes must be 0 or at least 64")

    def validate(self, changes: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Check ``changes`` (knob name -> value, dashes allowed) against the current values.

        Returns (complete new values, whether the data set must be rebuilt); raises ValueError.
        """
        new = self.as_dict()
        new.update(self.coerce_changes(changes))
        self.check_sizes(new)
        rebuild = any(new[k.name] != getattr(self, k.name) for k in KNOBS if k.dataset)
        return new, rebuild


# --------------------------------------------------------------------------------------------------
# Audio: WAV files generated on the fly from a repeating block
# --------------------------------------------------------------------------------------------------

WAV_HEADER_BYTES = 44
SAMPLE_RATE = 8000
CHANNELS = 2  # channel1 / channel2 of the Captures API (caller / agent)
BYTES_PER_FRAME = 4  # 16-bit PCM stereo
BYTES_PER_MS = SAMPLE_RATE * BYTES_PER_FRAME // 1000  # 32


def wav_header(data_len: int) -> bytes:
    """Canonical 44-byte RIFF/WAVE header for 8 kHz 16-bit PCM stereo."""
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_len, b"WAVE", b"fmt ", 16, 1, CHANNELS,
                       SAMPLE_RATE, SAMPLE_RATE * BYTES_PER_FRAME, BYTES_PER_FRAME, 16, b"data", data_len)


class AudioBank(emulib.RepeatingBlock):
    """A PERIOD-byte block of PCM (a chirp on the left, a tone on the right, plus seeded noise).

    A recording's payload byte ``i`` is ``block[(offset + i) % PERIOD]`` where ``offset`` is derived
    from (seed, task ID, recording ID); segments are slices of their main recording.  Pieces of up to
    CHUNK bytes are zero-copy memoryview slices (emulib.RepeatingBlock).
    """

    PERIOD = 256 * 1024
    CHUNK = 512 * 1024

    def __init__(self, seed: int) -> None:
        frames = self.PERIOD // BYTES_PER_FRAME
        rng = random.Random(f"wxcc-audio:{seed}")
        noise = rng.randbytes(frames * 2)
        samples = array("h", bytes(self.PERIOD))
        two_pi = 2 * math.pi
        phase_l = phase_r = 0.0
        step_r = two_pi * 440.0 / SAMPLE_RATE
        for i in range(frames):
            f_l = 300.0 + 900.0 * i / frames
            phase_l += two_pi * f_l / SAMPLE_RATE
            phase_r += step_r
            samples[2 * i] = int(6000 * math.sin(phase_l)) + noise[2 * i] - 128
            samples[2 * i + 1] = int(4000 * math.sin(phase_r)) + noise[2 * i + 1] - 128
        if sys.byteorder == "big":
            samples.byteswap()
        super().__init__(samples.tobytes())


# --------------------------------------------------------------------------------------------------
# Data set
# --------------------------------------------------------------------------------------------------

FIRST_NAMES = ("Joseph", "Maria", "Wei", "Aisha", "Lukas", "Priya", "Carlos", "Emma", "Kenji", "Fatima",
               "Oliver", "Sofia", "Mateo", "Hannah", "Ibrahim", "Chloe", "Noah", "Elena", "Ravi", "Zoe")
LAST_NAMES = ("Lambert", "Garcia", "Chen", "Okafor", "Schmidt", "Patel", "Rossi", "Dubois", "Tanaka",
              "Haddad", "Nguyen", "Kowalski", "Silva", "Murphy", "Novak", "Berg")
QUEUE_NAMES = ("Technical Support Queue", "Billing Queue", "Sales Queue", "Claims Queue",
               "Spanish Support Queue", "VIP Queue")
OUTDIAL_QUEUE = "cb_outdial_queue"
REASON_CODES = ("Credit", "Billing", "Technical", "Sales", "Complaint", "Other")
ENTRY_NUMBERS = ("+18005550100", "+18005550142", "+18775550199")
OUTDIAL_ANI = "+14155550123"


@dataclass
class MediaObject:
    """Something downloadable through a pre-signed URL: a recording (WAV) or a transcript (JSON)."""

    id: str
    task_id: str
    kind: str  # stitched | segment | consult | va | transcript
    file_name: str
    start_ms: int = 0
    stop_ms: int = 0
    call_type: str = ""
    segment: bool = False
    participants: list = field(default_factory=list)
    channel1: str = ""
    channel2: str = ""
    sensitive: bool | None = None
    data_len: int = 0  # WAV payload bytes (recordings)
    offset: int = 0  # start of the payload in the AudioBank block
    content: bytes | None = None  # transcripts: the whole file
    source: str = ""  # transcripts
    generation: int = 0  # times replaced (media_replace_on_drop); moves Last-Modified

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else WAV_HEADER_BYTES + self.data_len

    @property
    def content_type(self) -> str:
        return "application/json" if self.content is not None else "audio/wav"

    @property
    def url_tag(self) -> str:
        """Suffix after the ``~`` in the download path: main, consult, va-main, segment or transcript."""
        if self.kind in ("transcript", "segment"):
            return self.kind
        return self.call_type

    def iter_bytes(self, audio: AudioBank, start: int, end: int) -> Iterator[bytes | memoryview]:
        """Bytes [start, end) of the file, streamed (never materialises a large body)."""
        if self.content is not None:
            yield self.content[start:end]
            return
        yield from emulib.iter_with_header(wav_header(self.data_len), audio, self.offset, start, end)


@dataclass
class Task:
    id: str
    created: int
    channel: str
    direction: str
    origin: str
    destination: str
    owner: dict | None
    queue: dict | None
    reason_code: str | None
    # "final" = after settle_pending; "initial" = before (differs only for late tasks)
    status_final: str
    status_initial: str
    capture_final: bool | None
    capture_initial: bool | None
    updated_final: int
    updated_initial: int
    state: str  # recorded pending unknown open purged none transcript
    eventual_state: str
    stitched: list = field(default_factory=list)  # [main, consult...]
    segments: list = field(default_factory=list)  # [segment..., consult...]
    va: list = field(default_factory=list)
    transcripts: list = field(default_factory=list)
    cluster_size: int = 1
    large: bool = False
    ivr_only: bool = False
    owner_initially_hidden: bool = False  # open task not yet assigned: owner appears when settled

    def attributes(self, settled: bool) -> dict:
        """Tasks API ``TaskAttributes`` (ref §4.2): optional fields omitted as on a live tenant."""
        a: dict[str, Any] = {}
        if self.owner is not None and (settled or not self.owner_initially_hidden):
            a["owner"] = dict(self.owner)
        if self.queue is not None:
            a["queue"] = dict(self.queue)
        a["channelType"] = self.channel
        a["status"] = self.status_final if settled else self.status_initial
        a["createdTime"] = self.created
        a["lastUpdatedTime"] = self.updated_final if settled else self.updated_initial
        a["captureRequested"] = self.capture_final if settled else self.capture_initial
        a["origin"] = self.origin
        a["destination"] = self.destination
        a["direction"] = self.direction
        if self.reason_code is not None:
            a["reasonCode"] = self.reason_code
        return a

    def available(self, settled: bool) -> bool:
        """Whether captures are returned now (pending/unknown/open tasks only after settling)."""
        return self.state in ("recorded", "transcript") or (settled and self.eventual_state in ("recorded", "transcript"))

    def recordings(self, settled: bool, include_segments: bool, include_va: bool) -> list[MediaObject]:
        if not self.available(settled):
            return []
        recs = list(self.segments if include_segments else self.stitched)
        if include_va:
            recs = list(self.va) + recs
        return recs

    def transcriptions(self, settled: bool) -> list[MediaObject]:
        return list(self.transcripts) if self.available(settled) else []


def _uuid_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _uuid_hash(*parts: Any) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _int_hash(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()[:8], "big")


def mask_contact(contact: str) -> str:
    """Mask like the Captures API example ``+121****1219`` (ref §5.2)."""
    if "@" in contact:
        user, _, domain = contact.partition("@")
        return f"{user[:2]}****@{domain}"
    return f"{contact[:4]}****{contact[-4:]}" if len(contact) > 8 else "****"


class Dataset:
    """All tasks of the configured days, generated deterministically from the knobs."""

    def __init__(self, cfg: Config | _Values, org_id: str) -> None:
        self.seed = cfg.seed
        self.org_id = org_id
        self.audio = AudioBank(cfg.seed)
        rng = random.Random(f"wxcc-people:{cfg.seed}")
        self.agents = [{"id": _uuid_from(rng), "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"}
                       for _ in range(40)]
        self.queues = [{"id": _uuid_from(rng), "name": n} for n in QUEUE_NAMES]
        self.outdial_queue = {"id": _uuid_from(rng), "name": OUTDIAL_QUEUE}
        self.va_id = _uuid_from(rng)
        self.size_knobs = (cfg.median_size_bytes, cfg.min_size_bytes, cfg.max_size_bytes)

        start_days = [_dt.date.fromisoformat(d) for d in cfg.day]
        days = sorted({d + _dt.timedelta(days=i) for d in start_days for i in range(cfg.days)})
        self.days = [d.isoformat() for d in days]
        tasks: list[Task] = []
        for d in self.days:
            tasks.extend(self._generate_day(d, cfg.tasks_per_day, cfg.big_cluster_size))
        tasks.sort(key=lambda t: (t.created, t.id))
        self.tasks = tasks
        self.created_keys = [t.created for t in tasks]
        self.by_id = {t.id: t for t in tasks}

        self.large_task_id = None
        if cfg.large_recording_bytes:
            self._apply_large(cfg.large_recording_bytes, cfg.large_recording_task_id)

        self.objects: dict[tuple[str, str], MediaObject] = {}
        for t in tasks:
            for obj in [*t.stitched, *t.segments, *t.va, *t.transcripts]:
                self.objects[(t.id, obj.id)] = obj
        self._sha_cache: dict[tuple[str, str, int, int], str] = {}
        self._sha_lock = threading.Lock()

    # --- generation -----------------------------------------------------------------------------------

    def _times(self, rng: random.Random, day_start: int, n: int, big: int) -> list[int]:
        """createdTime values: boundary tasks, same-millisecond clusters, then a business-hours spread."""
        times: list[int] = []
        budget = n // 2
        if n >= 10:
            times += [day_start, day_start + DAY_MS - 1]  # first and last millisecond of the day
        if n >= 20 and budget >= 4:
            t = day_start + 12 * HOUR_MS  # a cluster exactly on an hour boundary
            times += [t] * 4
            budget -= 4
        if big >= 2 and len(times) + big <= n:  # may exceed half the day, e.g. > 1000 tasks in one ms
            times += [day_start + rng.randrange(9 * HOUR_MS, 17 * HOUR_MS)] * big
            budget -= big
        for _ in range(max(1, n // 80) if n >= 20 else 0):
            k = rng.randint(3, 5)
            if budget < k:
                break
            times += [day_start + rng.randrange(8 * HOUR_MS, 20 * HOUR_MS)] * k
            budget -= k
        while len(times) < n:
            if rng.random() < 0.7:
                times.append(day_start + rng.randrange(8 * HOUR_MS, 20 * HOUR_MS))
            else:
                times.append(day_start + rng.randrange(1, DAY_MS - 1))
        times = times[:n]
        times.sort()
        return times

    def _generate_day(self, day: str, n: int, big: int) -> list[Task]:
        rng = random.Random(f"wxcc-day:{self.seed}:{day}:{n}:{big}")
        times = self._times(rng, emulib.utc_day_start_ms(day), n, big)
        counts = collections.Counter(times)
        out = []
        for created in times:
            task = self._make_task(rng, created)
            task.cluster_size = counts[created]
            out.append(task)
        return out

    def _phone(self, rng: random.Random) -> str:
        return f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"

    def _make_task(self, rng: random.Random, created: int) -> Task:
        task_id = _uuid_from(rng)
        r = rng.random()
        channel = "telephony" if r < 0.80 else "chat" if r < 0.90 else "email" if r < 0.97 else "social"
        owner = rng.choice(self.agents)
        queue = rng.choice(self.queues)
        reason = rng.choice(REASON_CODES) if rng.random() < 0.6 else None
        if channel == "telephony":
            d = rng.random()
            direction = "inbound" if d < 0.75 else "outdial" if d < 0.95 else "outbound"
            customer = self._phone(rng)
            if direction == "inbound":
                origin, destination = customer, rng.choice(ENTRY_NUMBERS)
            else:
                origin, destination = OUTDIAL_ANI, customer
                queue = self.outdial_queue if direction == "outdial" else queue
        else:
            direction = "inbound"
            user = f"{rng.choice(FIRST_NAMES).lower()}.{rng.choice(LAST_NAMES).lower()}{rng.randint(1, 99)}"
            customer = f"{user}@example.{rng.choice(['com', 'org', 'net'])}"
            origin = customer
            destination = {"chat": "https://www.example.com/support/chat", "email": "support@example.com",
                           "social": "https://www.facebook.com/examplecorp"}[channel]
        wait = rng.randint(2_000, 90_000)
        handle = rng.randint(60_000, 900_000)
        t = Task(id=task_id, created=created, channel=channel, direction=direction, origin=origin,
                 destination=destination, owner=owner, queue=queue, reason_code=reason,
                 status_final="completed", status_initial="completed", capture_final=False,
                 capture_initial=False, updated_final=created + wait + handle,
                 updated_initial=created + wait + handle, state="none", eventual_state="none")
        s = rng.random()
        if channel == "telephony":
            if s < 0.07:  # abandoned in queue or in the IVR: no agent, sometimes no queue, no capture
                t.status_final = t.status_initial = "abandoned"
                t.owner, t.reason_code = None, None
                if rng.random() < 0.4:
                    t.queue = None
                t.updated_final = t.updated_initial = created + wait
                return t
            if s < 0.12:  # IVR-only: self-service, never reached an agent or a queue
                t.owner = t.queue = t.reason_code = None
                t.ivr_only = True
                t.updated_final = t.updated_initial = created + wait
                return t
            if rng.random() < 0.03:
                t.queue = None  # queue occasionally missing on live responses
            if s < 0.14:  # still open: captureRequested unknown, no capture until it completes
                t.state, t.eventual_state = "open", "recorded"
                t.status_initial = rng.choice(["assigned", "assigned", "offered", "queued"])
                t.owner_initially_hidden = t.status_initial in ("offered", "queued")
                t.capture_initial, t.capture_final = None, True
                t.updated_initial = created + wait
                self._make_recordings(rng, t, wait)
                return t
            c = rng.random()
            if c < 0.13:
                return t  # captureRequested false: never recorded
            t.capture_final = t.capture_initial = True
            k = rng.random()
            if k < 0.06:
                t.state, t.eventual_state = "pending", "recorded"  # capture not available yet
                t.updated_initial = created + wait + handle // 2
            elif k < 0.10:
                eventual = rng.random() < 0.7
                t.state, t.eventual_state = "unknown", "recorded" if eventual else "none"
                t.capture_initial, t.capture_final = None, eventual
                t.updated_initial = created + wait
            elif k < 0.11:
                t.state = t.eventual_state = "purged"  # requested but never available (retention)
                return t
            else:
                t.state = t.eventual_state = "recorded"
            if t.eventual_state == "recorded":
                self._make_recordings(rng, t, wait)
            return t
        # digital channels: transcripts only
        if s < 0.10 and channel == "chat":
            t.status_final = t.status_initial = "abandoned"
            t.owner, t.reason_code = None, None
            t.updated_final = t.updated_initial = created + wait
            return t
        c = rng.random()
        if c < 0.40:
            t.capture_final = t.capture_initial = True
            t.state = t.eventual_state = "transcript"
        elif c < 0.50:
            t.capture_initial, t.capture_final = None, True
            t.state, t.eventual_state = "unknown", "transcript"
            t.updated_initial = created + wait
        if t.eventual_state == "transcript":
            t.transcripts.append(self._make_transcript(rng, t))
        return t

    def _size(self, rng: random.Random) -> int:
        """Payload bytes for one recording: log-normal around the median, clamped, multiple of 4."""
        median, lo, hi = self.size_knobs
        size = int(median * math.exp(0.8 * rng.gauss(0.0, 1.0)))
        size = max(lo, min(hi, size))
        return max(BYTES_PER_FRAME, (size - WAV_HEADER_BYTES) // BYTES_PER_FRAME * BYTES_PER_FRAME)

    def _offset(self, task_id: str, rec_id: str) -> int:
        return _int_hash("offset", self.seed, task_id, rec_id) % (AudioBank.PERIOD // BYTES_PER_FRAME) * BYTES_PER_FRAME

    def _make_recordings(self, rng: random.Random, t: Task, wait: int) -> None:
        """Stitched main + 2-3 segments of it, 0-2 consult legs, sometimes a virtual-agent leg."""
        size_rng = random.Random(f"wxcc-size:{self.seed}:{t.id}")
        n_consult = 0 if (c := rng.random()) < 0.72 else 1 if c < 0.92 else 2
        n_segments = 2 if rng.random() < 0.6 else 3
        has_va = t.direction == "inbound" and rng.random() < 0.12
        customer = t.origin if t.direction == "inbound" else t.destination
        masked = mask_contact(customer)
        agent = t.owner["id"]

        main_id = _uuid_hash("rec", self.seed, t.id, "main")
        main = MediaObject(id=main_id, task_id=t.id, kind="stitched", file_name="recording-1.wav",
                           call_type="main", segment=False, participants=[agent, masked],
                           channel1="Caller", channel2="Agent", data_len=self._size(size_rng),
                           offset=self._offset(t.id, main_id))
        main.start_ms = t.created + wait
        main.stop_ms = main.start_ms + main.data_len // BYTES_PER_MS
        cuts = sorted(size_rng.uniform(0.15, 0.85) for _ in range(n_segments - 1))
        self._split(main, cuts, t)

        consults = []
        for j in range(n_consult):
            cid = _uuid_hash("rec", self.seed, t.id, "consult", j)
            other = rng.choice([a for a in self.agents if a["id"] != agent])
            c_obj = MediaObject(id=cid, task_id=t.id, kind="consult", file_name=f"consult-{j + 1}.wav",
                                call_type="consult", segment=False, participants=[agent, other["id"]],
                                channel1="Agent", channel2="Agent", data_len=self._size(size_rng),
                                offset=self._offset(t.id, cid))
            c_obj.start_ms = main.start_ms + int((main.stop_ms - main.start_ms) * rng.uniform(0.1, 0.7))
            c_obj.stop_ms = c_obj.start_ms + c_obj.data_len // BYTES_PER_MS
            consults.append(c_obj)
        t.stitched = [main, *consults]
        t.segments = [*t.segments, *consults]
        if has_va:
            vid = _uuid_hash("rec", self.seed, t.id, "va-main")
            v = MediaObject(id=vid, task_id=t.id, kind="va", file_name="va-recording-1.wav",
                            call_type="va-main", segment=False, participants=[self.va_id, masked],
                            channel1="VA", channel2="Caller", sensitive=rng.random() < 0.3,
                            data_len=self._size(size_rng), offset=self._offset(t.id, vid))
            v.start_ms = t.created + 500
            v.stop_ms = v.start_ms + v.data_len // BYTES_PER_MS
            t.va = [v]
        last_stop = max(r.stop_ms for r in [*t.stitched, *t.va])
        t.updated_final = last_stop + rng.randint(5_000, 120_000)
        if t.state == "recorded":
            t.updated_initial = t.updated_final

    def _split(self, main: MediaObject, cuts: list[float], t: Task) -> None:
        """Segments of the stitched main recording: contiguous slices of its payload."""
        bounds = [0] + [int(main.data_len * c) // BYTES_PER_FRAME * BYTES_PER_FRAME for c in cuts] + [main.data_len]
        segs = []
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1]
            if b - a < BYTES_PER_FRAME:
                continue
            sid = _uuid_hash("rec", self.seed, t.id, "segment", k)
            seg = MediaObject(id=sid, task_id=t.id, kind="segment", file_name=f"recording-1_segment-{k + 1}.wav",
                              call_type="main", segment=True, participants=list(main.participants),
                              channel1=main.channel1, channel2=main.channel2, data_len=b - a,
                              offset=(main.offset + a) % AudioBank.PERIOD)
            seg.start_ms = main.start_ms + a // BYTES_PER_MS
            seg.stop_ms = main.start_ms + b // BYTES_PER_MS
            segs.append(seg)
        t.segments = segs

    def _make_transcript(self, rng: random.Random, t: Task) -> MediaObject:
        conv = "CSR" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
        file_name = {"chat": "chatTranscript.json", "email": "emailTranscript.json",
                     "social": "facebookTranscript.json"}[t.channel]
        lines = [{"from": "customer" if i % 2 == 0 else "agent", "timestamp": t.created + 1000 * (i + 1),
                  "text": f"message {i + 1} of task {t.id}"} for i in range(rng.randint(2, 12))]
        body = json.dumps({"conversationId": conv, "taskId": t.id, "channel": t.channel, "messages": lines},
                          indent=1).encode()
        return MediaObject(id=conv, task_id=t.id, kind="transcript", file_name=file_name, content=body,
                           source=t.channel, start_ms=t.created, stop_ms=t.updated_final)

    def _apply_large(self, size: int, wanted: str | None) -> None:
        if wanted:
            task = self.by_id.get(wanted)
            if task is None or not task.stitched:
                raise ValueError(f"large_recording_task_id {wanted!r} is not a task with recordings")
        else:
            task = next((t for t in self.tasks if t.state == "recorded" and t.stitched), None)
            if task is None:
                return
        main = task.stitched[0]
        main.data_len = max(BYTES_PER_FRAME, (size - WAV_HEADER_BYTES) // BYTES_PER_FRAME * BYTES_PER_FRAME)
        main.stop_ms = main.start_ms + main.data_len // BYTES_PER_MS
        consults = [r for r in task.segments if r.kind == "consult"]
        n = sum(1 for r in task.segments if r.kind == "segment")
        self._split(main, [(k + 1) / n for k in range(n - 1)], task)
        task.segments += consults
        task.updated_final = max(task.updated_final, main.stop_ms + 5_000)
        task.updated_initial = max(task.updated_initial, task.updated_final) if task.state == "recorded" else task.updated_initial
        task.large = True
        self.large_task_id = task.id

    # --- queries --------------------------------------------------------------------------------------

    def window(self, lo_ms: int, hi_ms: int, inclusive_from: bool = True) -> Iterator[Task]:
        """Tasks with lo <= createdTime < hi (lo < createdTime when not inclusive), ascending."""
        i = (bisect.bisect_left if inclusive_from else bisect.bisect_right)(self.created_keys, lo_ms)
        j = bisect.bisect_left(self.created_keys, hi_ms)
        for k in range(i, j):
            yield self.tasks[k]

    def sha256(self, obj: MediaObject) -> str:
        key = (obj.task_id, obj.id, obj.size, obj.offset)
        with self._sha_lock:
            cached = self._sha_cache.get(key)
        if cached:
            return cached
        h = hashlib.sha256()
        for chunk in obj.iter_bytes(self.audio, 0, obj.size):
            h.update(chunk)
        digest = h.hexdigest()
        with self._sha_lock:
            self._sha_cache[key] = digest
        return digest

    def etag(self, obj: MediaObject) -> str:
        return '"' + hashlib.md5(f"{self.seed}:{obj.task_id}:{obj.id}:{obj.size}:{obj.offset}".encode()).hexdigest() + '"'

    @staticmethod
    def replace(obj: MediaObject) -> None:
        """The object is uploaded again with other bytes (recordings only): its payload moves in the
        audio block, so its bytes, sha256, ETag and Last-Modified all change."""
        if obj.content is None:
            obj.offset = (obj.offset + 7919) % AudioBank.PERIOD
            obj.generation += 1


# --------------------------------------------------------------------------------------------------
# OAuth state
# --------------------------------------------------------------------------------------------------


def cisco_token(org_id: str) -> str:
    """Opaque token in the observed Cisco shape ``<base64 text>_PF84_<orgId>`` (ref §2.7, [U])."""
    text = f"{uuid.uuid4()}{uuid.uuid4().hex[:12]}"
    return base64.b64encode(text.encode()).decode().rstrip("=") + "_PF84_" + org_id


@dataclass
class AccessToken:
    client_id: str
    expires_at: float


@dataclass
class RefreshToken:
    client_id: str
    expires_at: float
    rotated_at: float | None = None


class OAuthState:
    def __init__(self, org_id: str, client_id: str, client_secret: str, refresh_token: str,
                 auth_code: str, redirect_uri: str, cfg: Config) -> None:
        self.org_id = org_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.cfg = cfg
        self.lock = threading.Lock()
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {
            refresh_token: RefreshToken(client_id, time.time() + cfg.refresh_token_ttl)}
        self.codes: dict[str, bool] = {auth_code: False}  # code -> used
        self.clients: dict[str, str] = {client_id: client_secret}  # client id -> secret (+ the Service App)

    def client_ok(self, client_id: str, secret: str) -> bool:
        known = self.clients.get(client_id)
        return known is not None and hmac.compare_digest(secret.encode(), known.encode())

    def new_code(self) -> str:
        """A fresh single-use authorization code (GET /v1/authorize)."""
        code = cisco_token(self.org_id)
        with self.lock:
            self.codes[code] = False
        return code

    def issue_for(self, client_id: str) -> dict:
        """A token pair of another client (the Service App token endpoint)."""
        with self.lock:
            return self._issue(time.time() + self.cfg.refresh_token_ttl, client_id)

    def _issue(self, refresh_expires_at: float, client_id: str | None = None) -> dict:
        now = time.time()
        client_id = client_id or self.client_id
        access = cisco_token(self.org_id)
        refresh = cisco_token(self.org_id)
        self.access[access] = AccessToken(client_id, now + self.cfg.access_token_ttl)
        self.refresh[refresh] = RefreshToken(client_id, refresh_expires_at)
        return {"access_token": access, "expires_in": int(self.cfg.access_token_ttl),
                "refresh_token": refresh,
                "refresh_token_expires_in": max(0, round(refresh_expires_at - now)),
                "token_type": "Bearer"}

    def grant_refresh(self, token: str, client_id: str | None = None) -> tuple[dict | None, str, bool]:
        """Returns (response, error description, reuse_attempt)."""
        now = time.time()
        with self.lock:
            rec = self.refresh.get(token)
            if rec is None or (client_id is not None and rec.client_id != client_id):
                return None, "The refresh token provided is invalid.", False
            if now >= rec.expires_at:
                return None, "The refresh token provided has expired.", False
            if rec.rotated_at is not None and now - rec.rotated_at > self.cfg.refresh_grace_seconds:
                return None, "The refresh token provided has already been used.", True
            if rec.rotated_at is None:
                rec.rotated_at = now
            expires = now + self.cfg.refresh_token_ttl if self.cfg.refresh_token_extend else rec.expires_at
            return self._issue(expires, rec.client_id), "", False

    def grant_code(self, code: str, redirect_uri: str) -> tuple[dict | None, str]:
        with self.lock:
            used = self.codes.get(code)
            if used is None:
                return None, "The authorization code provided is invalid."
            if used:
                return None, "The authorization code provided has already been used."
            if redirect_uri != self.redirect_uri:
                return None, "redirect_uri does not match the one used for authorization."
            self.codes[code] = True
            return self._issue(time.time() + self.cfg.refresh_token_ttl), ""

    def check_access(self, token: str) -> tuple[str | None, str]:
        """Returns (client_id, "") when valid, else (None, "unknown"|"expired")."""
        with self.lock:
            rec = self.access.get(token)
        if rec is None:
            return None, "unknown"
        if time.time() >= rec.expires_at:
            return None, "expired"
        return rec.client_id, ""

    def expire_all(self) -> int:
        now = time.time()
        with self.lock:
            for rec in self.access.values():
                rec.expires_at = min(rec.expires_at, now)
            return len(self.access)


class RateLimiter:
    """Sliding 60-second window per client ID (ref §7: 300 requests/min per client ID on a real tenant)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[str, collections.deque] = collections.defaultdict(collections.deque)

    def check(self, client_id: str, limit: int, window: float = 60.0) -> int:
        """0 when allowed (and counted), else the seconds to wait.  ``window``: seconds (default 60)."""
        if limit <= 0:
            return 0
        now = time.monotonic()
        with self.lock:
            q = self.hits[client_id]
            while q and now - q[0] >= window:
                q.popleft()
            if len(q) >= limit:
                return max(1, math.ceil(q[0] + window - now))
            q.append(now)
            return 0

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()


# --------------------------------------------------------------------------------------------------
# Pre-signed URLs
# --------------------------------------------------------------------------------------------------


class Presigner:
    """S3-looking pre-signed URLs, signed with HMAC-SHA256 over ``Host`` + the raw request target.

    The URL deliberately contains characters a careless client re-encodes or decodes: ``%2F`` in
    X-Amz-Credential, ``%2B``/``%2F``/``%3D`` in X-Amz-Security-Token, ``%3B%20``/``%3D%22`` in
    response-content-disposition and a ``~`` in the path.  Verification is over the exact bytes sent.
    """

    def __init__(self) -> None:
        self.secret = secrets.token_bytes(32)
        # STS-session-token look-alike that always needs escaping (+, / and = padding).
        raw = b"\x21\x0a\x09" + secrets.token_bytes(60) + b"\xfb\xef\xbe\xff\xff\xff" + secrets.token_bytes(31)
        self.session_token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(raw).decode()

    @staticmethod
    def path_for(org_id: str, obj: MediaObject) -> str:
        ext = "json" if obj.kind == "transcript" else "wav"
        area = "transcripts" if obj.kind == "transcript" else "recordings"
        return f"/media/{area}/{org_id}/{obj.task_id}/{obj.id}~{obj.url_tag}.{ext}"

    def sign(self, host: str, target_without_signature: str) -> str:
        return hmac.new(self.secret, f"{host}\n{target_without_signature}".encode(), hashlib.sha256).hexdigest()

    def url(self, scheme: str, host: str, path: str, expires_s: int, now: float, file_name: str) -> str:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        query = "&".join([
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=" + quote(f"{S3_ACCESS_KEY}/{amz_date[:8]}/{S3_REGION}/s3/aws4_request", safe=""),
            f"X-Amz-Date={amz_date}",
            f"X-Amz-Expires={expires_s}",
            "X-Amz-Security-Token=" + quote(self.session_token, safe=""),
            "X-Amz-SignedHeaders=host",
            "response-content-disposition=" + quote(f'attachment; filename="{file_name}"', safe=""),
        ])
        target = f"{path}?{query}"
        return f"{scheme}://{host}{target}&X-Amz-Signature={self.sign(host, target)}"


# --------------------------------------------------------------------------------------------------
# Emulator state
# --------------------------------------------------------------------------------------------------

STAT_COUNTERS = ("connections", "tls_handshake_failures", "status_401", "status_429", "status_5xx", "token_refreshes",
                 "auth_code_grants", "token_errors", "refresh_token_reuse", "expired_token_calls",
                 "media_authorization_rejected", "media_signature_mismatch", "media_expired",
                 "media_dropped", "media_range_requests", "bytes_served", "captures_task_ids",
                 "urls_issued", "media_if_range_requests", "media_if_range_mismatch", "media_short_206",
                 "media_replaced", "authorize_codes", "authorize_denied", "authorize_redirect_mismatch",
                 "service_app_tokens")


class _Values:
    """Attribute view of a knob dict (what Dataset reads from a Config)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


class WebexEmulator:
    def __init__(self, cfg: Config, identity: dict) -> None:
        self.cfg = cfg
        self.identity = identity
        self.org_id = identity["org_id"]
        self.stats = emulib.Stats()
        self.requests = emulib.RequestLog()
        self.rng = emulib.ThreadSafeRandom(f"wxcc-faults:{cfg.seed}")
        self.oauth = OAuthState(self.org_id, identity["client_id"], identity["client_secret"],
                                identity["refresh_token"], identity["auth_code"], identity["redirect_uri"], cfg)
        self.service_app = identity["service_app"]
        self.oauth.clients[self.service_app["client_id"]] = self.service_app["client_secret"]
        self.limiter = RateLimiter()
        self.presigner = Presigner()
        self.dataset_lock = threading.Lock()
        self.dataset = Dataset(cfg, self.org_id)
        self.host = ""  # "127.0.0.1:PORT", set once bound
        self.scheme = "https"

    def apply_config(self, changes: dict) -> None:
        """Validate, rebuild the data set if a data-set knob changed, then commit (all or nothing)."""
        with self.dataset_lock:
            new, rebuild = self.cfg.validate(changes)
            dataset = Dataset(_Values(new), self.org_id) if rebuild else None
            reseed = new["seed"] != self.cfg.seed
            self.cfg.commit(new)
            if dataset is not None:
                self.dataset = dataset
            if reseed:
                self.rng.reseed(f"wxcc-faults:{self.cfg.seed}")

    def stats_snapshot(self) -> dict:
        """Counters for GET /_emulator/stats; ``responses`` is {endpoint: {status: count}}."""
        snap = self.stats.snapshot(STAT_COUNTERS)
        snap.setdefault("requests", {})
        return emulib.group_responses(snap)


def api_error(tracking_id: str, status: int, description: str) -> dict:
    """Spec ``ApiErrorResponse`` (ref §7)."""
    return {"trackingId": tracking_id, "error": {"key": str(status), "message": [{"description": description}]}}


def s3_error_xml(code: str, message: str, request_id: str, extra: dict | None = None) -> bytes:
    parts = [f"<Code>{code}</Code>", f"<Message>{_xml_escape(message)}</Message>"]
    for k, v in (extra or {}).items():
        parts.append(f"<{k}>{_xml_escape(str(v))}</{k}>")
    parts.append(f"<RequestId>{request_id}</RequestId>")
    parts.append(f"<HostId>{base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()}</HostId>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>").encode()


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_INT_RE = re.compile(r"-?[0-9]{1,19}")


class BadRequest(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def parse_int_param(name: str, value: str, lo: int | None = None, hi: int | None = None) -> int:
    if not _INT_RE.fullmatch(value or ""):
        raise BadRequest(400, f"Query parameter '{name}' must be an integer, got '{value}'.")
    v = int(value)
    if not -INT64_MAX - 1 <= v <= INT64_MAX:
        raise BadRequest(400, f"Query parameter '{name}' is out of range for a 64-bit integer.")
    if lo is not None and v < lo or hi is not None and v > hi:
        raise BadRequest(400, f"Query parameter '{name}' must be between {lo} and {hi}, got {v}.")
    return v


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(emulib.EmulatorRequestHandler):
    log_prefix = NAME
    emu: WebexEmulator

    def version_string(self) -> str:
        path = getattr(self, "path", None) or ""  # unset when the request line itself is malformed
        return "AmazonS3" if path.startswith("/media/") else "ccrec-emulator/1.0 (webex_cc)"

    # --- routing ------------------------------------------------------------------------------------

    def route(self) -> None:
        path = self.raw_path
        if path == "/v1/access_token":
            self._endpoint("token", self.handle_token, ("POST",))
        elif path == "/v1/authorize":
            self._endpoint("authorize", lambda: webex_cc_auth.handle_authorize(self), ("GET",))
        elif webex_cc_auth.APPLICATION_PATH.match(path):
            self._endpoint("service_app_token", lambda: webex_cc_auth.handle_service_app_token(self), ("POST",))
        elif path == "/v1/tasks":
            self._endpoint("tasks", self.handle_tasks, ("GET",))
        elif path == "/v1/captures/query":
            self._endpoint("captures", self.handle_captures, ("POST",))
        elif path == "/search":
            self._endpoint("search", lambda: webex_cc_search.handle_search(self), ("POST",))
        elif webex_cc_webhooks.handles(path):
            self._endpoint("subscriptions", lambda: webex_cc_webhooks.handle_subscriptions(self),
                           ("GET", "POST", "PATCH", "DELETE"))
        elif path.startswith("/media/"):
            self._endpoint("media", self.handle_media, ("GET", "HEAD"))
        elif path.startswith("/_emulator/"):
            self._endpoint("emulator", self.handle_control, ("GET", "POST"))
        else:
            self._endpoint("other", self.handle_not_found, None)

    def _endpoint(self, name: str, fn, methods: tuple[str, ...] | None) -> None:
        emu = self.emu
        emu.stats.incr_nested("requests", name)
        gauge = "media" if name == "media" else "api" if name in ("tasks", "captures", "token") else None
        if gauge:
            emu.stats.enter(gauge)
        self.tracking_id = self.headers.get("TrackingId") or f"EMU_{uuid.uuid4()}"
        self.endpoint_name = name
        self.log_extra: dict[str, Any] = {}
        try:
            if not self.load_body():
                return
            if methods is not None and self.command not in methods:
                if name == "media":
                    self.s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                                  headers=[("Allow", ", ".join(methods))])
                else:
                    self.send_json(405, api_error(self.tracking_id, 405, f"Method {self.command} is not allowed on "
                                                  f"{self.raw_path}; use {', '.join(methods)}."),
                                   headers=[("Allow", ", ".join(methods))])
                return
            fn()
        finally:
            if gauge:
                emu.stats.leave(gauge)
            status = getattr(self, "response_status", None)
            emu.stats.count_response(name, status)
            if name != "emulator":
                entry = {"time": round(time.time(), 3), "method": self.command, "endpoint": name,
                         "path": self.raw_path, "status": status,
                         "tracking_id": self.headers.get("TrackingId"),
                         "authorization": self.headers.get("Authorization") is not None,
                         "user_agent": self.headers.get("User-Agent")}
                if name in ("tasks", "captures"):
                    entry["query"] = self.raw_query
                entry.update(self.log_extra)
                emu.requests.add(entry)
            ms = (time.monotonic() - self.request_started) * 1000
            shown = self.raw_path + ("?<presigned>" if name == "media" and self.raw_query else
                                     ("?" + self.raw_query if self.raw_query else ""))
            self.log_line(f"{self.client_address[0]} {self.command} {shown} -> {status} ({ms:.0f} ms)")

    # --- common API checks ----------------------------------------------------------------------------

    def api_headers(self) -> list[tuple[str, str]]:
        return [("TrackingID", self.tracking_id)]

    def api_fail(self, status: int, description: str, headers: list | None = None) -> None:
        self.send_json(status, api_error(self.tracking_id, status, description),
                       headers=self.api_headers() + (headers or []))

    def sleep_latency(self) -> None:
        ms = self.emu.cfg.latency_ms
        if ms > 0:
            time.sleep(ms / 1000.0)

    def authenticate(self) -> str | None:
        """Bearer check (ref §7 common errors): 400 missing/malformed, 401 unknown/expired."""
        header = self.headers.get("Authorization")
        if header is None:
            self.api_fail(400, "Missing Authorization header; expected 'Authorization: Bearer <access token>'.")
            return None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            self.api_fail(400, "Malformed Authorization header; expected 'Authorization: Bearer <access token>'.")
            return None
        client_id, problem = self.emu.oauth.check_access(token)
        if client_id is None:
            if problem == "expired":
                self.emu.stats.incr("expired_token_calls")
                self.api_fail(401, "The access token has expired.")
            else:
                self.api_fail(401, "Incorrect Credentials.")
            return None
        return client_id

    def inject_faults(self, client_id: str) -> bool:
        """Rate limit, random 429 and random 5xx.  Returns True when a response was sent."""
        cfg, emu = self.emu.cfg, self.emu
        wait = emu.limiter.check(client_id, cfg.rate_limit_per_minute, cfg.rate_limit_window_seconds)
        if wait:
            self.api_fail(429, f"Rate limit of {cfg.rate_limit_per_minute} requests per minute exceeded for this client.",
                          headers=[("Retry-After", str(wait))])
            return True
        if emu.rng.chance(cfg.rate_429):
            self.api_fail(429, "Too many requests have been sent in a given amount of time.",
                          headers=[("Retry-After", str(cfg.retry_after))])
            return True
        if emu.rng.chance(cfg.rate_5xx):
            status = emu.rng.choice((500, 502, 503))
            if status == 502:
                body = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
                self.send_bytes(502, body, "text/html", self.api_headers())
            elif status == 503:
                self.api_fail(503, "The service is currently unavailable to serve the requests.")
            else:
                self.api_fail(500, "An Unexpected Error Occurred.")
            return True
        return False

    def check_org(self, org_id: Any) -> bool:
        if org_id is not None and org_id != self.emu.org_id:
            self.api_fail(403, f"Token does not have permission to interact with organization '{org_id}'.")
            return False
        return True

    # --- POST /v1/access_token (ref §2.2) -----------------------------------------------------------

    def token_error(self, status: int, error: str, description: str) -> None:
        self.emu.stats.incr("token_errors")
        self.send_json(status, {"error": error, "error_description": description, "message": description,
                                "errors": [{"description": description}], "trackingId": self.tracking_id},
                       headers=[("TrackingID", self.tracking_id), ("Cache-Control", "no-store")])

    def handle_token(self) -> None:
        emu = self.emu
        self.sleep_latency()
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            self.token_error(400, "invalid_request",
                             "Content-Type must be application/x-www-form-urlencoded.")
            return
        if emu.rng.chance(emu.cfg.token_5xx_rate):
            self.send_json(503, {"message": "Service Unavailable", "errors": [{"description": "Service Unavailable"}],
                                 "trackingId": self.tracking_id}, headers=[("Retry-After", str(emu.cfg.retry_after))])
            return
        try:
            pairs = parse_qsl(self.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            self.token_error(400, "invalid_request", "The request body is not valid UTF-8.")
            return
        form: dict[str, str] = {}
        for k, v in pairs:
            if k in form:
                self.token_error(400, "invalid_request", f"Parameter '{k}' is repeated.")
                return
            form[k] = v
        grant = form.get("grant_type")
        if not grant:
            self.token_error(400, "invalid_request", "Missing required parameter 'grant_type'.")
            return
        if grant not in ("refresh_token", "authorization_code"):
            self.token_error(400, "unsupported_grant_type", f"Unsupported grant_type '{grant}'.")
            return
        needed = ("client_id", "client_secret") + (("refresh_token",) if grant == "refresh_token"
                                                   else ("code", "redirect_uri"))
        for name in needed:
            if not form.get(name):
                self.token_error(400, "invalid_request", f"Missing required parameter '{name}'.")
                return
        if not emu.oauth.client_ok(form["client_id"], form["client_secret"]):
            self.token_error(401, "invalid_client", "Client authentication failed (unknown client_id or wrong client_secret).")
            return
        if grant == "refresh_token":
            result, why, reuse = emu.oauth.grant_refresh(form["refresh_token"], form["client_id"])
            if reuse:
                emu.stats.incr("refresh_token_reuse")
            if result is None:
                self.token_error(400, "invalid_grant", why)
                return
            emu.stats.incr("token_refreshes")
        else:
            if form["client_id"] != emu.oauth.client_id:
                self.token_error(400, "invalid_grant", "The authorization code was not issued to this client.")
                return
            result, why = emu.oauth.grant_code(form["code"], form["redirect_uri"])
            if result is None:
                self.token_error(400, "invalid_grant", why)
                return
            emu.stats.incr("auth_code_grants")
        self.send_json(200, result, headers=[("TrackingID", self.tracking_id), ("Cache-Control", "no-store"),
                                             ("Pragma", "no-cache")])

    # --- GET /v1/tasks (ref §4) --------------------------------------------------------------------

    def handle_tasks(self) -> None:
        self.sleep_latency()
        client_id = self.authenticate()
        if client_id is None or self.inject_faults(client_id):
            return
        try:
            params = self._task_params()
        except BadRequest as e:
            self.api_fail(e.status, e.description)
            return
        if not self.check_org(params.get("orgId")):
            return
        ds = self.emu.dataset
        settled = self.emu.cfg.settle_pending
        lo = params["from"]
        hi = params.get("to", int(time.time() * 1000))
        channels = params.get("channelTypes")
        data = []
        if hi > lo:
            for task in ds.window(lo, hi, self.emu.cfg.from_inclusive):
                if channels and task.channel not in channels:
                    continue
                attrs = task.attributes(settled)
                data.append({"id": task.id, "attributes": attrs})
                if len(data) >= params["pageSize"]:
                    break
        self.log_extra = {"returned": len(data)}
        body = emulib.json_bytes({"meta": {"orgId": self.emu.org_id}, "data": data})
        headers = self.api_headers()
        if len(body) > 1 << 20 and self._accepts_gzip():  # spec: gzip only above 1 MB when asked
            body = gzip.compress(body, compresslevel=5)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Vary", "Accept-Encoding"))
        self.send_bytes(200, body, "application/json", headers)

    def _accepts_gzip(self) -> bool:
        for item in (self.headers.get("Accept-Encoding") or "").split(","):
            name, _, params = item.strip().partition(";")
            if name.strip().lower() == "gzip":
                q = params.strip()
                return not re.fullmatch(r"q\s*=\s*0(\.0*)?", q)
        return False

    def _task_params(self) -> dict:
        seen: dict[str, str] = {}
        for name, value in self.query_pairs():
            if name not in TASK_QUERY_PARAMS:
                hint = " Did you mean 'channelTypes'?" if name.lower() in ("channeltype", "channel") else ""
                raise BadRequest(400, f"Unknown query parameter '{name}'. Supported parameters: "
                                      f"{', '.join(TASK_QUERY_PARAMS)}.{hint}")
            if name in seen:
                if name != "channelTypes":  # arrays may also come exploded (OpenAPI form style)
                    raise BadRequest(400, f"Query parameter '{name}' must not be repeated.")
                value = f"{seen[name]},{value}"
            seen[name] = value
        if "from" not in seen:
            raise BadRequest(400, "Required query parameter 'from' (epoch milliseconds) is missing.")
        out: dict[str, Any] = {"from": parse_int_param("from", seen["from"])}
        if out["from"] < 0:
            raise BadRequest(400, "Query parameter 'from' must not be negative.")
        if "to" in seen:
            out["to"] = parse_int_param("to", seen["to"])
            if out["to"] < out["from"]:
                raise BadRequest(400, f"Query parameter 'to' ({out['to']}) must not be before 'from' ({out['from']}).")
        out["pageSize"] = parse_int_param("pageSize", seen["pageSize"], 1, 1000) if "pageSize" in seen else 100
        if "channelTypes" in seen:
            values = seen["channelTypes"].split(",")
            for v in values:
                if v not in CHANNEL_TYPES:
                    raise BadRequest(400, f"Query parameter 'channelTypes' has invalid value '{v}'; allowed "
                                          f"(lowercase, comma-separated): {', '.join(CHANNEL_TYPES)}.")
            out["channelTypes"] = set(values)
        if "orgId" in seen:
            if not seen["orgId"]:
                raise BadRequest(400, "Query parameter 'orgId' must not be empty.")
            out["orgId"] = seen["orgId"]
        return out

    # --- POST /v1/captures/query (ref §5) ----------------------------------------------------------

    def handle_captures(self) -> None:
        self.sleep_latency()
        client_id = self.authenticate()
        if client_id is None or self.inject_faults(client_id):
            return
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            self.api_fail(415, f"Content-Type '{ctype or '(none)'}' is not supported; use application/json.")
            return
        try:
            q = self._capture_query()
        except BadRequest as e:
            self.api_fail(e.status, e.description)
            return
        if not self.check_org(q.get("orgId")):
            return
        emu = self.emu
        ds = emu.dataset
        settled = emu.cfg.settle_pending
        minutes = q.get("urlExpiration", 60)
        expires_s = emu.cfg.url_expiry_override_seconds
        if expires_s is None:
            expires_s = minutes * 60
        now = time.time()
        data = []
        n_urls = 0
        for task_id in q["taskIds"]:
            task = ds.by_id.get(task_id)
            recs, trans = [], []
            if task is not None:
                for obj in task.recordings(settled, q.get("includeSegments", False), q.get("includeVARecordings", False)):
                    attrs = {"fileName": obj.file_name,
                             "filePath": self._presign(obj, expires_s, now),
                             "startTime": obj.start_ms, "stopTime": obj.stop_ms,
                             "participants": list(obj.participants),
                             "channel1": obj.channel1, "channel2": obj.channel2, "callType": obj.call_type}
                    if obj.sensitive is not None:
                        attrs["sensitive"] = obj.sensitive
                    recs.append({"id": obj.id, "segment": obj.segment, "attributes": attrs})
                for obj in task.transcriptions(settled):
                    trans.append({"Source": obj.source, "Provider": "CISCO", "id": obj.id,
                                  "fileName": obj.file_name, "filePath": self._presign(obj, expires_s, now),
                                  "startTime": str(obj.start_ms), "languageCode": "en-US",
                                  "createTime": str(obj.stop_ms)})
            n_urls += len(recs) + len(trans)
            data.append({"taskId": task_id, "recording": recs, "transcription": trans})
        emu.stats.incr("captures_task_ids", len(q["taskIds"]))
        emu.stats.incr("urls_issued", n_urls)
        self.log_extra = {"task_ids": len(q["taskIds"]), "urls": n_urls}
        self.send_json(200, {"meta": {"orgId": emu.org_id, "urlExpiration": minutes}, "data": data},
                       headers=self.api_headers())

    def _presign(self, obj: MediaObject, expires_s: int, now: float) -> str:
        emu = self.emu
        return emu.presigner.url(emu.scheme, emu.host, Presigner.path_for(emu.org_id, obj), expires_s, now,
                                 obj.file_name)

    def _capture_query(self) -> dict:
        try:
            doc = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BadRequest(400, f"Malformed JSON request body: {e}.")
        if not isinstance(doc, dict) or "query" not in doc:
            raise BadRequest(400, "Request body must be a JSON object of the form {\"query\": {\"taskIds\": [...]}}.")
        for key in doc:
            if key != "query":
                raise BadRequest(400, f"Unknown field '{key}' in request body; only 'query' is allowed.")
        q = doc["query"]
        if not isinstance(q, dict):
            raise BadRequest(400, "Field 'query' must be a JSON object.")
        for key in q:
            if key not in CAPTURE_QUERY_KEYS:
                raise BadRequest(400, f"Unknown field 'query.{key}'. Supported fields: {', '.join(CAPTURE_QUERY_KEYS)}.")
        out: dict[str, Any] = {}
        ids = q.get("taskIds")
        if ids is None:
            raise BadRequest(400, "Field 'query.taskIds' is required.")
        if not isinstance(ids, list):
            raise BadRequest(400, "Field 'query.taskIds' must be an array of task ID strings.")
        if not ids:
            raise BadRequest(400, "Field 'query.taskIds' must contain at least 1 task ID.")
        if len(ids) > 10:
            raise BadRequest(400, f"Field 'query.taskIds' has {len(ids)} items; maximum number of taskIds allowed is 10.")
        for i, tid in enumerate(ids):
            if not isinstance(tid, str) or not tid.strip():
                raise BadRequest(400, f"Field 'query.taskIds[{i}]' must be a non-empty string.")
        if len(set(ids)) != len(ids):
            dup = next(t for t in ids if ids.count(t) > 1)
            raise BadRequest(400, f"Field 'query.taskIds' must have unique items; '{dup}' is repeated.")
        out["taskIds"] = ids
        exp = q.get("urlExpiration")
        if exp is not None:
            if isinstance(exp, bool) or not isinstance(exp, int):
                raise BadRequest(400, "Field 'query.urlExpiration' must be an integer number of minutes.")
            if exp <= 0:
                raise BadRequest(400, "urlExpiration should be greater than 0.")
            if exp > 60:
                raise BadRequest(400, "urlExpiration should be less than or equal to 60 (minutes).")
            out["urlExpiration"] = exp
        for name in ("includeSegments", "includeVARecordings"):
            v = q.get(name)
            if v is not None:
                if not isinstance(v, bool):
                    raise BadRequest(400, f"Field 'query.{name}' must be a boolean.")
                out[name] = v
        org = q.get("orgId")
        if org is not None:
            if not isinstance(org, str) or not org:
                raise BadRequest(400, "Field 'query.orgId' must be a non-empty string.")
            out["orgId"] = org
        return out

    # --- GET|HEAD /media/... (ref §5.4) -------------------------------------------------------------

    def s3_error(self, status: int, code: str, message: str, extra: dict | None = None,
                 headers: list | None = None) -> None:
        rid = secrets.token_hex(8).upper()
        body = s3_error_xml(code, message, rid, extra)
        hdrs = [("x-amz-request-id", rid)] + (headers or [])
        self.send_bytes(status, body, "application/xml", hdrs)

    def handle_media(self) -> None:
        emu = self.emu
        self.sleep_latency()
        if self.headers.get("Authorization") is not None:
            emu.stats.incr("media_authorization_rejected")
            self.s3_error(400, "InvalidArgument",
                          "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
                          "query string parameter or the Authorization header should be specified",
                          {"ArgumentName": "Authorization", "ArgumentValue": "Bearer ***"})
            return
        target = self.path
        marker = "&X-Amz-Signature="
        idx = target.rfind(marker)
        params = dict(self.query_pairs())
        required = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
        if idx < 0 or any(p not in params for p in required):
            self.s3_error(400 if self.raw_query else 403,
                          "AuthorizationQueryParametersError" if self.raw_query else "AccessDenied",
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                          "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
                          if self.raw_query else "Access Denied")
            return
        given = target[idx + len(marker):]
        host = self.headers.get("Host") or ""
        expected = emu.presigner.sign(host, target[:idx])
        if not hmac.compare_digest(given.encode(), expected.encode()):
            emu.stats.incr("media_signature_mismatch")
            self.s3_error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.",
                          {"AWSAccessKeyId": S3_ACCESS_KEY, "SignatureProvided": given})
            return
        try:
            signed_at = _dt.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=_dt.timezone.utc).timestamp()
            expires = int(params["X-Amz-Expires"])
        except ValueError:
            self.s3_error(400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.")
            return
        now = time.time()
        if now > signed_at + expires:
            emu.stats.incr("media_expired")
            self.s3_error(403, "AccessDenied", "Request has expired",
                          {"X-Amz-Expires": expires,
                           "Expires": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(signed_at + expires)),
                           "ServerTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})
            return
        obj = self._media_object()
        if obj is None:
            self.s3_error(404, "NoSuchKey", "The specified key does not exist.", {"Key": self.raw_path[len("/media/"):]})
            return
        if self.command == "GET" and emu.rng.chance(emu.cfg.media_5xx_rate):
            if emu.rng.chance(0.5):
                self.s3_error(503, "SlowDown", "Please reduce your request rate.")
            else:
                self.s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
            return
        self._send_object(obj)

    def _media_object(self) -> MediaObject | None:
        parts = self.raw_path.split("/")
        # ['', 'media', area, org, task, '<id>~<tag>.<ext>']
        if len(parts) != 6 or parts[3] != self.emu.org_id:
            return None
        obj_id = parts[5].split("~", 1)[0]
        obj = self.emu.dataset.objects.get((parts[4], obj_id))
        if obj is None or Presigner.path_for(self.emu.org_id, obj) != self.raw_path:
            return None
        return obj

    def _send_object(self, obj: MediaObject) -> None:
        emu = self.emu
        ds = emu.dataset
        size = obj.size
        start, end, status = 0, size, 200  # [start, end)
        etag, last_modified = ds.etag(obj), emulib.http_date(obj.stop_ms / 1000 + obj.generation)
        rng_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng_header and if_range is not None:
            emu.stats.incr("media_if_range_requests")
            if if_range.strip() not in (etag, last_modified):  # S3: a stale validator gets the whole object
                emu.stats.incr("media_if_range_mismatch")
                rng_header = None
        if rng_header:
            emu.stats.incr("media_range_requests")
            self.log_extra = {"range": rng_header}
            m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", rng_header)
            if m and (m.group(1) or m.group(2)):  # single range; anything else is ignored (full body)
                first, last = m.group(1), m.group(2)
                if not first:
                    n = int(last)
                    if n == 0:
                        return self._range_not_satisfiable(size, rng_header)
                    start, end, status = max(0, size - n), size, 206
                elif int(first) >= size:
                    return self._range_not_satisfiable(size, rng_header)
                elif not last or int(last) >= int(first):
                    start = int(first)
                    end = min(size, int(last) + 1) if last else size
                    status = 206
        if status == 206 and end - start > 1 and emu.rng.chance(emu.cfg.media_short_206_rate):
            end = start + emu.rng.randint(1, end - start - 1)  # honest Content-Range, ends early
            emu.stats.incr("media_short_206")
        headers = [("Accept-Ranges", "bytes"), ("ETag", etag), ("Last-Modified", last_modified),
                   ("x-amz-request-id", secrets.token_hex(8).upper()),
                   ("x-amz-server-side-encryption", "AES256"),
                   ("Content-Disposition", f'attachment; filename="{obj.file_name}"')]
        if status == 206:
            headers.append(("Content-Range", f"bytes {start}-{end - 1}/{size}"))
        self.send_response(status)
        self.response_status = status
        self.send_header("Content-Type", obj.content_type)
        self.send_header("Content-Length", str(end - start))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        stop_at = end
        dropped = False
        if end > start and emu.rng.chance(emu.cfg.media_drop_rate):
            stop_at = start + emu.rng.randint(0, end - start - 1)
            dropped = True
        sent = 0
        try:
            for chunk in obj.iter_bytes(ds.audio, start, stop_at):
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            emu.stats.incr("bytes_served", sent)
        if dropped:
            emu.stats.incr("media_dropped")
            self.log_extra["dropped_after"] = sent
            self.close_connection = True
            if obj.content is None and emu.rng.chance(emu.cfg.media_replace_on_drop):
                Dataset.replace(obj)
                emu.stats.incr("media_replaced")

    def _range_not_satisfiable(self, size: int, header: str) -> None:
        self.s3_error(416, "InvalidRange", "The requested range is not satisfiable",
                      {"RangeRequested": header, "ActualObjectSize": size},
                      headers=[("Content-Range", f"bytes */{size}")])

    # --- /_emulator/... (test control) ---------------------------------------------------------------

    def handle_not_found(self) -> None:
        self.api_fail(404, f"No such resource: {self.command} {self.raw_path}")

    def control_reset_stats(self) -> None:
        super().control_reset_stats()
        self.emu.limiter.reset()

    def control_apply_config(self, changes: dict) -> None:
        self.emu.apply_config(changes)

    def handle_extra_control(self, path: str, method: str, q: dict[str, str]) -> bool:
        emu = self.emu
        if path == "/_emulator/expire-tokens" and method == "POST":
            self.send_json(200, {"expired": emu.oauth.expire_all()})
        elif path == "/_emulator/expected" and method == "GET":
            obj = emu.dataset.objects.get((q.get("task_id", ""), q.get("recording_id", "")))
            if obj is None:
                self.send_json(404, {"error": "unknown task_id/recording_id pair"})
                return True
            self.send_json(200, self._describe(obj, with_sha=True))
        elif path == "/_emulator/tasks" and method == "GET":
            self._ground_truth(q)
        elif path == "/_emulator/info" and method == "GET":
            self.send_json(200, self._info())
        elif path == "/_emulator/webhooks/deliver" and method == "POST":
            webex_cc_webhooks.deliver(self)
        else:
            return False
        return True

    def _describe(self, obj: MediaObject, with_sha: bool = False) -> dict:
        ds = self.emu.dataset
        d = {"taskId": obj.task_id, "recordingId": obj.id, "kind": obj.kind, "callType": obj.call_type or None,
             "segment": obj.segment, "fileName": obj.file_name, "size": obj.size, "contentType": obj.content_type,
             "etag": ds.etag(obj)}
        if obj.kind != "transcript":
            d["payloadOffset"] = obj.offset
        if with_sha:
            d["sha256"] = ds.sha256(obj)
        return d

    def _ground_truth(self, q: dict) -> None:
        """Every task (all channels) with lo <= createdTime < hi, with what Captures returns right now."""
        ds = self.emu.dataset
        settled = self.emu.cfg.settle_pending
        try:
            lo = int(q.get("from", 0))
            hi = int(q.get("to", 2**62))
        except ValueError:
            self.send_json(400, {"error": "from/to must be integers (epoch ms)"})
            return
        channels = set(q["channelTypes"].split(",")) if q.get("channelTypes") else None
        out = []
        for t in ds.window(lo, hi, True):
            if channels and t.channel not in channels:
                continue
            attrs = t.attributes(settled)
            out.append({
                "id": t.id, "createdTime": t.created, "channelType": t.channel, "status": attrs["status"],
                "captureRequested": attrs["captureRequested"], "state": t.state,
                "eventualState": t.eventual_state, "available": t.available(settled),
                "sameMillisecond": t.cluster_size, "large": t.large, "ivrOnly": t.ivr_only,
                "recordings": {
                    "stitched": [self._describe(r) for r in t.recordings(settled, False, False)],
                    "segments": [self._describe(r) for r in t.recordings(settled, True, False)],
                    "va": [self._describe(r) for r in (t.va if t.available(settled) else [])]},
                "transcripts": [self._describe(r) for r in t.transcriptions(settled)],
            })
        self.send_json(200, {"orgId": ds.org_id, "from": lo, "to": hi, "settled": settled, "count": len(out),
                             "tasks": out})

    def _info(self) -> dict:
        ds = self.emu.dataset
        counts = collections.Counter()
        examples: dict[str, list] = collections.defaultdict(list)

        def ex(kind: str, t: Task) -> None:
            if len(examples[kind]) < 10:
                examples[kind].append(t.id)
        clusters = []
        prev = None
        for t in ds.tasks:
            counts[f"channel:{t.channel}"] += 1
            counts[f"state:{t.state}"] += 1
            if t.cluster_size > 1 and t.created != prev:
                ids = [x.id for x in ds.window(t.created, t.created + 1)]
                clusters.append({"createdTime": t.created, "size": t.cluster_size, "hourBoundary": t.created % HOUR_MS == 0,
                                 "taskIds": ids})
            prev = t.created
            consults = [r for r in t.stitched if r.call_type == "consult"]
            if consults:
                ex("withConsult", t)
            if len(consults) >= 2:
                ex("withTwoConsults", t)
            if len(t.segments) - len(consults) >= 3:
                ex("withThreeSegments", t)
            if t.va:
                ex("withVirtualAgent", t)
            if t.state in ("pending", "unknown", "open", "purged"):
                ex(t.state, t)
            if t.owner is None:
                ex("noOwner", t)
            if t.queue is None:
                ex("noQueue", t)
            if t.ivr_only:
                ex("ivrOnly", t)
            if t.state == "transcript":
                ex("transcript", t)
        return {"orgId": ds.org_id, "seed": ds.seed, "days": ds.days, "taskCount": len(ds.tasks),
                "largeTaskId": ds.large_task_id, "counts": dict(sorted(counts.items())),
                "clusters": clusters, "examples": dict(examples), "config": self.emu.cfg.as_dict()}


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    emulib.add_common_arguments(p)
    p.add_argument("--org-id", default=DEFAULT_ORG_ID, help=f"organization ID (default: {DEFAULT_ORG_ID})")
    p.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="OAuth client ID (default: fixed)")
    p.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="OAuth client secret (default: fixed)")
    p.add_argument("--refresh-token", default=None, help="initial refresh token (default: fixed, Cisco-shaped)")
    p.add_argument("--auth-code", default=None, help="authorization code accepted once (default: fixed)")
    p.add_argument("--redirect-uri", default=DEFAULT_REDIRECT_URI, help=f"(default: {DEFAULT_REDIRECT_URI})")
    p.add_argument("--service-app-id", default=DEFAULT_SERVICE_APP_ID, help="Service App application id (default: fixed)")
    p.add_argument("--service-app-client-id", default=DEFAULT_SERVICE_APP_CLIENT_ID,
                   help="Service App OAuth client id (default: fixed)")
    p.add_argument("--service-app-client-secret", default=DEFAULT_SERVICE_APP_CLIENT_SECRET,
                   help="Service App OAuth client secret (default: fixed)")
    p.add_argument("--applications-token", default=DEFAULT_APPLICATIONS_TOKEN,
                   help="bearer token with scope spark:applications_token (default: fixed)")
    emulib.add_knob_arguments(p, KNOBS, metavar=lambda kind: kind.upper().replace("PROB", "P"), none_shown="off")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = Config.from_args(args, NAME)
    identity = {
        "org_id": args.org_id, "client_id": args.client_id, "client_secret": args.client_secret,
        "refresh_token": args.refresh_token or f"{_DEFAULT_REFRESH_BODY}_PF84_{args.org_id}",
        "auth_code": args.auth_code or f"{_DEFAULT_CODE_BODY}_PF84_{args.org_id}",
        "redirect_uri": args.redirect_uri,
        "service_app": {"application_id": args.service_app_id, "client_id": args.service_app_client_id,
                        "client_secret": args.service_app_client_secret,
                        "applications_token": args.applications_token},
    }
    try:
        emu = WebexEmulator(cfg, identity)
    except ValueError as e:
        raise SystemExit(f"{NAME}: {e}")
    server, material = emulib.prepare_server(args, NAME, Handler, emu, emu.stats)
    emu.host = f"{emulib.LOOPBACK}:{server.port}"
    emu.scheme = server.scheme
    ready = {"token_url": server.base_url + "/v1/access_token", "client_id": identity["client_id"],
             "client_secret": identity["client_secret"], "refresh_token": identity["refresh_token"],
             "auth_code": identity["auth_code"], "redirect_uri": identity["redirect_uri"],
             "org_id": identity["org_id"], "authorize_url": server.base_url + "/v1/authorize",
             "webexapis_url": server.base_url + "/v1",
             "service_app_id": args.service_app_id, "service_app_client_id": args.service_app_client_id,
             "service_app_client_secret": args.service_app_client_secret,
             "applications_token": args.applications_token}
    return emulib.serve(args, NAME, server, material, ready, f"{len(emu.dataset.tasks)} tasks")


if __name__ == "__main__":
    emulib.main_guard(main)
