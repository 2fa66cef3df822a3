// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Per-call options: deadline, cancellation, retry override, extra headers (STYLE.md §4).

#include <ccrec/core/export.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/retry.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec {
inline namespace v1 {

/// Per-call options accepted by every operation as its last parameter.
struct CallContext {
  /// Absolute deadline for the whole call, retries included. Default: none.
  std::optional<std::chrono::system_clock::time_point> deadline;
  /// Cancels the call (and wakes retry sleeps). Default: a token nobody cancels.
  CancellationToken cancel;
  /// Replaces the client's retry policy for this call. Default: the client's.
  std::optional<RetryPolicy> retry;
  /// Extra request headers, e.g. {"TrackingId", "CCREC_..."} for Webex. Default: none.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

}  // namespace v1
}  // namespace ccrec
