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
#include <utility>
#include <vector>

namespace ccrec::face::detail {

/// Window splitting for ListRecordings (the issue: a truncated list is split, never paged).
///
/// A window goes on the wire as whole seconds, rounded outward, and its answer is filtered here to
/// the millisecond: FACE's date-parameter format is undocumented (reference oracle-face.md §4,
/// marked [U]), and a server that read only `yyyy-MM-dd HH:mm:ss` of `...:27.999` would otherwise
/// leave out the rest of that second at the end of every window. Milliseconds are sent only to
/// split one second whose list is truncated (TimeFormat::milliseconds); the answers of those
/// sub-second windows are checked against the second's own list, so a server that ignores them
/// fails the listing instead of thinning it.
/// One thread (it backs a Pager).
class RecordingLister {
 public:
  using SearchFn = std::function<Result<RecordingSearchResult>(SearchCriteria const&, CallContext const&)>;

  /// Checks `query` (a bad one is yielded as the only element) and starts with one window.
  RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx);

  /// The next match, an error (once, last), or nothing at the end.
  std::optional<Result<RecordingMatch>> Next();

 private:
  /// An inclusive window [a, b] in epoch ms. `exact`: sent to the millisecond (a split second);
  /// `expected`: the recordings its parent second listed with a millisecond start inside it
  /// (id, start), each of which a complete answer for it must hold.
  struct Window {
    std::int64_t a = 0;
    std::int64_t b = 0;
    bool exact = false;
    std::vector<std::pair<std::string, std::int64_t>> expected;
  };

  void Fetch(Window const& w);
  /// Queues the halves of `w`, whose list `listed` was truncated, or fails the listing.
  void Split(Window const& w, std::vector<RecordingMatch> const& listed);
  /// kInternal when a complete answer for the exact window `w` lacks a recording its second listed.
  bool MissesExpected(Window const& w, std::vector<RecordingMatch> const& listed);
  static RecordingMatch FromRecording(Recording const& r);

  SearchFn search_;
  Logger logger_;
  TimeFormat format_;
  ListQuery query_;
  CallContext ctx_;
  std::vector<Window> windows_;  // a stack: the last is queried next
  ::ccrec::detail::FetchedItems<RecordingMatch> fetched_;  // matches to yield, the error, the end
  std::set<std::string> seen_;  // recording ids yielded, and "\n" + fingerprint of unreadable entries reported
};

}  // namespace ccrec::face::detail
