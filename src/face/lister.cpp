// SPDX-License-Identifier: Apache-2.0
// face::detail::RecordingLister: ListRecordings by time windows, split in two whenever FACE says a
// list was truncated (reference oracle-face.md §4: lists are not paged).

#include "face/lister.hpp"

#include <ccrec/face/criteria.hpp>

#include "internal/time_util.hpp"

namespace ccrec::face::detail {

namespace util = ::ccrec::detail;

namespace {

constexpr std::int64_t kSecondMs = 1000;

std::int64_t FloorSecond(std::int64_t ms) {
  std::int64_t q = ms / kSecondMs;
  if (ms < 0 && ms % kSecondMs != 0) --q;
  return q * kSecondMs;
}

std::int64_t CeilSecond(std::int64_t ms) {
  std::int64_t floor = FloorSecond(ms);
  return floor == ms ? ms : floor + kSecondMs;
}

// [first, last] in epoch ms: the instants a known start may be, at the precision it was written in.
std::pair<std::int64_t, std::int64_t> StartSpan(RecordingMatch const& match) {
  std::int64_t first = util::ToEpochMs(*match.start);
  return {first, first + (match.start_text ? TimeSpanMs(*match.start_text) : 1) - 1};
}

}  // namespace

std::int64_t TimeSpanMs(std::string_view text) {
  if (text.size() == 19) return 1000;
  if (text.size() < 21 || text.size() > 23 || text[19] != '.') return 1;
  std::int64_t span = 1;
  for (std::size_t digits = text.size() - 20; digits < 3; ++digits) span *= 10;
  return span;
}

bool MayStartIn(RecordingMatch const& match, std::int64_t a, std::int64_t b) {
  if (!match.start) return true;
  auto [first, last] = StartSpan(match);
  return last >= a && first <= b;
}

bool SurelyStartsIn(RecordingMatch const& match, std::int64_t a, std::int64_t b) {
  if (!match.start) return false;
  auto [first, last] = StartSpan(match);
  return first >= a && last <= b;
}

RecordingLister::RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx)
    : search_(std::move(search)), logger_(std::move(logger)), format_(format), query_(std::move(query)),
      ctx_(std::move(ctx)) {
  auto from = util::ToEpochMs(query_.from);
  auto to = util::ToEpochMs(query_.to);
  if (to <= from) {
    fetched_.Fail(MakeError(ErrorCode::kInvalidArgument, "FACE listing: `to` (" +
                                                             util::FormatIso8601(query_.to, true) +
                                                             ") must be after `from` (" +
                                                             util::FormatIso8601(query_.from, true) + ")"));
  } else if (query_.max_list_length < 1 || query_.max_list_length > 1000) {
    fetched_.Fail(MakeError(ErrorCode::kInvalidArgument, "FACE listing: max_list_length " +
                                                             std::to_string(query_.max_list_length) +
                                                             " is outside 1..1000"));
  } else if (query_.filter.start || query_.filter.earliest_start || query_.filter.latest_start ||
             query_.filter.segment_id || query_.filter.max_list_length) {
    fetched_.Fail(MakeError(ErrorCode::kInvalidArgument,
                            "FACE listing: the filter must not set start times, segment_id or max_list_length (the "
                            "lister sets them)"));
  } else {
    windows_.push_back(Window{from, to - 1, false});
  }
}

std::optional<Result<RecordingMatch>> RecordingLister::Next() {
  std::optional<Result<RecordingMatch>> out;
  while (!fetched_.Take(out)) {
    if (split_second_ && windows_.size() <= split_second_->stack_floor) {
      CheckSplitSecond();
      continue;
    }
    if (windows_.empty()) {
      fetched_.Finish();
      continue;
    }
    Window w = std::move(windows_.back());
    windows_.pop_back();
    Fetch(w);
  }
  return out;
}

void RecordingLister::Fetch(Window const& w) {
  SearchCriteria c = query_.filter;
  c.earliest_start = util::FromEpochMs(w.exact ? w.a : FloorSecond(w.a));
  c.latest_start = util::FromEpochMs(w.exact ? w.b : CeilSecond(w.b));
  c.max_list_length = query_.max_list_length;
  auto result = search_(c, ctx_);
  if (!result) {
    fetched_.Fail(std::move(result).error());
    return;
  }
  std::vector<RecordingMatch> matches = std::move(result->matches);
  if (result->recording) matches.push_back(FromRecording(*result->recording));
  for (auto const& bad : result->unreadable_matches) {
    std::string what = "entry " + std::to_string(bad.index) + " of the FACE list for [" +
                       util::FormatIso8601(util::FromEpochMs(w.a), true) + ", " +
                       util::FormatIso8601(util::FromEpochMs(w.b), true) + "] has " + bad.problem;
    if (result->truncated) {  // the halves are queried again: reported there
      logger_.Debug("FACE listing: " + what + " (in a truncated list)");
      continue;
    }
    if (!seen_.insert("\n" + bad.fingerprint).second) continue;  // not a recordingId: no clash
    logger_.Warn("FACE listing: " + what + "; it names no recording, so it is left out (fingerprint " +
                 bad.fingerprint + ")");
    if (query_.on_unreadable_entry) query_.on_unreadable_entry(bad, util::FromEpochMs(w.a), util::FromEpochMs(w.b));
  }
  if (result->truncated) return Split(w, matches);
  if (w.exact && split_second_) {
    for (auto const& m : matches) split_second_->listed_in_parts.insert(m.recording_id);
  }
  // Entries outside what was asked for on the wire (the whole seconds it was sent as, generously):
  // not the rounding of whole-second bounds, but a server that ignored the window or answers in
  // another time zone. Still dropped, never silently.
  std::int64_t const wire_a = FloorSecond(w.a);
  std::int64_t const wire_b = (w.exact ? FloorSecond(w.b) : CeilSecond(w.b)) + kSecondMs - 1;
  std::size_t outside = 0;
  RecordingMatch const* example = nullptr;
  for (auto& m : matches) {
    // Outside this window (the whole seconds it was sent as, a sloppy server), read at its written
    // precision.
    if (!detail::MayStartIn(m, w.a, w.b)) {
      if (!detail::MayStartIn(m, wire_a, wire_b) && outside++ == 0) example = &m;
      continue;
    }
    if (!m.start) {
      logger_.Warn("FACE listing: recording " + m.recording_id + " has no readable start time; included once");
    }
    if (!seen_.insert(m.recording_id).second) continue;
    fetched_.Push(std::move(m));
  }
  if (outside > 0) WarnOutside(w, outside, matches.size(), *example);
}

void RecordingLister::WarnOutside(Window const& w, std::size_t outside, std::size_t listed,
                                  RecordingMatch const& example) {
  logger_.Warn("FACE listing: " + std::to_string(outside) + " of the " + std::to_string(listed) +
               " entries listed for recordings starting in [" + util::FormatIso8601(util::FromEpochMs(w.a), true) +
               ", " + util::FormatIso8601(util::FromEpochMs(w.b), true) +
               "] start outside the window that was asked for, so they are left out (e.g. recording " +
               example.recording_id + " starts at \"" + example.start_text.value_or("") + "\", read as " +
               util::FormatIso8601(*example.start, true) +
               "). If the server writes times in another time zone (ISR 6.3+ user time zone), set "
               "TimeFormat::server_utc_offset (ClientOptions::time_format); else the server ignored the window");
}

void RecordingLister::Split(Window const& w, std::vector<RecordingMatch> const& listed) {
  std::int64_t first = FloorSecond(w.a);
  std::int64_t last = FloorSecond(w.b);
  if (first == last && format_.milliseconds && !w.exact) {  // one second, to be split to the millisecond
    split_second_ = SplitSecond{windows_.size(), {}, {}};
    for (auto const& m : listed) {
      // Only those surely inside: a start written to the second, in a window that does not cover that
      // whole second (the run's own edge), may belong to the neighbouring run.
      if (detail::SurelyStartsIn(m, w.a, w.b)) split_second_->listed_for_the_second.insert(m.recording_id);
    }
    windows_.push_back(Window{w.a, w.b, true});  // the same window, now to the millisecond
    return;
  }
  std::int64_t mid = 0;  // the first millisecond of the second half
  if (first != last) {   // on a whole second
    mid = first + ((last - first) / kSecondMs + 1) / 2 * kSecondMs;
  } else if (w.exact && w.a < w.b) {  // inside one second
    mid = w.a + (w.b - w.a + 1) / 2;
  } else {
    fetched_.Fail(MakeError(ErrorCode::kInternal,
                            "FACE listing: the server lists at most " + std::to_string(listed.size()) +
                                " recordings per request, and more than that start at " +
                                FormatFaceTime(util::FromEpochMs(w.a), format_) + " (one " +
                                (format_.milliseconds ? "millisecond" : "second") +
                                "); the window cannot be split further, so the listing would be incomplete. "
                                "Narrow the search (e.g. by ani or dnis) or raise maxListLength"));
    return;
  }
  logger_.Debug("FACE listing: list truncated for [" + util::FormatIso8601(util::FromEpochMs(w.a), true) + ", " +
                util::FormatIso8601(util::FromEpochMs(w.b), true) + "]; splitting");
  windows_.push_back(Window{mid, w.b, w.exact});      // processed second
  windows_.push_back(Window{w.a, mid - 1, w.exact});  // processed first
}

void RecordingLister::CheckSplitSecond() {
  SplitSecond done = std::move(*split_second_);
  split_second_.reset();
  for (auto const& id : done.listed_for_the_second) {
    if (done.listed_in_parts.count(id)) continue;
    fetched_.Fail(MakeError(
        ErrorCode::kInternal,
        "FACE listing: the server does not honour milliseconds in date parameters: recording " + id +
            " was listed for its second but in none of the sub-second searches that split it, so the second, "
            "which holds more recordings than one list, cannot be listed completely. Narrow the search (e.g. by "
            "ani or dnis) or raise maxListLength"));
    return;
  }
}

RecordingMatch RecordingLister::FromRecording(Recording const& r) {
  RecordingMatch m;
  m.recording_id = r.recording_id;
  m.isr_ucid = r.isr_ucid;
  m.ingress_call_id = r.ingress_call_id;
  m.egress_call_id = r.egress_call_id;
  if (!r.segments.empty() && !r.segments.front().filename.empty()) m.filename = r.segments.front().filename;
  m.ani = r.ani;
  m.dnis = r.dnis;
  m.start = r.start_time;
  m.start_text = r.start_time_text;
  return m;
}

}  // namespace ccrec::face::detail
