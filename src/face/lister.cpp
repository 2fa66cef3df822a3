// SPDX-License-Identifier: Apache-2.0
// face::detail::RecordingLister: ListRecordings by time windows, split in two whenever FACE says a
// list was truncated (reference oracle-face.md §4: lists are not paged).

#include "face/lister.hpp"

#include <ccrec/face/criteria.hpp>

#include "face/parse.hpp"
#include "internal/time_util.hpp"

namespace ccrec::face::detail {

namespace util = ::ccrec::detail;

RecordingLister::RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx)
    : search_(std::move(search)), logger_(std::move(logger)), format_(format), query_(std::move(query)),
      ctx_(std::move(ctx)) {
  granularity_ = format_.milliseconds ? 1 : 1000;
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
    windows_.emplace_back(from, to - 1);
  }
}

std::optional<Result<RecordingMatch>> RecordingLister::Next() {
  std::optional<Result<RecordingMatch>> out;
  while (!fetched_.Take(out)) {
    if (windows_.empty()) {
      fetched_.Finish();
      continue;
    }
    auto [a, b] = windows_.back();
    windows_.pop_back();
    Fetch(a, b);
  }
  return out;
}

void RecordingLister::Fetch(std::int64_t a, std::int64_t b) {
  SearchCriteria c = query_.filter;
  c.earliest_start = util::FromEpochMs(a);
  c.latest_start = util::FromEpochMs(b);
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
                       util::FormatIso8601(util::FromEpochMs(a), true) + ", " +
                       util::FormatIso8601(util::FromEpochMs(b), true) + "] has " + bad.problem;
    if (result->truncated) {  // the halves are queried again: reported there
      logger_.Debug("FACE listing: " + what + " (in a truncated list)");
      continue;
    }
    if (!seen_.insert("\n" + bad.fingerprint).second) continue;  // not a recordingId: no clash
    logger_.Warn("FACE listing: " + what + "; it names no recording, so it is left out (fingerprint " +
                 bad.fingerprint + ")");
    if (query_.on_unreadable_entry) query_.on_unreadable_entry(bad, util::FromEpochMs(a), util::FromEpochMs(b));
  }
  if (result->truncated) {
    std::int64_t first = Floor(a);
    std::int64_t last = Floor(b);
    std::int64_t granules = (last - first) / granularity_ + 1;
    if (granules <= 1) {
      fetched_.Fail(MakeError(ErrorCode::kInternal,
                              "FACE listing: the server lists at most " + std::to_string(matches.size()) +
                                  " recordings per request, and more than that start at " +
                                  FormatFaceTime(util::FromEpochMs(a), format_) + " (one " +
                                  (granularity_ == 1 ? "millisecond" : "second") +
                                  "); the window cannot be split further, so the listing would be incomplete. "
                                  "Narrow the search (e.g. by ani or dnis) or raise maxListLength"));
      return;
    }
    std::int64_t mid = first + (granules / 2) * granularity_;
    logger_.Debug("FACE listing: list truncated for [" + util::FormatIso8601(util::FromEpochMs(a), true) + ", " +
                        util::FormatIso8601(util::FromEpochMs(b), true) + "]; splitting");
    windows_.emplace_back(mid, b);      // processed second
    windows_.emplace_back(a, mid - 1);  // processed first
    return;
  }
  for (auto& m : matches) {
    // Outside this window (a sloppy server, a rounded bound), read at its written precision.
    if (!detail::MayStartIn(m, a, b)) continue;
    if (!m.start) {
      logger_.Warn("FACE listing: recording " + m.recording_id + " has no readable start time; included once");
    }
    if (!seen_.insert(m.recording_id).second) continue;
    fetched_.Push(std::move(m));
  }
}

std::int64_t RecordingLister::Floor(std::int64_t ms) const {
  if (granularity_ == 1) return ms;
  std::int64_t q = ms / granularity_;
  if (ms < 0 && ms % granularity_ != 0) --q;
  return q * granularity_;
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
