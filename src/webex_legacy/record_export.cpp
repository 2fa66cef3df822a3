// ExportRecordWindows: v1 records of a range -> one object per window, manifest, idempotent
// re-runs (ccrec issue "Webex CC legacy v1 API", output contract of docs/cli.md).

#include <ccrec/webex_legacy/record_export.hpp>

#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/object_identity.hpp>

#include "exporter/template_parts.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace ccrec {
inline namespace v1 {
namespace webex_legacy {

namespace util = ::ccrec::internal;
using exporter::ExportSummary;
using exporter::ItemStatus;
using exporter::ManifestEntry;

namespace {

char const* FormatName(Format f) { return f == Format::kCsv ? "csv" : "json"; }
char const* FormatExt(Format f) { return f == Format::kCsv ? ".csv" : ".jsonl"; }

/// "20261101T000000.000Z".
std::string CompactUtc(std::chrono::system_clock::time_point t) {
  std::string s = util::FormatAmzDate(t);  // 20261101T000000Z
  std::int64_t ms = util::ToEpochMs(t) % 1000;
  if (ms < 0) ms += 1000;
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
  s.insert(s.size() - 1, frac);
  return s;
}

std::string WindowId(TimeWindow const& w) {
  return std::to_string(util::ToEpochMs(w.begin)) + "-" + std::to_string(util::ToEpochMs(w.end));
}

std::vector<std::string> const& Placeholders() {
  static std::vector<std::string> const names{"record_type", "from", "to", "from_ms", "to_ms",
                                              "format",      "ext",  "yyyy", "mm",    "dd"};
  return names;
}

using Part = exporter::detail::TemplatePart;

/// Parses a window key template with the exporter's key-template syntax and path rules; a window
/// key must also name its record type and both ends of its window.
Result<std::vector<Part>> ParseTemplate(std::string const& text) {
  auto parts = exporter::detail::TokenizeKeyTemplate(text, Placeholders());
  if (!parts) return parts.error();
  auto require = [&](std::vector<std::string> const& any_of, char const* why) -> std::optional<Error> {
    if (exporter::detail::HasPlaceholder(*parts, any_of)) return std::nullopt;
    return MakeError(ErrorCode::kInvalidArgument, "key template \"" + text + "\" " + why);
  };
  if (auto e = require({"from", "from_ms"}, "must contain {from} or {from_ms}, or windows overwrite each other")) return *e;
  if (auto e = require({"to", "to_ms"}, "must contain {to} or {to_ms}, or windows overwrite each other")) return *e;
  if (auto e = require({"record_type"}, "must contain {record_type}, or record types overwrite each other")) return *e;
  if (auto e = require({"ext", "format"}, "must contain {ext} or {format}, or JSON and CSV exports overwrite each other")) {
    return *e;
  }
  return parts;
}

std::string Render(std::vector<Part> const& parts, RecordType type, Format format, TimeWindow const& w) {
  auto const date = exporter::detail::UtcDateParts(w.begin);
  std::string out;
  for (auto const& p : parts) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    std::string value;
    if (p.text == "record_type") value = std::string(ToPathSegment(type));
    else if (p.text == "from") value = CompactUtc(w.begin);
    else if (p.text == "to") value = CompactUtc(w.end);
    else if (p.text == "from_ms") value = std::to_string(util::ToEpochMs(w.begin));
    else if (p.text == "to_ms") value = std::to_string(util::ToEpochMs(w.end));
    else if (p.text == "format") value = FormatName(format);
    else if (p.text == "yyyy") value = date[0];
    else if (p.text == "mm") value = date[1];
    else if (p.text == "dd") value = date[2];
    if (p.text == "ext") {
      out += FormatExt(format);  // fixed text, not server-provided
    } else {
      out += exporter::SanitizeKeyComponent(value);
    }
  }
  return exporter::detail::CollapseEmptySegments(out);
}

exporter::RecordingIdentity WindowIdentity(RecordExportOptions const& o, TimeWindow const& w) {
  return exporter::RecordingIdentity{kManifestSource, std::string(ToPathSegment(o.record_type)), WindowId(w),
                                     FormatName(o.format)};
}

/// Whether the existing object `info` at `key` holds window `w` (exporter::CheckExistingObject,
/// with the window's last "exported" manifest line as the proof for objects without metadata).
Result<void> CheckWindowObject(ObjectSink const& sink, exporter::Manifest const& manifest,
                               RecordExportOptions const& o, TimeWindow const& w, std::string const& key,
                               ObjectInfo const& info) {
  auto id = WindowIdentity(o, w);
  std::optional<exporter::PreviousExport> previous;
  if (auto last = manifest.LastExported(id.source, id.task_id, id.recording_id, id.segment_id)) {
    previous = exporter::PreviousExport{last->key, last->bytes, last->sha256};
  }
  return exporter::CheckExistingObject(info, sink.Describe(key), id, std::nullopt, previous);
}

/// One window to process.
struct Task {
  TimeWindow window;
  int number_of_records;
  bool stat_done;
};

class WindowRun {
 public:
  WindowRun(Client const& client, ObjectSink& sink, exporter::Manifest& manifest, RecordExportOptions const& options,
            std::vector<Part> parts, CallContext const& ctx)
      : client_(client), sink_(sink), manifest_(manifest), options_(options), parts_(std::move(parts)), ctx_(ctx) {}

  void Skip(ExportedWindow const& done) {
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.skipped;
    ++summary_.discovered;
    Record(done.window, done.key, ItemStatus::kSkipped, done.bytes, done.sha256, "");
  }

  ExportSummary Run(std::vector<TimeWindow> const& windows, std::chrono::steady_clock::time_point start) {
    for (auto const& w : windows) queue_.push_back(Task{w, options_.base_query.number_of_records, false});
    int workers = std::max(1, std::min(options_.concurrency, 64));
    std::vector<std::thread> threads;
    for (int i = 1; i < workers; ++i) threads.emplace_back([this] { Work(); });
    Work();
    for (auto& t : threads) t.join();
    std::lock_guard<std::mutex> lock(mu_);
    summary_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (ctx_.cancel.IsCancelled() && !summary_.fatal) summary_.cancelled = true;
    return summary_;
  }

  ExportSummary Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return summary_;
  }

 private:
  void Work() {
    for (;;) {
      Task task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty() || active_ == 0; });
        if (stop_ || queue_.empty()) {
          cv_.notify_all();
          return;
        }
        task = queue_.front();
        queue_.pop_front();
        ++active_;
      }
      Process(task);
      {
        std::lock_guard<std::mutex> lock(mu_);
        --active_;
      }
      cv_.notify_all();
      Progress();
    }
  }

  void Progress() {
    if (!options_.on_progress) return;
    std::lock_guard<std::mutex> progress_lock(progress_mu_);
    options_.on_progress(Snapshot());
  }

  /// Queues windows to run next (in front, so a single worker keeps time order).
  void Push(std::vector<Task> const& tasks) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) queue_.push_front(*it);
    cv_.notify_all();
  }

  void Fatal(Error error) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!summary_.fatal) summary_.fatal = std::move(error);
    stop_ = true;
    cv_.notify_all();
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }

  /// Appends a manifest line; a manifest that cannot be written stops the run. Call with mu_ held.
  void Record(TimeWindow const& w, std::string const& key, ItemStatus status, std::uint64_t bytes,
              std::string const& sha256, std::string const& error) {
    ManifestEntry e;
    e.source = kManifestSource;
    e.task_id = std::string(ToPathSegment(options_.record_type));
    e.recording_id = WindowId(w);
    e.segment_id = FormatName(options_.format);
    e.key = key;
    e.uri = sink_.Uri(key);
    e.bytes = bytes;
    e.sha256 = sha256;
    e.status = status;
    e.error = error;
    if (auto appended = manifest_.Append(e); !appended && !summary_.fatal) {
      summary_.fatal = appended.error();
      summary_.fatal->message = "cannot append to the manifest: " + summary_.fatal->message;
      stop_ = true;
    }
  }

  /// A per-window failure (or a fatal one).
  void Failed(TimeWindow const& w, std::string const& key, Error error) {
    if (ctx_.cancel.IsCancelled() || error.code == ErrorCode::kCancelled) return Stop();
    if (IsFatalForRun(error)) return Fatal(std::move(error));
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.failed;
    ++summary_.discovered;
    Record(w, key, ItemStatus::kFailed, 0, "", error.ToString());
    options_.logger.Warn("failed: window " + WindowId(w) + " (" + key + "): " + error.ToString());
  }

  void Exported(TimeWindow const& w, std::string const& key, ObjectInfo const& info) {
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.exported;
    ++summary_.discovered;
    summary_.bytes += info.bytes;
    Record(w, key, ItemStatus::kExported, info.bytes, info.sha256_hex.value_or(""), "");
    options_.logger.Debug("exported " + sink_.Describe(key) + " (" + std::to_string(info.bytes) + " bytes)");
  }

  /// The window's response was full: split it, re-query at the cap, or fail.
  void Full(Task const& task, std::string const& key, std::size_t rows) {
    int const cap = client_.ServiceRowCap();
    if (auto halves = SplitWindow(task.window)) {
      options_.logger.Debug("window " + WindowId(task.window) + " returned " + std::to_string(rows) +
                            " rows (the cap): splitting it");
      Push({Task{halves->first, task.number_of_records, false}, Task{halves->second, task.number_of_records, false}});
      return;
    }
    if (task.number_of_records < cap) {
      Push({Task{task.window, cap, true}});
      return;
    }
    Failed(task.window, key,
           MakeError(ErrorCode::kInternal,
                     "Webex CC v1 " + std::string(ToPathSegment(options_.record_type)) + ": " + std::to_string(cap) +
                         " or more records start in the millisecond " + util::FormatIso8601(task.window.begin, true) +
                         " or in it and the millisecond before it (a window is queried from one millisecond "
                         "earlier)" +
                         "; the v1 API returns at most " + std::to_string(cap) +
                         " rows per query and cannot page, so this millisecond cannot be exported completely "
                         "(nothing was written for it)"));
  }

  /// The object at `key` exists: skipped when it is this window's, failed (and left alone) otherwise.
  void Existing(TimeWindow const& w, std::string const& key, ObjectInfo const& info) {
    auto same = CheckWindowObject(sink_, manifest_, options_, w, key, info);
    if (!same) return Failed(w, key, same.error());
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.skipped;
    ++summary_.discovered;
    Record(w, key, ItemStatus::kSkipped, info.bytes, info.sha256_hex.value_or(""), "");
  }

  /// A write refused because the object appeared meanwhile (If-None-Match): judge the object.
  bool AppearedMeanwhile(TimeWindow const& w, std::string const& key, Error const& e) {
    if (e.vendor_code != "PreconditionFailed") return false;
    auto stat = sink_.Stat(key, ctx_);
    if (!stat || !stat->has_value()) return false;
    Existing(w, key, **stat);
    return true;
  }

  void Process(Task const& task) {
    if (ctx_.cancel.IsCancelled()) return Stop();
    std::string key = Render(parts_, options_.record_type, options_.format, task.window);
    if (!task.stat_done) {
      auto stat = sink_.Stat(key, ctx_);
      if (!stat) return Failed(task.window, key, SinkError(stat.error(), key));
      if (stat->has_value()) return Existing(task.window, key, **stat);
    }
    Query q = options_.base_query;
    q.date_begin = task.window.begin;
    q.date_end = task.window.end;
    q.number_of_records = task.number_of_records;
    PutOptions put;
    put.content_type = options_.format == Format::kCsv ? "text/csv" : "application/x-ndjson";
    put.metadata["ccrec-source"] = kManifestSource;
    put.metadata[exporter::kIdentityMetadataKey] = exporter::EncodeIdentity(WindowIdentity(options_, task.window));
    put.if_none_match = true;
    if (options_.format == Format::kCsv) {
      auto streamed = client_.StreamCsvPage(options_.record_type, q, sink_, key, put, ctx_);
      if (!streamed) return Failed(task.window, key, streamed.error());
      if (streamed->possibly_truncated) {
        streamed->writer->Abort();
        return Full(task, key, streamed->rows);
      }
      auto info = streamed->writer->Finish();
      if (!info && AppearedMeanwhile(task.window, key, info.error())) return;
      if (!info) return Failed(task.window, key, SinkError(info.error(), key));
      return Exported(task.window, key, *info);
    }
    auto page = client_.QueryPage(options_.record_type, q, ctx_);
    if (!page) return Failed(task.window, key, page.error());
    if (page->possibly_truncated) return Full(task, key, page->rows_returned);
    std::string body;
    for (auto const& record : page->records) {
      body += record;
      body += '\n';
    }
    put.expected_size = body.size();
    auto writer = sink_.Open(key, put, ctx_);
    if (!writer) return Failed(task.window, key, SinkError(writer.error(), key));
    if (!body.empty()) {
      if (auto written = (*writer)->Write(body.data(), body.size()); !written) {
        (*writer)->Abort();
        return Failed(task.window, key, SinkError(written.error(), key));
      }
    }
    auto info = (*writer)->Finish();
    if (!info && AppearedMeanwhile(task.window, key, info.error())) return;
    if (!info) return Failed(task.window, key, SinkError(info.error(), key));
    Exported(task.window, key, *info);
  }

  Error SinkError(Error e, std::string const& key) const {
    if (e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied) {
      e.message = "the destination rejected our credentials while accessing " + sink_.Describe(key) + ": " +
                  e.message + " (check the access key, secret and region)";
    }
    return e;
  }

  Client const& client_;
  ObjectSink& sink_;
  exporter::Manifest& manifest_;
  RecordExportOptions const& options_;
  std::vector<Part> parts_;
  CallContext const& ctx_;
  std::mutex mu_;
  std::mutex progress_mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  int active_ = 0;
  bool stop_ = false;
  ExportSummary summary_;
};

}  // namespace

Result<void> ValidateWindowKeyTemplate(std::string const& key_template) {
  auto parts = ParseTemplate(key_template);
  if (!parts) return std::move(parts).error();
  return {};
}

Result<std::string> RenderWindowKey(std::string const& key_template, RecordType type, Format format,
                                    TimeWindow const& window) {
  auto parts = ParseTemplate(key_template);
  if (!parts) return std::move(parts).error();
  return Render(*parts, type, format, window);
}

Result<std::vector<ExportedWindow>> LoadExportedWindows(std::string const& manifest_path, RecordType type,
                                                        Format format) {
  std::vector<ExportedWindow> out;
  if (manifest_path.empty()) return out;
  auto text = util::ReadSmallFile(manifest_path, std::size_t{4} << 30);
  if (!text) {
    if (text.error().code == ErrorCode::kNotFound) return out;
    return MakeError(ErrorCode::kInternal, "cannot read the manifest " + manifest_path + ": " + text.error().message);
  }
  std::string const task_id(ToPathSegment(type));
  std::string const segment_id = FormatName(format);
  // Latest line per window (recording_id), in file order.
  std::map<std::string, std::pair<bool, ExportedWindow>> latest;
  std::size_t pos = 0;
  while (pos < text->size()) {
    auto nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    std::string_view line(text->data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    auto doc = util::ParseJson(line, "manifest line");
    if (!doc || !doc->IsObject()) continue;
    if (util::OptString(*doc, "source").value_or("") != kManifestSource) continue;
    if (util::OptString(*doc, "task_id").value_or("") != task_id) continue;
    if (util::OptString(*doc, "segment_id").value_or("") != segment_id) continue;
    auto id = util::OptString(*doc, "recording_id");
    auto status = util::OptString(*doc, "status");
    if (!id || !status) continue;
    auto dash = id->find('-', 1);
    if (dash == std::string::npos) continue;
    std::int64_t b = 0, e = 0;
    try {
      b = std::stoll(id->substr(0, dash));
      e = std::stoll(id->substr(dash + 1));
    } catch (...) {
      continue;
    }
    if (e <= b) continue;
    ExportedWindow w;
    w.window = TimeWindow{util::FromEpochMs(b), util::FromEpochMs(e)};
    w.key = util::OptString(*doc, "key").value_or("");
    w.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, util::OptInt64(*doc, "bytes").value_or(0)));
    w.sha256 = util::OptString(*doc, "sha256").value_or("");
    w.uri = util::OptString(*doc, "uri").value_or("");
    latest[*id] = {*status == "exported" || *status == "skipped", std::move(w)};
  }
  for (auto& [id, entry] : latest) {
    if (entry.first) out.push_back(std::move(entry.second));
  }
  std::sort(out.begin(), out.end(),
            [](ExportedWindow const& a, ExportedWindow const& b) { return a.window.begin < b.window.begin; });
  return out;
}

ExportSummary ExportRecordWindows(Client const& client, ObjectSink& sink, exporter::Manifest& manifest,
                                  std::vector<ExportedWindow> const& exported, RecordExportOptions const& options,
                                  CallContext const& ctx) {
  auto const start = std::chrono::steady_clock::now();
  ExportSummary invalid;
  auto fail = [&](std::string message) {
    invalid.fatal = MakeError(ErrorCode::kInvalidArgument, std::move(message));
    return invalid;
  };
  auto parts = ParseTemplate(options.key_template);
  if (!parts) return fail(parts.error().message);
  if (options.range.end <= options.range.begin || options.range.Length().count() < 1) {
    return fail("the time range [" + util::FormatIso8601(options.range.begin, true) + ", " +
                util::FormatIso8601(options.range.end, true) + ") is empty");
  }
  if (options.concurrency < 1 || options.concurrency > 64) return fail("concurrency must be between 1 and 64");
  if (options.base_query.number_of_records < 1 || options.base_query.number_of_records > client.ServiceRowCap()) {
    return fail("numberOfRecords must be between 1 and " + std::to_string(client.ServiceRowCap()) +
                " (the service's row cap; larger ranges are split into windows instead)");
  }
  {
    Query probe = options.base_query;
    probe.date_begin = options.range.begin;
    probe.date_end = options.range.end;
    if (auto json = BuildQueryJson(probe); !json) return fail(json.error().message);
  }

  if (!options.dry_run) {
    // A manifest of another destination or key template says nothing about this one.
    if (auto bound = manifest.Bind(sink.Uri(""), options.key_template); !bound) return fail(bound.error().message);
  }
  std::vector<TimeWindow> done;
  std::vector<ExportedWindow> overlapping;
  for (auto const& e : exported) {
    if (e.window.begin < options.range.end && e.window.end > options.range.begin) {
      if (e.uri.empty() || e.uri != sink.Uri(e.key)) {
        // A line of an older manifest (or of another destination): trust the sink, not the line.
        if (options.dry_run) continue;
        auto stat = sink.Stat(e.key, ctx);
        if (!stat || !stat->has_value()) continue;  // planned again (a Stat error shows up there)
        if (!CheckWindowObject(sink, manifest, options, e.window, e.key, **stat)) continue;
      }
      done.push_back(e.window);
      overlapping.push_back(e);
    }
  }
  auto windows = PlanWindows(options.range, options.initial_window, done);
  if (options.dry_run) {
    for (auto const& w : windows) {
      if (options.on_dry_run_window) options.on_dry_run_window(w, Render(*parts, options.record_type, options.format, w));
    }
    ExportSummary s;
    s.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return s;
  }
  WindowRun run(client, sink, manifest, options, std::move(*parts), ctx);
  for (auto const& e : overlapping) run.Skip(e);
  options.logger.Info("Webex CC v1 " + std::string(ToPathSegment(options.record_type)) + ": " +
                      std::to_string(windows.size()) + " window(s) to fetch, " + std::to_string(overlapping.size()) +
                      " already exported");
  return run.Run(windows, start);
}

}  // namespace webex_legacy
}  // namespace v1
}  // namespace ccrec
