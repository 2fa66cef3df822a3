// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Webex Contact Center legacy v1 record source for the export engine: the records of a time
/// range, one export item per time window, whose media is the window's JSON Lines or CSV page.
///
/// @code
/// ccrec::webex_legacy::WebexLegacySourceOptions so;
/// so.record_type = ccrec::webex_legacy::RecordType::kCsr;
/// so.range = {from, to};
/// so.exported_windows = ccrec::webex_legacy::ExportedWindows(*manifest, so.record_type, so.format);
/// ccrec::exporter::ExporterOptions eo;
/// eo.key_template = ccrec::webex_legacy::kDefaultKeyTemplate;
/// eo.write_sidecars = false;  // (items have no sidecar anyway)
/// ccrec::exporter::Exporter exporter(ccrec::webex_legacy::MakeWebexLegacySource(client, so), sink, manifest, eo);
/// auto summary = exporter.Run(ctx);  // exported/skipped/failed count windows
/// @endcode

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/query.hpp>
#include <ccrec/webex_legacy/windows.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ccrec::webex_legacy {

/// The manifest `source` of v1 record windows: "webex-legacy".
inline constexpr char kManifestSource[] = "webex-legacy";

/// Default object key template: "webex-legacy/{record_type}/{from}-{to}{ext}".
inline constexpr char kDefaultKeyTemplate[] = "webex-legacy/{record_type}/{from}-{to}{ext}";

/// What MakeWebexLegacySource() exports.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT WebexLegacySourceOptions {
  /// Record type. Default CSRs.
  RecordType record_type = RecordType::kCsr;
  /// Object format: kJson writes JSON Lines (one compact record per line, `.jsonl`,
  /// application/x-ndjson), kCsv the service's CSV bytes (`.csv`, text/csv). Default kJson.
  Format format = Format::kJson;
  /// The half-open range [begin, end) on `cstts`. Required (non-empty). The part after `clock`'s
  /// now minus `settle` (at Enumerate()) is not exported: it is logged (Warn) and left for a
  /// later run.
  TimeWindow range;
  /// How long after a contact starts its record may still be missing (the historical data holds
  /// completed contacts; when a record appears is not documented): the part of `range` later
  /// than now minus `settle` is left for a later run, since a window once exported is never
  /// queried again. Records of contacts longer than this that appear only when they end can still
  /// be missed: raise it for long chat or email contacts. Zero: cut at now only. Default 2 hours.
  std::chrono::milliseconds settle{std::chrono::hours(2)};
  /// Query template (anchorId, aggregations, timezone, raw JSON...); dates are replaced per
  /// window and `number_of_records` is the per-request row cap (1..Client::ServiceRowCap()).
  /// Default: the lab defaults.
  Query base_query;
  /// Initial window length; windows are aligned to multiples of it since the epoch (PlanWindows()),
  /// so re-runs over overlapping ranges produce the same windows. Default 1 hour.
  std::chrono::milliseconds initial_window{std::chrono::hours(1)};
  /// Windows a manifest records as exported or skipped (ExportedWindows()). The range is planned
  /// around them, and those overlapping it are handed out as they are, so that the engine skips
  /// them by their manifest line (or checks the sink, when the line names another destination)
  /// instead of querying windows that an earlier run split differently. Default none.
  std::vector<TimeWindow> exported_windows;
  /// Log sink (plan, splits, a range that ends after now). Default silent.
  Logger logger;
  /// What "now" is: the range is cut at now minus `settle`. Default: the system clock.
  std::shared_ptr<Clock> clock;
};

/// The placeholders of window keys besides the engine's ({yyyy} {mm} {dd} of the window start,
/// {ext} ".jsonl"/".csv"): {record_type} ("csrs"...), {from} and {to} (window bounds as
/// "20261101T000000.000Z"), {from_ms} and {to_ms} (epoch ms), {format} ("json"/"csv").
/// (RecordingSource::ExtraKeyNames() of the source.)
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::vector<std::string> WebexLegacyKeyNames();

/// The placeholders that identify a window in a key template: {record_type}, {from} or
/// {from_ms}, {to} or {to_ms}, and {ext} or {format} (a JSON and a CSV export of one window must
/// not share a key).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT exporter::KeyIdentityRule WebexLegacyKeyIdentity();

/// The windows of `type`/`format` whose latest line in `manifest` says exported or skipped, in
/// time order (for WebexLegacySourceOptions::exported_windows). Manifest identity of a window:
/// source "webex-legacy", task_id the record type ("csrs"), recording_id
/// "<begin epoch ms>-<end epoch ms>", segment_id the format ("json"/"csv"); lines whose
/// recording_id is not such a window are ignored.
/// @par Thread safety
/// As Manifest::Entries().
CCREC_EXPORT std::vector<TimeWindow> ExportedWindows(exporter::Manifest const& manifest, RecordType type,
                                                     Format format);

/// Makes a RecordingSource that exports every record of `options.range`, one object per time
/// window. No I/O happens here.
///
/// Enumerate() first checks the options (an empty range, numberOfRecords outside
/// 1..Client::ServiceRowCap() or a query that does not build is a kInvalidArgument error: the
/// run is fatal and nothing is fetched). It cuts the range at `options.clock`'s now minus
/// `options.settle` (whole milliseconds; one Warn): a window that ends later would be queried
/// before all its records exist, stored without them and never queried again, so that part is
/// left for a later run (a range that starts at or after the cut hands out nothing). It plans the range into aligned windows minus
/// `exported_windows`, and hands out one ExportItem per window, in time order (the exported
/// windows included): source "webex-legacy", task_id the record type, recording_id
/// "<begin ms>-<end ms>", segment_id the format; key fields {record_type} {from} {to} {from_ms}
/// {to_ms} {format}, {ext}, the window start as the date; no sidecar; window_time the window
/// start. Each item's MediaOpener queries its window when the engine exports it:
/// - JSON: Client::QueryPage(); the body is the page's records, one per line (an empty window is
///   an empty object). The page is held in memory (at most ClientOptions::max_response_bytes).
/// - CSV: Client::OpenCsvPage(), streamed: the service's header and rows, byte for byte.
/// - A full answer (Client::ServiceRowCap() or numberOfRecords rows) may be truncated: the item
///   is withdrawn (exporter::Superseded(): nothing is written for it) and replaced by its two
///   halves, down to single milliseconds; a one-millisecond window full below the cap is queried
///   again at the cap; a CSV answer that shows the service includes dateBegin is queried again for
///   the exact window. A one-millisecond window still full at the cap fails with kInternal naming
///   the millisecond (a "failed" manifest line; never written partially, never dropped).
/// - A query error for which IsFatalForRun() is true (wrong credentials, base URL, TLS, a query
///   the service rejects) stops the run: the source's IsFatal() says so, the run's
///   ExportSummary::fatal is that error and the windows not finished are recorded as pending.
///   Other errors (malformed JSON/CSV, retries exhausted, a body that keeps breaking) fail the
///   window and the run goes on.
/// Enumerate() returns once every window handed out is done (ExportItem::on_done), so that no
/// replacement is left behind, or at once when the run stops (ctx.cancel).
///
/// Its KeyIdentity() is WebexLegacyKeyIdentity(), its ExtraKeyNames() WebexLegacyKeyNames().
/// Summary counters count windows (objects).
///
/// @par Thread safety
/// The source is used by one engine run at a time; its MediaOpeners are thread-safe. It shares
/// `client`.
CCREC_EXPORT std::unique_ptr<exporter::RecordingSource> MakeWebexLegacySource(Client client,
                                                                              WebexLegacySourceOptions options);

}  // namespace ccrec::webex_legacy
