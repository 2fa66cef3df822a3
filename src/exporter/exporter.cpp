#include <ccrec/exporter/exporter.hpp>

#include "exporter/content_range.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace exporter {

std::string ExportSummary::LastLine() const {
  return "exported=" + std::to_string(exported) + " skipped=" + std::to_string(skipped) +
         " failed=" + std::to_string(failed) + " pending=" + std::to_string(pending) + " bytes=" + std::to_string(bytes);
}

namespace {

/// Bounded FIFO between the enumerating thread and the workers (back-pressure).
class ItemQueue {
 public:
  explicit ItemQueue(std::size_t capacity) : capacity_(capacity) {}
  /// Blocks while full; false when closed.
  bool Push(ExportItem item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  /// Blocks while empty; nullopt when closed and drained (or aborted).
  std::optional<ExportItem> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || aborted_ || !items_.empty(); });
    if (aborted_ || items_.empty()) return std::nullopt;
    ExportItem item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  /// No more pushes; workers drain what is queued.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  /// Stop now; queued items are dropped (they get no manifest line and are retried next run).
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    aborted_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<ExportItem> items_;
  std::size_t capacity_;
  bool closed_ = false;
  bool aborted_ = false;
};

bool IsCredentialError(Error const& e) {
  return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
}

bool IsRetryableDownloadError(Error const& e) {
  return IsRetryable(e) || e.code == ErrorCode::kIntegrity || e.code == ErrorCode::kDeadlineExceeded;
}

/// A MediaOpener must answer 206 (body from `offset`) or another 2xx, normally 200 (body from
/// byte 0), and report HTTP errors as Error. Checks that, so an error page is never stored as a
/// recording and a partial response that starts elsewhere is never appended.
std::optional<Error> CheckMediaResponse(HttpResponse const& response, std::uint64_t offset) {
  if (!response.body) return MakeError(ErrorCode::kInternal, "the media source returned a response without a body");
  int const status = response.status;
  if (status < 200 || status > 299) {
    ErrorCode code = ErrorCode::kInternal;  // 1xx, 3xx: not a media body either
    if (status == 401) code = ErrorCode::kUnauthenticated;
    else if (status == 403) code = ErrorCode::kPermissionDenied;
    else if (status == 404) code = ErrorCode::kNotFound;
    else if (status == 408) code = ErrorCode::kDeadlineExceeded;
    else if (status == 429) code = ErrorCode::kRateLimited;
    else if (status >= 400 && status <= 499) code = ErrorCode::kInvalidArgument;
    else if (status >= 500 && status <= 599) code = ErrorCode::kUnavailable;
    Error e = MakeError(code, "media download answered HTTP " + std::to_string(status));
    e.http_status = status;
    return e;
  }
  if (status == 206) {
    if (auto range = response.Header("Content-Range")) {
      auto start = internal::ContentRangeStart(*range);
      if (!start || *start != offset) {
        return MakeError(ErrorCode::kIntegrity, "media download asked for bytes from " + std::to_string(offset) +
                                                    " but the partial response is \"Content-Range: " + *range + "\"");
      }
    }
  }
  return std::nullopt;
}

struct Counters {
  std::atomic<std::uint64_t> exported{0}, skipped{0}, failed{0}, pending{0}, bytes{0}, discovered{0};
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

    std::vector<std::thread> workers;
    for (int i = 0; i < options_.concurrency; ++i) {
      workers.emplace_back([this] {
        std::vector<char> buffer(options_.copy_buffer_bytes);
        while (auto item = queue_.Pop()) Process(*item, buffer);
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

  void Record(ManifestEntry const& entry) {
    if (options_.dry_run) return;
    auto appended = manifest_.Append(entry);
    if (!appended) Fatal(std::move(appended).error());
  }

  void NoteUnfinished(std::optional<std::chrono::system_clock::time_point> t) {
    if (!t) return;
    std::lock_guard<std::mutex> lock(fatal_mu_);
    if (!earliest_unfinished_ || *t < *earliest_unfinished_) earliest_unfinished_ = t;
  }

  void RecordPending(PendingItem const& p) {
    counters_.pending.fetch_add(1);
    NoteUnfinished(p.window_time);
    ManifestEntry e;
    e.source = p.source;
    e.task_id = p.task_id;
    e.status = ItemStatus::kPending;
    e.error = p.reason;
    Record(e);
    options_.logger.Info("pending: " + p.source + " task " + p.task_id + ": " + p.reason);
  }

  ManifestEntry EntryFor(ExportItem const& item, std::string const& key) {
    ManifestEntry e;
    e.source = item.source;
    e.task_id = item.task_id;
    e.recording_id = item.recording_id;
    e.segment_id = item.segment_id;
    e.key = key;
    return e;
  }

  void Fail(ExportItem const& item, std::string const& key, Error const& error) {
    if (Stopping()) return;  // stopping: leave no line, the next run retries it
    counters_.failed.fetch_add(1);
    NoteUnfinished(item.window_time);
    auto e = EntryFor(item, key);
    e.status = ItemStatus::kFailed;
    e.error = error.ToString();
    Record(e);
    options_.logger.Warn("failed: " + item.source + " task " + item.task_id + " recording " + item.recording_id +
                         ": " + error.ToString());
  }

  void Process(ExportItem const& item, std::vector<char>& buffer) {
    if (Stopping()) return;
    std::string key = template_.Render(item.key_fields);
    if (options_.dry_run) {
      if (options_.on_dry_run_item) options_.on_dry_run_item(item, key);
      return;
    }
    // 1. Already exported according to the manifest: no sink call, no download.
    if (auto done = manifest_.Latest(item.source, item.task_id, item.recording_id, item.segment_id);
        done && (done->status == ItemStatus::kExported || done->status == ItemStatus::kSkipped) && done->key == key) {
      Skip(item, key, done->bytes, done->sha256);
      return;
    }
    // 2. Present in the sink (manifest lost or a different manifest): skip.
    auto stat = sink_.Stat(key, work_ctx_);
    if (!stat) {
      if (IsCredentialError(stat.error())) return Fatal(SinkCredentialError(stat.error(), key));
      return Fail(item, key, stat.error());
    }
    if (stat->has_value() && (!item.expected_size || (*stat)->bytes == *item.expected_size)) {
      // A run that stopped between the recording and its sidecar (or whose sidecar write failed)
      // left the recording alone: complete it, or the sidecar would never be written.
      if (options_.write_sidecars) {
        auto sidecar_stat = sink_.Stat(key + ".json", work_ctx_);
        if (!sidecar_stat) {
          if (IsCredentialError(sidecar_stat.error())) {
            return Fatal(SinkCredentialError(sidecar_stat.error(), key + ".json"));
          }
          return Fail(item, key, sidecar_stat.error());
        }
        if (!sidecar_stat->has_value()) {
          if (auto sidecar = WriteSidecar(item, key); !sidecar) return Fail(item, key, sidecar.error());
        }
      }
      Skip(item, key, (*stat)->bytes, (*stat)->sha256_hex.value_or(""));
      return;
    }
    if (!item.open) return Fail(item, key, MakeError(ErrorCode::kInternal, "the recording source gave no MediaOpener"));
    // 3. Stream it.
    auto info = Transfer(item, key, buffer);
    if (!info) return Fail(item, key, info.error());
    if (options_.write_sidecars) {
      auto sidecar = WriteSidecar(item, key);
      if (!sidecar) {
        counters_.bytes.fetch_sub(info->bytes);  // the item is not exported
        return Fail(item, key, sidecar.error());
      }
    }
    counters_.exported.fetch_add(1);
    auto e = EntryFor(item, key);
    e.status = ItemStatus::kExported;
    e.bytes = info->bytes;
    e.sha256 = info->sha256_hex.value_or("");
    Record(e);
    options_.logger.Debug("exported " + sink_.Describe(key) + " (" + std::to_string(info->bytes) + " bytes)");
  }

  Error SinkCredentialError(Error e, std::string const& key) {
    e.message = "the destination rejected our credentials while accessing " + sink_.Describe(key) + ": " +
                e.message + " (check the access key, secret and region)";
    return e;
  }

  void Skip(ExportItem const& item, std::string const& key, std::uint64_t bytes, std::string sha256) {
    counters_.skipped.fetch_add(1);
    auto e = EntryFor(item, key);
    e.status = ItemStatus::kSkipped;
    e.bytes = bytes;
    e.sha256 = std::move(sha256);
    Record(e);
  }

  Result<void> WriteSidecar(ExportItem const& item, std::string const& key) {
    PutOptions options;
    options.content_type = "application/json";
    options.expected_size = item.metadata_json.size();
    auto writer = sink_.Open(key + ".json", options, work_ctx_);
    Result<void> result;
    if (!writer) {
      result = std::move(writer).error();
    } else if (auto written = (*writer)->Write(item.metadata_json.data(), item.metadata_json.size()); !written) {
      result = std::move(written).error();
    } else if (auto finished = (*writer)->Finish(); !finished) {
      result = std::move(finished).error();
    }
    if (!result && IsCredentialError(result.error())) Fatal(SinkCredentialError(result.error(), key + ".json"));
    return result;
  }

  Result<ObjectInfo> Transfer(ExportItem const& item, std::string const& key, std::vector<char>& buffer) {
    PutOptions put;
    put.content_type = ContentTypeForKey(key);
    put.expected_size = item.expected_size;
    put.metadata["ccrec-source"] = item.source;
    auto opened = sink_.Open(key, put, work_ctx_);
    if (!opened) {
      if (IsCredentialError(opened.error())) Fatal(SinkCredentialError(opened.error(), key));
      return std::move(opened).error();
    }
    std::unique_ptr<ObjectWriter> writer = std::move(*opened);
    std::uint64_t written = 0;
    // Written bytes show in progress reports at once; every way out that does not export the
    // object takes them back, so ExportSummary::bytes only counts exported recordings.
    auto give_up = [&](Error e) -> Result<ObjectInfo> {
      writer->Abort();
      counters_.bytes.fetch_sub(written);
      return e;
    };
    auto stopped = [&] { return give_up(MakeError(ErrorCode::kCancelled, "export stopped")); };
    std::optional<Error> last_error;
    auto const start = std::chrono::steady_clock::now();
    for (int attempt = 1; attempt <= options_.download_attempts; ++attempt) {
      if (Stopping()) return stopped();
      auto response = item.open(work_ctx_, written);
      Error read_error;
      bool read_failed = false;
      if (!response) {
        read_error = std::move(response).error();
        read_failed = true;
      } else if (auto bad = CheckMediaResponse(*response, written)) {
        read_error = std::move(*bad);
        read_failed = true;
      } else {
        // 200 (any 2xx but 206) on a resumed request: the server ignored Range and resent
        // everything, so skip what we already have. (206 bodies start at `written`, checked above.)
        std::uint64_t to_skip = (written > 0 && response->status != 206) ? written : 0;
        std::optional<std::uint64_t> declared = response->ContentLength();
        std::uint64_t received = 0;
        for (;;) {
          if (Stopping()) return stopped();
          auto n = response->body->Read(buffer.data(), buffer.size());
          if (!n) {
            read_error = std::move(n).error();
            read_failed = true;
            break;
          }
          if (*n == 0) break;
          received += *n;
          char const* data = buffer.data();
          std::size_t size = *n;
          if (to_skip > 0) {
            std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(to_skip, size));
            data += skip;
            size -= skip;
            to_skip -= skip;
          }
          if (size == 0) continue;
          auto w = writer->Write(data, size);
          if (!w) {
            if (IsCredentialError(w.error())) Fatal(SinkCredentialError(w.error(), key));
            return give_up(std::move(w).error());
          }
          written += size;
          counters_.bytes.fetch_add(size);
        }
        if (!read_failed && declared && received != *declared) {
          read_error = MakeError(ErrorCode::kIntegrity, "media body ended after " + std::to_string(received) +
                                                            " of " + std::to_string(*declared) + " bytes");
          read_failed = true;
        } else if (!read_failed && to_skip > 0) {
          read_error = MakeError(ErrorCode::kIntegrity, "the resent media body ended " + std::to_string(to_skip) +
                                                            " bytes before the " + std::to_string(written) +
                                                            " bytes already written");
          read_failed = true;
        }
      }
      if (!read_failed) {
        auto info = writer->Finish();
        if (!info) {
          if (IsCredentialError(info.error())) Fatal(SinkCredentialError(info.error(), key));
          return give_up(std::move(info).error());
        }
        return info;
      }
      last_error = read_error;
      if (!IsRetryableDownloadError(read_error)) break;
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      Error as_retryable = read_error;
      if (!IsRetryable(as_retryable)) as_retryable.code = ErrorCode::kTransport;
      auto delay = backoff_.NextDelay(as_retryable, attempt, elapsed);
      if (!delay) break;
      options_.logger.Info("download of task " + item.task_id + " recording " + item.recording_id + " interrupted at " +
                           std::to_string(written) + " bytes (" + read_error.ToString() + "); resuming in " +
                           std::to_string(delay->count()) + " ms");
      if (!options_.sleeper->SleepFor(*delay, stop_)) break;
    }
    if (Stopping()) return stopped();
    Error e = last_error.value_or(MakeError(ErrorCode::kInternal, "download failed"));
    e.message = "download failed after " + std::to_string(written) + " bytes: " + e.message;
    return give_up(std::move(e));
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
  auto t = KeyTemplate::Parse(options_.key_template, options_.extra_key_names);
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
  auto key_template = KeyTemplate::Parse(options_.key_template, options_.extra_key_names);
  class Run run(*source_, *sink_, *manifest_, options_, std::move(*key_template), ctx);
  auto summary = run.Execute();
  (void)manifest_->Sync();
  return summary;
}

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
