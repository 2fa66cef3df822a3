# SPDX-License-Identifier: Apache-2.0
"""Constants, knobs and the request error shared by the modules of the FACE emulator (face_server.py).

Fixed users, FACE return codes and messages (ref §7), the selection criteria and parameters of each
command (ref §4), and the knob table (command-line flags and ``POST /_emulator/config``).
"""

from __future__ import annotations

import re

import emulib


NAME = "face_server"
DAY_MS = 86_400_000
VERSION = "5.2.0M1P0 build 2016.12.15_13.29"

DEFAULT_USER = "israpi@acmepacket.com"
DEFAULT_PASSWORD = "Admin1234"
EXPIRED_USER = "expired.api@acmepacket.com"
EXPIRED_PASSWORD = "Expired1234"
LOCKED_USER = "locked.api@acmepacket.com"
LOCKED_PASSWORD = "Locked1234"
WEB_USER = "webuser@acmepacket.com"  # not an API user: may not use FACE (ref §2)
WEB_PASSWORD = "Web12345"

MSG_LIST = "Selection criteria insufficient to determine recording. Returning all matches."
MSG_TRUNCATED = ("Selection criteria insufficient to determine recording. There were more matches than "
                 "maxListLength, please refine your search if the entry you require is not in this list.")
MSG_LOGIN_FAILED = "Unable to authenticate. Please check your credentials."
MSG_PASSWORD_EXPIRED = "The password for this user has expired. Please change it using the ISR Dashboard."
MSG_BAD_TOKEN = "Invalid or expired token"
MSG_MULTI_SEGMENT = ("This recording has multiple segments; download and redirect work for single-segment "
                     "recordings only. Use audioRecording/segment/download for each segment.")

# Return-code table (ref §7).
CODE_MESSAGES = {
    0: "ACK",
    -1: "NACK",
    1: "Feature Not Licensed",
    2: "Host Not Authorized",
    3: "Parameter Missing",
    4: "Missing Command - command parameter is required",
    5: "Invalid Command",
    6: "Missing Parameter - ANI parameter is required",
    7: "Missing Parameter - DNIS parameter is required",
    8: "Missing Parameter - channelId parameter is required",
    9: "Missing Parameter - fileId parameter is required",
    10: "Error establishing database connection",
    11: "Error retrieving file with supplied criteria",
    12: "Recording has already started on this channel",
    13: "Recording is started by another session or not started, cannot end recording.",
    14: "Invalid Parameter for RecordEnd - fileId not found from recording index.",
    15: "Error Indexing for RecordEnd - java.sql.SQLException",
    16: "Error Generating Token",
    17: "Couldn't find route information",
    18: "ANI and DNIS are required for command SaveRecording",
    19: "No recording found with supplied criteria",
    20: "RSS could not successfully perform the operation",
    21: "Cannot change name of file while recording is in progress",
    22: "Cannot rename a file that is set to be deleted",
    23: "Could not convert file to playable format",
    24: "Timed out waiting for file conversion",
    25: "Conversion already initiated by another user, please try again later",
    26: "No session or file was found matching the provided UCID",
    27: "Missing Parameter - %parameter% is required",
}

# Selection criteria (ref §4).
GENERAL_PARAMS = ("isrUcid", "ingressCallId", "egressCallId", "thirdpartyId", "ani", "from", "dnis", "to",
                  "filename", "start", "earliestStart", "latestStart", "end", "earliestEnd", "latestEnd", "aor",
                  "inProgress")
CONTROL_ONLY_PARAMS = ("channelNumber", "rssId", "recordingId", "tmpRecordingId", "audioOnly", "mustHaveVideo",
                       "format", "formatName", "version")
CUSTOM_FIELDS = ("customerId", "campaign", "testCustomData1")
DATE_PARAMS = ("start", "earliestStart", "latestStart", "end", "earliestEnd", "latestEnd")
BOOL_PARAMS = ("inProgress", "audioOnly", "mustHaveVideo")
SELECTION = GENERAL_PARAMS + CONTROL_ONLY_PARAMS + CUSTOM_FIELDS
METADATA_BODY_PARAMS = ("filename", "agentId", "agentTerminal", "sensitive", "setNeverExpire") + CUSTOM_FIELDS

COMMAND_PARAMS: dict[str, tuple[str, ...]] = {
    "audioRecording/details": SELECTION + ("maxListLength",),
    "audioRecording/download": SELECTION,
    "audioRecording/redirect": SELECTION,
    "audioRecording/segment/details": SELECTION + ("segmentId", "maxListLength"),
    "audioRecording/segment/download": SELECTION + ("segmentId",),
    "audioRecording/segment/redirect": SELECTION + ("segmentId",),
    "audioRecording/start": SELECTION + ("codecProfile",),
    "audioRecording/stop": SELECTION,
    "audioRecording/pause": SELECTION + ("fillWithSilence",),
    "audioRecording/resume": SELECTION,
    "audioRecording/split": SELECTION,
    "audioRecording/delete": SELECTION,
    "file/download": ("filename", "supplementalFileId", "type"),
    # The ISR API guide's parameters (eventNotify?event=..&ucid=..&calledAors=aor1,aor2;
    # StartScreenCapture?IsrId=..&AgentId=.. or &ScreenIP=..; StopScreenCapture?AgentId=.. or ?ScreenIP=..).
    "eventNotify": ("event", "ucid", "calledAors"),
    "StartScreenCapture": ("IsrId", "AgentId", "ScreenIP"),
    "StopScreenCapture": ("AgentId", "ScreenIP"),
}
CONTROL_COMMANDS = ("start", "stop", "pause", "resume", "split", "delete")

SQL_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?")


class BadRequest(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# --------------------------------------------------------------------------------------------------
# Knobs
# --------------------------------------------------------------------------------------------------


Knob = emulib.Knob  # kinds used here: int, prob, bool, str

KNOBS: tuple[Knob, ...] = (
    Knob("token_ttl_max", "int", 86_400, "largest token lifetime in seconds (omitted expirationSeconds -> this)",
         minimum=1),
    Knob("token_ttl_override", "int", None, "every new token lives this many seconds, whatever was asked",
         minimum=0, nullable=True),
    Knob("list_cap", "int", 1000, "server-side cap on list length, applied below maxListLength", minimum=1),
    Knob("list_times_in_seconds", "bool", False,
         "code -1 lists write start/end times as yyyy-MM-dd HH:mm:ss (ref §5.2 examples); filters stay exact"),
    Knob("date_fractions_ignored", "bool", False,
         "date parameters are read to the second, their fraction ignored (ref §4: the format is undocumented)"),
    Knob("ignore_accept", "bool", False, "always answer XML, even when JSON was asked for"),
    Knob("xml", "choice", "off",
         "off: XML unless Accept asks for JSON (bytes UTF-8 under the guide's encoding=\"UTF-16\" declaration); "
         "otherwise every answer is XML, whatever Accept says, encoded as named (utf-16le/utf-16be with a BOM, "
         "-nobom without one)",
         choices=("off", "utf-8", "utf-16le", "utf-16be", "utf-16le-nobom", "utf-16be-nobom")),
    Knob("json_quirks", "bool", True, "trailing empty {\"segment\":{}}, account as a string (ref §5.3)"),
    Knob("lockout_after", "int", 5, "failed logins after which an account is locked (0 = never)", minimum=0),
    Knob("vendor_error_http_status", "int", 200, "HTTP status of responses carrying a FACE error code", minimum=100),
    Knob("media_content_type", "str", "audio/wav", "Content-Type of downloaded audio"),
    Knob("media_drop_rate", "prob", 0.0, "probability of closing a download after part of the body"),
    Knob("latency_ms", "int", 0, "delay added to every /Face request", minimum=0),
    *emulib.TRICKLE_KNOBS,
)


class Config(emulib.KnobConfig):
    KNOBS = KNOBS
    STRICT_NUMBERS = False  # this emulator's knobs always took these laxer number rules
