// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Time windows for v1 queries: planning a range into windows and splitting a window whose
/// response may have been truncated.
///
/// The v1 service returns at most min(numberOfRecords, 1000) rows per query and has no paging
/// (reference `webex-legacy-v1.md` §4, and the ccrec issue's assumptions), so a response with
/// that many rows may be truncated; the client then splits the window in halves, down to single
/// milliseconds if needed.

#include <ccrec/core/export.hpp>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

namespace ccrec::webex_legacy {

/// A half-open window [begin, end) at millisecond precision, on the records' start time `cstts`.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT TimeWindow {
  /// Inclusive start.
  std::chrono::system_clock::time_point begin{};
  /// Exclusive end.
  std::chrono::system_clock::time_point end{};

  /// end - begin in milliseconds (0 or negative for an empty / inverted window).
  std::chrono::milliseconds Length() const noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end - begin);
  }
  friend bool operator==(TimeWindow const& a, TimeWindow const& b) noexcept {
    return a.begin == b.begin && a.end == b.end;
  }
  friend bool operator!=(TimeWindow const& a, TimeWindow const& b) noexcept { return !(a == b); }
};

/// Splits a window at its midpoint (rounded down to a whole millisecond) into two non-empty
/// halves [begin, mid) and [mid, end).
/// @return the halves, or nullopt for a window of one millisecond or less (cannot be split).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<std::pair<TimeWindow, TimeWindow>> SplitWindow(TimeWindow const& window);

/// Cuts `range` into windows whose boundaries are multiples of `window` since the Unix epoch
/// (so re-runs over overlapping ranges produce the same windows), minus the parts covered by
/// `done` (windows already exported), in time order. Values are truncated to milliseconds.
///
/// @param range the half-open range to cover.
/// @param window the initial window length; <= 0 means one window for the whole range.
/// @param done windows already exported (any order, may overlap `range` partially).
/// @return the windows still to fetch; empty when `range` is empty or fully covered.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::vector<TimeWindow> PlanWindows(TimeWindow const& range, std::chrono::milliseconds window,
                                                 std::vector<TimeWindow> const& done = {});

}  // namespace ccrec::webex_legacy
