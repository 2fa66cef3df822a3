// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `SearchCriteria`: the documented FACE selection criteria, and their URL encoding.
///
/// Source: ISR API Guide "REST API Commands" (input parameters); ccrec reference
/// `oracle-face.md` §3 (URL encoding) and §4 (selecting recordings).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::face {

/// Selection criteria of `audioRecording/details`, `segment/details`, downloads and control
/// commands. Only set fields are sent; every field is optional.
///
/// Dates are sent as UTC `yyyy-MM-dd HH:mm:ss` with `.SSS` when the millisecond part is not zero
/// (see TimeFormat); FACE bounds are inclusive (`earliestStart` = at or after, `latestStart` = at
/// or before).
///
/// @par Thread safety
/// A plain value type.
struct SearchCriteria {
  /// `recordingId` (valid for retrieval per Oracle's own examples, reference §4).
  std::optional<std::string> recording_id;
  /// `tmpRecordingId`.
  std::optional<std::string> tmp_recording_id;
  /// `segmentId`: segment commands only (EncodeCriteria rejects it elsewhere).
  std::optional<std::string> segment_id;
  /// `isrUcid`, the recommended key.
  std::optional<std::string> isr_ucid;
  /// `ingressCallId` / `egressCallId` (SIP Call-IDs).
  std::optional<std::string> ingress_call_id;
  std::optional<std::string> egress_call_id;
  /// `thirdpartyId` (e.g. an ObserveIT screen-capture id).
  std::optional<std::string> thirdparty_id;
  /// Calling party, sent as `ani` (FACE also accepts `from`).
  std::optional<std::string> ani;
  /// Called party, sent as `dnis` (FACE also accepts `to`).
  std::optional<std::string> dnis;
  /// `filename`.
  std::optional<std::string> filename;
  /// `aor`, address of record.
  std::optional<std::string> aor;
  /// `start` (exact), `earliestStart`, `latestStart` (inclusive range).
  std::optional<std::chrono::system_clock::time_point> start;
  std::optional<std::chrono::system_clock::time_point> earliest_start;
  std::optional<std::chrono::system_clock::time_point> latest_start;
  /// `end`, `earliestEnd`, `latestEnd` (recordings in progress have no end and never match these).
  std::optional<std::chrono::system_clock::time_point> end;
  std::optional<std::chrono::system_clock::time_point> earliest_end;
  std::optional<std::chrono::system_clock::time_point> latest_end;
  /// `inProgress` (6.3+): true = only recordings in progress.
  std::optional<bool> in_progress;
  /// `channelNumber`, `rssId` (recording control).
  std::optional<std::int64_t> channel_number;
  std::optional<std::int64_t> rss_id;
  /// `audioOnly` (true = only recordings without supplemental files), `mustHaveVideo`.
  std::optional<bool> audio_only;
  std::optional<bool> must_have_video;
  /// Custom data field names and searchable SIPREC extension data names (from the ISR's
  /// `metadata_types` table) with their values, e.g. {"customerId", "C-1"}, sent in this order.
  std::vector<std::pair<std::string, std::string>> custom_fields;
  /// `maxListLength`, 1..1000 (searches only). Default: not sent (the server's default, 1000).
  std::optional<int> max_list_length;
};

/// How dates go on the wire.
///
/// @par Thread safety
/// A plain value type.
struct TimeFormat {
  /// Send `.SSS` when a time has a non-zero millisecond part. When false, times are sent to the
  /// second: lower bounds rounded down, upper bounds rounded up, exact times truncated.
  /// Client::ListRecordings sends whole seconds either way and uses milliseconds only to split
  /// one second whose list is truncated (false: that second fails the listing). Default true.
  bool milliseconds = true;
  /// Offset of the server's clock from UTC (the 6.3+ user-time-zone feature): added to times
  /// sent, subtracted from times received. Default 0 (UTC).
  std::chrono::minutes server_utc_offset{0};
};

/// Which command the criteria are for (decides which fields are allowed).
enum class CriteriaUse {
  kRecordingSearch,     ///< audioRecording/details: everything but segment_id
  kSegmentSearch,       ///< audioRecording/segment/details: everything
  kRecordingSelection,  ///< download, redirect, control commands: no segment_id, no max_list_length
  kSegmentSelection,    ///< segment/download, segment/redirect: no max_list_length
};

/// Encodes `criteria` as a query string (no leading '?', no token): documented names only, in a
/// fixed order, every value RFC 3986 percent-encoded (`+` → `%2B`, `@` → `%40`, `:` → `%3A`,
/// space → `%20`).
///
/// @param criteria the criteria; unset fields are not sent.
/// @param use the command they are for.
/// @param format date format.
/// @return the query, e.g. "ani=%2B1555&earliestStart=2026-11-01%2000%3A00%3A00".
/// Errors: kInvalidArgument when a string value is empty (FACE rejects empty parameters), a
/// custom field name is empty, contains characters outside `[A-Za-z0-9_.-]` or repeats a
/// documented parameter name or "token", max_list_length is outside 1..1000, a range is
/// inverted (earliest after latest), or a field is not allowed for `use`.
///
/// Source: reference §3, §4.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> EncodeCriteria(SearchCriteria const& criteria, CriteriaUse use,
                                                TimeFormat const& format = {});

/// Formats a time for FACE: `yyyy-MM-dd HH:mm:ss` plus `.SSS` when `format.milliseconds` and the
/// millisecond part is not zero, after adding `format.server_utc_offset`.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string FormatFaceTime(std::chrono::system_clock::time_point time, TimeFormat const& format = {});

/// Parses a FACE time `yyyy-MM-dd HH:mm:ss[.f{1,3}]` (0–3 fractional digits; reference §5.3) in
/// the server's zone (`format.server_utc_offset`) and returns it as UTC.
/// @return nullopt when malformed.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<std::chrono::system_clock::time_point> ParseFaceTime(std::string const& text,
                                                                               TimeFormat const& format = {});

}  // namespace ccrec::face
