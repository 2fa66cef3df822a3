// SPDX-License-Identifier: Apache-2.0
#include "internal/pending_age.hpp"

namespace ccrec::detail {

bool PendingAge::TooOld(std::optional<std::chrono::system_clock::time_point> const& since) const {
  return max_age.count() > 0 && since && clock->Now() - *since > max_age;
}

std::string FormatAge(std::chrono::milliseconds d) {
  auto const ms = d.count();
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace ccrec::detail
