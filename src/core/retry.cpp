// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/retry.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

namespace ccrec {
inline namespace v1 {

bool IsRetryable(Error const& error) noexcept {
  switch (error.code) {
    case ErrorCode::kTransport:
      return error.vendor_code != kTlsVerificationFailed;
    case ErrorCode::kRateLimited:
    case ErrorCode::kUnavailable:
      return true;
    case ErrorCode::kDeadlineExceeded:
      return error.http_status == 408;
    default:
      return false;
  }
}

struct Backoff::Rng {
  std::mutex mu;
  std::mt19937_64 engine;
};

Backoff::Backoff(RetryPolicy policy, std::uint64_t seed) : policy_(policy), rng_(std::make_unique<Rng>()) {
  if (seed == 0) seed = std::random_device{}();
  rng_->engine.seed(seed);
}

Backoff::~Backoff() = default;

std::optional<std::chrono::milliseconds> Backoff::NextDelay(Error const& error, int attempt,
                                                            std::chrono::milliseconds elapsed) const {
  if (!IsRetryable(error)) return std::nullopt;
  if (attempt >= policy_.max_attempts) return std::nullopt;
  if (elapsed >= policy_.max_elapsed) return std::nullopt;
  double ceiling = static_cast<double>(policy_.initial_backoff.count()) *
                   std::pow(policy_.multiplier, std::max(0, attempt - 1));
  ceiling = std::min(ceiling, static_cast<double>(policy_.max_backoff.count()));
  // uniform_int_distribution(0, negative) is undefined; also catches NaN from odd multipliers.
  if (!(ceiling > 0)) ceiling = 0;
  std::int64_t jittered = 0;
  {
    std::lock_guard<std::mutex> lock(rng_->mu);
    std::uniform_int_distribution<std::int64_t> dist(0, static_cast<std::int64_t>(ceiling));
    jittered = dist(rng_->engine);
  }
  std::chrono::milliseconds delay(jittered);
  if (error.retry_after) {
    if (*error.retry_after > policy_.max_retry_after) return std::nullopt;
    delay = std::max(delay, *error.retry_after);
  }
  if (elapsed + delay > policy_.max_elapsed) return std::nullopt;
  return delay;
}

}  // namespace v1
}  // namespace ccrec
