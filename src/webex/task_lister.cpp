// SPDX-License-Identifier: Apache-2.0
// Keyset paging over GET /v1/tasks; see task_lister.hpp for the algorithm and its invariant.

#include "webex/task_lister.hpp"

#include "internal/time_util.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace ccrec::webex::detail {

namespace {

namespace util = ::ccrec::detail;

/// The channel types the spec enumerates; used to split a millisecond that holds more tasks
/// than one page can carry when the query has no channel filter.
std::vector<std::string> const& AllChannelTypes() {
  static std::vector<std::string> const kAll{"telephony", "chat", "email", "social"};
  return kAll;
}

std::int64_t Ms(Task const& t) { return util::ToEpochMs(*t.created_time); }

std::string DescribeMs(std::int64_t ms) {
  return util::FormatIso8601(util::FromEpochMs(ms), true) + " (epoch ms " + std::to_string(ms) + ")";
}

// kParse for a page of GET /v1/tasks holding tasks created outside [from_param, to_param].
Error OutsideWindowError(std::int64_t from_param, std::int64_t to_param) {
  return MakeError(ErrorCode::kParse, "Webex GET /v1/tasks returned tasks created outside the requested window " +
                                          DescribeMs(from_param) + " .. " + DescribeMs(to_param) +
                                          "; the server does not honour from/to");
}

std::int64_t NotNegative(std::int64_t v) { return std::max<std::int64_t>(0, v); }

}  // namespace

TaskLister::TaskLister(std::int64_t from_ms, std::int64_t to_ms, int page_size, std::vector<std::string> channel_types,
                       Fetch fetch, Logger logger, OnMalformed on_malformed)
    : from_ms_(from_ms),
      to_ms_(to_ms),
      page_size_(std::clamp(page_size, 1, kMaxPageSize)),
      channel_types_(std::move(channel_types)),
      fetch_(std::move(fetch)),
      logger_(std::move(logger)),
      on_malformed_(std::move(on_malformed)),
      c_(from_ms - 1),
      watermark_(from_ms) {
  if (to_ms_ <= from_ms_) mode_ = Mode::kDone;
}

std::optional<Result<Task>> TaskLister::Next() {
  std::optional<Result<Task>> out;
  while (!fetched_.Take(out)) {
    if (mode_ == Mode::kDone) {
      if (first_malformed_) {
        std::string const what = std::to_string(malformed_seen_.size()) +
                                 " element(s) of the Tasks answers are not tasks (no string \"id\", or not an "
                                 "object), so they were not listed and their recordings cannot be looked up; first: " +
                                 *first_malformed_;
        if (incomplete_) {
          incomplete_->message += "; also " + what;
        } else {
          incomplete_ = MakeError(ErrorCode::kParse, "Webex GET /v1/tasks: " + what);
        }
        first_malformed_.reset();
      }
      if (incomplete_) {
        fetched_.Fail(std::move(*incomplete_));
      } else {
        fetched_.Finish();
      }
      continue;
    }
    auto step = Step();
    if (!step) {
      fetched_.Fail(std::move(step).error());
      mode_ = Mode::kDone;
    }
  }
  return out;
}

Result<void> TaskLister::Step() {
  switch (mode_) {
    case Mode::kKeyset: return KeysetStep();
    case Mode::kSplit: return SplitStep();
    case Mode::kDone: break;
  }
  return {};
}

TaskLister::PageCheck TaskLister::Check(std::vector<Task> const& page, std::int64_t from_param,
                                        std::int64_t to_param) const {
  PageCheck check;
  std::optional<std::int64_t> previous;
  for (auto const& task : page) {
    if (!task.created_time) {
      check.all_timed = false;
      continue;
    }
    auto ms = Ms(task);
    if (previous && ms < *previous) check.sorted = false;
    previous = ms;
    if (ms < from_param || ms > to_param) check.in_range = false;
    if (ms == from_param) check.saw_from = true;
    check.last = check.last ? std::max(*check.last, ms) : ms;
  }
  return check;
}

void TaskLister::Emit(Task task, std::int64_t lo, std::int64_t hi) {
  std::optional<std::int64_t> ms;
  if (task.created_time) {
    ms = Ms(task);
    if (*ms < lo || *ms >= hi || *ms < from_ms_ || *ms >= to_ms_ || *ms < watermark_) return;
  }
  if (!emitted_.insert(task.id).second) return;
  if (ms) {
    emitted_order_.emplace_back(*ms, task.id);
  } else {
    logger_.Warn("Webex task " + task.id + " has no createdTime; listed once, but its place in the window is unknown");
  }
  fetched_.Push(std::move(task));
}

void TaskLister::EmitMalformed(TasksPage& page, std::int64_t lo, std::int64_t hi, std::int64_t from_param,
                               std::int64_t to_param) {
  for (auto& bad : page.malformed) {
    if (bad.created_time) {
      auto const ms = util::ToEpochMs(*bad.created_time);
      if (ms < lo || ms >= hi || ms < from_ms_ || ms >= to_ms_) continue;
    }
    if (!malformed_seen_.insert(bad.raw_json).second) continue;
    bad.reason = "Webex GET /v1/tasks from=" + std::to_string(from_param) + " to=" + std::to_string(to_param) + ": " +
                 bad.reason;
    logger_.Warn(bad.reason + "; it cannot be listed as a task");
    if (on_malformed_) {
      on_malformed_(std::move(bad));
    } else if (!first_malformed_) {
      first_malformed_ = bad.reason;
    }
  }
}

void TaskLister::RaiseWatermark(std::int64_t watermark) {
  if (watermark <= watermark_) return;
  watermark_ = watermark;
  // Ids below the watermark can no longer be emitted (Emit filters them by time), so they need
  // not be remembered. emitted_order_ is ascending except inside unsorted pages; stopping at the
  // first newer entry only keeps a few ids longer than necessary.
  while (!emitted_order_.empty() && emitted_order_.front().first < watermark_) {
    emitted_.erase(emitted_order_.front().second);
    emitted_order_.pop_front();
  }
}

void TaskLister::EnterSplitMode(std::string const& why) {
  logger_.Warn("Webex GET /v1/tasks: " + why + "; falling back to splitting the rest of the window from " +
               DescribeMs(c_ + 1) + " into parts that fit in one page");
  used_split_ = true;
  mode_ = Mode::kSplit;
  split_stack_.clear();
  if (c_ + 1 < to_ms_) split_stack_.emplace_back(c_ + 1, to_ms_);
}

Result<void> TaskLister::KeysetStep() {
  std::int64_t const from_param = NotNegative(from_inclusive_ ? c_ + 1 : c_);
  auto page = fetch_(from_param, to_ms_, page_size_, channel_types_);
  if (!page) return std::move(page).error();
  auto const check = Check(page->tasks, from_param, to_ms_);
  logger_.Debug("Webex GET /v1/tasks from=" + std::to_string(from_param) + " to=" + std::to_string(to_ms_) +
                ": " + std::to_string(page->elements) + " elements");
  if (check.saw_from && check.in_range && !from_inclusive_) {
    from_inclusive_ = true;
    logger_.Debug("Webex GET /v1/tasks treats `from` as inclusive");
  }
  auto const count = page->elements;  // as sent: a malformed element still took its place in the page
  bool const probing = std::exchange(cap_probe_, false);
  EmitMalformed(*page, c_ + 1, to_ms_, from_param, to_ms_);
  for (auto& task : page->tasks) Emit(std::move(task), c_ + 1, to_ms_);

  if (!check.sorted) {
    EnterSplitMode("a page was not sorted by createdTime ascending");
    return {};
  }
  if (!check.in_range) {
    EnterSplitMode("a page held tasks outside the requested from/to range");
    return {};
  }
  if (probing && check.last && *check.last > c_ + 1) {
    // The previous page was short and seemed to end the window, yet tasks follow it: the server
    // cut it at its own page size.
    capped_ = true;
    logger_.Warn("Webex GET /v1/tasks: the server returns at most " + std::to_string(probed_count_) +
                 " tasks per page although pageSize " + std::to_string(page_size_) +
                 " was asked for; paging with that size");
    page_size_ = static_cast<int>(probed_count_);
  }
  // A short page with a next link (undocumented; TasksPage::next_link): the server says more
  // follow, so it cut the page. Page on by key from its last millisecond, as after a full page.
  bool const linked_more = page->next_link && check.last && *check.last < to_ms_;
  if (linked_more && count < static_cast<std::size_t>(page_size_) && !warned_next_link_) {
    warned_next_link_ = true;
    logger_.Warn("Webex GET /v1/tasks: a page of " + std::to_string(count) + " elements (pageSize " +
                 std::to_string(page_size_) + ") carries links.next; taking it as cut short and paging on");
  }
  if (count < static_cast<std::size_t>(page_size_) && !linked_more) {
    if (!cap_checked_ && count > 0 && check.last && *check.last - 1 > c_ && *check.last < to_ms_) {
      // The server may cut pages at a size of its own (paging is undocumented): ask for what
      // follows the page (one request) before taking it as the end of the window.
      cap_checked_ = true;
      cap_probe_ = true;
      probed_count_ = count;
      c_ = *check.last - 1;
      RaiseWatermark(c_ + 1);
      return {};
    }
    mode_ = Mode::kDone;  // a short page holds everything that matched
    return {};
  }
  if (!check.last) {
    EnterSplitMode("a full page had no task with createdTime");
    return {};
  }
  std::int64_t const last = *check.last;
  if (last >= to_ms_) {
    mode_ = Mode::kDone;  // sorted: everything before `to` came before this task
    return {};
  }
  if (last - 1 > c_) {
    // Everything in (c_, last) was in this page; the tasks at `last` may not all have fitted.
    c_ = last - 1;
    RaiseWatermark(c_ + 1);
    return {};
  }
  if (last == c_) {
    // The page only repeated tasks at c_ (an inclusive server); from_inclusive_ is now set, so
    // the next request starts at c_ + 1.
    if (!from_inclusive_) EnterSplitMode("no progress at " + DescribeMs(c_));
    return {};
  }
  // last == c_ + 1: a whole page in one millisecond.
  auto resolved = ResolveMillisecond(last);
  if (!resolved) return resolved;
  c_ = last;
  RaiseWatermark(c_ + 1);
  return {};
}

Result<void> TaskLister::SplitStep() {
  if (split_stack_.empty()) {
    mode_ = Mode::kDone;
    return {};
  }
  auto const [a, b] = split_stack_.back();
  split_stack_.pop_back();
  RaiseWatermark(a);
  if (b - a <= 1) return ResolveMillisecond(a);
  std::int64_t const from_param = NotNegative(from_inclusive_ ? a : a - 1);
  auto page = fetch_(from_param, b, page_size_, channel_types_);
  if (!page) return std::move(page).error();
  auto const check = Check(page->tasks, from_param, b);
  logger_.Debug("Webex GET /v1/tasks (split) from=" + std::to_string(from_param) + " to=" + std::to_string(b) + ": " +
                std::to_string(page->elements) + " elements");
  if (!check.in_range) {
    Error e = OutsideWindowError(from_param, b);
    e.message += ", so the window cannot be listed completely";
    return e;
  }
  bool const full = page->elements >= static_cast<std::size_t>(page_size_);
  if (check.saw_from && !from_inclusive_ && from_param == a - 1) {
    from_inclusive_ = true;
    if (full) {  // tasks before `a` took room in the page: ask again from `a`
      split_stack_.emplace_back(a, b);
      return {};
    }
  }
  // The earliest and latest createdTime of the page inside [a, b), and its ids, for the cap probe.
  std::optional<std::pair<std::int64_t, std::int64_t>> span;
  std::unordered_set<std::string> page_ids;
  for (auto const& task : page->tasks) {
    page_ids.insert(task.id);
    if (!task.created_time || Ms(task) < a || Ms(task) >= b) continue;
    span = span ? std::make_pair(std::min(span->first, Ms(task)), std::max(span->second, Ms(task)))
                : std::make_pair(Ms(task), Ms(task));
  }
  EmitMalformed(*page, a, b, from_param, b);
  for (auto& task : page->tasks) Emit(std::move(task), a, b);
  if (full) cap_checked_ = true;  // the server sends pageSize elements: it does not cap below that
  if (!full && !cap_checked_ && span) {
    auto capped = ProbeSplitCap(a, b, *span, page->elements, page_ids);
    if (!capped) return std::move(capped).error();
    if (*capped) split_stack_.emplace_back(a, b);  // read [a, b) again at the server's page size
    return {};
  }
  if (!full) return {};
  std::int64_t const mid = a + (b - a) / 2;
  split_stack_.emplace_back(mid, b);
  split_stack_.emplace_back(a, mid);
  return {};
}

Result<bool> TaskLister::ProbeSplitCap(std::int64_t a, std::int64_t b, std::pair<std::int64_t, std::int64_t> span,
                                       std::size_t count, std::unordered_set<std::string> const& page_ids) {
  cap_checked_ = true;
  bool more = false;
  // Either side of the short page's tasks, each with the page's edge millisecond (which the cut
  // may have split): [a, lo] and [hi, b).
  std::pair<std::int64_t, std::int64_t> const sides[] = {{a, span.first + 1}, {span.second, b}};
  for (auto const& [s, e] : sides) {
    if (s >= e) continue;
    std::int64_t const from_param = NotNegative(from_inclusive_ ? s : s - 1);
    auto page = fetch_(from_param, e, page_size_, channel_types_);
    if (!page) return std::move(page).error();
    auto const check = Check(page->tasks, from_param, e);
    logger_.Debug("Webex GET /v1/tasks (page size probe) from=" + std::to_string(from_param) + " to=" +
                  std::to_string(e) + ": " + std::to_string(page->elements) + " elements");
    if (!check.in_range) {
      Error error = OutsideWindowError(from_param, e);
      error.message += ", so the window cannot be listed completely";
      return error;
    }
    for (auto const& task : page->tasks) {
      if (task.created_time && Ms(task) >= s && Ms(task) < e && page_ids.count(task.id) == 0) more = true;
    }
    EmitMalformed(*page, s, e, from_param, e);
    for (auto& task : page->tasks) Emit(std::move(task), s, e);
  }
  if (!more) return false;
  capped_ = true;
  logger_.Warn("Webex GET /v1/tasks: the server returns at most " + std::to_string(count) +
               " tasks per page although pageSize " + std::to_string(page_size_) +
               " was asked for (a short page of the split window left out tasks beside its own); paging with "
               "that size");
  page_size_ = static_cast<int>(count);
  return true;
}

Result<void> TaskLister::ResolveMillisecond(std::int64_t m) {
  logger_.Info("Webex GET /v1/tasks: a full page of tasks share createdTime " + DescribeMs(m) +
               "; reading that millisecond on its own");
  int const ms_page_size = MillisecondPageSize();
  auto complete = [&](TasksPage const& page, PageCheck const& check) {
    return page.elements < static_cast<std::size_t>(ms_page_size) || (check.sorted && check.last && *check.last > m);
  };
  std::int64_t from_param = 0;
  // One full-size page of [from_param, m + 1] for `types`, checked; kParse when it strays outside.
  PageCheck check;
  auto fetch_at_m = [&](std::vector<std::string> const& types) -> Result<TasksPage> {
    auto page = fetch_(from_param, m + 1, ms_page_size, types);
    if (!page) return page;
    check = Check(page->tasks, from_param, m + 1);
    if (!check.in_range) return OutsideWindowError(from_param, m + 1);
    return page;
  };
  std::vector<std::string> ids_at_m;  // from the last page read with the query's own filter
  bool done = false;
  for (int attempt = 0; attempt < 2 && !done; ++attempt) {
    from_param = NotNegative(from_inclusive_ ? m : m - 1);
    auto page = fetch_at_m(channel_types_);
    if (!page) return std::move(page).error();
    bool learned = false;
    if (check.saw_from && !from_inclusive_ && from_param == m - 1) {
      from_inclusive_ = true;
      learned = true;
    }
    ids_at_m.clear();
    for (auto const& task : page->tasks) {
      if (task.created_time && Ms(task) == m) ids_at_m.push_back(task.id);
    }
    done = complete(*page, check);
    EmitMalformed(*page, m, m + 1, from_param, m + 1);
    for (auto& task : page->tasks) Emit(std::move(task), m, m + 1);
    if (!done && !learned) break;  // asking again from m would not help
  }
  if (done) return {};

  // More tasks in one millisecond than the largest page: read it once per channel type.
  std::vector<std::string> types;
  if (channel_types_.size() > 1) types = channel_types_;
  if (channel_types_.empty()) types = AllChannelTypes();
  std::string const where = "more than " + std::to_string(ms_page_size) + " tasks share createdTime " +
                            DescribeMs(m) + " and the Tasks API cannot page inside one millisecond";
  auto note_incomplete = [&](std::string const& detail) {
    std::string message = "Webex GET /v1/tasks: " + where + "; " + detail + "; some tasks were not listed";
    logger_.Error(message);
    if (!incomplete_) incomplete_ = MakeError(ErrorCode::kInternal, message);
  };
  if (types.empty()) {
    note_incomplete("channel type " + channel_types_.front());
    return {};
  }
  std::unordered_set<std::string> seen;
  for (auto const& type : types) {
    auto page = fetch_at_m({type});
    if (!page) return std::move(page).error();
    if (!complete(*page, check)) note_incomplete("channel type " + type);
    EmitMalformed(*page, m, m + 1, from_param, m + 1);
    for (auto& task : page->tasks) {
      if (task.created_time && Ms(task) == m) seen.insert(task.id);
      Emit(std::move(task), m, m + 1);
    }
  }
  if (channel_types_.empty()) {
    for (auto const& id : ids_at_m) {
      if (seen.count(id) == 0) {
        note_incomplete("task " + id + " has a channel type other than telephony, chat, email or social");
        break;
      }
    }
  }
  return {};
}

}  // namespace ccrec::webex::detail
