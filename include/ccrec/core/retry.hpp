// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Retry policy (when to stop) and backoff (how long to wait), kept separate as in
/// google-cloud-cpp (STYLE.md §6). Backoff is truncated exponential with full jitter and
/// honours `Retry-After`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace ccrec {
inline namespace v1 {

/// When to stop retrying, and the backoff curve.
struct RetryPolicy {
  /// Total attempts including the first; 1 disables retries. Default 6.
  int max_attempts = 6;
  /// Stop retrying once this much time has passed since the first attempt. Default 2 min.
  std::chrono::milliseconds max_elapsed{std::chrono::minutes(2)};
  /// First backoff ceiling. Default 250 ms.
  std::chrono::milliseconds initial_backoff{250};
  /// Largest backoff ceiling (truncation). Default 30 s.
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  /// Growth factor of the ceiling per attempt. Default 2.
  double multiplier = 2.0;
  /// A server `Retry-After` longer than this is not waited for: the call fails at once with the
  /// server's error (kRateLimited for a 429), its message naming both durations. A client that
  /// shares a RateLimiter records at most this long a pause in it, so one absurd Retry-After
  /// (e.g. 999999999 s) cannot stall the other callers for longer. Default 5 min.
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(5)};
};

/// True for the error classes worth retrying on an idempotent request: transport errors,
/// 408/429/500/502/503/504 (kRateLimited, kUnavailable, kTransport except a TLS certificate
/// verification failure (vendor_code kTlsVerificationFailed), and kDeadlineExceeded only when it
/// came from a per-attempt timeout with http_status 408).
CCREC_EXPORT bool IsRetryable(Error const& error) noexcept;

/// Computes the delay before the next attempt, or nothing when the policy says stop.
///
/// Delay = uniform random in [0, min(max_backoff, initial_backoff * multiplier^(attempt-1))]
/// (full jitter), but at least `error.retry_after` when the server sent one.
///
/// @par Thread safety
/// Thread-safe; each instance owns its PRNG behind a mutex (one per client, not global).
class CCREC_EXPORT Backoff {
 public:
  explicit Backoff(RetryPolicy policy, std::uint64_t seed = 0);
  ~Backoff();
  Backoff(Backoff const&) = delete;
  Backoff& operator=(Backoff const&) = delete;

  RetryPolicy const& Policy() const noexcept { return policy_; }

  /// @param attempt the attempt that just failed, 1-based.
  /// @param elapsed time since the first attempt started.
  /// @return the delay, or std::nullopt to stop (error not retryable, attempts or time exhausted,
  ///         or Retry-After above max_retry_after).
  std::optional<std::chrono::milliseconds> NextDelay(Error const& error, int attempt,
                                                     std::chrono::milliseconds elapsed) const;

 private:
  RetryPolicy policy_;
  struct Rng;
  std::unique_ptr<Rng> rng_;
};

}  // namespace v1
}  // namespace ccrec
