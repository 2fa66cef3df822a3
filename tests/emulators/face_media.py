# SPDX-License-Identifier: Apache-2.0
"""WAV segment layouts of the FACE emulator (``face_server.py --wav-layout``), kept apart from the
1400-line server.

``plain`` (default): every segment is a canonical 44-byte-header WAV, 8 kHz 16-bit mono PCM.
``varied``: every multi-segment recording gets a ``LIST`` chunk between ``fmt `` and ``data`` in its
first segment (same format, a longer header: readers must skip unknown chunks); in recordings with
an odd recordingId the second segment is 16 kHz instead of 8 kHz (a different format, so
``--concatenate-segments`` must refuse those and export one object per segment).

Supplemental files (``file/download``): the data set's ``(supplementalFileId, filename, bytes)``
entries, plus, with ``--video-files true``, a ``(id, filename, bytes, "video")`` entry in every
recording that already has a supplemental file. ``details`` lists an entry's ``type`` when it has
one (an assumed member: the guide shows no supplemental file entry); ``file/download`` serves a
video file only with ``type=video`` and any other file only without it (else code 19).

Ground truth (``/_emulator/recordings``) gives each segment's ``sampleRate``, ``dataOffset`` and
``dataLen``, so a test can check a concatenated object against the segments' PCM.
"""

from __future__ import annotations

import hashlib
import os
import random
import struct
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402

LAYOUTS = ("plain", "varied")
BASE_RATE = 8000
LIST_CHUNK = b"LIST" + struct.pack("<I", 26) + b"INFOISFT" + struct.pack("<I", 13) + b"FACE emulator" + b"\0"


class AudioBank(emulib.RepeatingBlock):
    """The samples of every segment: a seeded random block, repeated."""
    PERIOD = 64 * 1024

    def __init__(self, seed: int) -> None:
        super().__init__(random.Random(f"face-audio:{seed}").randbytes(self.PERIOD))


def wav_header(data_len: int, rate: int = BASE_RATE, extra_chunks: bytes = b"") -> bytes:
    """RIFF header for 16-bit mono PCM at ``rate``: ``fmt ``, then ``extra_chunks``, then the data chunk's header."""
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + fmt + extra_chunks + struct.pack("<4sI", b"data", data_len)
    return struct.pack("<4sI", b"RIFF", len(body) + data_len) + body


def render_segments_template(handler: Any, q: dict, segments: list) -> None:
    """``segment/details`` with ``format=template``: the template of the segments' recordings."""
    import face_templates  # noqa: E402  (a sibling module)
    with handler.emu.dataset.lock:
        recs = {s.recording_id: handler.emu.dataset.recordings[s.recording_id] for s in segments}
    face_templates.render(handler, q, list(recs.values()))


def apply_layout(dataset: Any, layout: str) -> None:
    """Give the data set's segments the headers of ``layout`` (see the module docstring)."""
    if layout not in LAYOUTS:
        raise SystemExit(f"face_server: --wav-layout must be one of {', '.join(LAYOUTS)}")
    if layout == "plain":
        return
    for rec in dataset.recordings.values():
        if len(rec.segments) < 2:
            continue
        for seg in rec.segments:
            rate = 16000 if seg.sequence == 2 and rec.recording_id % 2 == 1 else BASE_RATE
            extra = LIST_CHUNK if seg.sequence == 1 else b""
            seg.header = wav_header(seg.data_len, rate, extra)
            seg.sample_rate = rate


def truth(seg: Any) -> dict:
    """The WAV facts of a segment for ``/_emulator/recordings``."""
    header = seg.wav_header()
    return {"sampleRate": seg.sample_rate, "dataOffset": len(header), "dataLen": seg.data_len}


def add_video_files(dataset: Any) -> None:
    """A video supplemental file beside every existing supplemental file."""
    for rec in dataset.recordings.values():
        if rec.supplemental and not any(len(s) > 3 for s in rec.supplemental):
            vid = rec.supplemental[0][0] + 1
            rec.supplemental.append((vid, f"screen-{rec.recording_id}.mp4",
                                     b"\x00\x00\x00\x18ftypmp42" + f"video of {rec.recording_id}".encode(), "video"))


def type_member(entry: tuple) -> list:
    """The ``type`` member of a supplemental file entry in ``details``, when it has one."""
    return [("type", entry[3])] if len(entry) > 3 else []


def find_files(dataset: Any, q: dict) -> list:
    """The supplemental files ``file/download`` parameters select (``type=video`` only finds video files)."""
    video = q.get("type") == "video"
    return [s for r in dataset.recordings.values() for s in r.supplemental
            if ("supplementalFileId" not in q or str(s[0]) == q["supplementalFileId"]) and
            ("filename" not in q or s[1] == q["filename"]) and (len(s) > 3 and s[3] == "video") == video]


def content_type(entry: tuple) -> str:
    return "video/mp4" if len(entry) > 3 and entry[3] == "video" else "application/octet-stream"


def supplemental_truth(rec: Any) -> list:
    """A recording's supplemental files for ``/_emulator/recordings``."""
    return [{"supplementalFileId": str(s[0]), "filename": s[1], "size": len(s[2]),
             "sha256": hashlib.sha256(s[2]).hexdigest(), "type": s[3] if len(s) > 3 else None}
            for s in rec.supplemental]
