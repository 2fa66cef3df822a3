#pragma once
/// @file
/// The recording export engine: a RecordingSource streamed into an ObjectSink, with a manifest.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/object_identity.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace exporter {

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

/// One recording (or one segment) to export.
struct ExportItem {
  /// Manifest identity: (source, task_id, recording_id, segment_id).
  std::string source;
  std::string task_id;
  std::string recording_id;
  std::string segment_id;
  /// Values for the key template (sanitized by the engine).
  KeyFields key_fields;
  /// Sidecar document written at KEY + ".json" (task and capture attributes).
  std::string metadata_json;
  /// Expected size in bytes when the source knows it.
  std::optional<std::uint64_t> expected_size;
  /// The time the source's listing is keyed on (Webex: the task's createdTime). Used to compute
  /// ExportSummary::earliest_unfinished, the resume point of incremental runs. Default unknown.
  std::optional<std::chrono::system_clock::time_point> window_time;
  /// Opens the media; required.
  MediaOpener open;
};

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
  /// The source has waited long enough (e.g. WebexSourceOptions::pending_max_age): the recording
  /// is taken to be unavailable for good (purged, or never produced). The engine records the
  /// task once as "failed" with `reason` (counted in ExportSummary::failed) and does not hold
  /// ExportSummary::earliest_unfinished back for it, so an incremental run moves on. When the
  /// manifest's last line for the task already is such a "failed" line (a run that re-lists it),
  /// nothing is recorded or counted again. Default false.
  bool given_up = false;
};

/// Where recordings come from (Webex CC tasks+captures, FACE searches, ...).
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
};

/// Counters of a run, also reported periodically through ExporterOptions::on_progress.
struct CCREC_EXPORT ExportSummary {
  std::uint64_t exported = 0;
  std::uint64_t skipped = 0;
  std::uint64_t failed = 0;
  std::uint64_t pending = 0;
  /// Bytes of recordings exported in this run (sidecars not counted).
  std::uint64_t bytes = 0;
  /// Recordings seen so far (exported + skipped + failed + in flight).
  std::uint64_t discovered = 0;
  /// The run stopped because ctx.cancel fired.
  bool cancelled = false;
  /// A fatal error stopped the run (listing failed, sink credentials rejected, ...).
  std::optional<Error> fatal;
  /// Wall time since the run started.
  std::chrono::milliseconds elapsed{0};
  /// The smallest ExportItem/PendingItem::window_time among items that ended failed or pending in
  /// this run (given-up pending tasks excepted, see PendingItem::given_up); nullopt when none did
  /// (or none had a window_time). An incremental run resumes
  /// from here so that nothing unfinished is left behind (`--since-last-run`).
  std::optional<std::chrono::system_clock::time_point> earliest_unfinished;

  /// The contract's last line: "exported=N skipped=N failed=N pending=N bytes=N".
  std::string LastLine() const;
};

/// Options of an export run.
struct ExporterOptions {
  /// Parallel transfers. Default 4, 1..64.
  int concurrency = 4;
  /// Key template. Default "call-detail/{task_id}/{recording_id}{ext}".
  std::string key_template = "call-detail/{task_id}/{recording_id}{ext}";
  /// Extra placeholder names the source provides (see KeyTemplate::Parse).
  std::vector<std::string> extra_key_names;
  /// List what would be exported without downloading or writing anything. Default false.
  bool dry_run = false;
  /// Called once per planned object in a dry run with the key (may be null). Called from the
  /// worker threads, concurrently when concurrency > 1.
  std::function<void(ExportItem const&, std::string const& key)> on_dry_run_item;
  /// Download attempts per recording (dropped connections resume with Range). Default 5.
  int download_attempts = 5;
  /// Copy buffer per transfer. Default 256 KiB.
  std::size_t copy_buffer_bytes = 256 * 1024;
  /// Write a sidecar KEY.json per recording. Default true.
  bool write_sidecars = true;
  /// Progress callback, called from a background thread every `progress_interval` and once at
  /// the end. Default none.
  std::function<void(ExportSummary const&)> on_progress;
  std::chrono::milliseconds progress_interval{1000};
  Logger logger;
  std::shared_ptr<Clock> clock;      ///< default system clock
  std::shared_ptr<Sleeper> sleeper;  ///< default real sleeper (waits between download attempts)
};

/// Runs exports. Exactly-once per recording, and never a recording lost or overwritten:
/// - The manifest is bound to the destination first (Manifest::Bind() with ObjectSink::Uri("")
///   and the key template; only checked in a dry run): a manifest of another destination or
///   template makes the run fatal before anything is written.
/// - An item whose latest manifest entry is exported/skipped under the same key and the same
///   URI (ObjectSink::Uri(key)) is skipped without any sink call. Entries without a URI (older
///   manifests) are not trusted: the sink is asked.
/// - An item whose key already exists in the sink is skipped only when the object proves to hold
///   this recording (CheckExistingObject(): its `ccrec-id` metadata, or for objects of older
///   ccrec versions the item's last "exported" manifest line); any other existing object makes
///   the item "failed" with an error naming the object, and the object is left alone.
/// - Two items of one run that render the same key both end "failed" (a key collision; an item
///   already recorded as exported or skipped gets a second, "failed" line, and the summary
///   moves it to `failed`). The same recording listed twice is not a collision.
/// - Everything else is streamed (download → sink writer, no temporary files, memory bounded by
///   concurrency × copy_buffer_bytes plus the sink's own buffers) with PutOptions::if_none_match
///   and the identity in PutOptions::metadata (kIdentityMetadataKey, plus "ccrec-source"); an
///   object that appeared meanwhile is checked as above. Then its sidecar is written (same
///   metadata), then its manifest line (so a manifest "exported" line implies both objects
///   exist, and survive a crash when the sink makes an object durable before Finish() returns,
///   as the filesystem sink with fsync and the S3 sink do). An item skipped because its key
///   exists gets its sidecar written if that is missing.
/// - Run() fsyncs the manifest before it returns; a failure there is ExportSummary::fatal.
/// The run keeps one small record per distinct key (for collisions) besides the manifest's.
/// ExportSummary::bytes counts exported recordings only: bytes of failed or cancelled transfers
/// are taken back.
///
/// Fatal conditions stop the run: a source listing error, or the sink rejecting our
/// credentials (kUnauthenticated / kPermissionDenied on the first write). Per-item failures
/// are recorded as "failed" with the error and the run goes on.
///
/// @par Thread safety
/// Run() may be called again after it returns, not concurrently.
class CCREC_EXPORT Exporter {
 public:
  Exporter(std::shared_ptr<RecordingSource> source, std::shared_ptr<ObjectSink> sink,
           std::shared_ptr<Manifest> manifest, ExporterOptions options);
  /// Checks the options (concurrency range, key template against the source's KeyIdentity()).
  /// Called by Run() too.
  Result<void> Validate() const;
  /// Runs to completion, cancellation (ctx.cancel) or a fatal error.
  ExportSummary Run(CallContext const& ctx = {});

 private:
  std::shared_ptr<RecordingSource> source_;
  std::shared_ptr<ObjectSink> sink_;
  std::shared_ptr<Manifest> manifest_;
  ExporterOptions options_;
};

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
