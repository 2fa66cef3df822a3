// SPDX-License-Identifier: Apache-2.0
#include <ccrec/exporter/exporter.hpp>

#include "exporter/item_queue.hpp"
#include "exporter/key_claims.hpp"
#include "exporter/media_download.hpp"
#include "exporter/sidecar.hpp"
#include "exporter/task_pool.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

namespace ccrec::exporter {

namespace {

/// Copies source, task_id, recording_id and segment_id (RecordingIdentity, ExportItem, ManifestEntry).
template <class From, class To> void CopyIdentity(From const& f, To& t) {
  std::tie(t.source, t.task_id, t.recording_id, t.segment_id) = std::tie(f.source, f.task_id, f.recording_id, f.segment_id);
}

using detail::IdentityOf;
using detail::ItemQueue;

void Done(ExportItem const& item) {
  if (item.on_done) item.on_done();
}

/// The placeholders of the options and of the source.
std::vector<std::string> KeyNames(ExporterOptions const& options, RecordingSource const& source) {
  auto names = options.extra_key_names;
  for (auto& name : source.ExtraKeyNames()) names.push_back(std::move(name));
  return names;
}

bool IsCredentialError(Error const& e) {
  return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
}

struct Counters {
  std::atomic<std::uint64_t> exported{0}, skipped{0}, failed{0}, pending{0}, bytes{0}, discovered{0};
  std::atomic<std::uint64_t> unfinished_untimed{0};  // ExportSummary::unfinished_without_window_time
};

/// One run's shared state.
class Run {
 public:
  Run(RecordingSource& source, ObjectSink& sink, Manifest& manifest, ExporterOptions const& options,
      KeyTemplate key_template, CallContext const& user_ctx)
      : source_(source), sink_(sink), manifest_(manifest), options_(options), template_(std::move(key_template)),
        user_ctx_(user_ctx), queue_(static_cast<std::size_t>(options.concurrency) * 2),
        backoff_(RetryPolicy{options.download_attempts, std::chrono::minutes(10), std::chrono::milliseconds(500),
                             std::chrono::seconds(15), 2.0, std::chrono::minutes(5)}) {
    work_ctx_ = user_ctx;
    work_ctx_.cancel = stop_;
    // Without a manifest every item may exist already: Stat() first, or each would be downloaded
    // again only to be refused by the sink.
    enforces_if_none_match_ = sink.EnforcesIfNoneMatch();
    conditional_create_ = enforces_if_none_match_ && manifest.Destination().has_value();
  }

  ExportSummary Execute() {
    auto const start = std::chrono::steady_clock::now();
    CancellationToken done;  // fired once the workers have finished
    // Links the caller's cancellation to the internal stop token (which the transport and the
    // sink see through work_ctx_) and reports progress. It wakes at once on cancellation and at
    // least every 10 ms otherwise, and at once when the run is done. Workers and the enumerating
    // thread also check the caller's token themselves (Stopping()), without waiting for it.
    std::thread monitor([&] {
      auto next_progress = std::chrono::steady_clock::now() + options_.progress_interval;
      while (!done.IsCancelled()) {
        auto wake = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
        if (options_.on_progress) wake = std::min(wake, next_progress);
        if (user_ctx_.cancel.IsCancelled()) {
          (void)Stopping();
          done.WaitUntil(wake);  // nothing left to propagate: wait for the end without spinning
        } else {
          user_ctx_.cancel.WaitUntil(wake);
          if (user_ctx_.cancel.IsCancelled()) (void)Stopping();
        }
        if (done.IsCancelled()) break;
        auto const now = std::chrono::steady_clock::now();
        if (options_.on_progress && now >= next_progress) {
          options_.on_progress(Snapshot(start));
          next_progress = std::max(next_progress + options_.progress_interval, now);
        }
      }
    });

    // Sidecars are written here, off the workers' critical path (one thread per worker: a
    // sidecar is one small write against a worker's download and upload).
    detail::TaskPool sidecars(options_.concurrency, static_cast<std::size_t>(options_.concurrency) * 2);
    sidecars_ = &sidecars;
    std::vector<std::thread> workers;
    for (int i = 0; i < options_.concurrency; ++i) {
      workers.emplace_back([this] {
        std::vector<char> buffer(options_.copy_buffer_bytes);
        while (auto item = queue_.Pop()) {
          std::optional<SidecarDue> due;
          Process(*item, buffer, due);
          if (!due) {
            Done(*item);
            continue;
          }
          // The worker goes on with the next item; the manifest line follows both objects.
          sidecars_->Submit([this, item = std::move(*item), due = std::move(*due)] {
            FinishWithSidecar(item, due.key, due.info);
            Done(item);
          });
        }
      });
    }

    auto listed = source_.Enumerate(
        [this](ExportItem item) {
          if (Stopping()) return false;
          counters_.discovered.fetch_add(1);
          return queue_.Push(std::move(item));
        },
        [this](PendingItem p) { RecordPending(p); }, work_ctx_);
    if (!listed && !Stopping()) Fatal(std::move(listed).error());
    queue_.Close();
    for (auto& w : workers) w.join();
    sidecars.Join();  // every sidecar written, failed or (stopping) recorded as interrupted
    sidecars_ = nullptr;
    for (auto& item : queue_.TakeDropped()) {
      Interrupted(item);
      Done(item);
    }
    done.Cancel();
    monitor.join();
    if (user_ctx_.cancel.IsCancelled()) cancelled_ = true;
    auto summary = Snapshot(start);
    if (options_.on_progress) options_.on_progress(summary);
    return summary;
  }

 private:
  /// True once the run must stop: a fatal error, or the caller's token fired (which is then
  /// propagated to stop_ and the queue right here, without waiting for the monitor thread).
  bool Stopping() {
    if (stop_.IsCancelled()) return true;
    if (!user_ctx_.cancel.IsCancelled()) return false;
    cancelled_ = true;
    stop_.Cancel();
    queue_.Abort();
    return true;
  }

  ExportSummary Snapshot(std::chrono::steady_clock::time_point start) {
    ExportSummary s;
    s.exported = counters_.exported.load();
    s.skipped = counters_.skipped.load();
    s.failed = counters_.failed.load();
    s.pending = counters_.pending.load();
    s.bytes = counters_.bytes.load();
    s.discovered = counters_.discovered.load();
    s.unfinished_without_window_time = counters_.unfinished_untimed.load();
    s.cancelled = cancelled_.load();
    {
      std::lock_guard<std::mutex> lock(fatal_mu_);
      s.fatal = fatal_;
      s.earliest_unfinished = earliest_unfinished_;
    }
    s.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return s;
  }

  void Fatal(Error e) {
    {
      std::lock_guard<std::mutex> lock(fatal_mu_);
      if (!fatal_) fatal_ = std::move(e);
    }
    stop_.Cancel();
    queue_.Abort();
  }

  /// A fatal error met while handling `item`: the run stops; the item's line is pending.
  void FatalFor(ExportItem const& item, Error e) {
    Fatal(std::move(e));
    Interrupted(item);
  }

  /// Appends the item's manifest line, then reports it to ExporterOptions::on_item_done.
  void Record(ManifestEntry entry, ExportItem const& item) {
    if (options_.dry_run) return;
    auto appended = manifest_.Append(entry);
    if (!appended) Fatal(std::move(appended).error());
    if (item.on_outcome) item.on_outcome(entry.status);
    if (!options_.on_item_done) return;
    entry.error = RedactSecrets(entry.error);
    options_.on_item_done(item, entry);
  }
  /// The same for an outcome without an ExportItem at hand (a pending task, a collision victim).
  void Record(ManifestEntry const& entry, std::optional<std::chrono::system_clock::time_point> window_time) {
    ExportItem item;
    CopyIdentity(entry, item);
    item.window_time = window_time;
    Record(entry, item);
  }

  /// An item ended failed or pending: it holds the resume point at its window_time, or (unknown
  /// place in the window) at the window's start through ExportSummary::unfinished_without_window_time.
  void NoteUnfinished(std::optional<std::chrono::system_clock::time_point> t) {
    if (!t) {
      counters_.unfinished_untimed.fetch_add(1);
      return;
    }
    std::lock_guard<std::mutex> lock(fatal_mu_);
    if (!earliest_unfinished_ || *t < *earliest_unfinished_) earliest_unfinished_ = t;
  }

  void RecordPending(PendingItem const& p) {
    if (p.given_up) return RecordGivenUp(p);
    counters_.pending.fetch_add(1);
    NoteUnfinished(p.window_time);
    Record(Line(RecordingIdentity{p.source, p.task_id, p.recording_id, ""}, ItemStatus::kPending, p.reason), p.window_time);
    options_.logger.Info("pending: " + p.source + " task " + p.task_id + ": " + p.reason,
                         {{"source", p.source}, {"task_id", p.task_id}});
  }

  /// A task or recording pending for too long: one "failed" line, ever; it does not hold the resume point.
  void RecordGivenUp(PendingItem const& p) {
    if (auto l = manifest_.Latest(p.source, p.task_id, p.recording_id); l && l->status == ItemStatus::kFailed) {
      options_.logger.Debug("given up earlier: " + p.source + " task " + p.task_id + ": " + l->error);
      return;
    }
    counters_.failed.fetch_add(1);
    Record(Line({p.source, p.task_id, p.recording_id, ""}, ItemStatus::kFailed, p.reason), p.window_time);
    options_.logger.Warn("failed: " + p.source + " task " + p.task_id + ": " + p.reason,
                         {{"source", p.source}, {"task_id", p.task_id}});
  }

  /// A manifest line for `id` without an object (pending, or failed before a key was known).
  static ManifestEntry Line(RecordingIdentity const& id, ItemStatus status, std::string error) {
    ManifestEntry e;
    CopyIdentity(id, e);
    e.status = status;
    e.error = std::move(error);
    return e;
  }

  /// A manifest line for `id` at `key` of this destination (status and the rest to be filled in).
  ManifestEntry EntryAt(RecordingIdentity const& id, std::string const& key) {
    auto e = Line(id, ItemStatus::kPending, "");
    e.key = key;
    e.uri = sink_.Uri(key);
    return e;
  }
  ManifestEntry EntryFor(ExportItem const& item, std::string const& key) { return EntryAt(IdentityOf(item), key); }

  /// The structured fields of an item's log lines; segment, key and request id only when known.
  static LogFields FieldsOf(ExportItem const& item, std::string const& key = {}, Error const* error = nullptr) {
    LogFields f = {{"source", item.source}, {"task_id", item.task_id}, {"recording_id", item.recording_id}};
    if (!item.segment_id.empty()) f.emplace_back("segment_id", item.segment_id);
    if (!key.empty()) f.emplace_back("key", key);
    if (error && !error->request_id.empty()) f.emplace_back("request_id", error->request_id);
    return f;
  }

  /// The run stopped (cancelled, or a fatal error) before this item could be exported: a
  /// pending line, so that an item a source cannot hand out again (a Huawei watch event) is not
  /// lost, and the resume point stays before it. The next run over its window exports it.
  void Interrupted(ExportItem const& item) {
    counters_.pending.fetch_add(1);
    NoteUnfinished(item.window_time);
    Record(Line(IdentityOf(item), ItemStatus::kPending, "interrupted: the run stopped before this recording was exported"),
           item);
    options_.logger.Info("pending: " + item.source + " task " + item.task_id + " recording " + item.recording_id +
                             ": the run stopped before it was exported",
                         FieldsOf(item));
  }

  void Fail(ExportItem const& item, std::string const& key, Error const& error) {
    if (Stopping()) return Interrupted(item);  // not a failure of the item: the run is stopping
    counters_.failed.fetch_add(1);
    NoteUnfinished(item.window_time);
    auto e = EntryFor(item, key);
    e.status = ItemStatus::kFailed;
    e.error = error.ToString();
    Record(e, item);
    options_.logger.Warn("failed: " + item.source + " task " + item.task_id + " recording " + item.recording_id +
                             ": " + error.ToString(),
                         FieldsOf(item, key, &error));
  }

  // ---- keys claimed in this run (two objects must never share one: KeyClaims) ---------------

  /// Claims the item's key (and its sidecar's). Another item wanting one of them makes both
  /// fail: this one through the returned error, the other one here for each of its listings that
  /// already completed (a second, "failed" line each, and the counters move each), else when it
  /// completes.
  std::optional<Error> ClaimKey(ExportItem const& item, std::string const& key) {
    auto const victim = [&](detail::CollisionVictim const& v) {
      auto f = EntryAt(v.id, v.key);
      f.status = ItemStatus::kFailed;
      f.error = v.error.ToString();
      for (auto const& c : v.completions) {
        if (c.state == ItemStatus::kExported) {
          counters_.exported.fetch_sub(1);
          counters_.bytes.fetch_sub(c.bytes);
        } else {
          counters_.skipped.fetch_sub(1);
        }
        counters_.failed.fetch_add(1);
        NoteUnfinished(c.window_time);
        Record(f, c.window_time);
      }
      options_.logger.Warn("failed: " + v.id.ToString() + ": " + f.error);
    };
    return claims_.Claim(IdentityOf(item), key, HasSidecar(item), victim);
  }

  /// Records the item as exported or skipped, unless its key collided meanwhile.
  void Complete(ExportItem const& item, std::string const& key, ItemStatus status, std::uint64_t bytes,
                std::string sha256) {
    auto collided = claims_.Complete(key, status, bytes, item.window_time, [&] {
      (status == ItemStatus::kExported ? counters_.exported : counters_.skipped).fetch_add(1);
      auto e = EntryFor(item, key);
      e.status = status;
      e.bytes = bytes;
      e.sha256 = std::move(sha256);
      Record(e, item);
    });
    if (!collided) return;
    if (status == ItemStatus::kExported) counters_.bytes.fetch_sub(bytes);
    Fail(item, key, *collided);
  }

  /// The item gets a sidecar KEY.json.
  bool HasSidecar(ExportItem const& item) const { return options_.write_sidecars && !item.metadata_json.empty(); }

  // ---- one item ---------------------------------------------------------------------------

  /// What an item whose recording is stored still needs: its sidecar, then its manifest line.
  struct SidecarDue {
    std::string key;
    ObjectInfo info;
  };

  /// Exports one item, or stores its recording and sets `due` when its sidecar is still to be
  /// written (then the outcome is not recorded yet).
  void Process(ExportItem const& item, std::vector<char>& buffer, std::optional<SidecarDue>& due) {
    if (Stopping()) return Interrupted(item);
    std::string key = template_.Render(item.key_fields);
    auto const latest = manifest_.Latest(item.source, item.task_id, item.recording_id, item.segment_id);
    if (options_.dry_run) {
      if (DoneAt(latest, key)) {
        counters_.skipped.fetch_add(1);  // nothing to do for it: not planned
      } else if (options_.on_dry_run_item) {
        options_.on_dry_run_item(item, key);
      }
      return;
    }
    if (auto clash = ClaimKey(item, key)) return Fail(item, key, *clash);
    // 1. Already exported to this very destination according to the manifest: no sink call.
    if (auto done = DoneAt(latest, key)) return Complete(item, key, ItemStatus::kSkipped, done->bytes, done->sha256);
    std::optional<PreviousExport> previous;
    if (auto last = manifest_.LastExported(item.source, item.task_id, item.recording_id, item.segment_id)) {
      previous = PreviousExport{last->key, last->bytes, last->sha256};
    }
    // 2. Present in the sink (manifest lost, or a different manifest): skip it if it is this
    //    recording, fail otherwise; never overwrite. A sink that enforces if_none_match answers
    //    that with the write itself (one round trip less) for an item the manifest has never seen.
    if (!conditional_create_ || latest) {
      auto stat = sink_.Stat(key, work_ctx_);
      if (!stat) {
        if (IsCredentialError(stat.error())) return FatalFor(item, SinkCredentialError(stat.error(), key));
        return Fail(item, key, stat.error());
      }
      if (stat->has_value()) return SkipExisting(item, key, **stat, previous);
    }
    if (!item.open) return Fail(item, key, MakeError(ErrorCode::kInternal, "the recording source gave no MediaOpener"));
    // 3. Stream it.
    auto info = Transfer(item, key, buffer);
    if (!info && IsSuperseded(info.error())) return Withdrawn(item, info.error());
    if (!info) {
      if (info.error().vendor_code == "PreconditionFailed" && !Stopping()) {
        // The key exists (created since Stat(), or not looked up): judge what is there.
        auto again = sink_.Stat(key, work_ctx_);
        if (!again && IsCredentialError(again.error())) return FatalFor(item, SinkCredentialError(again.error(), key));
        if (again && again->has_value()) return SkipExisting(item, key, **again, previous);
      }
      return Fail(item, key, info.error());
    }
    if (!HasSidecar(item)) return Exported(item, key, *info);
    due = SidecarDue{key, std::move(*info)};  // 4. the sidecar, on the pool
  }

  /// Writes the sidecar of an item whose recording is stored, then records the item: exported,
  /// or failed (pending when the run is stopping) with its bytes taken back.
  void FinishWithSidecar(ExportItem const& item, std::string const& key, ObjectInfo const& info) {
    detail::SidecarWrite how;  // a sink that would replace an object at KEY.json is asked first
    how.stat_first = !enforces_if_none_match_;
    Result<void> sidecar = Stopping() ? Result<void>(MakeError(ErrorCode::kCancelled, "the run stopped"))
                                      : WriteSidecar(item, key, how);
    if (!sidecar) {
      counters_.bytes.fetch_sub(info.bytes);  // the item is not exported
      return Fail(item, key, sidecar.error());
    }
    Exported(item, key, info);
  }

  void Exported(ExportItem const& item, std::string const& key, ObjectInfo const& info) {
    options_.logger.Debug("exported " + sink_.Describe(key) + " (" + std::to_string(info.bytes) + " bytes)",
                          FieldsOf(item, key));
    Complete(item, key, ItemStatus::kExported, info.bytes, info.sha256_hex.value_or(""));
  }

  /// `latest` (the item's latest manifest line) when it says exported or skipped at `key` of
  /// this very destination. Lines without a URI (older manifests) do not count: they may
  /// describe another destination.
  std::optional<ManifestEntry> DoneAt(std::optional<ManifestEntry> const& latest, std::string const& key) {
    if (latest && (latest->status == ItemStatus::kExported || latest->status == ItemStatus::kSkipped) &&
        latest->key == key && !latest->uri.empty() && latest->uri == sink_.Uri(key)) {
      return latest;
    }
    return std::nullopt;
  }

  /// The source replaced the item by others (Superseded()): no line, not counted — unless the
  /// run is stopping, when the replacements will not be handed out: then it is pending.
  void Withdrawn(ExportItem const& item, Error const& why) {
    if (Stopping()) return Interrupted(item);
    counters_.discovered.fetch_sub(1);
    options_.logger.Debug("superseded: " + item.source + " task " + item.task_id + " recording " +
                          item.recording_id + ": " + why.message);
  }

  /// The object at `key` exists: skip the item if the object holds it (completing a missing
  /// sidecar), fail it otherwise.
  void SkipExisting(ExportItem const& item, std::string const& key, ObjectInfo const& existing,
                    std::optional<PreviousExport> const& previous) {
    auto same = CheckExistingObject(existing, sink_.Describe(key), IdentityOf(item), item.expected_size, previous);
    if (!same) return Fail(item, key, same.error());
    // A run that stopped between the recording and its sidecar (or whose sidecar write failed)
    // left the recording alone: complete it, or the sidecar would never be written.
    if (HasSidecar(item)) {
      detail::SidecarWrite how;  // Stat() first: most skipped items have their sidecar
      how.legacy_recording = existing.metadata.count(kIdentityMetadataKey) == 0;
      if (auto sidecar = WriteSidecar(item, key, how); !sidecar) return Fail(item, key, sidecar.error());
    }
    Complete(item, key, ItemStatus::kSkipped, existing.bytes, existing.sha256_hex.value_or(""));
  }

  Error SinkCredentialError(Error e, std::string const& key) {
    e.message = "the destination rejected our credentials while accessing " + sink_.Describe(key) + ": " +
                e.message + " (check the access key, secret and region)";
    return e;
  }

  Result<void> WriteSidecar(ExportItem const& item, std::string const& key, detail::SidecarWrite how) {
    auto result = detail::WriteSidecar(sink_, item, key, how, work_ctx_);
    if (!result && IsCredentialError(result.error())) Fatal(SinkCredentialError(result.error(), key + ".json"));
    return result;
  }

  Result<ObjectInfo> Transfer(ExportItem const& item, std::string const& key, std::vector<char>& buffer) {
    PutOptions put;
    put.content_type = item.content_type.empty() ? ContentTypeForKey(key) : item.content_type;
    put.expected_size = item.expected_size;
    detail::AddIdentity(put, item);
    // Written bytes show in progress reports at once; every way out that does not export the
    // object takes them back, so ExportSummary::bytes only counts exported recordings.
    detail::DownloadEnv env;
    env.ctx = &work_ctx_;
    env.attempts = options_.download_attempts;
    env.backoff = &backoff_;
    env.sleeper = options_.sleeper.get();
    env.logger = &options_.logger;
    env.stopping = [this] { return Stopping(); };
    env.open_writer = [&]() -> Result<std::unique_ptr<ObjectWriter>> {
      auto opened = sink_.Open(key, put, work_ctx_);
      if (!opened && IsCredentialError(opened.error())) Fatal(SinkCredentialError(opened.error(), key));
      return opened;
    };
    env.on_sink_error = [&](Error const& e) {
      if (IsCredentialError(e)) Fatal(SinkCredentialError(e, key));
    };
    env.source_fatal = [this](Error const& e) {
      if (!source_.IsFatal(e)) return false;
      Fatal(e);
      return true;
    };
    env.add_bytes = [this](std::uint64_t n) { counters_.bytes.fetch_add(n); };
    env.take_back_bytes = [this](std::uint64_t n) { counters_.bytes.fetch_sub(n); };
    return detail::DownloadMedia(item, env, buffer);
  }

  RecordingSource& source_;
  ObjectSink& sink_;
  Manifest& manifest_;
  ExporterOptions const& options_;
  KeyTemplate template_;
  CallContext const& user_ctx_;
  CallContext work_ctx_;
  CancellationToken stop_;
  ItemQueue queue_;
  Backoff backoff_;
  Counters counters_;
  std::atomic<bool> cancelled_{false};
  std::mutex fatal_mu_;
  std::optional<Error> fatal_;
  std::optional<std::chrono::system_clock::time_point> earliest_unfinished_;  // guarded by fatal_mu_
  detail::KeyClaims claims_{[this](std::string const& key) { return sink_.Describe(key); }};
  bool enforces_if_none_match_ = false;  // ObjectSink::EnforcesIfNoneMatch()
  bool conditional_create_ = false;      // no Stat() before writing an item the manifest never saw
  detail::TaskPool* sidecars_ = nullptr;  // the sidecar writers while Execute() runs
};

}  // namespace

Exporter::Exporter(std::shared_ptr<RecordingSource> source, std::shared_ptr<ObjectSink> sink,
                   std::shared_ptr<Manifest> manifest, ExporterOptions options)
    : source_(std::move(source)), sink_(std::move(sink)), manifest_(std::move(manifest)), options_(std::move(options)) {
  if (!manifest_) manifest_ = Manifest::Null();
  if (!options_.clock) options_.clock = MakeSystemClock();
  if (!options_.sleeper) options_.sleeper = MakeRealSleeper();
}

Result<void> Exporter::Validate() const {
  if (!source_) return MakeError(ErrorCode::kInvalidArgument, "exporter: no recording source");
  if (!sink_) return MakeError(ErrorCode::kInvalidArgument, "exporter: no destination sink");
  if (options_.concurrency < 1 || options_.concurrency > 64) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "concurrency must be between 1 and 64, got " + std::to_string(options_.concurrency));
  }
  if (options_.download_attempts < 1) return MakeError(ErrorCode::kInvalidArgument, "download_attempts must be >= 1");
  if (options_.copy_buffer_bytes < 4096) return MakeError(ErrorCode::kInvalidArgument, "copy_buffer_bytes must be >= 4096");
  auto t = KeyTemplate::Parse(options_.key_template, KeyNames(options_, *source_), source_->KeyIdentity());
  if (!t) return std::move(t).error();
  return {};
}

ExportSummary Exporter::Run(CallContext const& ctx) {
  auto valid = Validate();
  if (!valid) {
    ExportSummary s;
    s.fatal = std::move(valid).error();
    return s;
  }
  // A manifest of another destination or key template says nothing about this one: refuse it
  // before anything is written (a dry run only checks).
  auto const destination = sink_->Uri("");
  auto bound = options_.dry_run ? manifest_->CheckDestination(destination, options_.key_template)
                                : manifest_->Bind(destination, options_.key_template);
  if (!bound) {
    ExportSummary s;
    s.fatal = std::move(bound).error();
    return s;
  }
  auto key_template = KeyTemplate::Parse(options_.key_template, KeyNames(options_, *source_), source_->KeyIdentity());
  class Run run(*source_, *sink_, *manifest_, options_, std::move(*key_template), ctx);
  auto summary = run.Execute();
  // The run's lines must be durable before the caller acts on the summary (e.g. moves the
  // --since-last-run checkpoint past items whose only trace is a "failed" line).
  if (auto synced = manifest_->Sync(); !synced && !summary.fatal) summary.fatal = std::move(synced).error();
  return summary;
}

}  // namespace ccrec::exporter
