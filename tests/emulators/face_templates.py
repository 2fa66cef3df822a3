# SPDX-License-Identifier: Apache-2.0
"""Response templates of the FACE emulator (``format=template&formatName=..&version=..`` on
``audioRecording/details`` and ``audioRecording/segment/details``), kept apart from the server.

The ISR API guide documents the parameters (``format``'s only value is ``template``; ``version``
defaults to the highest) and a default ``verint`` template whose output carries an ``audio_url``
pointing at the recording store.  The exact text of a template is not documented: this emulator
renders an invented but stable XML document per version, so tests can check that ccrec passes the
answer through byte for byte.

* ``verint`` versions 1 and 2 (2 is the highest): ``<recordings>`` with one ``<recording>`` per
  match (``recording_id``, ``ani``, ``dnis``, ``start_time``, ``audio_url``; version 2 adds
  ``segment_count`` and a non-ASCII ``note``), as UTF-8 ``application/xml``.
* ``utf16``: the same as UTF-16LE with a byte order mark (not valid UTF-8: ccrec stores it base64).
* Any other name or version: code -1 "Template not found" (the guide does not say what FACE answers;
  an assumption).  ``format`` other than ``template``: code -1.  No match: code 19.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

TEMPLATES = {"verint": ("1", "2"), "utf16": ("1",)}


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(handler: Any, q: dict[str, str], recordings: list) -> None:
    """Answer a templated details request for ``recordings`` (the matches) on ``handler``."""
    if q.get("format") != "template":
        handler.send_code(-1, "Invalid value for parameter format; the only value is template")
        return
    name = q.get("formatName", "")
    versions = TEMPLATES.get(name)
    version = q.get("version", versions[-1] if versions else "")
    if not versions or version not in versions:
        handler.send_code(-1, "Template not found")
        return
    if not recordings:
        handler.send_code(19)
        return
    base = handler.emu.base_url
    parts = [f'<?xml version="1.0" encoding="{"UTF-16" if name == "utf16" else "UTF-8"}"?>',
             f'<recordings template="{name}" version="{version}">']
    for r in recordings:
        seg = r.segments[0]
        url = f"{base}/Recordings{seg.directory}/{quote(seg.filename, safe='')}"
        parts.append(f"<recording><recording_id>{r.recording_id}</recording_id><ani>{_escape(r.ani)}</ani>"
                     f"<dnis>{_escape(r.dnis)}</dnis><start_time>{r.start_ms}</start_time>"
                     f"<audio_url>{_escape(url)}</audio_url>")
        if version == "2":
            parts.append(f"<segment_count>{len(r.segments)}</segment_count><note>r\u00e9sum\u00e9 \u260e</note>")
        parts.append("</recording>")
    parts.append("</recordings>\n")
    text = "".join(parts)
    body = b"\xff\xfe" + text.encode("utf-16-le") if name == "utf16" else text.encode("utf-8")
    handler.emu.stats.incr("template_answers")
    handler.send_bytes(200, body, "application/xml; charset=" + ("UTF-16" if name == "utf16" else "UTF-8"))

