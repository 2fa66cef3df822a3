// SPDX-License-Identifier: Apache-2.0
// The FACE recording source: window listing -> per-recording details -> one item per segment
// (reference oracle-face.md §5, §6; the export assumptions).

#include <ccrec/face/recording_source.hpp>

#include "face/concat.hpp"
#include "face/sidecar.hpp"
#include "face/supplemental.hpp"
#include "face/volatile_filters.hpp"

#include <ccrec/core/time.hpp>

#include "internal/pending_age.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::face {

namespace {

using detail::kSource;
using detail::Sidecar;

/// Why the segments of `r` cannot be the whole recording by their `sequence` numbers (1-based,
/// reference §5.1), e.g. "its segments have sequence numbers 1, 3: sequence 2 is missing"; empty
/// when they run without a gap from 1 (or 0), or when a segment has no sequence (no order to judge).
std::string MissingSequences(Recording const& r) {
  std::set<std::int64_t> sequences;
  for (auto const& s : r.segments) {
    if (!s.sequence) return {};
    sequences.insert(*s.sequence);
  }
  if (sequences.empty()) return {};
  std::string missing;
  std::size_t gaps = 0;
  auto add_gap = [&](std::int64_t first, std::int64_t last) {
    if (++gaps > 3) return;
    missing += (missing.empty() ? "" : ", ") + std::to_string(first) +
               (last > first ? ".." + std::to_string(last) : std::string());
  };
  if (*sequences.begin() > 1) add_gap(1, *sequences.begin() - 1);
  for (auto it = sequences.begin(), next = std::next(it); next != sequences.end(); it = next++) {
    if (*next > *it + 1) add_gap(*it + 1, *next - 1);
  }
  if (gaps == 0) return {};
  std::string listed;
  std::size_t n = 0;
  for (auto v : sequences) {
    if (++n > 8) {
      listed += ", ...";
      break;
    }
    listed += (listed.empty() ? "" : ", ") + std::to_string(v);
  }
  return "its segments have sequence numbers " + listed + ": sequence " + missing + (gaps > 3 ? ", ..." : "") +
         " missing from its details";
}

class FaceSource : public exporter::RecordingSource {
 public:
  FaceSource(Client client, FaceSourceOptions options) : client_(std::move(client)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = MakeSystemClock();
  }

  exporter::KeyIdentityRule KeyIdentity() const override { return FaceKeyIdentity(options_.concatenate_segments); }

  Result<void> Enumerate(std::function<bool(exporter::ExportItem)> const& on_item,
                         std::function<void(exporter::PendingItem)> const& on_pending, CallContext const& ctx) override {
    if (options_.filter.in_progress.value_or(false)) {
      // Each recording it lists would be pending until it ends, and then match no more: never
      // exported, and no later listing would name it.
      return MakeError(ErrorCode::kInvalidArgument,
                       "FACE export: the filter inProgress=true selects recordings only while they are being "
                       "recorded, so none of them could ever be exported (each would stay pending, and once it "
                       "ended no listing would name it again); leave inProgress unset to export every recording "
                       "(those in progress once they end), or set it false for ended recordings only");
    }
    ListQuery query;
    query.from = options_.from;
    query.to = options_.to;
    query.filter = options_.filter;
    query.max_list_length = options_.max_list_length;
    // List entries FACE returned without a recordingId: each ends as a failed line (issue 11), once.
    std::vector<exporter::ExportItem> unreadable;
    std::set<std::string> unreadable_reported;
    query.on_unreadable_entry = [&](UnreadableEntry const& e, auto window_start, auto window_end) {
      unreadable.push_back(UnreadableListEntryItem(e, window_start, window_end));
    };
    auto report_unreadable = [&] {
      for (auto& item : std::exchange(unreadable, {})) {
        if (!unreadable_reported.insert(item.recording_id).second) continue;
        if (!on_item(std::move(item))) return false;
      }
      return true;
    };
    // Filters a recording may match only once it has ended (custom data the stop request sets, a
    // file name that is .rpdd while recording, ...): the recordings in progress are listed without
    // them first, so each one the filtered listing leaves out is pending and holds the checkpoint
    // (as Webex's open tasks). First, so that one ending in between is judged by the filtered listing.
    std::string const volatile_filters = detail::VolatileFilterNames(options_.filter);
    std::map<std::string, RecordingMatch> in_progress;  // by recordingId
    if (!volatile_filters.empty()) {
      ListQuery unfiltered = query;
      unfiltered.filter = detail::InProgressSearch(options_.filter);
      for (auto& match : client_.ListRecordings(unfiltered, ctx)) {
        if (!report_unreadable()) return {};
        if (!match) return std::move(match).error();
        if (ctx.cancel.IsCancelled()) return {};
        in_progress.emplace(match->recording_id, std::move(*match));
      }
    }
    for (auto& match : client_.ListRecordings(query, ctx)) {
      if (!report_unreadable()) return {};
      if (!match) return std::move(match).error();
      if (ctx.cancel.IsCancelled()) return {};
      in_progress.erase(match->recording_id);
      auto more = ExportListed(*match, on_item, on_pending, ctx);
      if (!more) return std::move(more).error();
      if (!*more) return {};
    }
    if (!report_unreadable()) return {};  // the last answers' (after the last match)
    for (auto const& [id, match] : in_progress) {
      if (ctx.cancel.IsCancelled()) return {};
      auto more = ExportInProgressWhenListed(match, volatile_filters, on_item, on_pending, ctx);
      if (!more) return std::move(more).error();
      if (!*more) return {};
    }
    return {};
  }

  std::vector<std::string> ExtraKeyNames() const override { return FaceExtraKeyNames(); }

  /// A download's error (the engine's MediaOpener: audio, concatenated WAV, supplemental file) that
  /// ends the run rather than failing that recording: EndsTheRun(), as for the details requests.
  /// Cancellation is the engine's own (kCancelled is not fatal), and a timeout fails the item: the
  /// run's deadline needs the CallContext, which this does not get.
  bool IsFatal(Error const& error) const override { return EndsTheRun(error); }

 private:
  using OnItem = std::function<bool(exporter::ExportItem)>;
  using OnPending = std::function<void(exporter::PendingItem)>;

  /// A recording the listing returned: its details, then its items (or pending line). False when
  /// on_item() asks to stop; an error when the run cannot go on.
  Result<bool> ExportListed(RecordingMatch const& match, OnItem const& on_item, OnPending const& on_pending,
                            CallContext const& ctx) const {
    auto recording = client_.GetRecording(match.recording_id, ctx);
    if (!recording) return DetailsFailed(match, recording.error(), on_item, ctx);
    return ExportRecording(match, *recording, on_item, on_pending, ctx);
  }

  /// The details of the listed recording `match` could not be read: a failed item (a timeout
  /// included), unless the run cannot go on (IsFatalForRun()).
  Result<bool> DetailsFailed(RecordingMatch const& match, Error const& e, OnItem const& on_item,
                             CallContext const& ctx) const {
    if (e.code == ErrorCode::kNotFound) {
      // Listed, then gone (purged or deleted between the listing and this fetch): the server
      // returned it, so it ends as a failed line, never silently dropped (issue 11).
      options_.logger.Warn("FACE recording " + match.recording_id + " was listed and then not found");
      return on_item(VanishedItem(match, e));
    }
    if (IsFatalForRun(e, ctx)) return e;
    return on_item(FailedItem(match, e));
  }

  /// A recording listed in progress without the filters `volatile_filters` (VolatileFilterNames())
  /// that the filtered listing left out. Still in progress: pending, holding the checkpoint. Ended
  /// since: judged now by the filters (details with the filters and its recordingId), exported when
  /// it matches them.
  Result<bool> ExportInProgressWhenListed(RecordingMatch const& match, std::string const& volatile_filters,
                                          OnItem const& on_item, OnPending const& on_pending,
                                          CallContext const& ctx) const {
    auto recording = client_.GetRecording(match.recording_id, ctx);
    if (!recording) return DetailsFailed(match, recording.error(), on_item, ctx);
    if (recording->InProgress()) {
      on_pending(Pending(match, *recording, "; the search filters (" + volatile_filters +
                                                  ") are judged once it has ended, a later run lists it again"));
      return true;
    }
    SearchCriteria judge = options_.filter;
    judge.recording_id = match.recording_id;
    auto judged = client_.SearchRecordings(judge, ctx);
    if (!judged) {
      if (IsFatalForRun(judged.error(), ctx)) return std::move(judged).error();
      Error e = std::move(judged).error();
      e.message = "judging it by the search filters (" + volatile_filters + ") once it had ended: " + e.message;
      return on_item(FailedItem(match, e));
    }
    bool matches = judged->recording && judged->recording->recording_id == match.recording_id;
    for (auto const& m : judged->matches) matches = matches || m.recording_id == match.recording_id;
    if (!matches) {
      options_.logger.Debug("FACE recording " + match.recording_id + " was in progress and has ended; it does not " +
                            "match the search filters (" + volatile_filters + "), so it is not exported");
      return true;
    }
    return ExportRecording(match, *recording, on_item, on_pending, ctx);
  }

  /// The items of the listed recording `match` whose details are `recording`, or its pending line.
  Result<bool> ExportRecording(RecordingMatch const& match, Recording const& recording, OnItem const& on_item,
                               OnPending const& on_pending, CallContext const& ctx) const {
    if (recording.InProgress()) {
      on_pending(Pending(match, recording));
      return true;
    }
    if (!recording.unreadable_segments.empty()) {
      // Exported without it, the recording would look complete: none of it is, it fails.
      auto item = IncompleteItem(recording, match, UnreadableSegments(recording));
      options_.logger.Warn("FACE recording " + recording.recording_id + " has " +
                           std::to_string(recording.unreadable_segments.size()) +
                           " segment(s) that cannot be read; it is not exported and is reported as failed");
      return on_item(std::move(item));
    }
    if (auto gap = MissingSequences(recording); !gap.empty()) {
      // A segment the details leave out: exported without it, the recording would look complete.
      options_.logger.Warn("FACE recording " + recording.recording_id + ": " + gap +
                           "; it is not exported and is reported as failed");
      return on_item(IncompleteItem(recording, match, gap));
    }
    // format_template: the recording's templated answer goes into each of its sidecars.
    std::optional<TemplatedAnswer> templated;
    if (options_.format_template) {
      SearchCriteria one;
      one.recording_id = recording.recording_id;
      auto answer = client_.SearchTemplated(TemplateCommand::kRecordingDetails, one, *options_.format_template, ctx);
      if (!answer) {
        if (IsFatalForRun(answer.error(), ctx)) return std::move(answer).error();
        Error e = std::move(answer).error();
        e.message = "the templated answer (formatName=" + options_.format_template->name + "): " + e.message;
        return on_item(FailedItem(match, e));
      }
      templated = std::move(*answer);
    }
    auto emit = [&](exporter::ExportItem item) {
      item.window_time = WindowTime(match, item.window_time);
      if (templated) {
        item.metadata_json = detail::SidecarWithTemplate(std::move(item.metadata_json), *options_.format_template,
                                                         *templated);
      }
      return on_item(std::move(item));
    };
    if (options_.concatenate_segments) {
      auto more = EmitConcatenated(recording, emit, ctx);
      if (!more) return std::move(more).error();
      if (!*more) return false;
    } else {
      for (auto const& segment : recording.segments) {
        if (!emit(SegmentItem(recording, segment))) return false;
      }
    }
    if (options_.include_supplemental) {
      auto const& files = recording.supplemental_files;
      for (std::size_t i = 0; i < files.size(); ++i) {
        auto item = detail::SupplementalItem(client_, BaseItem(recording, ""), recording, files[i], i,
                                             options_.concatenate_segments);
        if (!emit(std::move(item))) return false;
      }
    }
    return true;
  }

  /// The manifest's task_id: the call the recording belongs to (isrUcid, the ISR's unique call
  /// id, else the SIP ingressCallId); empty when FACE names neither. The recordingId is always
  /// in recording_id.
  static std::string CallId(std::optional<std::string> const& isr_ucid,
                            std::optional<std::string> const& ingress_call_id) {
    if (isr_ucid && !isr_ucid->empty()) return *isr_ucid;
    if (ingress_call_id && !ingress_call_id->empty()) return *ingress_call_id;
    return {};
  }

  /// The window_time of an item of the listed recording `m` (what holds the --since-last-run
  /// checkpoint): the start the lister judged it by (the list entry's), or `details_start` (the
  /// details' startTime) when that is earlier or the list wrote none. A checkpoint after the
  /// listed start would leave the recording out of the next run's listing.
  static std::optional<std::chrono::system_clock::time_point> WindowTime(
      RecordingMatch const& m, std::optional<std::chrono::system_clock::time_point> details_start) {
    if (!m.start) return details_start;
    if (!details_start) return m.start;
    return std::min(*m.start, *details_start);
  }

  /// The pending line of the listed recording `match` still in progress (`r`, its details):
  /// PendingReason() followed by `more`, holding the checkpoint at WindowTime(). Given up instead
  /// (PendingItem::given_up, GivenUpReason()) once AgeStart() is older than pending_max_age.
  exporter::PendingItem Pending(RecordingMatch const& match, Recording const& r, std::string const& more = {}) const {
    exporter::PendingItem pending{kSource, CallId(r.isr_ucid, r.ingress_call_id), PendingReason(r) + more};
    pending.recording_id = r.recording_id;
    pending.window_time = WindowTime(match, r.start_time);
    auto const since = AgeStart(match, r);
    if (since && ::ccrec::detail::PendingAge{options_.pending_max_age, options_.clock}.TooOld(since->time)) {
      pending.given_up = true;
      pending.reason = GivenUpReason(r, *since);  // the engine logs it (once)
    }
    return pending;
  }

  /// When a pending recording's age counts from, and how the reason says so.
  struct Since {
    std::chrono::system_clock::time_point time;
    std::string told;  // "started <time>", or "has no start time; its segment <id> started <time>"
  };

  /// The time the age of the listed recording `m` in progress (`r`, its details) is measured from:
  /// its WindowTime() (the listed start, or the details' startTime when earlier); when FACE sent
  /// neither, the earliest time one of its segments names (its `start`, else its `end`). A recording
  /// starts no later than any of its segments, so that time never makes it look older than it is.
  /// nullopt when FACE gives no time at all: no honest age, so it never gives up (docs/face.md).
  /// Not the window_time: a segment's time may lie after the recording's start, and a checkpoint
  /// there would leave the recording out of the next run's listing.
  static std::optional<Since> AgeStart(RecordingMatch const& m, Recording const& r) {
    if (auto start = WindowTime(m, r.start_time)) return Since{*start, "started " + FormatIso8601(*start, true)};
    std::optional<Since> earliest;
    for (auto const& s : r.segments) {
      auto const t = s.start ? s.start : s.end;
      if (!t || (earliest && earliest->time <= *t)) continue;
      earliest = Since{*t, "has no start time; its segment " + s.segment_id + (s.start ? " started " : " ended ") +
                               FormatIso8601(*t, true)};
    }
    return earliest;
  }

  /// Why the recording `r`, in progress since `since`, is given up: "still in progress after
  /// <pending_max_age>: FACE recording <id> ...", naming the segment that never finalised.
  std::string GivenUpReason(Recording const& r, Since const& since) const {
    std::string why = "it has no segment";
    for (auto const& s : r.segments) {
      if (!s.InProgress()) continue;
      why = "segment " + s.segment_id + " (" + s.filename + ") never finalised" +
            (s.end || s.end_text ? "" : " (no end time)");
      break;
    }
    return "still in progress after " + ::ccrec::detail::FormatAge(options_.pending_max_age) + ": FACE recording " +
           r.recording_id + " " + since.told + " and " + why +
           " (did its recorder crash?); given up: not exported, and --since-last-run no longer waits for it";
  }

  static std::string PendingReason(Recording const& r) {
    if (r.segments.empty()) return "recording in progress: no segment yet";
    for (auto const& s : r.segments) {
      if (s.InProgress()) {
        return "recording in progress: segment " + s.segment_id + " (" + s.filename + ") has not ended yet";
      }
    }
    return "recording in progress";
  }

  exporter::ExportItem BaseItem(Recording const& r, std::string segment_id) const {
    exporter::ExportItem item;
    item.source = kSource;
    item.task_id = CallId(r.isr_ucid, r.ingress_call_id);
    item.recording_id = r.recording_id;
    item.segment_id = std::move(segment_id);
    item.key_fields.task_id = r.recording_id;
    item.key_fields.recording_id = r.recording_id;
    item.key_fields.segment_id = item.segment_id;
    item.key_fields.time = r.start_time;
    item.key_fields.extra[detail::kKindKey] = "audio";
    // The listing is keyed on the recording's start time: the --since-last-run checkpoint.
    // Enumerate() moves it to the listed start when that is earlier (WindowTime()).
    item.window_time = r.start_time;
    return item;
  }

  exporter::ExportItem SegmentItem(Recording const& r, Segment const& segment, std::string const& note = {}) const {
    auto item = BaseItem(r, segment.segment_id);
    item.key_fields.file_name = segment.filename;
    if (segment.start) item.key_fields.time = segment.start;
    item.metadata_json = Sidecar(r, &segment, note);
    Client client = client_;
    bool single = r.segments.size() == 1;
    std::string recording_id = r.recording_id;
    item.open = [client, single, recording_id, segment](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
      // Single-segment recordings use audioRecording/download; multi-segment ones must be
      // fetched per segment (reference §6). The engine skips bytes it already has.
      return single ? client.DownloadRecording(recording_id, ctx) : client.DownloadSegment(segment, ctx);
    };
    return item;
  }

  /// concatenate_segments: one WAV for the recording when its segments share one format,
  /// else one object per segment (issue 16 item 6). Returns false when on_item() asks to stop,
  /// an error when the run cannot go on (authentication, cancellation).
  Result<bool> EmitConcatenated(Recording const& r, std::function<bool(exporter::ExportItem)> const& on_item,
                                CallContext const& ctx) const {
    if (r.segments.size() == 1) return on_item(SingleConcatenatedItem(r));
    auto decision = detail::PlanWavConcatenation(client_, r.segments, ctx);
    if (!decision) {
      Error const& e = decision.error();
      if (IsFatalForRun(e, ctx)) return decision.error();
      Error failed = e;
      failed.message = "reading the WAV headers of the segments of FACE recording " + r.recording_id +
                       " failed: " + e.message;
      auto item = BaseItem(r, "");
      item.key_fields.file_name = r.segments.front().filename;
      item.metadata_json = Sidecar(r, nullptr);
      item.open = exporter::FailingOpener(failed);
      return on_item(std::move(item));
    }
    if (decision->plan) return on_item(WavConcatenatedItem(r, std::move(*decision->plan)));
    std::string note = "not concatenated: " + decision->refusal;
    options_.logger.Warn("FACE recording " + r.recording_id + " is exported as one object per segment: " + note);
    for (auto const& segment : r.segments) {
      auto item = SegmentItem(r, segment, note);
      // The concatenated key template names no segment: the key's recording part carries it.
      item.key_fields.recording_id = r.recording_id + "_seg" + segment.segment_id;
      item.key_fields.task_id = item.key_fields.recording_id;
      if (!on_item(std::move(item))) return false;
    }
    return true;
  }

  /// Errors that no later request of the run can escape: the credentials rejected (kUnauthenticated,
  /// after the client's one fresh login) and FACE codes 1 and 2 (not licensed, host not authorized:
  /// kPermissionDenied; a 403 without a FACE code is a token error, so this is only ever 1 or 2).
  /// Everything else concerns the one recording: not found, bad request, conversion failed, and
  /// the transient ones (5xx, 429, "retry later" codes, timeouts, transport) after retries.
  static bool EndsTheRun(Error const& e) {
    return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
  }

  /// Whether the error `e` of a per-recording request ends the run rather than failing that
  /// recording: EndsTheRun(), a cancelled run (never hidden as an item failure, whatever the error
  /// says), and the run's own deadline (`ctx.deadline`, on the system clock) passed. A request that
  /// timed out on its own (ClientOptions::request_timeout, kDeadlineExceeded) is that recording's
  /// failure, as are 5xx and 429 after retries: the next request may well succeed.
  bool IsFatalForRun(Error const& e, CallContext const& ctx) const {
    if (ctx.cancel.IsCancelled() || e.code == ErrorCode::kCancelled) return true;
    // CallContext::deadline is a std::chrono::system_clock time the caller set, which the transport
    // enforces against the system clock; options_.clock is the pending-age clock (a test may set it
    // years away from real time), so it cannot say whether that deadline has passed.
    if (e.code == ErrorCode::kDeadlineExceeded) {
      return ctx.deadline && std::chrono::system_clock::now() >= *ctx.deadline;
    }
    return EndsTheRun(e);
  }

  /// A one-segment recording is already one file: exported as served.
  exporter::ExportItem SingleConcatenatedItem(Recording const& r) const {
    auto item = BaseItem(r, "");
    item.key_fields.file_name = r.segments.front().filename;
    item.metadata_json = Sidecar(r, nullptr);
    Client client = client_;
    std::string recording_id = r.recording_id;
    item.open = [client, recording_id](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
      return client.DownloadRecording(recording_id, ctx);
    };
    return item;
  }

  exporter::ExportItem WavConcatenatedItem(Recording const& r, detail::WavConcatPlan plan) const {
    auto item = BaseItem(r, "");
    item.key_fields.file_name = r.segments.front().filename;
    item.key_fields.ext = ".wav";
    item.content_type = "audio/wav";
    item.expected_size = plan.ObjectSize();
    item.metadata_json = Sidecar(r, nullptr);
    Client client = client_;
    auto segments = r.segments;
    item.open = [client, segments, plan](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
      // Always the whole object (200): the engine restarts a broken download from byte 0.
      return detail::OpenConcatenatedWav(client, segments, plan, ctx);
    };
    return item;
  }

  exporter::ExportItem FailedItem(RecordingMatch const& m, Error const& error) const {
    exporter::ExportItem item;
    item.source = kSource;
    item.task_id = CallId(m.isr_ucid, m.ingress_call_id);
    item.recording_id = m.recording_id;
    item.key_fields.task_id = m.recording_id;
    item.key_fields.recording_id = m.recording_id;
    item.key_fields.time = m.start;
    item.window_time = m.start;
    Error e = error;
    e.message = "reading the metadata of FACE recording " + m.recording_id + " failed: " + e.message;
    item.open = exporter::FailingOpener(std::move(e));
    return item;
  }

  /// Why the details of `r` are incomplete by its unreadable segment entries, naming each one.
  static std::string UnreadableSegments(Recording const& r) {
    std::string bad;
    for (auto const& e : r.unreadable_segments) {
      bad += (bad.empty() ? "" : "; ") + std::string("segment entry ") + std::to_string(e.index) + ": " + e.problem;
    }
    return "its details list " + std::to_string(r.unreadable_segments.size()) + " segment(s) that cannot be read (" +
           bad + ")";
  }

  /// A recording whose details are incomplete (`why`: UnreadableSegments(), MissingSequences()):
  /// failed (kParse), nothing of it exported, naming the recording; window_time as a listed
  /// recording's.
  exporter::ExportItem IncompleteItem(Recording const& r, RecordingMatch const& m, std::string const& why) const {
    auto item = BaseItem(r, "");
    item.window_time = WindowTime(m, item.window_time);
    if (!r.segments.empty()) item.key_fields.file_name = r.segments.front().filename;
    Error e = MakeError(ErrorCode::kParse,
                        "FACE recording " + r.recording_id + " was not exported: " + why + ", so " +
                            (r.segments.empty() ? std::string("none of its audio can be fetched")
                                                : "the " + std::to_string(r.segments.size()) +
                                                      " readable segment(s) would not be the whole recording") +
                            "; a later run retries it");
    item.open = exporter::FailingOpener(std::move(e));
    return item;
  }

  /// A list entry FACE returned without a recordingId: failed (kParse) under the identity
  /// "unreadable-list-entry-" + its fingerprint, window_time the start of the window it was listed
  /// in (the --since-last-run checkpoint stays there).
  static exporter::ExportItem UnreadableListEntryItem(UnreadableEntry const& entry,
                                                      std::chrono::system_clock::time_point window_start,
                                                      std::chrono::system_clock::time_point window_end) {
    exporter::ExportItem item;
    item.source = kSource;
    item.recording_id = "unreadable-list-entry-" + entry.fingerprint;
    item.key_fields.task_id = item.recording_id;
    item.key_fields.recording_id = item.recording_id;
    item.key_fields.time = window_start;
    item.window_time = window_start;
    Error e = MakeError(ErrorCode::kParse,
                        "FACE listed a recording it did not identify: entry " + std::to_string(entry.index) +
                            " of the list for recordings starting in [" + FormatIso8601(window_start, true) + ", " +
                            FormatIso8601(window_end, true) + "] has " + entry.problem +
                            ", so nothing could be fetched for it; check that window on the recorder (ISR)");
    item.open = exporter::FailingOpener(std::move(e));
    return item;
  }

  /// A recording the listing returned whose details then answer code 19 (not found).
  exporter::ExportItem VanishedItem(RecordingMatch const& m, Error const& error) const {
    auto item = FailedItem(m, error);
    Error e = error;
    e.message = "FACE recording " + m.recording_id +
                " was listed and then not found (purged or deleted between list and fetch?): " + error.message;
    item.open = exporter::FailingOpener(std::move(e));
    return item;
  }

  Client client_;
  FaceSourceOptions options_;
};

}  // namespace

exporter::KeyIdentityRule FaceKeyIdentity(bool concatenate_segments) {
  if (concatenate_segments) return exporter::KeyIdentityRule{"face", {{"recording_id"}, {"task_id"}}};
  return exporter::KeyIdentityRule{"face", {{"recording_id", "segment_id"}, {"task_id", "segment_id"}}};
}

std::vector<std::string> FaceExtraKeyNames() { return {detail::kKindKey}; }

std::unique_ptr<exporter::RecordingSource> MakeFaceSource(Client client, FaceSourceOptions options) {
  return std::make_unique<FaceSource>(std::move(client), std::move(options));
}

}  // namespace ccrec::face
