// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: the window-splitting lister behind Client::ListRecordings. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/face/client.hpp>

#include "internal/fetched_items.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::face::detail {

/// How many milliseconds a FACE time text stands for, from the precision it was written in:
/// "yyyy-MM-dd HH:mm:ss" 1000, with ".f" 100, ".ff" 10, ".fff" 1. A list entry written
/// "2026-11-01 10:00:14" may be any instant of [14.000, 14.999] (reference §5.2 lists times to
/// the second, §5.3 allows 0-3 fractional digits). 1 for text of another shape.
std::int64_t TimeSpanMs(std::string_view text);
/// True when `match` may start inside the inclusive window [a, b] (epoch ms), its start read at
/// the precision it was written in (TimeSpanMs of `start_text`); also true when the start is unknown.
bool MayStartIn(RecordingMatch const& match, std::int64_t a, std::int64_t b);
/// True when `match` certainly starts inside [a, b]: its start, read at the precision it was
/// written in, lies wholly inside. False when the start is unknown.
bool SurelyStartsIn(RecordingMatch const& match, std::int64_t a, std::int64_t b);

/// Window splitting for ListRecordings (the issue: a truncated list is split, never paged).
///
/// A window goes on the wire as whole seconds, rounded outward, and its answer is filtered here to
/// the millisecond: FACE's date-parameter format is undocumented (reference oracle-face.md §4,
/// marked [U]), and a server that read only `yyyy-MM-dd HH:mm:ss` of `...:27.999` would otherwise
/// leave out the rest of that second at the end of every window. Milliseconds are sent only to
/// split one second whose list is truncated (TimeFormat::milliseconds); the answers of those
/// sub-second windows together are checked against the second's own list, so a server that
/// ignores the milliseconds fails the listing instead of thinning the second.
/// One thread (it backs a Pager).
class RecordingLister {
 public:
  using SearchFn = std::function<Result<RecordingSearchResult>(SearchCriteria const&, CallContext const&)>;

  /// Checks `query` (a bad one is yielded as the only element) and starts with one window.
  RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx);

  /// The next match, an error (once, last), or nothing at the end.
  std::optional<Result<RecordingMatch>> Next();

 private:
  /// An inclusive window [a, b] in epoch ms. `exact`: sent to the millisecond (part of a split
  /// second), else as whole seconds rounded outward.
  struct Window {
    std::int64_t a = 0;
    std::int64_t b = 0;
    bool exact = false;
  };
  /// One second being split into sub-second windows: the recordings its whole-second list placed in
  /// it (at the precision each start was written in), and those its sub-second answers listed.
  /// Windows are a stack, so the sub-second windows are processed one after another, and the check
  /// runs once the stack is back at `stack_floor`.
  struct SplitSecond {
    std::size_t stack_floor = 0;
    std::set<std::string> listed_for_the_second;
    std::set<std::string> listed_in_parts;
  };

  void Fetch(Window const& w);
  /// One warning for the `outside` of the `listed` entries of `w`'s answer that start outside the
  /// window as sent (a server in another time zone drops them all), naming `example`.
  void WarnOutside(Window const& w, std::size_t outside, std::size_t listed, RecordingMatch const& example);
  /// Queues the halves of `w`, whose list `listed` was truncated, or fails the listing.
  void Split(Window const& w, std::vector<RecordingMatch> const& listed);
  /// Ends split_second_: kInternal when a recording its second listed is in none of its parts' answers
  /// (a server that ignores the milliseconds of date parameters would thin the second).
  void CheckSplitSecond();
  static RecordingMatch FromRecording(Recording const& r);

  SearchFn search_;
  Logger logger_;
  TimeFormat format_;
  ListQuery query_;
  CallContext ctx_;
  std::vector<Window> windows_;  // a stack: the last is queried next
  std::optional<SplitSecond> split_second_;
  ::ccrec::detail::FetchedItems<RecordingMatch> fetched_;  // matches to yield, the error, the end
  std::set<std::string> seen_;  // recording ids yielded, and "\n" + fingerprint of unreadable entries reported
};

}  // namespace ccrec::face::detail
