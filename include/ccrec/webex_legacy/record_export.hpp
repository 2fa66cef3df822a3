#pragma once
/// @file
/// Exporting v1 records of a time range into an ObjectSink: one object per window (JSON Lines
/// or CSV), one manifest line per object, idempotent re-runs.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace webex_legacy {

/// The manifest `source` of v1 record windows: "webex-legacy".
inline constexpr char kManifestSource[] = "webex-legacy";

/// Default object key template: "webex-legacy/{record_type}/{from}-{to}{ext}".
inline constexpr char kDefaultWindowKeyTemplate[] = "webex-legacy/{record_type}/{from}-{to}{ext}";

/// What to export.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT RecordExportOptions {
  /// Record type. Default CSRs.
  RecordType record_type = RecordType::kCsr;
  /// Output format: kJson writes JSON Lines (one compact record per line, `.jsonl`), kCsv writes
  /// the service's CSV bytes unchanged (`.csv`). Default kJson.
  Format format = Format::kJson;
  /// The half-open range [from, to) on `cstts`. Required (non-empty).
  TimeWindow range;
  /// Query template (anchorId, aggregations, timezone, raw JSON...); dates are replaced per window
  /// and `number_of_records` is the per-request row cap (1..service cap). Default: lab defaults.
  Query base_query;
  /// Initial window length; windows are aligned to multiples of it since the epoch. Full
  /// responses are split further. Default 1 hour.
  std::chrono::milliseconds initial_window{std::chrono::hours(1)};
  /// Object key template. Placeholders: {record_type} ("csrs"...), {from} and {to} (window bounds
  /// as "20261101T000000.000Z"), {from_ms} and {to_ms} (epoch ms), {format} ("json"/"csv"),
  /// {ext} (".jsonl"/".csv"), {yyyy} {mm} {dd} (window start, UTC). Must contain {from} or
  /// {from_ms}, {to} or {to_ms}, and {record_type}. Default kDefaultWindowKeyTemplate.
  std::string key_template = kDefaultWindowKeyTemplate;
  /// Windows fetched in parallel, 1..64. Default 1 (the v1 API documents no rate limits; keep
  /// request rates low).
  int concurrency = 1;
  /// Plan only: report the initial windows (after removing exported ones) through
  /// `on_dry_run_window`; fetch and write nothing. Default false.
  bool dry_run = false;
  /// Called for each planned window in a dry run (may be null).
  std::function<void(TimeWindow const&, std::string const& key)> on_dry_run_window;
  /// Called after every finished window with the running totals (may be null; called from the
  /// worker threads, one at a time).
  std::function<void(exporter::ExportSummary const&)> on_progress;
  /// Log sink. Default silent.
  Logger logger;
};

/// A window recorded as exported (or skipped) in a manifest.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ExportedWindow {
  TimeWindow window;      ///< The window.
  std::string key;        ///< Its object key.
  std::uint64_t bytes = 0;  ///< Object size.
  std::string sha256;     ///< Hex SHA-256 when known.
  /// The line's "uri" (ObjectSink::Uri(key)); empty in manifests of older ccrec versions. Only a
  /// window whose uri is the sink's own is skipped without asking the sink.
  std::string uri;
};

/// Validates a window key template (see RecordExportOptions::key_template).
/// Errors: kInvalidArgument naming the problem (unknown placeholder, missing window bounds,
/// record type or format ({ext} or {format}: a JSON and a CSV export of one window must not share
/// a key), absolute path, ".." segment).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<void> ValidateWindowKeyTemplate(std::string const& key_template);

/// Renders the key of one window (every substituted value sanitized by the exporter's rules).
/// Errors: as ValidateWindowKeyTemplate().
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> RenderWindowKey(std::string const& key_template, RecordType type, Format format,
                                                 TimeWindow const& window);

/// Reads the windows of `type`/`format` whose latest manifest line says exported or skipped.
///
/// Manifest identity of a window: source "webex-legacy", task_id = the record type ("csrs"),
/// recording_id = "<begin epoch ms>-<end epoch ms>", segment_id = the format ("json"/"csv").
///
/// @param manifest_path a JSON Lines manifest; a missing file gives an empty list.
/// @return the windows (malformed lines are ignored, like Manifest::Open()).
/// Errors: kInternal when the file exists but cannot be read.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::vector<ExportedWindow>> LoadExportedWindows(std::string const& manifest_path,
                                                                     RecordType type, Format format);

/// Exports every record of `options.range` into `sink`, one object per window.
///
/// Steps: the manifest is bound to the sink (exporter::Manifest::Bind(); another destination or
/// key template is a fatal kInvalidArgument before anything is written). The range is planned
/// into aligned windows minus `exported` (each exported window that overlaps the range counts as
/// skipped and gets a "skipped" manifest line; a window whose line has another or no "uri" only
/// when the sink holds its object, checked as below, else it is planned again); for each
/// remaining window the sink is asked first (Stat: an existing object is skipped when
/// exporter::CheckExistingObject() proves it is this window's, else the window is "failed" and
/// the object is left alone); otherwise the window is
/// queried and, if its response is full (possibly truncated), split in halves down to single
/// milliseconds (a one-millisecond window full at a lower numberOfRecords is re-queried at the
/// cap); a complete window is written as one object (JSON Lines: one compact record per line,
/// empty window = empty object; CSV: the body as received, streamed), then its manifest line
/// ("exported", bytes, sha256) is appended. Objects are written with If-None-Match and the
/// window's identity in `ccrec-id` metadata (source "webex-legacy", task_id the record type,
/// recording_id "<begin ms>-<end ms>", segment_id the format). A one-millisecond window that is still full at the
/// service cap is recorded as "failed" with a kInternal error naming the millisecond — never
/// written partially, never dropped silently.
///
/// Nothing but finished objects is left in the sink: partial objects are aborted. Errors for
/// which IsFatalForRun() is true, and sink credential errors, stop the run (`fatal`); other
/// per-window errors (malformed JSON/CSV, retries exhausted) mark the window "failed" and the run
/// goes on. Cancellation (ctx.cancel) stops the run with `cancelled` set and no line for
/// unfinished windows.
///
/// @param client the v1 client.
/// @param sink destination.
/// @param manifest where lines are appended (Manifest::Null() for none).
/// @param exported windows already done (LoadExportedWindows()).
/// @param options what to export.
/// @return counters: `exported`/`skipped`/`failed` count windows (objects), `bytes` the bytes of
/// objects written in this run, `pending` is always 0; `fatal` for a fatal error, including
/// invalid options (kInvalidArgument; nothing is fetched or written).
/// @par Thread safety
/// Thread-safe with respect to other runs; blocks until done.
CCREC_EXPORT exporter::ExportSummary ExportRecordWindows(Client const& client, ObjectSink& sink,
                                                         exporter::Manifest& manifest,
                                                         std::vector<ExportedWindow> const& exported,
                                                         RecordExportOptions const& options,
                                                         CallContext const& ctx = {});

}  // namespace webex_legacy
}  // namespace v1
}  // namespace ccrec
