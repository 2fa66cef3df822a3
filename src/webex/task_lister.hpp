// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: keyset paging over GET /v1/tasks (reference webex-cc.md §4.4).
// Not installed, not exported: unit tests drive it with a synthetic server through ccrec_private::webex.

#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/models.hpp>

#include "internal/fetched_items.hpp"
#include "webex/parse.hpp"

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
/// shorter than pageSize ends the listing; fullness is judged on the number of `data[]` elements
/// the server sent, malformed ones included (a full page with one bad element is still full). A full sorted page whose last createdTime is L holds
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
///
/// Malformed elements (no string id, not an object) are logged (Warn, with the request and the
/// element's index) and reported once each (by their exact text; window-filtered like tasks when
/// they carry a createdTime) to `on_malformed`; without one, the listing ends with a kParse error
/// after every task (the tasks could not be listed, so the listing is not complete).
///
/// A server that silently caps pageSize (paging is undocumented; reference §4.3), at its default
/// of 100 or any other size: the first keyset page shorter than pageSize (not empty, reaching past
/// the first millisecond) is taken as a possible cap, so the next keyset step is asked instead of
/// ending; if it returns tasks after that page, the server caps, and from then on that page's
/// length is the page size (logged as a warning). This costs one request per listing (a
/// sub-window) that ends with such a page. A server may also say so: a keyset page shorter than
/// pageSize whose answer carries a JSON:API `links.next` (TasksPage::next_link; not in the spec) is
/// taken as cut short, and paging goes on from its last millisecond (the link itself is not
/// followed: keyset paging needs no cursor). Split mode ignores links, and probes the first short
/// non-empty page of a listing not probed yet on both sides of its tasks (ProbeSplitCap(); two
/// requests), since a capped server that does not sort ascending (e.g. newest first) would
/// otherwise answer every part with a short page and the tasks it left out would never be asked
/// for; a full split page shows the server does not cap below pageSize (no probe). A server whose
/// cap varies from page to page is not detected after the first probe.
class TaskLister {
 public:
  /// Fetches one page: GET /v1/tasks?from=&to=&pageSize=&channelTypes=.
  using Fetch = std::function<Result<TasksPage>(std::int64_t from_ms, std::int64_t to_ms, int page_size,
                                                std::vector<std::string> const& channel_types)>;
  /// Receives each malformed element of the window once.
  using OnMalformed = std::function<void(MalformedTask)>;

  TaskLister(std::int64_t from_ms, std::int64_t to_ms, int page_size, std::vector<std::string> channel_types,
             Fetch fetch, Logger logger, OnMalformed on_malformed = {});

  /// The next task, an error (last), or nullopt at the end.
  std::optional<Result<Task>> Next();

  /// Diagnostics for tests: whether the server was seen to treat `from` as inclusive.
  bool FromInclusive() const { return from_inclusive_; }
  /// Diagnostics for tests: whether the window-splitting fallback was used.
  bool UsedSplit() const { return used_split_; }
  /// Diagnostics for tests: the page size in use (lowered when the server caps it).
  int PageSize() const { return page_size_; }

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
  /// Split mode, once per listing, after the first short page (`count` elements, fewer than
  /// pageSize; ids `page_ids`) of part [a, b) whose tasks in [a, b) span createdTime `span`
  /// [lo, hi]: asks for [a, lo] and [hi, b). A task there that the page lacks is one it left out
  /// although it had room: the server caps pages at `count` elements, which becomes the page size
  /// (logged as a warning); true then, and the caller reads [a, b) again. Tasks the probes return
  /// are emitted. Errors: the fetch's, and kParse when a probe's answer strays outside what it
  /// asked for.
  Result<bool> ProbeSplitCap(std::int64_t a, std::int64_t b, std::pair<std::int64_t, std::int64_t> span,
                             std::size_t count, std::unordered_set<std::string> const& page_ids);
  void EnterSplitMode(std::string const& why);
  /// Queues `task` unless already emitted or outside [lo, hi) ∩ window; tasks without
  /// createdTime are always eligible (once).
  void Emit(Task task, std::int64_t lo, std::int64_t hi);
  /// Reports the page's malformed elements (read with from=`from_param` to=`to_param`) that lie
  /// in [lo, hi) ∩ window, or carry no createdTime, and were not reported before.
  void EmitMalformed(TasksPage& page, std::int64_t lo, std::int64_t hi, std::int64_t from_param, std::int64_t to_param);
  /// The page size a page of the single millisecond reads (kMaxPageSize unless the server caps).
  int MillisecondPageSize() const { return capped_ ? page_size_ : kMaxPageSize; }
  void RaiseWatermark(std::int64_t watermark);

  std::int64_t from_ms_;
  std::int64_t to_ms_;
  int page_size_;
  std::vector<std::string> channel_types_;
  Fetch fetch_;
  Logger logger_;
  OnMalformed on_malformed_;

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
  std::unordered_set<std::string> malformed_seen_;  // raw text of the malformed elements reported
  std::optional<std::string> first_malformed_;       // without on_malformed_: for the final error
  bool cap_probe_ = false;  // the last keyset page may have been cut by a server-side cap
  bool cap_checked_ = false;  // the cap was probed once (found or not)
  bool capped_ = false;       // the server caps pageSize at page_size_
  std::size_t probed_count_ = 0;  // the length of the short page the probe follows
  bool warned_next_link_ = false;  // a short page with links.next was logged
};

}  // namespace ccrec::webex::detail
