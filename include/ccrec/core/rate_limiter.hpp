#pragma once
/// @file
/// Client-side request rate limiting shared by every worker that talks to one API.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <memory>

namespace ccrec {
inline namespace v1 {

/// Admits requests to one API (e.g. one Webex client id) at a bounded rate, and pauses every
/// caller when the server asked for it (a 429's Retry-After applies to all workers, not just the
/// request that received it).
///
/// @par Thread safety
/// Implementations must be thread-safe.
class CCREC_EXPORT RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  /// Waits until one request may be sent. A pause requested while the caller waits (another
  /// worker's 429) holds it too: the pause is checked again after every wait, so no request
  /// leaves inside a pause, even one that was granted its slot before the pause began.
  /// @return kCancelled when ctx.cancel fires while waiting, kDeadlineExceeded when the wait
  /// would pass ctx.deadline.
  virtual Result<void> Acquire(CallContext const& ctx) = 0;
  /// Nobody is admitted before `until` (system clock). Later calls extend, never shorten, the
  /// pause. An implementation may cut a pause that is absurdly far away (see
  /// TokenBucketOptions::max_pause); callers should pass at most their RetryPolicy::max_retry_after.
  virtual void PauseUntil(std::chrono::system_clock::time_point until) = 0;
};

/// Options of MakeTokenBucketRateLimiter().
struct TokenBucketOptions {
  /// Sustained rate. Default 300 per minute (Webex: "300 requests per minute per client ID").
  double requests_per_minute = 300;
  /// Bucket capacity (requests admitted back to back after a quiet period). Default 1, which
  /// spaces requests evenly (60 s / rate) so that no sliding 60-second window ever holds more
  /// than `requests_per_minute` requests. In general a window holds at most
  /// `burst - 1 + requests_per_minute`.
  double burst = 1;
  /// Longest pause one PauseUntil() call can impose, counted from the clock's now: a later
  /// `until` is cut to now + max_pause, so a single `Retry-After: 999999999` cannot stall every
  /// later call for years. Default 5 min (RetryPolicy::max_retry_after's default). Values <= 0
  /// are clamped to 0 (PauseUntil() then has no effect).
  std::chrono::milliseconds max_pause{std::chrono::minutes(5)};
  std::shared_ptr<Clock> clock;      ///< default: system clock
  std::shared_ptr<Sleeper> sleeper;  ///< default: real sleeper (wakes on cancellation)
};

/// A token bucket (implemented as GCRA: each admission reserves the next slot under a mutex, so
/// concurrent callers are served in order and never exceed the rate, however many there are).
/// Invalid options (rate <= 0, burst < 1) are clamped to 1.
CCREC_EXPORT std::shared_ptr<RateLimiter> MakeTokenBucketRateLimiter(TokenBucketOptions options = {});

}  // namespace v1
}  // namespace ccrec
