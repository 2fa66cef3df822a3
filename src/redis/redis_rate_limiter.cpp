// SPDX-License-Identifier: Apache-2.0
// MakeRedisRateLimiter(): the sliding window of MakeSlidingWindowRateLimiter() kept in a Redis
// sorted set, admitted by one Lua script on the server's clock (redis_rate_limiter.hpp).

#include <ccrec/redis/redis_rate_limiter.hpp>

#include "internal/crypto.hpp"
#include "internal/retry_loop.hpp"
#include "redis/redis_connection.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>

namespace ccrec::redis {

namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::size_t kMaxRequestsCap = 1'000'000;

// KEYS[1] window (sorted set: member = admission id, score = server time in ms), KEYS[2] pause.
// ARGV[1] max requests, ARGV[2] span (window + margin, ms), ARGV[3] unique member.
// Returns {1, 0} when admitted, else {0, ms until the next chance}.
detail::Script const& AdmitScript() {
  static detail::Script const script(R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return {0, pause} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local span = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], span + 1000)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + span - now
if wait < 1 then wait = 1 end
return {0, wait}
)lua");
  return script;
}

// KEYS[1] pause key, ARGV[1] pause in ms: extends the pause, never shortens it.
detail::Script const& PauseScript() {
  static detail::Script const script(R"lua(
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
)lua");
  return script;
}

class RedisRateLimiter : public RateLimiter {
 public:
  explicit RedisRateLimiter(RedisRateLimiterOptions o)
      : conn_(o.server),
        key_(o.key),
        pause_key_(o.key + ":pause"),
        max_requests_(std::to_string(std::clamp<std::size_t>(o.max_requests, 1, kMaxRequestsCap))),
        span_(std::max(o.window, milliseconds(1)) + std::max(o.margin, milliseconds(0))),
        max_pause_(std::max(o.max_pause, milliseconds(0))),
        clock_(o.clock ? std::move(o.clock) : MakeSystemClock()),
        sleeper_(o.sleeper ? std::move(o.sleeper) : MakeRealSleeper()),
        logger_(std::move(o.logger)),
        id_(::ccrec::detail::HexEncode(::ccrec::detail::RandomBytes(8))),
        rng_(std::random_device{}()) {}

  Result<void> Acquire(CallContext const& ctx) override {
    std::string const what = "rate limiter (Redis key " + key_ + ")";
    for (;;) {
      auto now = clock_->Now();
      if (auto e = ::ccrec::detail::CheckContext(ctx, now)) return *e;
      milliseconds wait{0};
      TimePoint local_pause = LocalPause();
      if (now < local_pause) {
        wait = std::chrono::duration_cast<milliseconds>(local_pause - now) + milliseconds(1);
      } else {
        std::string member = id_ + ":" + std::to_string(seq_.fetch_add(1));
        auto r = conn_.Eval(AdmitScript(), {key_, pause_key_}, {max_requests_, std::to_string(span_.count()), member},
                            what);
        if (!r) {
          Error e = std::move(r).error();
          e.code = ErrorCode::kUnavailable;
          e.message += "; no request is admitted without Redis (check that the server is reachable)";
          return e;
        }
        if (r->type != detail::Reply::Type::kArray || r->elements.size() != 2) {
          return MakeError(ErrorCode::kInternal, what + ": unexpected reply from the admission script");
        }
        if (r->elements[0].integer == 1) return {};
        wait = milliseconds(std::max<std::int64_t>(r->elements[1].integer, 1)) + Jitter();
      }
      if (ctx.deadline && now + wait > *ctx.deadline) {
        return MakeError(ErrorCode::kDeadlineExceeded, "rate limit: the next request slot is after the deadline");
      }
      if (!sleeper_->SleepFor(wait, ctx.cancel)) {
        return MakeError(ErrorCode::kCancelled, "cancelled while waiting for the rate limiter");
      }
    }
  }

  void PauseUntil(TimePoint until) override {
    auto const now = clock_->Now();
    until = std::min(until, now + max_pause_);
    if (until <= now) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pause_until_ = std::max(pause_until_, until);
    }
    auto ms = std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1);
    auto r = conn_.Eval(PauseScript(), {pause_key_}, {std::to_string(ms.count())},
                        "rate limiter pause (Redis key " + pause_key_ + ")");
    if (!r) {
      logger_.Warn(r.error().message + "; the pause of " + std::to_string(ms.count()) +
                   " ms applies to this process only");
    }
  }

 private:
  TimePoint LocalPause() {
    std::lock_guard<std::mutex> lock(mu_);
    return pause_until_;
  }

  /// A few milliseconds, so that waiters of several processes do not all retry at once.
  milliseconds Jitter() {
    std::lock_guard<std::mutex> lock(mu_);
    return milliseconds(std::uniform_int_distribution<int>(0, 10)(rng_));
  }

  detail::Connection conn_;
  std::string key_;
  std::string pause_key_;
  std::string max_requests_;
  milliseconds span_;
  milliseconds max_pause_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  Logger logger_;
  std::string id_;
  std::atomic<std::uint64_t> seq_{0};
  std::mutex mu_;
  TimePoint pause_until_{};  // guarded by mu_
  std::mt19937_64 rng_;      // guarded by mu_
};

}  // namespace

std::string RedisRateLimitKey(std::string_view key_prefix, std::string_view client_id) {
  return std::string(key_prefix) + ":ratelimit:" + std::string(client_id);
}

std::shared_ptr<RateLimiter> MakeRedisRateLimiter(RedisRateLimiterOptions options) {
  return std::make_shared<RedisRateLimiter>(std::move(options));
}

}  // namespace ccrec::redis
