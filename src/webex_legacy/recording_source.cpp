// SPDX-License-Identifier: Apache-2.0
// The Webex CC legacy v1 record source: one export item per time window, whose media is the
// window's JSON Lines or CSV page; full windows are withdrawn and replaced by their halves.

#include <ccrec/webex_legacy/recording_source.hpp>

#include "internal/http_util.hpp"
#include "internal/pending_age.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>

namespace ccrec::webex_legacy {

namespace util = ::ccrec::detail;

namespace {

char const* FormatName(Format f) { return f == Format::kCsv ? "csv" : "json"; }
char const* FormatExt(Format f) { return f == Format::kCsv ? ".csv" : ".jsonl"; }
char const* FormatContentType(Format f) { return f == Format::kCsv ? "text/csv" : "application/x-ndjson"; }

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

/// "1762000000000-1762003600000" -> the window; nullopt for anything else.
std::optional<TimeWindow> ParseWindowId(std::string const& id) {
  auto dash = id.find('-', 1);
  if (dash == std::string::npos) return std::nullopt;
  std::int64_t b = 0, e = 0;
  try {
    std::size_t used_b = 0, used_e = 0;
    b = std::stoll(id.substr(0, dash), &used_b);
    e = std::stoll(id.substr(dash + 1), &used_e);
    if (used_b != dash || used_e != id.size() - dash - 1) return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
  if (e <= b) return std::nullopt;
  return TimeWindow{util::FromEpochMs(b), util::FromEpochMs(e)};
}

/// One window to hand out.
struct Task {
  TimeWindow window;
  int number_of_records;
  WindowBounds bounds = WindowBounds::kOverlapOneMillisecond;
};

/// What Enumerate() and the MediaOpeners share: windows still to hand out and windows handed out
/// and not done.
struct State {
  Client client;
  WebexLegacySourceOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Task> queue;  // split halves go in front, so one worker keeps time order
  std::size_t outstanding = 0;

  State(Client c, WebexLegacySourceOptions o) : client(std::move(c)), options(std::move(o)) {}

  void Push(std::vector<Task> const& tasks) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) queue.push_front(*it);
    cv.notify_all();
  }

  void Done() {
    std::lock_guard<std::mutex> lock(mu);
    --outstanding;
    cv.notify_all();
  }

  std::string TypeName() const { return std::string(ToPathSegment(options.record_type)); }

  /// The answer for `task` was full (`rows` rows): replace the window by its halves, or by itself
  /// at the cap, or fail it when it is one millisecond already asked at the cap.
  Error Full(Task const& task, std::uint64_t rows) {
    int const cap = client.ServiceRowCap();
    if (auto halves = SplitWindow(task.window)) {
      Push({Task{halves->first, task.number_of_records}, Task{halves->second, task.number_of_records}});
      return exporter::Superseded("window " + WindowId(task.window) + " returned " + std::to_string(rows) +
                                  " rows (the limit): split in halves");
    }
    if (task.number_of_records < cap) {
      Push({Task{task.window, cap}});
      return exporter::Superseded("one-millisecond window " + WindowId(task.window) + " returned " +
                                  std::to_string(rows) + " rows: asked again at the service cap");
    }
    return MakeError(ErrorCode::kInternal,
                     "Webex CC v1 " + TypeName() + ": " + std::to_string(cap) +
                         " or more records start in the millisecond " + util::FormatIso8601(task.window.begin, true) +
                         " or in it and the millisecond before it (a window is queried from one millisecond "
                         "earlier); the v1 API returns at most " +
                         std::to_string(cap) +
                         " rows per query and cannot page, so this millisecond cannot be exported completely "
                         "(nothing was written for it)");
  }

  Query QueryFor(Task const& task) const {
    Query q = options.base_query;
    q.date_begin = task.window.begin;
    q.date_end = task.window.end;
    q.number_of_records = task.number_of_records;
    return q;
  }
};

/// The JSON Lines page of a window, from memory.
Result<HttpResponse> OpenJsonWindow(std::shared_ptr<State> const& state, Task const& task, CallContext const& ctx) {
  auto page = state->client.QueryPage(state->options.record_type, state->QueryFor(task), ctx);
  if (!page) return std::move(page).error();
  if (page->possibly_truncated) return state->Full(task, page->rows_returned);
  std::string body;
  for (auto const& record : page->records) {
    body += record;
    body += '\n';
  }
  HttpResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", FormatContentType(Format::kJson)},
                      {"Content-Length", std::to_string(body.size())}};
  response.body = std::make_unique<util::PrefixedBodyReader>(std::move(body), nullptr);
  return response;
}

/// The CSV page of a window, streamed; at its end a full answer withdraws the item.
class CsvWindowBody final : public BodyReader {
 public:
  CsvWindowBody(std::shared_ptr<State> state, Task task, std::unique_ptr<CsvPageReader> page)
      : state_(std::move(state)), task_(task), page_(std::move(page)) {}

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    auto n = page_->Read(buffer, size);
    if (!n) return n;  // a broken body: the engine opens the window again (not a reason to stop the run)
    if (*n > 0 || !page_->PossiblyTruncated()) return n;
    if (task_.bounds == WindowBounds::kOverlapOneMillisecond && page_->BeginIncluded()) {
      // The service includes dateBegin: ask for exactly the window, so that a full millisecond
      // before it does not make this window look full.
      state_->Push({Task{task_.window, task_.number_of_records, WindowBounds::kExact}});
      return exporter::Superseded("window " + WindowId(task_.window) +
                                  " was full and the service includes dateBegin: asked again for the exact window");
    }
    return state_->Full(task_, page_->Rows());
  }

 private:
  std::shared_ptr<State> state_;
  Task task_;
  std::unique_ptr<CsvPageReader> page_;
};

Result<HttpResponse> OpenCsvWindow(std::shared_ptr<State> const& state, Task const& task, CallContext const& ctx) {
  auto page = state->client.OpenCsvPage(state->options.record_type, state->QueryFor(task), task.bounds, ctx);
  if (!page) return std::move(page).error();
  HttpResponse response;
  response.status = 200;  // a filtered stream: no length, no validators (a retry starts over)
  response.headers = {{"Content-Type", FormatContentType(Format::kCsv)}};
  response.body = std::make_unique<CsvWindowBody>(state, task, std::move(*page));
  return response;
}

class WebexLegacySource final : public exporter::RecordingSource {
 public:
  WebexLegacySource(Client client, WebexLegacySourceOptions options)
      : client_(std::move(client)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = MakeSystemClock();
  }

  Result<void> Enumerate(std::function<bool(exporter::ExportItem)> const& on_item,
                         std::function<void(exporter::PendingItem)> const&, CallContext const& ctx) override {
    if (auto invalid = Validate(); !invalid) return invalid;
    auto const range = PastPart();
    if (!range) return {};
    auto state = std::make_shared<State>(client_, options_);
    auto windows = Plan(*range);
    for (auto const& w : windows) state->queue.push_back(Task{w, options_.base_query.number_of_records});
    std::unique_lock<std::mutex> lock(state->mu);
    for (;;) {
      // Openers push replacements through the state; the run's stop (a fatal error, IsFatal()
      // included, or the caller's cancellation) shows only in ctx.cancel, so the wait also wakes
      // to look at it.
      state->cv.wait_for(lock, std::chrono::milliseconds(20), [&] {
        return !state->queue.empty() || state->outstanding == 0 || ctx.cancel.IsCancelled();
      });
      if (ctx.cancel.IsCancelled()) return {};
      if (state->queue.empty()) {
        if (state->outstanding == 0) return {};
        continue;
      }
      Task task = state->queue.front();
      state->queue.pop_front();
      ++state->outstanding;
      lock.unlock();
      bool const more = on_item(MakeItem(state, task));
      lock.lock();
      if (!more) return {};
    }
  }

  exporter::KeyIdentityRule KeyIdentity() const override { return WebexLegacyKeyIdentity(); }
  std::vector<std::string> ExtraKeyNames() const override { return WebexLegacyKeyNames(); }
  /// No further v1 request of the run can succeed (credentials, base URL, TLS, a rejected query).
  bool IsFatal(Error const& error) const override {
    return IsFatalForRun(error) && error.code != ErrorCode::kCancelled && !exporter::IsSuperseded(error);
  }

 private:
  Result<void> Validate() const {
    auto invalid = [](std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); };
    auto const& range = options_.range;
    if (range.end <= range.begin || range.Length().count() < 1) {
      return invalid("Webex CC v1: the time range [" + util::FormatIso8601(range.begin, true) + ", " +
                     util::FormatIso8601(range.end, true) + ") is empty");
    }
    int const cap = client_.ServiceRowCap();
    if (options_.base_query.number_of_records < 1 || options_.base_query.number_of_records > cap) {
      return invalid("numberOfRecords must be between 1 and " + std::to_string(cap) +
                     " (the service's row cap; larger ranges are split into windows instead)");
    }
    Query probe = options_.base_query;
    probe.date_begin = range.begin;
    probe.date_end = range.end;
    if (auto json = BuildQueryJson(probe); !json) return invalid(json.error().message);
    return {};
  }

  /// The part of the range before the clock's now minus `settle` (whole milliseconds), or nullopt
  /// when none of it has settled. A window queried too early is exported without the records that
  /// do not exist yet (contacts that start later, or are still in progress: the historical data
  /// holds completed contacts), and once exported (manifest line, object) it is never queried
  /// again: those records would be lost with exit 0. So the rest is left for a later run (Warn).
  std::optional<TimeWindow> PastPart() const {
    TimeWindow range = options_.range;
    auto const now = util::FromEpochMs(util::ToEpochMs(options_.clock->Now()));
    auto const settle = std::max(options_.settle, std::chrono::milliseconds(0));
    auto const cut = now - settle;
    if (range.end <= cut) return range;
    bool const nothing_yet = range.begin >= cut;
    std::string const limit =
        settle.count() == 0 ? "now (" + util::FormatIso8601(now, true) + ")"
                            : "the settle time " + util::FormatIso8601(cut, true) + " (now minus " +
                                  util::FormatAge(settle) + ": contacts in progress have no record yet)";
    options_.logger.Warn("Webex CC v1 " + std::string(ToPathSegment(options_.record_type)) + ": the range [" +
                         util::FormatIso8601(range.begin, true) + ", " + util::FormatIso8601(range.end, true) +
                         ") ends after " + limit + ": " +
                         (nothing_yet ? std::string("nothing of it") : "only [" + util::FormatIso8601(range.begin, true) +
                                                                          ", " + util::FormatIso8601(cut, true) + ")") +
                         " is exported; the rest is left for a later run (a window exported before all its records "
                         "exist would never be queried again)");
    if (nothing_yet) return std::nullopt;
    range.end = cut;
    return range;
  }

  /// The windows of `range` to hand out, in time order: its aligned windows minus the exported
  /// ones, plus the exported ones that overlap it.
  std::vector<TimeWindow> Plan(TimeWindow const& range) const {
    std::vector<TimeWindow> done;
    for (auto const& w : options_.exported_windows) {
      if (w.begin < range.end && w.end > range.begin) done.push_back(w);
    }
    auto windows = PlanWindows(range, options_.initial_window, done);
    options_.logger.Info("Webex CC v1 " + std::string(ToPathSegment(options_.record_type)) + ": " +
                         std::to_string(windows.size()) + " window(s) to fetch, " + std::to_string(done.size()) +
                         " already exported");
    windows.insert(windows.end(), done.begin(), done.end());
    std::sort(windows.begin(), windows.end(),
              [](TimeWindow const& a, TimeWindow const& b) { return a.begin < b.begin; });
    return windows;
  }

  exporter::ExportItem MakeItem(std::shared_ptr<State> const& state, Task const& task) const {
    auto const& w = task.window;
    exporter::ExportItem item;
    item.source = kManifestSource;
    item.task_id = std::string(ToPathSegment(options_.record_type));
    item.recording_id = WindowId(w);
    item.segment_id = FormatName(options_.format);
    item.key_fields.task_id = item.task_id;
    item.key_fields.recording_id = item.recording_id;
    item.key_fields.segment_id = item.segment_id;
    item.key_fields.ext = FormatExt(options_.format);
    item.key_fields.time = w.begin;
    item.key_fields.extra = {{"record_type", item.task_id},
                             {"from", CompactUtc(w.begin)},
                             {"to", CompactUtc(w.end)},
                             {"from_ms", std::to_string(util::ToEpochMs(w.begin))},
                             {"to_ms", std::to_string(util::ToEpochMs(w.end))},
                             {"format", FormatName(options_.format)}};
    item.content_type = FormatContentType(options_.format);
    item.window_time = w.begin;
    bool const csv = options_.format == Format::kCsv;
    item.open = [state, task, csv](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
      // A query, not a file: If-Range means nothing to it, and it always answers from byte 0.
      CallContext query_ctx = ctx;
      RemoveHeader(query_ctx.extra_headers, "If-Range");
      return csv ? OpenCsvWindow(state, task, query_ctx) : OpenJsonWindow(state, task, query_ctx);
    };
    item.on_done = [state] { state->Done(); };
    return item;
  }

  Client client_;
  WebexLegacySourceOptions options_;
};

}  // namespace

std::vector<std::string> WebexLegacyKeyNames() { return {"record_type", "from", "to", "from_ms", "to_ms", "format"}; }

exporter::KeyIdentityRule WebexLegacyKeyIdentity() {
  exporter::KeyIdentityRule rule;
  rule.source = kManifestSource;
  for (char const* from : {"from", "from_ms"}) {
    for (char const* to : {"to", "to_ms"}) {
      for (char const* format : {"ext", "format"}) rule.any_of.push_back({"record_type", from, to, format});
    }
  }
  return rule;
}

std::vector<TimeWindow> ExportedWindows(exporter::Manifest const& manifest, RecordType type, Format format) {
  std::string const task_id(ToPathSegment(type));
  std::string const segment_id = FormatName(format);
  std::vector<TimeWindow> out;
  for (auto const& e : manifest.Entries()) {
    if (e.source != kManifestSource || e.task_id != task_id || e.segment_id != segment_id) continue;
    if (e.status != exporter::ItemStatus::kExported && e.status != exporter::ItemStatus::kSkipped) continue;
    if (auto w = ParseWindowId(e.recording_id)) out.push_back(*w);
  }
  std::sort(out.begin(), out.end(), [](TimeWindow const& a, TimeWindow const& b) { return a.begin < b.begin; });
  return out;
}

std::unique_ptr<exporter::RecordingSource> MakeWebexLegacySource(Client client, WebexLegacySourceOptions options) {
  return std::make_unique<WebexLegacySource>(std::move(client), std::move(options));
}

}  // namespace ccrec::webex_legacy
