// SPDX-License-Identifier: Apache-2.0
#include <ccrec/webex/recording_source.hpp>

#include "presigned_media.hpp"
#include "search_query.hpp"
#include "task_admission.hpp"
#include "transcripts.hpp"

#include "internal/ascii.hpp"
#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <mutex>
#include <set>

namespace ccrec::webex {

using exporter::ExportItem;
using exporter::KeyIdentityRule;
using exporter::PendingItem;
using exporter::RecordingSource;

namespace {

constexpr std::size_t kCaptureBatch = 10;  // Captures API: at most 10 task ids per query

using detail::FingerprintOf;

/// Sidecar JSON: task attributes and the capture entry, minus the presigned URL; `item_id` is
/// RecordingItemId().
std::string Sidecar(webex::Task const& task, webex::Recording const& recording, std::string const& item_id) {
  // Never fall back to raw_json unparsed: it would carry the presigned URL (or be empty, which
  // would make the sidecar invalid JSON).
  // The recording's own bytes (issue 12) minus every attributes.filePath (duplicate keys included).
  std::string recording_json = "{\"id\":\"" + ::ccrec::detail::JsonEscape(recording.id) + "\"}";
  if (auto doc = ::ccrec::detail::ParseJsonWithSpans(recording.raw_json, "recording"); doc && doc->Doc().IsObject()) {
    std::vector<::ccrec::detail::JsonWithSpans::Replacement> cuts;
    for (auto const& m : doc->Doc().GetObject()) {
      if (m.name == "attributes" && m.value.IsObject()) cuts.push_back({&m.value, doc->RawWithoutMember(m.value, "filePath")});
    }
    recording_json = doc->RawReplacing(doc->Doc(), cuts);
  }
  std::string task_json = task.raw_json.empty() ? "{\"id\":\"" + ::ccrec::detail::JsonEscape(task.id) + "\"}" : task.raw_json;
  return "{\"source\":\"webex\",\"task_id\":\"" + ::ccrec::detail::JsonEscape(task.id) + "\",\"recording_id\":\"" +
         ::ccrec::detail::JsonEscape(item_id) + "\",\"task\":" + task_json + ",\"recording\":" + recording_json + "}\n";
}

class WebexSource : public RecordingSource {
 public:
  WebexSource(webex::Client client, WebexSourceOptions options) : client_(std::move(client)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = MakeSystemClock();
  }

  KeyIdentityRule KeyIdentity() const override { return WebexKeyIdentity(); }

  std::vector<std::string> ExtraKeyNames() const override { return WebexExtraKeyNames(); }

  Result<void> Enumerate(std::function<bool(ExportItem)> const& on_item,
                         std::function<void(PendingItem)> const& on_pending, CallContext const& ctx) override {
    // A task reported pending while a leased sub-window is listed keeps it from being marked done.
    std::function<void(PendingItem)> const pending = [this, &on_pending](PendingItem p) {
      if (leased_ && !p.given_up) options_.lease_sub_windows->Unfinished(*leased_);
      on_pending(std::move(p));
    };
    on_item_ = &on_item;
    on_pending_ = &pending;
    std::vector<webex::Task> batch;
    // Batches tasks for Flush(): a full batch, or what is left at the end of a window (nullopt).
    Feed feed = [&](std::optional<webex::Task> task) -> Result<bool> {
      if (task) batch.push_back(std::move(*task));
      if (task && batch.size() < kCaptureBatch) return true;
      auto go_on = Flush(batch, on_item, pending, ctx);
      if (!go_on) return go_on;
      return *go_on && !ctx.cancel.IsCancelled();
    };
    auto listed = options_.task_ids.empty() ? ListWindows(feed, ctx) : ListIds(feed);
    if (!listed) return std::move(listed).error();
    return {};
  }

 private:
  /// Takes a task (or nullopt: flush what is batched); false: list nothing more.
  using Feed = std::function<Result<bool>(std::optional<webex::Task>)>;

  /// Lists the tasks of [tasks.from, tasks.to) one sub-window at a time.
  Result<bool> ListWindows(Feed const& feed, CallContext const& ctx) {
    auto step = options_.sub_window.count() > 0 ? options_.sub_window : std::chrono::milliseconds(std::chrono::hours(24));
    auto const& leaser = options_.lease_sub_windows;
    bool const grid = options_.claim_sub_window || leaser;
    for (auto from = options_.tasks.from; from < options_.tasks.to;) {
      auto to = std::min(options_.tasks.to, from + step);
      if (grid) {
        auto cell = exporter::SubWindowAt(from, step, options_.tasks.from, options_.tasks.to);
        from = cell.to;
        if (options_.claim_sub_window && !options_.claim_sub_window(cell)) {
          options_.logger.Debug("sub-window " + std::to_string(cell.index) + " belongs to another shard");
          continue;
        }
        if (leaser) {
          auto claimed = leaser->Claim(cell, ctx.cancel);
          if (!claimed) return std::move(claimed).error();
          if (!*claimed) continue;
          auto go_on = ListLeased(cell, feed, ctx);
          if (!go_on || !*go_on) return go_on;
          continue;
        }
        auto go_on = ListOne(cell.from, cell.to, feed, ctx);
        if (!go_on || !*go_on) return go_on;
        continue;
      }
      auto go_on = ListOne(from, to, feed, ctx);
      if (!go_on || !*go_on) return go_on;
      from = to;
    }
    // Sub-windows other instances held: wait for them, take over those whose lease expired.
    while (leaser) {
      auto next = leaser->NextTakeover(ctx.cancel);
      if (!next) return std::move(next).error();
      if (!*next) break;
      auto go_on = ListLeased(**next, feed, ctx);
      if (!go_on || !*go_on) return go_on;
    }
    return true;
  }

  /// Lists leased sub-window `cell`; its items report to the leaser when the engine is done.
  Result<bool> ListLeased(exporter::SubWindow const& cell, Feed const& feed, CallContext const& ctx) {
    leased_ = cell;
    auto go_on = ListOne(cell.from, cell.to, feed, ctx);
    leased_.reset();
    options_.lease_sub_windows->Listed(cell, go_on && *go_on);
    return go_on;
  }

  /// Lists the tasks of [from, to) and flushes the last batch.
  Result<bool> ListOne(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to,
                       Feed const& feed, CallContext const& ctx) {
    webex::TaskQuery query = options_.tasks;
    query.from = from;
    query.to = to;
    listed_before_ = to;  // each batch Flush()es within its window
    if (options_.enrich_search) {
      auto searched = Search(from, to, ctx);
      if (!searched) return std::move(searched).error();
    }
    // Elements of the Tasks answers that are not tasks: failed items, so the run cannot end as
    // if the window had been exported completely.
    std::vector<webex::MalformedTask> malformed;
    auto report_malformed = [&]() -> bool {
      for (auto& bad : malformed) {
        auto item = MalformedTaskItem(bad);
        if (!malformed_reported_.insert(item.task_id).second) continue;  // seen in another sub-window
        options_.logger.Warn("Webex: " + bad.reason + "; reported as failed item " + item.task_id);
        if (Age().TooOld(bad.created_time)) {
          // Like a task given up: one failed line, and it no longer holds the resume point (a
          // failed item would: without a window time it keeps the checkpoint at the window start).
          PendingItem given_up{"webex", item.task_id,
                               "given up after " + detail::FormatAge(options_.pending_max_age) + ": " +
                                   MalformedTaskError(bad, true).message,
                               bad.created_time};
          given_up.given_up = true;
          (*on_pending_)(std::move(given_up));
          continue;
        }
        if (!(*on_item_)(std::move(item))) return false;
      }
      malformed.clear();
      return true;
    };
    query.on_malformed = [&malformed](webex::MalformedTask bad) { malformed.push_back(std::move(bad)); };
    for (auto& task : client_.ListTasks(query, ctx)) {
      if (!task) return std::move(task).error();
      if (!report_malformed()) return false;
      if (task->capture_requested && !*task->capture_requested) {
        auto open =
            detail::OpenTaskPending(*task, Age(), detail::OpenTaskCase::kCaptureNotRequestedYet, listed_before_);
        // False may still turn true while the task runs.
        if (open && !open->given_up) {
          options_.logger.Debug("task " + task->id + ": still open and captureRequested is false; pending");
          (*on_pending_)(std::move(*open));
          continue;
        }
        options_.logger.Debug("task " + task->id + ": captureRequested is false; no recording will exist");
        continue;
      }
      if (!Admits(*task)) continue;
      auto go_on = feed(std::move(*task));
      if (!go_on || !*go_on) return go_on;
    }
    if (!report_malformed()) return false;
    auto const window = "[" + ::ccrec::detail::FormatIso8601(from) + ", " + ::ccrec::detail::FormatIso8601(to) + ")";
    if (excluded_ > 0) {
      options_.logger.Info("Webex: skipped " + std::to_string(excluded_) + " task(s) of " + window +
                           " whose Search record does not match the Search filters");
    }
    if (not_indexed_ > 0) {
      options_.logger.Info("Webex: " + std::to_string(not_indexed_) + " ended task(s) of " + window +
                           " not indexed by the Search API yet: pending, a later run judges them again");
    }
    return feed(std::nullopt);
  }

  /// Why a Tasks element that is not a task (no id) fails: kParse naming the reason, its
  /// createdTime and the element (at most 300 bytes, control characters escaped); `given_up`:
  /// older than pending_max_age, so no later run retries it.
  static Error MalformedTaskError(webex::MalformedTask const& bad, bool given_up = false) {
    std::string element = bad.raw_json.size() > 300 ? bad.raw_json.substr(0, 300) + "..." : bad.raw_json;
    return MakeError(ErrorCode::kParse,
                     bad.reason + ", so its recordings cannot be looked up and none was exported" +
                         (bad.created_time ? " (createdTime " + ::ccrec::detail::FormatIso8601(*bad.created_time, true) + ")"
                                           : std::string(" (no createdTime)")) +
                         "; the element: " + EscapeControlCharacters(element) +
                         (given_up ? " (a malformed Webex answer: report it to Cisco; older than the pending "
                                     "limit, so no later run retries it)"
                                   : " (a malformed Webex answer: report it to Cisco; a later run retries)"));
  }

  /// A failed item for a Tasks element that is not a task (no id: its recordings cannot be looked
  /// up). Identity "malformed-task-" + 12 hex of SHA-256 of the element, as task_id and
  /// recording_id, so a re-listed element is the same item (also across sub-windows and runs;
  /// window_time its createdTime); its key never matches an object (suffix ".malformed"); its
  /// opener fails at once with MalformedTaskError() (not retried), so the engine writes one
  /// "failed" line and the run ends with failures. Once older than pending_max_age the element is
  /// reported as a given-up PendingItem instead (see the listing loop), so it cannot pin the
  /// resume point of incremental runs for ever.
  exporter::ExportItem MalformedTaskItem(webex::MalformedTask const& bad) const {
    std::string const id = "malformed-task-" + ::ccrec::detail::Sha256Hex(bad.raw_json).substr(0, 12);
    ExportItem item;
    item.source = "webex";
    item.task_id = id;
    item.recording_id = id;
    item.key_fields.task_id = id;
    item.key_fields.recording_id = id + ".malformed";
    item.key_fields.ext = ".bin";
    item.key_fields.time = bad.created_time;
    item.key_fields.extra[detail::kKindKey] = "recording";
    item.window_time = bad.created_time;
    item.open = exporter::FailingOpener(MalformedTaskError(bad));
    TrackLeased(item);
    return item;
  }

 private:
  /// The Search answer for [from, to), by task id (replaces the previous sub-window's). Asked
  /// without the Search filters (only the channel types, which the Tasks listing has too): a
  /// task the answer lacks is then one Search has not indexed yet, never one the filters
  /// exclude. Admits() applies the filters (SearchTaskMatches()). It costs the pages of every
  /// task of the window, as enrich_search without filters does.
  Result<void> Search(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to,
                      CallContext const& ctx) {
    search_.clear();
    excluded_ = 0;
    not_indexed_ = 0;
    webex::SearchQuery q;
    // Whether Search's `from` is inclusive is not documented (the Tasks lister copes with either):
    // asked 1 ms earlier, a task created at `from` (where a pending task holds the resume point)
    // is in the answer either way. Extra tasks are harmless: only listed tasks are looked up.
    q.from = std::max(from - std::chrono::milliseconds(1), to - std::chrono::hours(24 * 365));
    q.to = to;
    q.channel_types = options_.tasks.channel_types;
    q.cad_names = options_.search_cad_names;  // and the CAD variables the filters compare
    for (auto const& cad : options_.search_filter.cad) {
      auto const& names = q.cad_names;
      if (std::find(names.begin(), names.end(), cad.first) == names.end()) q.cad_names.push_back(cad.first);
    }
    q.org_id = options_.tasks.org_id;
    auto tasks = client_.SearchTasks(q, ctx);
    if (!tasks) return std::move(tasks).error();
    options_.logger.Debug("Search API: " + std::to_string(tasks->size()) + " task(s) created in [" +
                          ::ccrec::detail::FormatIso8601(from) + ", " + ::ccrec::detail::FormatIso8601(to) + ")");
    for (auto& t : *tasks) {
      std::string id = t.id;
      search_.emplace(std::move(id), std::move(t));
    }
    return {};
  }
  /// Whether a listed task goes on to Captures: it passes the task filters and, with
  /// enrich_search and Search filters, its Search record matches them (SearchTaskMatches();
  /// refusals counted). A task that does not while still open is reported pending instead (it
  /// may match once it has ended: OpenTaskCase::kNotMatchingYet), so the resume point stays
  /// before it. With enrich_search, an ended task Search has not indexed (SearchIndexed() false)
  /// is reported pending (NotIndexedPending(), counted) whether or not filters are set: the
  /// filters cannot be judged, and a sidecar written without the metadata is never written
  /// again. Once given up, it is reported so with filters (a failed line) and exported without
  /// the metadata without them.
  bool Admits(webex::Task const& task) {
    bool const matches = detail::TaskMatches(options_.filter, task);
    bool const filtered = options_.enrich_search && options_.search_filter.Any();
    auto const* found = SearchFor(task.id);
    if (matches && options_.enrich_search && !detail::IsOpenTask(task) && !detail::SearchIndexed(found)) {
      auto p = detail::NotIndexedPending(task, Age(), filtered, found != nullptr, listed_before_);
      if (p.given_up && !filtered) {
        options_.logger.Warn("Webex: task " + task.id + ": " + p.reason);
        return true;
      }
      ++not_indexed_;
      options_.logger.Debug("task " + task.id + ": " + p.reason);
      (*on_pending_)(std::move(p));
      return false;
    }
    bool const in_search = !filtered || (found != nullptr && webex::SearchTaskMatches(*found, options_.search_filter));
    if (matches && in_search) return true;
    if (auto open = detail::OpenTaskPending(task, Age(), detail::OpenTaskCase::kNotMatchingYet, listed_before_)) {
      options_.logger.Debug("task " + task.id + ": still open and not matching the filters yet; pending");
      (*on_pending_)(std::move(*open));
    } else if (matches) {
      ++excluded_;
      options_.logger.Debug("task " + task.id + ": its Search record does not match the Search filters; skipped");
    }
    return false;
  }
  detail::PendingAge Age() const { return {options_.pending_max_age, options_.clock}; }
  webex::SearchTask const* SearchFor(std::string const& id) const {
    if (!options_.enrich_search || !options_.task_ids.empty()) return nullptr;
    auto it = search_.find(id);
    return it == search_.end() ? nullptr : &it->second;
  }
  /// `sidecar` with the task's "search" member when enriching a listed window: its Search
  /// record, or null when Search has none (given up waiting for it, or a task still open).
  std::string Enriched(std::string sidecar, std::string const& id) const {
    if (!options_.enrich_search || !options_.task_ids.empty()) return sidecar;
    return detail::WithSearch(std::move(sidecar), SearchFor(id));
  }

  /// --task-id: the given tasks, without listing (issue 13 item 5). Task filters need Tasks
  /// attributes, which are not fetched, so only the duration bounds apply.
  Result<bool> ListIds(Feed const& feed) {
    std::vector<std::string> seen;
    for (auto const& id : options_.task_ids) {
      if (id.empty() || std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      webex::Task task;
      task.id = id;
      auto go_on = feed(std::move(task));
      if (!go_on || !*go_on) return go_on;
    }
    return feed(std::nullopt);
  }

  /// Whether recording `item_id` of `task` passes the duration bounds. One without startTime or
  /// stopTime cannot be shown to lie outside them: it passes (logged), never silently dropped.
  bool RecordingMatches(webex::Task const& task, webex::Recording const& r, std::string const& item_id) const {
    auto const& f = options_.filter;
    if (!f.min_duration && !f.max_duration) return true;
    if (!r.attributes.start_time || !r.attributes.stop_time) {
      options_.logger.Warn("task " + task.id + " recording " + item_id + ": no " +
                           (r.attributes.start_time ? "stopTime" : "startTime") +
                           " in the Captures answer, so its duration is unknown; exported despite the duration bounds");
      return true;
    }
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(*r.attributes.stop_time - *r.attributes.start_time);
    return (!f.min_duration || d >= *f.min_duration) && (!f.max_duration || d <= *f.max_duration);
  }

  /// Queries captures for `batch` and hands over its items and pending tasks.
  /// @return false when the engine refused an item (it is stopping): list nothing more.
  Result<bool> Flush(std::vector<webex::Task>& batch, std::function<bool(ExportItem)> const& on_item,
                     std::function<void(PendingItem)> const& on_pending, CallContext const& ctx) {
    if (batch.empty()) return true;
    webex::CaptureQuery query;
    query.url_expiration = options_.url_expiration;
    query.include_segments = options_.include_segments;
    query.include_va_recordings = options_.include_va_recordings;
    query.org_id = options_.tasks.org_id;
    std::vector<std::string> ids;
    for (auto const& t : batch) ids.push_back(t.id);
    auto captures = client_.QueryCapturesBatched(ids, query, ctx);
    if (!captures) return std::move(captures).error();
    for (auto const& task : batch) {
      webex::TaskCaptures const* found = nullptr;
      for (auto const& tc : *captures) {
        if (tc.task_id == task.id) found = &tc;
      }
      bool const has_transcripts = options_.include_transcripts && found != nullptr && !found->transcriptions.empty();
      if (found == nullptr || (found->recordings.empty() && !has_transcripts)) {
        on_pending(detail::PendingTask(task, Age(), !options_.task_ids.empty(), listed_before_));
        continue;
      }
      if (auto open = detail::OpenTaskPending(task, Age(), detail::OpenTaskCase::kPartialCapture, listed_before_)) {
        on_pending(std::move(*open));
      }
      bool any_recording = false;
      for (std::size_t i = 0; i < found->recordings.size(); ++i) {
        std::string const item_id = RecordingItemId(found->recordings, i);
        if (Repeated(task, found->recordings, i, item_id)) continue;
        if (!RecordingMatches(task, found->recordings[i], item_id)) continue;
        any_recording = true;
        if (!on_item(MakeItem(task, found->recordings, i, query))) {
          batch.clear();
          return false;
        }
      }
      // A transcript has no duration: with a duration bound it goes with a matching recording.
      bool const bounded = options_.filter.min_duration || options_.filter.max_duration;
      if (!has_transcripts || (bounded && !any_recording)) continue;
      for (std::size_t i = 0; i < found->transcriptions.size(); ++i) {
        if (Repeated(task, found->transcriptions, i, TranscriptItemId(found->transcriptions, i))) continue;
        if (!on_item(MakeTranscriptItem(task, found->transcriptions, i, query))) {
          batch.clear();
          return false;
        }
      }
    }
    batch.clear();
    return true;
  }

  /// Whether entry `i` of a capture list repeats an earlier one (same id, attributes and object:
  /// detail::CaptureEntryRepeats()): logged, not exported a second time.
  template <class Entry>
  bool Repeated(webex::Task const& task, std::vector<Entry> const& list, std::size_t i, std::string const& item_id) const {
    if (!detail::CaptureEntryIsRepeat(list, i)) return false;
    options_.logger.Info("task " + task.id + ": capture entry " + std::to_string(i) + " (" + item_id +
                         ") repeats an earlier entry (same id, attributes and object); exported once");
    return true;
  }

  /// The identity and key fields a recording's and a transcript's item share (`kind`: the
  /// template's {kind}); the key time is the entry's start, else the task's createdTime.
  static ExportItem CaptureItem(webex::Task const& task, std::string const& id, char const* kind,
                                std::optional<std::string> const& file_name,
                                decltype(webex::Task::created_time) const& start) {
    ExportItem item;
    item.source = "webex";
    item.task_id = task.id;
    item.recording_id = id;
    item.key_fields.task_id = task.id;
    item.key_fields.recording_id = id;
    item.key_fields.file_name = file_name.value_or("");
    item.key_fields.time = start ? start : task.created_time;
    item.key_fields.extra[detail::kKindKey] = kind;
    return item;
  }

  ExportItem MakeItem(webex::Task const& task, std::vector<webex::Recording> const& list, std::size_t i,
                      webex::CaptureQuery query) {
    auto const& recording = list[i];
    std::string const id = RecordingItemId(list, i);
    bool const positional = detail::CaptureEntryIdIsPositional(list, i);
    if (positional) {
      options_.logger.Warn("task " + task.id + ": recording[" + std::to_string(i) + "] has " +
                           (recording.id.empty() ? "no string id" : "the same id as another recording of the task") +
                           "; exported as recording " + id);
    }
    auto item = CaptureItem(task, id, "recording", recording.attributes.file_name, recording.attributes.start_time);
    item.metadata_json = Enriched(Sidecar(task, recording, id), task.id);
    Attach(item, task, id, false, recording.attributes.file_path, std::move(query),
           positional ? std::optional<std::string>(FingerprintOf(recording)) : std::nullopt);
    return item;
  }

  ExportItem MakeTranscriptItem(webex::Task const& task, std::vector<webex::Transcription> const& list, std::size_t i,
                                webex::CaptureQuery query) {
    auto const& t = list[i];
    std::string id = TranscriptItemId(list, i);
    auto item = CaptureItem(task, id, "transcript", t.file_name, t.start_time);
    item.key_fields.ext = exporter::FileExtension(t.file_name.value_or(""), ".json");
    item.metadata_json = Enriched(detail::TranscriptSidecar(task, t, id), task.id);
    Attach(item, task, id, true, t.file_path, std::move(query),
           detail::CaptureEntryIdIsPositional(list, i) ? std::optional<std::string>(FingerprintOf(t)) : std::nullopt);
    return item;
  }

  /// The item's window time and MediaOpener (presigned URL, re-queried when about to expire;
  /// `fingerprint`: FingerprintOf() the entry when its id is positional).
  void Attach(ExportItem& item, webex::Task const& task, std::string const& id, bool transcript,
              std::optional<std::string> const& file_path, webex::CaptureQuery query,
              std::optional<std::string> fingerprint) {
    query.task_ids = {task.id};
    auto state = std::make_shared<detail::PresignedMedia>(client_);
    state->query = std::move(query);
    state->task_id = task.id;
    state->recording_id = id;
    state->transcript = transcript;
    state->fingerprint = std::move(fingerprint);
    state->margin = options_.url_refresh_margin;
    state->clock = options_.clock;
    state->logger = options_.logger;
    state->url = file_path.value_or("");
    state->url_received = options_.clock->Now();
    item.window_time = task.created_time;
    item.open = [state](CallContext const& ctx, std::uint64_t offset) { return state->Open(ctx, offset); };
    TrackLeased(item);
  }

  /// An item of the leased sub-window being listed: the leaser learns when the engine is done
  /// with it, and whether it ended unfinished (failed, pending), which keeps the sub-window from
  /// being marked done.
  void TrackLeased(ExportItem& item) const {
    if (!leased_) return;
    auto const& leaser = options_.lease_sub_windows;
    item.on_done = leaser->TrackItem(*leased_);
    item.on_outcome = [leaser, cell = *leased_](exporter::ItemStatus status) {
      if (status == exporter::ItemStatus::kFailed || status == exporter::ItemStatus::kPending) leaser->Unfinished(cell);
    };
  }

  webex::Client client_;
  WebexSourceOptions options_;
  std::map<std::string, webex::SearchTask> search_;  // enrich_search: the current sub-window's answer
  detail::ListedBefore listed_before_;  // the end of the window being listed (none with task_ids)
  std::size_t excluded_ = 0;     // tasks of the sub-window whose Search record the Search filters exclude
  std::size_t not_indexed_ = 0;  // ended tasks of the sub-window Search has not indexed: pending
  std::optional<exporter::SubWindow> leased_;         // the leased sub-window being listed
  std::function<bool(ExportItem)> const* on_item_ = nullptr;      // Enumerate()'s, while it runs
  std::function<void(PendingItem)> const* on_pending_ = nullptr;  // Enumerate()'s, while it runs
  std::set<std::string> malformed_reported_;  // task_id of every MalformedTaskItem() handed out
};

}  // namespace

KeyIdentityRule WebexKeyIdentity() { return KeyIdentityRule{"webex", {{"task_id", "recording_id"}}}; }

std::unique_ptr<RecordingSource> MakeWebexSource(Client client, WebexSourceOptions options) {
  return std::make_unique<WebexSource>(std::move(client), std::move(options));
}

}  // namespace ccrec::webex
