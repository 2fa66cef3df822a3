// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MakeRedisRateLimiter`: the sliding-window RateLimiter shared through Redis by every process
/// that uses one client id (docs/redis.md).

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/redis/redis_options.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec::redis {

/// Options of MakeRedisRateLimiter().
///
/// @par Thread safety
/// A plain value type.
struct RedisRateLimiterOptions {
  /// The server (see ParseRedisUrl()).
  RedisOptions server;
  /// Key of the window (a sorted set of admission times); the shared pause is `key + ":pause"`.
  /// One key per client id: see RedisRateLimitKey(). Default "ccrec:ratelimit".
  std::string key = "ccrec:ratelimit";
  /// Most admissions in any rolling `window`, across every process using `key` (as
  /// SlidingWindowOptions::max_requests). Default 300. 0 is clamped to 1, values above 1,000,000
  /// to 1,000,000.
  std::size_t max_requests = 300;
  /// Length of the rolling window. Default 60 s. Values <= 0 are clamped to 1 ms.
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  /// Added to `window` (as SlidingWindowOptions::margin). Default 1 s. Values < 0 are clamped to 0.
  std::chrono::milliseconds margin{std::chrono::seconds(1)};
  /// Longest pause one PauseUntil() call can impose. Default 5 min. Values <= 0: PauseUntil()
  /// has no effect.
  std::chrono::milliseconds max_pause{std::chrono::minutes(5)};
  /// Clock for deadlines and for turning PauseUntil()'s time into a duration. The window itself
  /// runs on the Redis server's clock (`TIME`), so processes with skewed clocks agree.
  /// Default: system clock.
  std::shared_ptr<Clock> clock;
  /// Sleeps while the window is full. Default: real sleeper (wakes on cancellation).
  std::shared_ptr<Sleeper> sleeper;
  /// Receives warnings (a pause that could not be shared). Default: logs nothing.
  Logger logger;
};

/// "PREFIX:ratelimit:CLIENT_ID": the window key for one client id (the rate limit is per client
/// id, so processes sharing a client id must share the key).
CCREC_EXPORT std::string RedisRateLimitKey(std::string_view key_prefix, std::string_view client_id);

/// A sliding-window RateLimiter whose window lives in Redis: at most `max_requests` admissions
/// in any rolling `window` (+ `margin`) counted over every process and thread using `key`.
///
/// Each admission runs one Lua script (EVALSHA, falling back to EVAL when the server answers
/// NOSCRIPT) that reads the server clock (`TIME`), honours the shared pause, drops admissions
/// older than `window + margin` from the sorted set and, when fewer than `max_requests` remain,
/// adds this one; otherwise it returns how long until the oldest one leaves the window, and the
/// caller sleeps that long (plus a little jitter) and tries again. Callers are not served in
/// arrival order across processes.
///
/// PauseUntil() stores the pause as `key:pause` with a PX expiry that only ever grows (another
/// script), so a 429 seen by one process pauses all of them; the pause is also kept in this
/// process, which keeps honouring it if Redis cannot be reached.
///
/// Acquire() errors: kCancelled when ctx.cancel fires, kDeadlineExceeded when the next chance
/// to be admitted is after ctx.deadline, kUnavailable when Redis cannot be reached or answers
/// with an error (nothing is admitted without Redis: the limit could not be kept).
///
/// @par Thread safety
/// Thread-safe (one connection used under a mutex; sleeps happen outside it).
CCREC_EXPORT std::shared_ptr<RateLimiter> MakeRedisRateLimiter(RedisRateLimiterOptions options);

}  // namespace ccrec::redis
