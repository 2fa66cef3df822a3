// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// A Webex export adapter for explicit task ids (no Tasks listing): every recording the Captures
/// API returns for each task. `ccrec-export webex serve` uses it for the tasks that
/// `capture:available` webhooks announced.
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
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

/// Options of MakeWebexTaskIdSource().
struct WebexTaskIdSourceOptions {
  /// The tasks to export (duplicates are ignored). Captures is asked 10 ids at a time.
  std::vector<std::string> task_ids;
  /// Presigned URL lifetime requested from Captures, minutes 1..60. Default 30.
  std::chrono::minutes url_expiration{30};
  /// Individual segments instead of the stitched recording. Default false.
  bool include_segments = false;
  /// Organization id for Captures. Default: from the token.
  std::optional<std::string> org_id;
  /// Re-query Captures before a download when the URL expires within this margin, and once after
  /// a 403. Default 2 min.
  std::chrono::milliseconds url_refresh_margin{std::chrono::minutes(2)};
  Logger logger;
  std::shared_ptr<Clock> clock;  ///< default system clock
};

/// A RecordingSource yielding every recording of each task in `options.task_ids` (all of them,
/// not only the last one), keyed like MakeWebexSource() (WebexKeyIdentity()), with a sidecar
/// holding the task id and the capture entry minus its presigned URL (no task attributes: the
/// Tasks API is not called). A task whose Captures entry is empty is reported as PendingItem.
/// A failed Captures call ends Enumerate() with that error.
/// @par Thread safety
/// As exporter::RecordingSource.
CCREC_EXPORT std::unique_ptr<exporter::RecordingSource> MakeWebexTaskIdSource(Client client,
                                                                              WebexTaskIdSourceOptions options);

}  // namespace webex
}  // namespace v1
}  // namespace ccrec
