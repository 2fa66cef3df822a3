// SPDX-License-Identifier: Apache-2.0
#include "internal/retry_loop.hpp"

#include <algorithm>
#include <string>

namespace ccrec::detail {

std::optional<Error> CheckContext(CallContext const& ctx, std::chrono::system_clock::time_point now) {
  if (ctx.cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, "operation cancelled");
  if (ctx.deadline && now >= *ctx.deadline) {
    return MakeError(ErrorCode::kDeadlineExceeded, "operation deadline exceeded");
  }
  return std::nullopt;
}

std::optional<Error> RetryAfterBeyondPolicy(Error const& error, RetryPolicy const& policy) {
  if (!error.retry_after || *error.retry_after <= policy.max_retry_after || !IsRetryable(error)) return std::nullopt;
  Error e = error;  // the code stays (kRateLimited for a 429, kUnavailable for a 503)
  auto const in_seconds = [](std::chrono::milliseconds ms) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ms).count()) + " s";
  };
  e.message += "; the server asked to wait " + in_seconds(*error.retry_after) + " before retrying, more than "
               "RetryPolicy::max_retry_after (" + in_seconds(policy.max_retry_after) +
               "), so it was not waited for (try again later, or raise max_retry_after)";
  return e;
}

std::optional<std::chrono::milliseconds> SharedPauseFor(Error const& error, RetryPolicy const& policy) {
  if (!error.retry_after) return std::nullopt;
  return std::min(*error.retry_after, std::max(policy.max_retry_after, std::chrono::milliseconds(0)));
}

}  // namespace ccrec::detail
