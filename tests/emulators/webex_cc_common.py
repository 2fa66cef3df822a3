# SPDX-License-Identifier: Apache-2.0
"""Constants, knobs and wire helpers shared by the modules of the Webex CC emulator (webex_cc.py).

The knob table (command-line flags and ``POST /_emulator/config`` share its names), the fixed identity
defaults, and the error bodies and query-parameter checks of the API and of the pre-signed media URLs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import emulib


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
DEFAULT_REFRESH_BODY = "NWY3ZGZmYjMtNTc1Ny00ZTZmLWI2N2EtZDZiZWM1NzQ3NzdkNjRmYjk4N2ItZjc3"
DEFAULT_CODE_BODY = "YmE5ZTI0OWItZDFkNC00NjU4LTk3ZTctNDlhYTA0YzY4ZGNhZjZiMGI5NjAtNDFj"

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
    Knob("media_html_task_suffix", "str", None,
         "media GETs of the tasks whose id ends with this text are answered 200 with an HTML page (a "
         "proxy or captive portal answering instead of the recording store)", nullable=True),
    Knob("media_empty_task_suffix", "str", None,
         "media GETs of the tasks whose id ends with this text are answered 200 with an empty body "
         "(Content-Length: 0; the store failing, e.g. an object whose upload never completed)", nullable=True),
    Knob("latency_ms", "int", 0, "delay added to every API and media request", minimum=0),
    Knob("url_expiry_override_seconds", "int", None,
         "pre-signed URLs expire after this many seconds regardless of urlExpiration", minimum=0,
         nullable=True),
    Knob("from_inclusive", "bool", True, "tasks with createdTime == from are returned (undocumented, ref §4.3)"),
    Knob("tasks_page_cap", "int", None,
         "GET /v1/tasks returns at most this many tasks per page whatever pageSize asks (a server that "
         "caps pageSize silently; paging is undocumented, ref §4.3)", minimum=1, maximum=1000, nullable=True),
    Knob("tasks_newest_first", "bool", False,
         "GET /v1/tasks sends the newest tasks first (the spec documents no order, ref §4.3); with "
         "tasks_page_cap a page holds the newest tasks of the window"),
    Knob("tasks_without_id_suffix", "str", None,
         "GET /v1/tasks sends the tasks whose id ends with this text without their \"id\" (a malformed "
         "answer)", nullable=True),
    Knob("search_unindexed_suffix", "str", None,
         "POST /search does not return the tasks whose id ends with this text: the Search API has not "
         "indexed them yet (it lags behind the Tasks API; the delay is not documented, ref §6)", nullable=True),
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
# Error bodies and parameter checks
# --------------------------------------------------------------------------------------------------

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
