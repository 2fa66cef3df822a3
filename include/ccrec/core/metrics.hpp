// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Process-wide counters of HTTP traffic and rate-limiter waits, collected by decorating an
/// HttpTransport and a RateLimiter. ccrec-export writes them to a Prometheus textfile
/// (`--metrics-textfile`, see exporter/metrics_textfile.hpp); an embedding service can export
/// them to its own metrics system.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/rate_limiter.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace ccrec {
inline namespace v1 {

/// Counters of requests by response status, requests that got no response, and the time spent
/// waiting for a rate limiter. Counters only grow; a snapshot is a consistent copy.
///
/// @par Thread safety
/// Thread-safe: every worker's transport and limiter record into one instance.
class CCREC_EXPORT RequestMetrics {
 public:
  /// One consistent copy of the counters.
  struct Snapshot {
    /// Responses by HTTP status code (every status, 2xx to 5xx, including 429).
    std::map<int, std::uint64_t> responses;
    /// Requests that ended without a response: DNS, connect, TLS, reset, timeout, cancellation.
    std::uint64_t transport_errors = 0;
    /// Rate-limiter admissions (RateLimiter::Acquire calls that returned, admitted or not).
    std::uint64_t limiter_acquires = 0;
    /// Total time callers spent inside RateLimiter::Acquire, summed over all callers.
    std::chrono::nanoseconds limiter_wait{0};

    /// Responses with status 429 (Too Many Requests).
    std::uint64_t TooManyRequests() const;
    /// All requests sent: responses of every status plus transport errors.
    std::uint64_t Requests() const;
  };

  /// Counts one response with HTTP `status`.
  void RecordResponse(int status);
  /// Counts one request that got no response.
  void RecordTransportError();
  /// Adds one RateLimiter::Acquire call that took `waited`.
  void RecordLimiterWait(std::chrono::nanoseconds waited);
  /// A copy of the counters.
  Snapshot Read() const;

 private:
  mutable std::mutex mu_;
  Snapshot counters_;
};

/// Wraps `inner`: every Send() is forwarded unchanged and its outcome recorded in `metrics`
/// (the response status once the headers arrived, or a transport error). Nothing else is kept:
/// no URL, header or body, so no secret can leak through the counters.
///
/// @par Thread safety
/// As thread-safe as `inner` (HttpTransport requires thread safety).
CCREC_EXPORT std::shared_ptr<HttpTransport> MakeMeteredTransport(std::shared_ptr<HttpTransport> inner,
                                                                 std::shared_ptr<RequestMetrics> metrics);

/// Wraps `inner`: Acquire() is forwarded and the time it took (measured with `clock`, default the
/// system clock) recorded in `metrics`; PauseUntil() is forwarded unchanged. A clock that steps
/// backwards counts as no wait.
///
/// @par Thread safety
/// As thread-safe as `inner` (RateLimiter requires thread safety).
CCREC_EXPORT std::shared_ptr<RateLimiter> MakeMeteredRateLimiter(std::shared_ptr<RateLimiter> inner,
                                                                 std::shared_ptr<RequestMetrics> metrics,
                                                                 std::shared_ptr<Clock> clock = nullptr);

}  // namespace v1
}  // namespace ccrec
