// SPDX-License-Identifier: Apache-2.0
// Window planning and splitting for v1 queries (no paging, row cap: reference §4 + issue).

#include <ccrec/webex_legacy/windows.hpp>

#include "internal/time_util.hpp"

#include <algorithm>
#include <cstdint>

namespace ccrec::webex_legacy {

namespace util = ::ccrec::detail;

namespace {
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
TimeWindow Ms(std::int64_t b, std::int64_t e) { return TimeWindow{util::FromEpochMs(b), util::FromEpochMs(e)}; }
}  // namespace

std::optional<std::pair<TimeWindow, TimeWindow>> SplitWindow(TimeWindow const& window) {
  std::int64_t b = util::ToEpochMs(window.begin);
  std::int64_t e = util::ToEpochMs(window.end);
  if (e - b <= 1) return std::nullopt;
  std::int64_t mid = b + (e - b) / 2;
  return std::make_pair(Ms(b, mid), Ms(mid, e));
}

std::vector<TimeWindow> PlanWindows(TimeWindow const& range, std::chrono::milliseconds window,
                                    std::vector<TimeWindow> const& done) {
  std::int64_t b = util::ToEpochMs(range.begin);
  std::int64_t e = util::ToEpochMs(range.end);
  std::vector<TimeWindow> out;
  if (e <= b) return out;
  // Covered intervals, sorted and merged.
  std::vector<std::pair<std::int64_t, std::int64_t>> covered;
  for (auto const& d : done) {
    std::int64_t db = util::ToEpochMs(d.begin), de = util::ToEpochMs(d.end);
    if (de > db) covered.emplace_back(db, de);
  }
  std::sort(covered.begin(), covered.end());
  std::vector<std::pair<std::int64_t, std::int64_t>> merged;
  for (auto const& c : covered) {
    if (!merged.empty() && c.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, c.second);
    } else {
      merged.push_back(c);
    }
  }
  auto emit = [&](std::int64_t wb, std::int64_t we) {
    // [wb, we) minus the covered intervals.
    std::int64_t cursor = wb;
    for (auto const& [cb, ce] : merged) {
      if (ce <= cursor) continue;
      if (cb >= we) break;
      if (cb > cursor) out.push_back(Ms(cursor, cb));
      cursor = std::max(cursor, ce);
      if (cursor >= we) return;
    }
    if (cursor < we) out.push_back(Ms(cursor, we));
  };
  std::int64_t step = window.count();
  if (step <= 0) {
    emit(b, e);
    return out;
  }
  std::int64_t cut = b;
  while (cut < e) {
    std::int64_t next = (FloorDiv(cut, step) + 1) * step;
    std::int64_t end = std::min(next, e);
    emit(cut, end);
    cut = end;
  }
  return out;
}

}  // namespace ccrec::webex_legacy
