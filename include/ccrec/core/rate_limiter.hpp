// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Client-side request rate limiting shared by every worker that talks to one API.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstddef>
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
  /// TokenBucketOptions::max_pause, SlidingWindowOptions::max_pause); callers should pass at most
  /// their RetryPolicy::max_retry_after.
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

/// Options of MakeSlidingWindowRateLimiter().
struct SlidingWindowOptions {
  /// Most requests admitted in any rolling `window`. Default 300 (Webex: "300 requests per minute
  /// per client ID"). 0 is clamped to 1; values above 1,000,000 are clamped to 1,000,000 (the
  /// limiter keeps one time stamp per request of the window: 8 MB at that size).
  std::size_t max_requests = 300;
  /// Length of the rolling window. Default 60 s. Values <= 0 are clamped to 1 ms.
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  /// Added to `window` when deciding whether the oldest of the last `max_requests` admissions
  /// is old enough: a request goes when that admission is at least `window + margin` old.
  /// The limiter counts a request when it admits it, the server when it arrives, and requests
  /// take different times to arrive (one that opens a new TLS connection, say, later than one on
  /// a reused connection), so without a margin the server can see N + 1 requests in one window. With `window` alone, a run at
  /// 100/min against a server enforcing 100/min got one 429 (bench/RESULTS.md, issue 15).
  /// Default 1 s, which costs 1/61 of the throughput when the limit binds. Values < 0 are
  /// clamped to 0.
  std::chrono::milliseconds margin{std::chrono::seconds(1)};
  /// Longest pause one PauseUntil() call can impose, counted from the clock's now (as
  /// TokenBucketOptions::max_pause). Default 5 min. Values <= 0 are clamped to 0 (PauseUntil()
  /// then has no effect).
  std::chrono::milliseconds max_pause{std::chrono::minutes(5)};
  std::shared_ptr<Clock> clock;      ///< default: system clock
  /// Default: real sleeper (wakes on cancellation). A replacement must let the clock move by the
  /// duration it is asked to sleep (ccrec::testing::ManualSleeper built with the ManualClock does).
  std::shared_ptr<Sleeper> sleeper;
};

/// A sliding-window limiter: at most `max_requests` admissions in any rolling `window`, which is
/// the rule as Webex documents it, and also satisfies a server counting per fixed minute.
///
/// The limiter remembers the times of the last `max_requests` admissions (a ring); a request
/// may go when the oldest of them is at least `window` (plus `margin`) old. Unlike the token
/// bucket with burst 1, a quiet limiter admits a burst of `max_requests` at once (a day of ~180
/// API calls fits in the first minute instead of being spaced 200 ms apart).
///
/// Callers are served in arrival order (a FIFO queue: only the first waiter sleeps on the
/// Sleeper for its slot; the others wait for their turn, and whichever caller holds the lock
/// admits everyone at the front whose slot has come). An admission is recorded only when it
/// happens, so a caller that gives up (kCancelled, kDeadlineExceeded) before it is admitted
/// consumes no slot; one admitted while its cancellation arrived returns success. A caller whose
/// token is already cancelled, or whose deadline has passed, is refused even when the window
/// has room.
/// PauseUntil() follows the RateLimiter contract: shared by every caller, extended never
/// shortened, cut to `max_pause`, and a caller whose slot came before the pause began waits for
/// the pause too. For a waiter behind others, kDeadlineExceeded is returned as soon as even the
/// earliest possible slot (everyone ahead admitted on time) is after the deadline.
///
/// @par Thread safety
/// Thread-safe; share one instance per client id among all workers and clients.
CCREC_EXPORT std::shared_ptr<RateLimiter> MakeSlidingWindowRateLimiter(SlidingWindowOptions options = {});

}  // namespace v1
}  // namespace ccrec
