// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// What the export engine consumes: a RecordingSource yields ExportItem (with a MediaOpener)
/// and PendingItem values. Each vendor adapter (`ccrec/<vendor>/recording_source.hpp`)
/// implements RecordingSource; the engine (exporter.hpp) knows no vendor.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/manifest.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::exporter {

/// Opens the media stream of one recording. `offset` > 0 asks for the bytes from `offset` on
/// (a resumed download). The status tells the engine where the body starts: 206 = at `offset`,
/// 200 (or any other 2xx) = at byte 0 — a source that cannot resume may return the whole body
/// with 200. A source that already skipped the first `offset` bytes itself must answer 206.
/// HTTP errors are returned as Error; a non-2xx response is treated as a failed attempt (5xx and
/// 429 retried) and never stored. Called concurrently for different items; must be thread-safe.
///
/// Byte-exactness (the engine checks every response):
/// - `ctx.extra_headers` holds `Accept-Encoding: identity` and, on a resume, `If-Range` with the
///   first response's strong ETag (else its Last-Modified). An opener that sends HTTP must send
///   both with the media request: the body must be the stored bytes, never decoded. A response
///   with a `Content-Encoding` other than identity fails the item (kIntegrity, not retried).
/// - A 206 with `Content-Range: bytes START-END/TOTAL` must have START == `offset`, TOTAL equal
///   to the size the first response announced, and a body of exactly END-START+1 bytes; a 206
///   ending before TOTAL is resumed again. A 206 or 200 whose ETag (or Last-Modified) differs
///   from the first response's, or a 200 on a resume that cannot be proven to carry the same
///   recording, restarts the object from byte 0 — never spliced. Without any validator on the
///   first response a broken download restarts from byte 0 instead of resuming.
/// - Any body shorter or longer than its Content-Length is resumed (kIntegrity, retried).
using MediaOpener = std::function<Result<HttpResponse>(CallContext const& ctx, std::uint64_t offset)>;

/// A MediaOpener that returns `error` on every call, for an item a source must report but cannot
/// fetch: a listed entry without an id, a recording known to be incomplete, a vendor's
/// record-failed event. The engine records such an item `failed` with that error (after retries
/// when the error is retryable, as for any opener), so the run ends with exit status 3, never 0.
/// @par Thread safety
/// The opener only copies `error`; it may be called from any thread.
CCREC_EXPORT MediaOpener FailingOpener(Error error);

/// One recording (or one segment) to export.
struct ExportItem {
  /// Manifest identity: (source, task_id, recording_id, segment_id).
  std::string source;
  std::string task_id;
  std::string recording_id;
  std::string segment_id;
  /// Values for the key template (sanitized by the engine).
  KeyFields key_fields;
  /// Sidecar document written at KEY + ".json" (task and capture attributes). Empty: the item
  /// has no sidecar (none is written or checked).
  std::string metadata_json;
  /// Content type of the object. Default empty: derived from the key (ContentTypeForKey()).
  std::string content_type = {};
  /// Expected size in bytes when the source knows it.
  std::optional<std::uint64_t> expected_size;
  /// The time the source's listing is keyed on (Webex: the task's createdTime). Used to compute
  /// ExportSummary::earliest_unfinished, the resume point of incremental runs. Default unknown.
  std::optional<std::chrono::system_clock::time_point> window_time;
  /// Opens the media; required.
  MediaOpener open;
  /// Called once when the engine is done with the item: after its manifest line (exported,
  /// skipped, failed, or pending because the run stopped), after a dry run reported it, or after
  /// it was superseded (IsSuperseded()). Called from a worker thread, a sidecar thread (for an
  /// item whose sidecar was written after its recording), or from the thread of
  /// Exporter::Run() for items the stopped run never started. Optional; lets a source that hands
  /// out follow-up items (see Superseded()) know when its Enumerate() may return. Default none.
  std::function<void()> on_done = {};
  /// Called with the status of each manifest line the engine appends for this item (exported,
  /// skipped, failed, or pending because the run stopped), right after the line, before on_done,
  /// from the thread that appended it. Not called in a dry run (no lines), for a superseded item,
  /// nor for the extra "failed" line of an item whose key another item claimed after it had
  /// completed. Optional; lets a source learn which of its items ended unfinished (failed or
  /// pending: exporter::SubWindowLeaser marks a sub-window done only when none did). Default none.
  std::function<void(ItemStatus status)> on_outcome = {};
};

/// Error::vendor_code of Superseded() errors: "ccrec.superseded".
inline constexpr char kSupersededVendorCode[] = "ccrec.superseded";

/// The error by which a source withdraws an item while the engine reads it: the source found that
/// the item must be replaced by others (Webex CC v1: a time window whose answer is full is split
/// in halves). A MediaOpener, or the body it returned, returns it. The engine then aborts the
/// object (nothing is written), records no manifest line, does not retry, takes the item out of
/// ExportSummary::discovered and calls ExportItem::on_done. The source must hand out the
/// replacements itself (before on_done is called, Enumerate() must not have returned).
/// Code kInternal (so a caller that does not know the convention fails the item instead of
/// losing it), vendor_code kSupersededVendorCode, message `reason`.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Error Superseded(std::string reason);

/// True for errors made by Superseded().
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT bool IsSuperseded(Error const& error) noexcept;

/// A task whose recordings are not available yet (recorded as "pending"; a later run retries).
struct PendingItem {
  std::string source;
  std::string task_id;
  std::string reason;
  /// As ExportItem::window_time.
  std::optional<std::chrono::system_clock::time_point> window_time = std::nullopt;
  /// The recording this pending line is about, when the source knows it (FACE: the recordingId);
  /// written as the manifest line's `recording_id`. Default empty.
  std::string recording_id = {};
  /// The source has waited long enough (webex::WebexSourceOptions::pending_max_age,
  /// face::FaceSourceOptions::pending_max_age): the recording is taken to be unavailable for good
  /// (purged, never produced, or never finalised). The engine records the item once as "failed"
  /// with `reason` (counted in ExportSummary::failed; identity source, task_id and recording_id)
  /// and does not hold ExportSummary::earliest_unfinished back for it, so an incremental run moves
  /// on. When the manifest's last line for that identity already is such a "failed" line (a run
  /// that re-lists it), nothing is recorded or counted again. Default false.
  bool given_up = false;
};

/// Where recordings come from (Webex CC tasks+captures, FACE searches, ...). Each vendor has one
/// adapter, made by `Make<Vendor>Source()` in `ccrec/<vendor>/recording_source.hpp`.
///
/// @par Thread safety
/// Enumerate() is called once per run from one thread; the MediaOpener functions it hands out
/// are called concurrently from the engine's workers and must be thread-safe.
class CCREC_EXPORT RecordingSource {
 public:
  virtual ~RecordingSource() = default;
  /// Calls `on_item` for every recording in the source's window and `on_pending` for every task
  /// whose recordings are not available yet. `on_item` may block (back-pressure) and returns
  /// false when the engine is stopping: then return promptly.
  /// @return an error only for a fatal failure (listing impossible); per-recording problems are
  /// reported through items.
  virtual Result<void> Enumerate(std::function<bool(ExportItem)> const& on_item,
                                 std::function<void(PendingItem)> const& on_pending, CallContext const& ctx) = 0;
  /// The key-template placeholders that identify one of this source's recordings (checked by
  /// Exporter::Validate() through KeyTemplate::Parse()). Default: DefaultKeyIdentityRule()
  /// ({task_id} and {recording_id}).
  virtual KeyIdentityRule KeyIdentity() const { return DefaultKeyIdentityRule(); }
  /// Placeholder names beyond the standard ones that this source fills in KeyFields::extra
  /// (Webex CC v1: {record_type} {from} {to}...). The engine accepts them in the key template
  /// together with ExporterOptions::extra_key_names. Default none.
  virtual std::vector<std::string> ExtraKeyNames() const { return {}; }
  /// Whether an error of one of this source's MediaOpeners (the opener failed, or answered with
  /// an HTTP error; not a body that broke while it was read) means that no further item can be
  /// exported in this run: e.g. the vendor rejected the credentials. The engine then stops the
  /// run with that error as ExportSummary::fatal, without retrying, and records the item (and
  /// every item not finished) as pending. Called from worker threads. Default: false (the item
  /// fails and the run goes on).
  virtual bool IsFatal(Error const& error) const {
    (void)error;
    return false;
  }
};

}  // namespace ccrec::exporter
