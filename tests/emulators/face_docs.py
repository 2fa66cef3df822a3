# SPDX-License-Identifier: Apache-2.0
"""Request matching and response documents of the FACE emulator (face_server.py): strict parameter
checks, selection criteria against recordings and segments (ref §4), and the one document tree
rendered as XML or JSON (ref §5).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import face_media
from face_common import BOOL_PARAMS, BadRequest, COMMAND_PARAMS, CUSTOM_FIELDS, DATE_PARAMS
from face_data import Recording, Segment, parse_sql_time, sql_time

if TYPE_CHECKING:
    from face_server import FaceEmulator


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
