# SPDX-License-Identifier: Apache-2.0
"""The generated data set of the FACE emulator (face_server.py): recordings, their segments and audio,
and the SQL-style times FACE writes and reads (ref §4, §5).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

import emulib
import face_media
from face_common import DAY_MS, SQL_TIME_RE


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
