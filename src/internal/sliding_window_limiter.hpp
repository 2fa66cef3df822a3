// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Internal: MakeSlidingWindowRateLimiter() with an admission observer, so that tests can check
/// the rule on the exact admission times (a caller can be admitted by another caller's thread,
/// so the time it reads after Acquire() returns may be later than its admission).

#include <ccrec/core/rate_limiter.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace ccrec::detail {

/// Called once per admission, with the time recorded for it, under the limiter's lock (keep it
/// short; it must not call the limiter).
using AdmissionObserver = std::function<void(std::chrono::system_clock::time_point)>;

std::shared_ptr<RateLimiter> MakeSlidingWindowRateLimiter(SlidingWindowOptions options,
                                                                       AdmissionObserver on_admit);

}  // namespace ccrec::detail
