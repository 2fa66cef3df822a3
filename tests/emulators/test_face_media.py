#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the FACE emulator's issue 16 modules: WAV segment layouts (face_media.py, the
``--wav-layout`` and ``--video-files`` flags) and response templates (face_templates.py).
Standard library only: ``python3 tests/emulators/test_face_media.py`` (a few seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import face_media  # noqa: E402
from test_face_server import Emulator  # noqa: E402

DAY_MS = 1793491200000


def riff_chunks(data: bytes) -> list:
    """(id, offset of body, size) of every chunk of a RIFF/WAVE file."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8, "RIFF size"
    out, at = [], 12
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        out.append((cid, at + 8, size))
        at += 8 + size + (size & 1)
    return out


class WavHeaderTest(unittest.TestCase):
    def test_default_header_is_the_canonical_44_bytes(self) -> None:
        self.assertEqual(face_media.wav_header(100), struct.pack(
            "<4sI4s4sIHHIIHH4sI", b"RIFF", 136, b"WAVE", b"fmt ", 16, 1, 1, 8000, 16000, 2, 16, b"data", 100))

    def test_extra_chunks_keep_sizes_right(self) -> None:
        h = face_media.wav_header(10, 16000, face_media.LIST_CHUNK)
        chunks = riff_chunks(h + b"x" * 10)
        self.assertEqual([c[0] for c in chunks], [b"fmt ", b"LIST", b"data"])
        self.assertEqual(chunks[-1][1:], (len(h), 10))


class MediaEmulatorTest(unittest.TestCase):
    emu: Emulator

    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = Emulator("--recordings", "24", "--multi-segment-rate", "0.7", "--wav-layout", "varied",
                           "--video-files", "true")
        cls.tok = cls.emu.token()
        cls.truth = cls.emu.control(f"recordings?from={DAY_MS}&to={DAY_MS + 86_400_000}")["recordings"]

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emu.shutdown(check_log=False)

    def test_varied_segments_are_valid_wavs_of_the_truths_format(self) -> None:
        rates = set()
        for rec in self.truth:
            for seg in rec["segments"]:
                if seg["inProgress"]:
                    continue
                status, _, data = self.emu.face("audioRecording/segment/download", {"segmentId": seg["segmentId"]},
                                                token=self.tok)
                self.assertEqual(status, 200)
                self.assertEqual(hashlib.sha256(data).hexdigest(), seg["sha256"])
                chunks = {c[0]: c for c in riff_chunks(data)}
                fmt = chunks[b"fmt "]
                self.assertEqual(struct.unpack("<I", data[fmt[1] + 4:fmt[1] + 8])[0], seg["sampleRate"])
                self.assertEqual(chunks[b"data"][1:], (seg["dataOffset"], seg["dataLen"]))
                rates.add(seg["sampleRate"])
        self.assertEqual(rates, {8000, 16000})

    def test_video_files_need_type_video(self) -> None:
        videos = [f for r in self.truth for f in r["supplemental"] if f["type"] == "video"]
        self.assertTrue(videos)
        f = videos[0]
        status, hdrs, data = self.emu.face("file/download", {"supplementalFileId": f["supplementalFileId"],
                                                             "type": "video"}, token=self.tok)
        self.assertEqual((status, hdrs["content-type"]), (200, "video/mp4"))
        self.assertEqual(hashlib.sha256(data).hexdigest(), f["sha256"])
        _, _, data = self.emu.face("file/download", {"supplementalFileId": f["supplementalFileId"]}, token=self.tok)
        self.assertEqual(json.loads(data)["result"]["code"], 19, "a video file without type=video")
        rid = next(r["recordingId"] for r in self.truth if f in r["supplemental"])
        _, result = self.emu.face_json("audioRecording/details", {"recordingId": rid}, token=self.tok)
        entries = [e["supplementalFile"] for e in result["recording"]["supplementalFiles"]]
        self.assertIn({"supplementalFileId": int(f["supplementalFileId"]), "filename": f["filename"],
                       "size": f["size"], "type": "video"}, entries)

    def test_templates(self) -> None:
        rid = self.truth[0]["recordingId"]
        status, hdrs, data = self.emu.face("audioRecording/details", {"recordingId": rid, "format": "template",
                                                                      "formatName": "verint"}, token=self.tok)
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("application/xml"))
        text = data.decode("utf-8")
        self.assertIn(f"<recording_id>{rid}</recording_id>", text)
        self.assertIn('version="2"', text, "the highest version when none is given")
        _, _, v1 = self.emu.face("audioRecording/details", {"recordingId": rid, "format": "template",
                                                            "formatName": "verint", "version": "1"}, token=self.tok)
        self.assertIn(b'version="1"', v1)
        _, _, utf16 = self.emu.face("audioRecording/details", {"recordingId": rid, "format": "template",
                                                               "formatName": "utf16"}, token=self.tok)
        self.assertEqual(utf16[:2], b"\xff\xfe")
        for bad in ({"formatName": "nope"}, {"formatName": "verint", "version": "9"}):
            _, _, err = self.emu.face("audioRecording/details", {"recordingId": rid, "format": "template", **bad},
                                      token=self.tok)
            self.assertEqual(json.loads(err)["result"]["code"], -1)
        _, _, seg = self.emu.face("audioRecording/segment/details", {"recordingId": rid, "format": "template",
                                                                     "formatName": "verint"}, token=self.tok)
        self.assertIn(f"<recording_id>{rid}</recording_id>".encode(), seg)


if __name__ == "__main__":
    unittest.main()
