#pragma once
/// @file
/// The Webex Contact Center recording source: tasks in a window → captures → presigned media.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/webex/client.hpp>

#include <chrono>
#include <memory>

namespace ccrec {
inline namespace v1 {
namespace exporter {

/// Options for MakeWebexSource().
struct WebexSourceOptions {
  /// Window [from, to), channel types (default telephony in the CLI), page size, org id.
  webex::TaskQuery tasks;
  /// Presigned URL lifetime requested from Captures, minutes 1..60. Default 30.
  std::chrono::minutes url_expiration{30};
  /// Ask Captures for individual segments instead of the stitched recording. Default false.
  bool include_segments = false;
  /// Re-query Captures before a download when the URL expires within this margin. Default 2 min.
  std::chrono::milliseconds url_refresh_margin{std::chrono::minutes(2)};
  Logger logger;
  std::shared_ptr<Clock> clock;  ///< default system clock
};

/// Lists the window's tasks (keyset paging), skips tasks with captureRequested == false, queries
/// Captures in batches of 10 and yields one ExportItem per recording entry (stitched or segment,
/// consult legs included). Tasks with no recording yet (captureRequested true or null and an
/// empty recording list) are reported as pending.
///
/// Each item's MediaOpener downloads the presigned URL exactly as given with no Authorization
/// header; when the URL is about to expire, or the download answers 403, it re-queries Captures
/// for that task once and retries with the fresh URL. Sidecars hold the task attributes and
/// the recording's capture attributes, without the presigned URL (a bearer secret while valid).
///
/// Source: Webex CC reference §4 (Tasks), §5 (Captures), §5.4 (presigned download rules).
/// @par Thread safety
/// The returned source follows RecordingSource's contract.
CCREC_EXPORT std::shared_ptr<RecordingSource> MakeWebexSource(webex::Client client, WebexSourceOptions options);

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
