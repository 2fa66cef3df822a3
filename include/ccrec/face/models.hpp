// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Typed models of Oracle ISR FACE responses: recordings, segments, custom data, SIPREC data,
/// list matches and search results.
///
/// Parsing is lenient (STYLE.md §4): anything a server may omit is `std::optional`, empty values
/// (`<agentId/>`, `"agentId":""`) read as absent, numbers are accepted as numbers or numeric
/// strings, and the raw JSON of each recording and segment is kept.
///
/// JSON and XML answers (XML is FACE's default format; UTF-8 or UTF-16) give the same models. For
/// an XML answer, every `raw_json` is the JSON form of the XML record (documented list elements as
/// `[{"item":{..}}]`, known numeric and boolean members typed, `location` as `locationId`, compact;
/// docs/face.md "XML answers"), which equals the server's JSON when that JSON is compact.
///
/// Source: ISR API Guide "REST API Commands" (return data), "Format Responses in JSON";
/// ccrec reference `oracle-face.md` §5.

#include <ccrec/core/export.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::face {

/// One custom data value of a recording (`customDataSets/customData`).
///
/// @par Thread safety
/// A plain value type.
struct CustomData {
  /// `customDataId`, when sent.
  std::optional<std::int64_t> custom_data_id;
  /// Field name (`name`), e.g. "customerId".
  std::string name;
  /// Value (`value`); may be empty.
  std::string value;
};

/// A SIPREC participant (`siprecDataSets/siprecData/participants/participant`).
///
/// @par Thread safety
/// A plain value type.
struct SiprecParticipant {
  std::optional<std::string> participant_id;
  /// Address of record, e.g. "sip:alice@example.com".
  std::optional<std::string> aor;
  std::optional<std::string> name;
};

/// A SIPREC media stream (`streams/stream`).
///
/// @par Thread safety
/// A plain value type.
struct SiprecStream {
  std::optional<std::string> stream_id;
  std::optional<std::string> label;
};

/// SIPREC metadata of a segment (`siprecDataSets/siprecData`).
///
/// @par Thread safety
/// A plain value type.
struct SiprecData {
  std::optional<std::string> session_id;
  std::vector<SiprecParticipant> participants;
  std::vector<SiprecStream> streams;
  /// The whole `siprecData` object, extension data included: the server's bytes exactly as sent
  /// (an XML answer: its JSON form, see the file comment).
  std::string raw_json;
};

/// A supplemental file of a recording (downloaded with Client::DownloadFile()). FACE returns
/// them with the full metadata of a single match (reference §5.1); the shape of an entry is not
/// documented: ccrec reads `supplementalFiles:[{"supplementalFile":{...}}]` (or a plain array)
/// with the members below, each optional (docs/face.md, "Not verified").
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SupplementalFile {
  /// `supplementalFileId` (number or string).
  std::optional<std::string> supplemental_file_id;
  /// `filename`.
  std::optional<std::string> filename;
  /// Size in bytes (`size`), when the server sends one.
  std::optional<std::uint64_t> size;
  /// `type`, when the server sends one (e.g. "video": downloaded with `type=video`).
  std::optional<std::string> type;
  /// The entry object: the server's bytes exactly as sent (an XML answer: its JSON form).
  std::string raw_json;

  /// True when `type` is "video" (case-insensitive): file/download then needs `type=video`.
  bool IsVideo() const;
};

/// A list entry the server sent that cannot be read, left out of the parsed result: a `segments`
/// entry of a recording without a readable `segmentId`, or a code -1 `matches` entry without a
/// readable `recordingId` (`segmentId` in a segment list), or an entry that is not an object.
/// An empty entry (`{}`, null, "") of a code -1 list is unreadable too (it names nothing, and it
/// counts toward maxListLength); in a recording's `segments` it is left out, not unreadable:
/// Oracle's own example ends its segment list with `"segment":{}`.
///
/// @par Thread safety
/// A plain value type.
struct UnreadableEntry {
  /// 0-based position in the list as the server sent it (empty entries counted).
  std::size_t index = 0;
  /// What is wrong, e.g. "no readable recordingId (members: from, to, start)": member names only,
  /// never values (they hold phone numbers).
  std::string problem;
  /// The first 12 hex digits of the SHA-256 of the entry's text as sent: the same entry gives the
  /// same value (e.g. the identity of its failed manifest line).
  std::string fingerprint;
};

/// One segment of a recording (full form, from a code-0 `details` or `segment/details` answer).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Segment {
  /// `segmentId` (numbers are kept as their decimal text). Never empty in parsed results.
  std::string segment_id;
  /// `recordingId` of the owning recording.
  std::string recording_id;
  /// `sequence`, 1-based order within the recording.
  std::optional<std::int64_t> sequence;
  /// File name on the recorder, e.g. "x.seg0.wav"; `.rpdd` while the segment is being recorded.
  /// Server-provided: never use it as a path without sanitizing.
  std::string filename;
  std::optional<std::string> directory;
  std::optional<std::int64_t> file_status;
  /// `locationId` (JSON, 6.4 XML) or `location` (older XML).
  std::optional<std::int64_t> location_id;
  /// Start and end (UTC, converted with the client's configured server offset). `end` is absent
  /// while the segment is in progress.
  std::optional<std::chrono::system_clock::time_point> start;
  std::optional<std::chrono::system_clock::time_point> end;
  /// The times exactly as the server wrote them ("2018-08-29 19:00:54.923").
  std::optional<std::string> start_text;
  std::optional<std::string> end_text;
  std::optional<bool> checksum_mismatch;
  /// `pauseLength` as sent (unit undocumented).
  std::optional<std::int64_t> pause_length;
  std::optional<bool> has_video;
  std::optional<std::int64_t> archived;
  std::optional<std::int64_t> conversion_status;
  std::vector<SiprecData> siprec_data;
  /// The segment object: the server's bytes exactly as sent (an XML answer: its JSON form).
  std::string raw_json;

  /// True while the segment is being recorded: its file name ends in `.rpdd` or it has no end
  /// (reference §5.3). Such a segment cannot be downloaded yet.
  bool InProgress() const;
};

/// A recording with full metadata (code-0 `audioRecording/details` answer).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Recording {
  /// `recordingId` as decimal text. Never empty in parsed results.
  std::string recording_id;
  /// Calling party (`ani`, or `from` in list entries).
  std::optional<std::string> ani;
  /// Called party (`dnis`, or `to`).
  std::optional<std::string> dnis;
  /// `account` (a string in JSON, a number in XML).
  std::optional<std::string> account;
  /// `duration`, milliseconds (derived: it equals end - start in Oracle's example).
  std::optional<std::chrono::milliseconds> duration;
  std::optional<std::chrono::system_clock::time_point> start_time;
  std::optional<std::string> start_time_text;
  std::optional<std::string> rss;
  std::optional<std::string> route;
  std::optional<std::string> agent_id;
  std::optional<bool> sensitive;
  std::optional<bool> delete_flag;
  std::optional<std::string> isr_ucid;
  std::optional<std::string> ingress_call_id;
  std::optional<std::string> egress_call_id;
  std::vector<CustomData> custom_data;
  /// Segments in `sequence` order (as sent when sequences are missing). Empty and unknown
  /// entries (e.g. the trailing `"segment":{}` of Oracle's example) are dropped.
  std::vector<Segment> segments;
  /// Segment entries that could not be read (UnreadableEntry), not in `segments`. A recording with
  /// any is incomplete as parsed: the FACE source exports none of it and records it as failed.
  std::vector<UnreadableEntry> unreadable_segments;
  std::vector<SupplementalFile> supplemental_files;
  /// The recording object: the server's bytes exactly as sent (an XML answer: its JSON form).
  std::string raw_json;

  /// True when any segment is in progress, or when no segment is known yet (no segment entry at
  /// all: a recording whose only segment entries are unreadable is not in progress).
  bool InProgress() const;
};

/// One entry of a code -1 "Returning all matches" list from `audioRecording/details`.
///
/// @par Thread safety
/// A plain value type.
struct RecordingMatch {
  std::string recording_id;
  std::optional<std::string> isr_ucid;
  std::optional<std::string> ingress_call_id;
  std::optional<std::string> egress_call_id;
  std::optional<std::string> filename;
  /// `from` (or `ani`).
  std::optional<std::string> ani;
  /// `to` (or `dnis`).
  std::optional<std::string> dnis;
  std::optional<std::chrono::system_clock::time_point> start;
  std::optional<std::string> start_text;
};

/// One entry of a code -1 list from `audioRecording/segment/details`.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SegmentMatch {
  std::string segment_id;
  std::string recording_id;
  std::string filename;
  std::optional<std::chrono::system_clock::time_point> start;
  std::optional<std::chrono::system_clock::time_point> end;
  std::optional<bool> has_video;
  /// `.rpdd` file name or no end.
  bool InProgress() const;
};

/// What every `details` search answer says besides its match or matches: the public base of
/// RecordingSearchResult and SegmentSearchResult.
///
/// @par Thread safety
/// A plain value type.
struct SearchStatus {
  /// FACE return code: 0 (one match, full metadata), -1 (a list of matches) or 19 (no match).
  int code = 0;
  /// The server's message, e.g. "ACK" or "Selection criteria insufficient ...".
  std::string message;
  /// The list of matches is incomplete: the server said "more matches than maxListLength", or it
  /// holds maxListLength entries (counting unreadable ones). Refine the criteria
  /// (Client::ListRecordings() splits the window).
  bool truncated = false;
  /// Code -1: the list entries that could not be read (UnreadableEntry), not in `matches`.
  std::vector<UnreadableEntry> unreadable_matches;
};

/// The answer to an `audioRecording/details` search.
///
/// Exactly one of these holds: `recording` (code 0, one match, full metadata), `matches`
/// non-empty (code -1 list), or neither (code 19, no recording found — not an error for a search).
///
/// @par Thread safety
/// A plain value type.
struct RecordingSearchResult : SearchStatus {
  std::optional<Recording> recording;
  std::vector<RecordingMatch> matches;
};

/// The answer to an `audioRecording/segment/details` search: `segment` (code 0), `matches`
/// non-empty (code -1 list), or neither (code 19).
///
/// @par Thread safety
/// A plain value type.
struct SegmentSearchResult : SearchStatus {
  std::optional<Segment> segment;
  std::vector<SegmentMatch> matches;
};

/// The answer to a control command (start, stop, pause, resume, split, delete, eventNotify,
/// StartScreenCapture, StopScreenCapture).
///
/// @par Thread safety
/// A plain value type.
struct ControlResult {
  /// Always 0 (failures are returned as Error).
  int code = 0;
  /// e.g. "stop command returned successfully".
  std::string message;
  /// `recordingId` when the server returned one (e.g. after start).
  std::optional<std::string> recording_id;
  /// The new file name when the message says the recorder renamed the file (reference §6).
  std::optional<std::string> renamed_filename;
  /// The `result` object (eventNotify and screen capture: the `response` object): the server's
  /// bytes exactly as sent (an XML answer: its JSON form).
  std::string raw_json;
};

/// What a successful login produced (the token itself is never exposed or logged).
///
/// @par Thread safety
/// A plain value type.
struct LoginInfo {
  /// When the token stops working (now + the lifetime the server granted).
  std::chrono::system_clock::time_point expires_at{};
  /// The granted lifetime (`expiration`, e.g. "3600seconds").
  std::chrono::seconds lifetime{0};
};

}  // namespace ccrec::face
