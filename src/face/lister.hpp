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
/// One thread (it backs a Pager).
class RecordingLister {
 public:
  using SearchFn = std::function<Result<RecordingSearchResult>(SearchCriteria const&, CallContext const&)>;

  /// Checks `query` (a bad one is yielded as the only element) and starts with one window.
  RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx);

  /// The next match, an error (once, last), or nothing at the end.
  std::optional<Result<RecordingMatch>> Next();

 private:
  void Fetch(std::int64_t a, std::int64_t b);
  std::int64_t Floor(std::int64_t ms) const;
  static RecordingMatch FromRecording(Recording const& r);

  SearchFn search_;
  Logger logger_;
  TimeFormat format_;
  ListQuery query_;
  CallContext ctx_;
  std::int64_t granularity_ = 1;
  std::vector<std::pair<std::int64_t, std::int64_t>> windows_;  // inclusive [a, b] in epoch ms
  ::ccrec::detail::FetchedItems<RecordingMatch> fetched_;  // matches to yield, the error, the end
  std::set<std::string> seen_;  // recording ids yielded, and "\n" + fingerprint of unreadable entries reported
};

}  // namespace ccrec::face::detail
