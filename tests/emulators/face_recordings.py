# SPDX-License-Identifier: Apache-2.0
"""The recording commands of the FACE emulator (face_server.py): details and segment details searches,
downloads, redirects, metadata updates and supplemental files (ref §5, §6), as a mixin of its request
handler (which holds the state in ``emu``).
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote, unquote

import face_media
import face_templates
from face_common import CUSTOM_FIELDS, DATE_PARAMS, MSG_LIST, MSG_MULTI_SEGMENT, MSG_TRUNCATED
from face_data import Recording, Segment
from face_docs import (
    Lst, match_doc, recording_doc, recording_matches, result, segment_doc, segment_match_doc, segment_matches,
)


class RecordingsMixin:
    """Handler methods of the recording commands (mixed into face_server.Handler)."""

    emu: Any

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

    def as_read(self, q: dict[str, str]) -> dict[str, str]:
        """The criteria as this server reads them: with ``date_fractions_ignored``, date parameters to the
        second (``...:27.999`` as ``...:27``), as a server parsing only ``yyyy-MM-dd HH:mm:ss`` would
        (the date format is undocumented, ref §4 [U])."""
        if not self.emu.cfg.date_fractions_ignored:
            return q
        return {k: (v[:19] if k in DATE_PARAMS else v) for k, v in q.items()}

    def select_recordings(self, q: dict[str, str]) -> list[Recording]:
        q = self.as_read(q)
        ds = self.emu.dataset
        with ds.lock:
            return [r for r in ds.recordings.values() if recording_matches(r, q)]

    def select_segments(self, q: dict[str, str]) -> list[Segment]:
        q = self.as_read(q)
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
