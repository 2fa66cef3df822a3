// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Webex Contact Center recording source for the export engine: tasks in a window → captures →
/// presigned media.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/webex/client.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace webex {

/// Which tasks and recordings to export. Every list is "any of" (empty = no filter); lists are
/// combined with "and". Task filters are applied to the Tasks API attributes before Captures is
/// queried (Captures cannot filter, Webex CC reference §1), so filtered-out tasks cost no
/// Captures calls. A task that lacks the filtered attribute (live servers omit `owner` on IVR-only
/// tasks) does not match.
struct WebexTaskFilter {
  /// Queue id or name (`queue.id` / `queue.name`; names compare case-insensitively).
  std::vector<std::string> queues;
  /// Agent id or name (`owner.id` / `owner.name`; names compare case-insensitively).
  std::vector<std::string> agents;
  /// `direction`: inbound, outbound, outdial (case-insensitive).
  std::vector<std::string> directions;
  /// `status`: e.g. completed, abandoned (case-insensitive).
  std::vector<std::string> statuses;
  /// Recording duration bounds (stopTime - startTime of each capture). The Tasks API has no
  /// duration (that is a Search API field, reference §4.2), so these apply per recording after
  /// Captures; a recording without both times does not match a set bound.
  std::optional<std::chrono::milliseconds> min_duration;
  std::optional<std::chrono::milliseconds> max_duration;
};

/// Options for MakeWebexSource().
struct WebexSourceOptions {
  /// Window [from, to), channel types (default telephony in the CLI), page size, org id.
  TaskQuery tasks;
  /// Presigned URL lifetime requested from Captures, minutes 1..60. Default 30.
  std::chrono::minutes url_expiration{30};
  /// Ask Captures for individual segments instead of the stitched recording. Default false.
  bool include_segments = false;
  /// Re-query Captures before a download when the URL expires within this margin (or within a
  /// quarter of the URL's lifetime, if that is shorter). Default 2 min.
  std::chrono::milliseconds url_refresh_margin{std::chrono::minutes(2)};
  /// A long window is listed as consecutive sub-windows of at most this length, in order
  /// (bounded memory for de-duplication, and earlier recordings land first). Each sub-window
  /// costs at least one Tasks call. Default 1 day (the reference's advice for one listing).
  std::chrono::milliseconds sub_window{std::chrono::hours(24)};
  /// Task and recording filters. Default: none.
  WebexTaskFilter filter;
  /// How long a task may stay without a recording. A task with captureRequested true or null
  /// whose Captures entry is still empty more than this long after its createdTime (measured
  /// with `clock`) is reported once with PendingItem::given_up set and the reason
  /// "unavailable after <age>: ..." — the engine records it as failed and stops holding the
  /// incremental resume point for it, so a recording that was purged or never produced cannot
  /// pin `--since-last-run` forever. The Tasks API has no end time (Webex CC reference §4.2:
  /// `endedTime` is a Search API field), so the age counts from the task's createdTime; a task
  /// without createdTime never gives up (it does not hold the resume point either). Zero: wait
  /// forever. Default 3 days.
  std::chrono::milliseconds pending_max_age{std::chrono::hours(72)};
  Logger logger;
  std::shared_ptr<Clock> clock;  ///< default system clock
};

/// The placeholders that identify a Webex recording in a key template: {task_id} and
/// {recording_id}. Webex CC reference §5.3: key each object by task ID and recording id (a task has
/// several recordings: segments, consult legs); file names repeat ("recording-1.wav").
CCREC_EXPORT exporter::KeyIdentityRule WebexKeyIdentity();

/// Lists the window's tasks (keyset paging), skips tasks with captureRequested == false, queries
/// Captures in batches of 10 and yields one ExportItem per recording entry (stitched or segment,
/// consult legs included). Tasks with no recording yet (captureRequested true or null and an
/// empty recording list) are reported as pending, or as given up once older than
/// WebexSourceOptions::pending_max_age.
///
/// Each item's MediaOpener downloads the presigned URL exactly as given with no Authorization
/// header; when the URL is about to expire, or the download answers 403, it re-queries Captures
/// for that task once and retries with the fresh URL. Sidecars hold the task attributes and
/// the recording's capture attributes, without the presigned URL (a bearer secret while valid).
///
/// Its KeyIdentity() is WebexKeyIdentity(). No I/O happens here.
///
/// Source: Webex CC reference §4 (Tasks), §5 (Captures), §5.4 (presigned download rules).
/// @par Thread safety
/// The returned source follows exporter::RecordingSource's contract.
CCREC_EXPORT std::unique_ptr<exporter::RecordingSource> MakeWebexSource(Client client, WebexSourceOptions options);

}  // namespace webex
}  // namespace v1
}  // namespace ccrec
