// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex Contact Center data models: tasks (`GET /v1/tasks`), captures (`POST /v1/captures/query`)
/// and the query aggregates of those operations.
///
/// Every attribute a server may omit is `std::optional` (live servers omit more than the spec
/// admits, e.g. `owner` on IVR-only tasks). Unknown enum strings are preserved as received, and
/// each task and recording keeps its JSON object as received in `raw_json`.
///
/// Source: Webex CC API, `wxcc-recordings-subset.openapi.json` (schemas `Task`, `TaskAttributes`,
/// `RecordingMulti`, `RecordingAttributes`, `TranscriptMulti`, `RecordingQuery`); ccrec reference
/// `webex-cc.md` §4, §5.

#include <ccrec/core/export.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::webex {

/// An `{id, name}` reference (schemas `TaskOwner`, `TaskQueue`). Both fields may be absent.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT NamedRef {
  std::optional<std::string> id;
  std::optional<std::string> name;
};

/// One task (a call, chat, email...) as returned by `GET /v1/tasks`.
///
/// Source: Webex CC API, schemas `Task` / `TaskAttributes`; reference §4.2. `endedTime`,
/// `totalDuration` and `recordingLocation` are Search API fields and are not in this response.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Task {
  /// Task id (UUID), `id`. Always present in tasks returned by the client.
  std::string id;
  /// `attributes.channelType`, e.g. "telephony", "chat", "email", "social" (unknown values kept).
  std::optional<std::string> channel_type;
  /// `attributes.status`: created, queued, offered, assigned, abandoned, completed (unknown kept).
  std::optional<std::string> status;
  /// `attributes.origin`: the customer's identifier (phone number, email address).
  std::optional<std::string> origin;
  /// `attributes.destination`: what the customer contacted (dialled number, chat page, mailbox).
  std::optional<std::string> destination;
  /// `attributes.direction`: inbound, outbound, outdial (unknown kept).
  std::optional<std::string> direction;
  /// `attributes.reasonCode`.
  std::optional<std::string> reason_code;
  /// `attributes.owner`: the last agent. Missing on IVR-only and abandoned tasks.
  std::optional<NamedRef> owner;
  /// `attributes.queue`: the last queue.
  std::optional<NamedRef> queue;
  /// `attributes.createdTime` (epoch ms on the wire). The key of the Tasks keyset paging.
  std::optional<std::chrono::system_clock::time_point> created_time;
  /// `attributes.lastUpdatedTime`. Not an end time: it can change after the task closed.
  std::optional<std::chrono::system_clock::time_point> last_updated_time;
  /// `attributes.captureRequested`: true = a capture should eventually exist, false = none will
  /// be made, absent (null) = not yet known; revisit such tasks later.
  std::optional<bool> capture_requested;
  /// The task object exactly as received: the server's bytes (numbers, escapes, whitespace as sent).
  std::string raw_json;
};

/// A `data[]` element of a `GET /v1/tasks` page that cannot be read as a Task: not a JSON object,
/// or without a non-empty string `id` (which the spec marks required). Its recordings cannot be
/// looked up (Captures takes task ids only), so Client::ListTasks() reports it instead of dropping
/// it silently.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT MalformedTask {
  /// The element exactly as received (the server's bytes).
  std::string raw_json;
  /// `attributes.createdTime` when the element is an object that has a readable one.
  std::optional<std::chrono::system_clock::time_point> created_time;
  /// What is wrong and where, for messages, e.g. `Webex GET /v1/tasks from=.. to=..: data[3] has
  /// no string "id" (or is not an object)`.
  std::string reason;
};

/// `attributes` of one recording (schema `RecordingAttributes`).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT RecordingAttributes {
  /// `fileName`, e.g. "recording-1.wav". Take the file extension from here; never assume WAV.
  std::optional<std::string> file_name;
  /// `filePath`: the presigned S3 download URL. A secret while valid: never log its query.
  /// Download it with Client::OpenRecording(), exactly as given.
  std::optional<std::string> file_path;
  /// `channel1`: Caller, Agent or VA (unknown kept).
  std::optional<std::string> channel1;
  /// `channel2`: Caller, Agent, VA or Others (unknown kept).
  std::optional<std::string> channel2;
  /// `callType`: main, consult, va-main, va-consult (unknown kept).
  std::optional<std::string> call_type;
  /// `startTime` (epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> start_time;
  /// `stopTime` (epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> stop_time;
  /// `participants`: agent CI user ids and the customer's masked phone/email. Non-string entries
  /// are skipped (numbers converted to text).
  std::vector<std::string> participants;
  /// `sensitive`: set only for virtual-agent recordings.
  std::optional<bool> sensitive;
};

/// One entry of a task's `recording[]` array (schema `RecordingMulti`): the stitched capture, a
/// segment, a consult leg or a virtual-agent leg.
///
/// A recording without `id` or `filePath` is still returned (with `id` empty / `file_path`
/// absent) so that the caller can report it.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Recording {
  /// `id` of the recording; empty when the server omitted it.
  std::string id;
  /// `segment`: true when this is a segment of the main recording (always false for consult).
  std::optional<bool> segment;
  /// `attributes` (all fields optional; empty when the server omitted the object).
  RecordingAttributes attributes;
  /// The recording object exactly as received: the server's bytes (numbers, escapes, whitespace as sent).
  std::string raw_json;
};

/// One entry of a task's `transcription[]` array (schema `TranscriptMulti`). On the wire its
/// keys `Source`/`Provider` start with a capital letter and its times are strings of epoch ms.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Transcription {
  /// `id`: the CCAI config id (voice) or conversation id (digital channels); may be empty.
  std::string id;
  /// `Source`, e.g. "recording", "chat", "sms".
  std::optional<std::string> source;
  /// `Provider`, e.g. "CISCO".
  std::optional<std::string> provider;
  /// `fileName`, e.g. "voiceTranscript.json".
  std::optional<std::string> file_name;
  /// `filePath`: presigned download URL (a secret while valid).
  std::optional<std::string> file_path;
  /// `startTime` (a string of epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> start_time;
  /// `createTime` (a string of epoch ms on the wire).
  std::optional<std::chrono::system_clock::time_point> create_time;
  /// `languageCode`, e.g. "en-US".
  std::optional<std::string> language_code;
  /// The transcription object exactly as received: the server's bytes (numbers, escapes, whitespace as
  /// sent).
  std::string raw_json;
};

/// The captures of one task (schema `MultipleInteractionsRecording`).
///
/// Unknown task ids come back with empty lists (the API answers 200 with empty arrays; a 404 is
/// therefore not "no recording"). Combine with Task::capture_requested to tell "not yet" from
/// "never" (reference §5.3).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT TaskCaptures {
  /// `taskId`.
  std::string task_id;
  /// Every `recording[]` entry, in server order (segments, consult and VA legs included).
  std::vector<Recording> recordings;
  /// Every `transcription[]` entry, in server order.
  std::vector<Transcription> transcriptions;
};

/// Options of Client::ListTasks() / Client::ListTasksPage() (`GET /v1/tasks`).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT TaskQuery {
  /// Start of the window, inclusive (sent as `from`, epoch ms; sub-millisecond parts truncated).
  /// Required.
  std::chrono::system_clock::time_point from;
  /// End of the window, exclusive (sent as `to`, epoch ms). Required; must be after `from`.
  /// End windows a few minutes in the past: captures of recent calls may not exist yet.
  std::chrono::system_clock::time_point to;
  /// Sent as `channelTypes`, comma-separated: "telephony", "chat", "email", "social" (lower case).
  /// Default {} = no filter (every channel).
  std::vector<std::string> channel_types;
  /// Sent as `pageSize`, 1..1000. Default 1000 (the maximum: fewest requests against the
  /// 300 requests/min limit).
  int page_size = 1000;
  /// Sent as `orgId` only when set; otherwise the server takes the org from the token.
  std::optional<std::string> org_id;
  /// Client::ListTasks() only: receives each `data[]` element of the window that is not a task
  /// (not an object, or no non-empty string `id`) instead of the pager ending with kParse after
  /// the last task; once per distinct element text (an element re-read at a page boundary is not
  /// repeated), only when it lies in the window (elements without a readable createdTime always
  /// qualify). Called from inside the pager's increment, on the iterating thread, before the
  /// tasks of the same page are yielded; must not throw. Default empty: the kParse error. The
  /// same shape as FACE's ListQuery::on_unreadable_entry.
  std::function<void(MalformedTask)> on_malformed;
};

/// Options of Client::QueryCaptures() / Client::QueryCapturesBatched()
/// (`POST /v1/captures/query`, body `{"query":{...}}`).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT CaptureQuery {
  /// `taskIds`: 1..10 unique task ids for QueryCaptures() (duplicates are removed first);
  /// ignored by QueryCapturesBatched(), which takes the ids as a parameter.
  std::vector<std::string> task_ids;
  /// `urlExpiration`: lifetime of the returned presigned URLs, 1..60 minutes (the API takes
  /// minutes, not seconds, and rejects 0). Default 30 minutes.
  std::chrono::minutes url_expiration{30};
  /// `includeSegments`: true = individual segments of the main recording, false = one stitched
  /// capture. Default false.
  bool include_segments = false;
  /// `includeVARecordings`: include virtual-agent legs (callType va-main / va-consult).
  /// Default false.
  bool include_va_recordings = false;
  /// `orgId`, sent only when set; otherwise the server takes the org from the token.
  std::optional<std::string> org_id;
};

}  // namespace ccrec::webex
