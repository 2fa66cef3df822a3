// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: keyset paging over GET /v1/tasks (reference webex-cc.md §4.4).
// Not installed, not exported: unit tests drive it with a synthetic server through ccrec_private::webex.

#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/models.hpp>

#include "internal/fetched_items.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ccrec::webex::detail {

/// The API's largest pageSize.
inline constexpr int kMaxPageSize = 1000;

/// Lists every task of the half-open window [from_ms, to_ms) exactly once, whether the server
/// treats `from` (and `to`) as inclusive or exclusive.
///
/// Keyset mode. Invariant: every task with createdTime <= c has been emitted (c starts at
/// from_ms - 1, vacuously). Each step asks for "createdTime > c": from=c while the server's
/// inclusivity is unknown (an exclusive server answers exactly that; an inclusive one also
/// repeats the tasks at c, which are filtered, and thereby reveals that it is inclusive: an item
/// whose createdTime equals the `from` sent), from=c+1 once it is known to be inclusive. A page
/// shorter than pageSize ends the listing. A full sorted page whose last createdTime is L holds
/// every task in (c, L), so c becomes L-1 (not L: the tasks at L may not all have fitted). When
/// that makes no progress (the page is all in one millisecond m = c+1), the millisecond is read on
/// its own as the window [m, m+1) with pageSize 1000 and, if still full, once per channel type;
/// then c = m.
///
/// Split mode (fallback when a page is unsorted, outside the range asked for, or lacks
/// createdTime): the rest of the window is cut into halves, depth-first and in order, until each
/// part is answered by a page shorter than pageSize; single milliseconds are resolved as above.
///
/// Duplicates are suppressed by task id; ids below the low watermark (which the server can no
/// longer return inside the current range) are forgotten, so memory stays bounded by the
/// boundary millisecond rather than the window.
class TaskLister {
 public:
  /// Fetches one page: GET /v1/tasks?from=&to=&pageSize=&channelTypes=.
  using Fetch = std::function<Result<std::vector<Task>>(std::int64_t from_ms, std::int64_t to_ms, int page_size,
                                                        std::vector<std::string> const& channel_types)>;

  TaskLister(std::int64_t from_ms, std::int64_t to_ms, int page_size, std::vector<std::string> channel_types,
             Fetch fetch, Logger logger);

  /// The next task, an error (last), or nullopt at the end.
  std::optional<Result<Task>> Next();

  /// Diagnostics for tests: whether the server was seen to treat `from` as inclusive.
  bool from_inclusive() const { return from_inclusive_; }
  /// Diagnostics for tests: whether the window-splitting fallback was used.
  bool used_split() const { return used_split_; }

 private:
  struct PageCheck {
    bool sorted = true;
    bool in_range = true;
    bool saw_from = false;   // an item with createdTime == the `from` sent
    bool all_timed = true;   // every item has createdTime
    std::optional<std::int64_t> last;  // largest createdTime
  };
  PageCheck Check(std::vector<Task> const& page, std::int64_t from_param, std::int64_t to_param) const;

  Result<void> Step();
  Result<void> KeysetStep();
  Result<void> SplitStep();
  Result<void> ResolveMillisecond(std::int64_t m);
  void EnterSplitMode(std::string const& why);
  /// Queues `task` unless already emitted or outside [lo, hi) ∩ window; tasks without
  /// createdTime are always eligible (once).
  void Emit(Task task, std::int64_t lo, std::int64_t hi);
  void RaiseWatermark(std::int64_t watermark);

  std::int64_t from_ms_;
  std::int64_t to_ms_;
  int page_size_;
  std::vector<std::string> channel_types_;
  Fetch fetch_;
  Logger logger_;

  enum class Mode { kKeyset, kSplit, kDone };
  Mode mode_ = Mode::kKeyset;
  std::int64_t c_;               // keyset: everything with createdTime <= c_ emitted
  bool from_inclusive_ = false;  // learned from responses
  bool used_split_ = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> split_stack_;  // [a, b); back() is next

  ::ccrec::detail::FetchedItems<Task> fetched_;  // tasks to yield, then the error that ended the listing
  std::unordered_set<std::string> emitted_;
  std::deque<std::pair<std::int64_t, std::string>> emitted_order_;  // (createdTime, id), for pruning
  std::int64_t watermark_;       // no task with createdTime < watermark_ can be emitted any more
  std::optional<Error> incomplete_;      // yielded at the very end (tasks that could not be listed)
};

}  // namespace ccrec::webex::detail
