// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: how long a recording source lets an item stay pending before it gives up on it
// (PendingItem::given_up), shared by the Webex and FACE sources. Not installed.

#include <ccrec/core/clock.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::detail {

/// How long an item may stay pending, and the clock it is measured with.
struct PendingAge {
  /// The source's pending_max_age (WebexSourceOptions, FaceSourceOptions); zero: wait forever.
  std::chrono::milliseconds max_age{0};
  /// Not null.
  std::shared_ptr<Clock> clock;

  /// Whether `since` lies more than max_age in the past (never when unknown or max_age is zero).
  bool TooOld(std::optional<std::chrono::system_clock::time_point> const& since) const;
};

/// "3d", "36h", "90m", "45s" or "1500ms": the largest unit that divides `d`.
std::string FormatAge(std::chrono::milliseconds d);

}  // namespace ccrec::detail
