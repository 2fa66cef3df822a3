// SPDX-License-Identifier: Apache-2.0
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
#include <ccrec/exporter/recording_source.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::exporter {

/// Counters of a run, also reported periodically through ExporterOptions::on_progress. The
/// ItemStatusCounts count the recordings (and pending tasks) of this run by their outcome.
struct CCREC_EXPORT ExportSummary : ItemStatusCounts {
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
  /// Items (and pending tasks) that ended failed or pending in this run without a window_time
  /// (given-up pending tasks excepted), e.g. a FACE recording or a Webex task whose start time the
  /// server did not send: earliest_unfinished cannot say where they are in the listed window, so
  /// an incremental run must not move its checkpoint past the start of that window while this is
  /// non-zero (see Checkpoint). 0 when every unfinished item had a window_time.
  std::uint64_t unfinished_without_window_time = 0;

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
  /// List what would be exported without downloading or writing anything: each item goes to
  /// `on_dry_run_item`, except those whose latest manifest line already says exported or skipped
  /// at the same key and destination (counted in ExportSummary::skipped). Default false.
  bool dry_run = false;
  /// Called once per planned object in a dry run with the key (may be null). Called from the
  /// worker threads, concurrently when concurrency > 1.
  std::function<void(ExportItem const&, std::string const& key)> on_dry_run_item;
  /// Download attempts per recording (dropped connections resume with Range). Default 5.
  int download_attempts = 5;
  /// Copy buffer per transfer. Default 256 KiB.
  std::size_t copy_buffer_bytes = 256 * 1024;
  /// Write a sidecar KEY.json per recording (items with an empty ExportItem::metadata_json have
  /// none). Default true.
  bool write_sidecars = true;
  /// Per-item event: called once per item of a run (not in a dry run) with its final outcome,
  /// right after the outcome's manifest entry was appended (not necessarily synced yet):
  /// `outcome` is that entry (status exported, skipped, failed or pending; key, uri, bytes,
  /// sha256), its `error` passed through RedactSecrets. Items are the ExportItems the source
  /// handed out, plus the tasks it reported pending (PendingItem, including given-up tasks ending
  /// "failed") and the items a stopping run never started ("pending"); for those, `item` carries
  /// only source, task_id, recording_id, segment_id and window_time. An item the source withdraws
  /// (Superseded()) is not reported. One exception to "once": an item reported exported or
  /// skipped is reported again, as failed, when a later item of the same run collides with it
  /// (renders the same key, or one of the two renders the other's sidecar key KEY.json: a key
  /// collision; the summary moves it to `failed` too), and then `item` carries only its
  /// identity as above.
  /// @par Thread safety
  /// Called from the worker threads, the sidecar threads (items with a sidecar) and the thread
  /// that runs Run() (pending tasks), concurrently: it must be thread-safe, should return quickly (a worker
  /// waits for it) and must not throw. Default none.
  std::function<void(ExportItem const& item, ManifestEntry const& outcome)> on_item_done;
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
/// - How an existing key is found: by Stat() before anything is downloaded, except when the sink
///   EnforcesIfNoneMatch(), the manifest is bound to the destination (not Manifest::Null()) and
///   has no line for the item at all (a new recording). Then the write itself is the check: one
///   conditional write instead of Stat() + write, one round trip less per recording, and two
///   instances exporting the same recording cannot both store it (exactly once). A write refused
///   with "PreconditionFailed" is judged by Stat() as above. The cost: a recording stored by an
///   export whose manifest was lost (or by another instance) is downloaded again before the
///   sink refuses it; the manifest normally prevents that, and a sink that does not enforce
///   if_none_match (the default) is always asked first.
/// - Two items of one run that render the same key both end "failed" (a key collision; an item
///   already recorded as exported or skipped gets a second, "failed" line, and the summary
///   moves it to `failed`). So do two items one of which renders the other's sidecar key
///   (KEY.json, when the other has a sidecar: write_sidecars and a non-empty metadata_json),
///   e.g. server-provided file names ending in ".json". The same recording listed twice is not a
///   collision.
/// - Everything else is streamed (download → sink writer, no temporary files, memory bounded by
///   concurrency × copy_buffer_bytes plus the sink's own buffers) with PutOptions::if_none_match
///   and the identity in PutOptions::metadata (kIdentityMetadataKey, plus "ccrec-source"); an
///   object that appeared meanwhile is checked as above. Then its sidecar is written (same
///   metadata; looked up by Stat() first unless the sink EnforcesIfNoneMatch(), so that an
///   existing object is never replaced) by a small pool (one thread per worker; at most
///   2 × concurrency sidecars wait, beyond that the workers wait), so that the worker goes on
///   with the next item; the manifest line is written once both objects are stored (so a
///   manifest "exported" line implies both objects exist, and survive a crash when the sink
///   makes an object durable before Finish() returns, as the filesystem sink with fsync and the
///   S3 sink do). A sidecar that cannot be
///   written makes the item "failed" (its recording stays; the next run finds it, keeps it and
///   writes the sidecar); a run that stops (cancellation, a fatal error) before a sidecar is
///   written records the item "pending", and Run() returns only after every sidecar write has
///   ended. An item skipped because its key exists gets its sidecar written if that is missing
///   (on the worker). An object already at the sidecar key is kept as the item's sidecar when its
///   `ccrec-id` names the item (or, beside a recording of an older ccrec without identity
///   metadata, when it has none either); any other object there, another recording's or one
///   without identity metadata, makes the item "failed" and is left alone.
/// - An item the source withdraws while it is read (Superseded(): it hands out replacements)
///   leaves no object and no line and is not counted, unless the run is stopping (then pending).
/// - Run() fsyncs the manifest before it returns; a failure there is ExportSummary::fatal.
/// The run keeps one small record per distinct key (recording and sidecar keys, for collisions)
/// besides the manifest's.
/// ExportSummary::bytes counts exported recordings only: bytes of failed or cancelled transfers
/// are taken back.
///
/// Fatal conditions stop the run: a source listing error, a MediaOpener error the source calls
/// fatal (RecordingSource::IsFatal()), or the sink rejecting our credentials (kUnauthenticated /
/// kPermissionDenied on the first write). Per-item failures
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

}  // namespace ccrec::exporter
