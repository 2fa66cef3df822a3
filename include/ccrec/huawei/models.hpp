// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Huawei CC-Gateway models: sign-in fields and result, agent events, recording references.
///
/// Models are plain aggregates; parsing is lenient (numbers sent as strings and strings sent as
/// numbers are both accepted, missing fields read as absent). Source: reference
/// `huawei-cc-gateway.md` §2 (sign-in), §4 (events), §5 (AgentMediaEvent_Record).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::huawei {

/// `eventType` of "recording started" (reference §5); its `fileName` is the download's recordId.
inline constexpr std::string_view kRecordEvent = "AgentMediaEvent_Record";
/// `eventType` of "recording failed" (same fields as kRecordEvent; nothing to download).
inline constexpr std::string_view kRecordFailEvent = "AgentMediaEvent_Record_Fail";
/// `eventType` of "recording task finished" (`taskId`, `beginTime`, `endTime`).
inline constexpr std::string_view kStopRecordDoneEvent = "AgentMediaEvent_StopRecordDone";

/// Optional fields of the sign-in body (reference §2). Unset fields are not sent, so the gateway's
/// defaults apply; set fields are sent with proper JSON types (booleans and numbers, not strings).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SignInFields {
  /// `autoanswer`; gateway default true.
  std::optional<bool> auto_answer;
  /// `autoenteridle`; gateway default true.
  std::optional<bool> auto_enter_idle;
  /// `releasephone`; gateway default true (sign-in) / false (forcelogin).
  std::optional<bool> release_phone;
  /// `agenttype`: 4 = PC + phone (gateway default), 11 = PC + phone video.
  std::optional<int> agent_type;
  /// `status` after sign-in: 3 busy, 4 idle, 5 wrap-up. Default 3 (busy), so that no calls are routed
  /// to a download account (reference §2, an operational choice, not a Huawei rule).
  std::optional<int> status = 3;
  /// `ip`: IPv4 address of the agent's PC (max 15 characters); gateway default 127.0.0.1.
  std::optional<std::string> ip;
};

/// What a successful sign-in returned (`result` of the sign-in response, reference §2).
struct CCREC_EXPORT SignInResult {
  /// `workno` (the agent id as the gateway spells it).
  std::string work_no;
  /// `vdnid`.
  std::optional<std::int64_t> vdn_id;
  /// `mediatype`: three T/F flags for CTI, WebM, MailM.
  std::string media_type;
  /// `loginTime` (epoch ms).
  std::optional<std::chrono::system_clock::time_point> login_time;
  /// `isForceChange` == "true": the password must be changed before the agent can work (logged as a
  /// warning).
  bool password_change_required = false;
  /// `timeRemaining`: days until the password expires (absent = never or not sent).
  std::optional<std::int64_t> password_days_remaining;
  /// `serverName`.
  std::string server_name;
  /// True when the session was created by `forcelogin` (after 100-002).
  bool forced = false;
  /// The `result` object: the gateway's bytes exactly as sent.
  std::string raw_json;
};

/// One event from the event poll (reference §4): `{"eventType", "workNo", "content", "eventGenTime"}`.
struct CCREC_EXPORT AgentEvent {
  /// `eventType`, e.g. "AgentMediaEvent_Record"; empty when the gateway sent none.
  std::string event_type;
  /// `workNo` (string or number on the wire).
  std::string work_no;
  /// `eventGenTime` (epoch ms; newer gateways only).
  std::optional<std::chrono::system_clock::time_point> generated_at;
  /// `content`: the gateway's bytes exactly as sent ("null" when absent). A `content` sent as a JSON
  /// string holding an object (or array) is unwrapped to that string's text.
  std::string content_json = "null";
  /// The whole event object: the gateway's bytes exactly as sent.
  std::string raw_json;
};

/// A recording the gateway can serve through `recordfile` (reference §5, §6): what ccrec needs to
/// download it and to describe it in the sidecar.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT RecordingReference {
  /// The agent whose event announced it (`workNo`), or the downloading agent.
  std::string agent_id;
  /// `fileName`: the recording's path on the file server, passed byte-for-byte as `recordId`.
  std::string file_name;
  /// `locationId`: the node holding the file (mandatory for downloads in CTI pool mode). Digits.
  std::string location_id;
  /// `recordID`: the recording serial number.
  std::string record_serial;
  /// `callId`.
  std::string call_id;
  /// `caller` number (personal data: never logged).
  std::string caller;
  /// `called` number (personal data: never logged).
  std::string called;
  /// `fileMediaType`: 1 audio, 2 video ("1" and 2 both appear on the wire).
  std::optional<int> file_media_type;
  /// `taskId`: the platform recording task (pairs the Record and StopRecordDone events).
  std::string task_id;
  /// `eventGenTime` of the announcing event.
  std::optional<std::chrono::system_clock::time_point> event_time;
  /// The event's `content` as JSON text (for sidecars); "null" when not from an event.
  std::string content_json = "null";
  /// Announced by an `AgentMediaEvent_Record` whose `AgentMediaEvent_StopRecordDone` has not been seen:
  /// the call may still be going on, so the file may still be being written (reference §5,
  /// unconfirmed). Set by UnfinishedRecordings() for the pending line of a recording still being
  /// recorded when an earlier run ended; then `task_id` is its taskId and `event_time` when that run
  /// saw its Record event (by HuaweiSourceOptions::clock). A listed reference with this flag and a
  /// `task_id` is not downloaded before its StopRecordDone or before it is
  /// HuaweiSourceOptions::max_recording_duration old (see HuaweiRecordingSource); without
  /// `event_time` its age counts from now. Default false (a finished recording).
  bool awaiting_stop_record = false;
};

/// `AgentMediaEvent_StopRecordDone` (reference §5): the recording task finished.
struct CCREC_EXPORT RecordingStopped {
  /// `taskId` (pairs it with its AgentMediaEvent_Record).
  std::string task_id;
  /// `beginTime` (epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> begin_time;
  /// `endTime` (epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> end_time;
  /// `fileMediaType`: 1 audio, 2 video.
  std::optional<int> file_media_type;
};

/// Parses an `AgentMediaEvent_Record` (or `AgentMediaEvent_Record_Fail`) event leniently: `fileName`,
/// `locationId`, `recordID`, `callId`, `caller`, `called`, `taskId` as strings or numbers (a number
/// as the text the gateway wrote: `1E2` stays "1E2", a 30-digit id keeps its digits);
/// `fileMediaType` as "1" or 1. `agent_id` comes from `workNo`.
///
/// @param event an event from AgentSession::PollEvents().
/// @return the reference.
/// Errors: kInvalidArgument when the event is of another type; kParse when `content` is not an object
/// or has no non-empty `fileName`, or when `locationId` is present but not digits.
/// Source: reference §5.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<RecordingReference> ParseRecordEvent(AgentEvent const& event);

/// Parses an `AgentMediaEvent_StopRecordDone` event (`taskId`, `beginTime`, `endTime` epoch ms,
/// `fileMediaType`).
/// @return nullopt when the event is of another type or carries no `taskId`.
/// Source: reference §5.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<RecordingStopped> ParseStopRecordDone(AgentEvent const& event);

}  // namespace ccrec::huawei
