# SPDX-License-Identifier: Apache-2.0
"""The control commands of the FACE emulator (face_server.py): eventNotify, screen capture and the
recording controls start, stop, pause, resume, split and delete (ref §6), as a mixin of its request
handler (which holds the state in ``emu``).
"""

from __future__ import annotations

import time
from typing import Any

from face_common import MSG_LIST
from face_docs import Lst, match_doc, result


class ControlMixin:
    """Handler methods of the control commands (mixed into face_server.Handler)."""

    emu: Any

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
