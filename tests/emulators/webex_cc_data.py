# SPDX-License-Identifier: Apache-2.0
"""The generated data set of the Webex CC emulator (webex_cc.py): tasks, recordings and their audio.

Deterministic from the knobs ``seed``, ``day``, ``days``, ``tasks_per_day`` and the size knobs; WAV
payloads are generated on the fly from one repeating block (AudioBank).
"""

from __future__ import annotations

import bisect
import collections
import datetime as _dt
import hashlib
import json
import math
import random
import struct
import sys
import threading
import uuid
from array import array
from dataclasses import dataclass, field
from typing import Any, Iterator

import emulib
from webex_cc_common import Config, DAY_MS, HOUR_MS


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


class KnobValues:
    """Attribute view of a knob dict (what Dataset reads from a Config)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


class Dataset:
    """All tasks of the configured days, generated deterministically from the knobs."""

    def __init__(self, cfg: Config | KnobValues, org_id: str) -> None:
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
