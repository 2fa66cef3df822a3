# SPDX-License-Identifier: Apache-2.0
"""Part of the Huawei CC-Gateway emulator (huawei_gateway.py): constants, return codes (ref §8), the
preset files and the knobs."""

from __future__ import annotations

import re

import emulib

NAME = "huawei_gateway"
PREFIX = "/agentgateway/resource/"
JSON_CT = "application/json;charset=UTF-8"
OCTET_CT = "application/octet-stream;charset=utf-8"

# ref §8: agent interface codes and CC-Gateway codes (abridged), with the gateway's own wording.
RETCODES: dict[str, str] = {
    "0": "success",
    "000-000": "unknown error",
    "000-001": "wrong method for getting agent events",
    "000-002": "URL parameter or address wrong, or interface parameter invalid",
    "000-003": "no right to invite resource",
    "000-004": "agent is being switched over",
    "000-006": "message parameter error",
    "000-007": "interface repeatedly invoked",
    "100-001": "sign-in parameter empty or invalid",
    "100-002": "agent already signed in",
    "100-003": "resource or provider unavailable",
    "100-004": "wrong user name or password",
    "100-006": "agent not signed in",
    "100-007": "exception during the operation",
    "100-008": "agent already signed out",
    "104-001": "recording download function not enabled",
    "104-002": "no recording inspection or playback right",
    "104-004": "no drive mapping configured",
    "104-005": "recording file does not exist",
    "104-007": "recording file format not supported",
    "104-008": "recording format not configured",
    "104-009": "recording file conversion failed",
    "104-010": "recording node ID not configured",
    "107-000": "cached login info invalid, sign in again",
}
RETCODE_RE = re.compile(r"retcode-(\d{3}-\d{3})")
FAIL_ENDPOINTS = ("signin", "forcelogin", "poll", "download", "logout", "handshake", "updateguid", "any")

DEFAULT_AGENTS = (("20011", 'Hw@Gw#2026+p w"&=', "70006"), ("20012", "Second#Agent+pw2", "70007"))
LARGE_FILE = "Y:/1/0/20261101/20011/large.V3"

# Preset files: realistic paths of ref §6.1 and hostile names (drive letters, backslashes, spaces,
# & + # % ? = ; , UTF-8, traversal, hidden files).  (name, size, filetype)
PRESET_FILES: tuple[tuple[str, int, int], ...] = (
    ("Y:/6/0/20161025/20011/1902050.V3", 48_000, 1),
    ("y:/1/0/20181217/120/1524488.V3", 20_000, 1),
    ("y:\\1\\0\\20181217\\120\\1524489.V3", 21_000, 1),
    ("y:/1/record/20190412/playvoice1551276018824.wav", 12_044, 2),
    ("y:/3rdfile/1/record/20190408/515/1633022.V3", 9_000, 2),
    ("Y:/1/0/20201202/503/1714442.mp4", 30_000, 1),
    ("conferenceId=7781;recordId0=20201202503;", 7_000, 1),
    ("Y:/1/0/20261101/20011/a b&c+d#e%f?g=h;i,j.V3", 5_000, 1),
    ("Y:/1/0/20261101/20011/a b&c d#e%f?g=h;i,j.V3", 5_001, 1),  # differs only by '+' vs ' '
    ("Y:/1/0/20261101/20011/100%25 sure %41.V3", 4_000, 1),       # literal "%25" and "%41" in the name
    ("Y:/1/0/20261101/20011/录音 é ü.wav", 6_044, 1),
    ("Y:/1/0/20261101/20011/../../../etc/passwd", 3_000, 1),
    ("Y:\\1\\0\\20261101\\20011\\.hidden.V3", 2_500, 1),
    ("Y:/1/0/20261101/20011/tab\tand\"quote'.V3", 2_000, 1),
)

# --------------------------------------------------------------------------------------------------
# Knobs (command-line flags and POST /_emulator/config share these names)
# --------------------------------------------------------------------------------------------------


Knob = emulib.Knob  # kinds used here: int, float, prob, bool, choice

KNOBS: tuple[Knob, ...] = (
    Knob("guid_mode", "choice", "dynamic", "static (AUTHMODE=1) or dynamic (AUTHMODE=2) GUIDs",
         choices=("static", "dynamic")),
    Knob("guid_interval_ms", "int", 60_000, "dynamic mode: GUID rotation period (GUIDINTERVAL)", minimum=1),
    Knob("old_guid_grace_ms", "int", 2_000, "a rotated-out GUID keeps working this long", minimum=0),
    Knob("rotate_on", "choice", "any",
         "which responses carry a new Set-GUID: any authenticated response, or only poll/heartbeat ones",
         choices=("any", "poll")),
    Knob("bad_guid_retcode", "choice", "000-003", "retcode for a stale or unknown Guid header",
         choices=("000-003", "100-006")),
    Knob("require_cookies", "bool", True, "calls without the sign-in cookies are answered 100-006"),
    Knob("require_content_type", "bool", True,
         "calls without Content-Type: application/json are answered 000-002"),
    Knob("session_timeout_seconds", "float", 120.0, "no poll/heartbeat for this long signs the agent out",
         minimum=0.05),
    Knob("poll_hold_seconds", "float", 10.0, "how long an event poll is held when there is no event",
         minimum=0),
    Knob("empty_event_shape", "choice", "null", "poll answer without event: \"event\":null or no member",
         choices=("null", "missing")),
    Knob("record_events", "int", 0, "AgentMediaEvent_Record events generated per agent after its first sign-in",
         minimum=0),
    Knob("event_interval_ms", "int", 1000, "time between generated record events", minimum=0),
    Knob("event_start_delay_ms", "int", 0, "delay of the first generated record event after sign-in", minimum=0),
    Knob("record_duration_ms", "int", 200, "delay between a record event and its AgentMediaEvent_StopRecordDone",
         minimum=0),
    Knob("stop_record_events", "bool", True, "send AgentMediaEvent_StopRecordDone after each record event"),
    Knob("noise_events", "bool", True, "mix unrelated agent events into the event stream"),
    Knob("record_file_bytes", "int", 65_536, "size of generated recordings", minimum=0),
    Knob("hostile_names", "bool", False, "generated recordings use hostile file names"),
    Knob("pool_mode", "bool", False, "CTI pool mode: downloads must carry the file's locationId"),
    Knob("max_concurrent_downloads_per_agent", "int", 0, "more parallel downloads of one agent get 000-007 (0 = off)",
         minimum=0),
    Knob("download_chunk_delay_ms", "int", 0, "pause after every 64 KiB of a download", minimum=0),
    Knob("download_drop_rate", "prob", 0.0, "probability of closing a download after a random part of the body"),
    Knob("strict_types", "bool", False, "sign-in fields must have JSON types (no \"4\" for 4)"),
    Knob("require_encoded_record_id", "bool", False, "a raw ':' '/' or '\\' in recordId is 000-002"),
    Knob("force_change_password", "bool", False, "sign-in result says isForceChange \"true\""),
    Knob("sign_in_latency_ms", "int", 50, "time a sign-in takes (concurrent sign-ins of one agent get 000-007)",
         minimum=0),
    Knob("latency_ms", "int", 0, "delay added to every gateway request", minimum=0),
    Knob("large_file_bytes", "int", 36_000_000, "size of the preset large recording " + LARGE_FILE, minimum=0),
    Knob("seed", "int", 1, "seed of file contents and fault randomness"),
    *emulib.TRICKLE_KNOBS,
)


class Config(emulib.KnobConfig):
    """Current knob values; reads are lock-free, updates all-or-nothing."""

    KNOBS = KNOBS
