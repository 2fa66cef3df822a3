// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/rate_limiter.hpp>

#include <algorithm>
#include <mutex>

namespace ccrec {
inline namespace v1 {

namespace {

using Clock_ = std::chrono::system_clock;

class TokenBucket : public RateLimiter {
 public:
  explicit TokenBucket(TokenBucketOptions o)
      : clock_(o.clock ? o.clock : MakeSystemClock()), sleeper_(o.sleeper ? o.sleeper : MakeRealSleeper()) {
    double rpm = o.requests_per_minute > 0 ? o.requests_per_minute : 1;
    double burst = o.burst >= 1 ? o.burst : 1;
    interval_ = std::chrono::duration_cast<Clock_::duration>(std::chrono::duration<double>(60.0 / rpm));
    tolerance_ = std::chrono::duration_cast<Clock_::duration>(interval_ * (burst - 1));
    max_pause_ = std::max(o.max_pause, std::chrono::milliseconds(0));
  }

  Result<void> Acquire(CallContext const& ctx) override {
    Clock_::time_point slot;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto reserved = Reserve(ctx);
      if (!reserved) return std::move(reserved).error();
      slot = *reserved;
    }
    for (;;) {
      auto wait = slot - clock_->Now();
      if (wait > Clock_::duration::zero()) {
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait);
        if (!sleeper_->SleepFor(ms, ctx.cancel)) {
          return MakeError(ErrorCode::kCancelled, "cancelled while waiting for the rate limiter");
        }
      }
      // A pause that began while we waited (another worker got a 429) holds us too: the slot was
      // reserved before the server asked everyone to wait. Take a new slot after the pause.
      std::lock_guard<std::mutex> lock(mu_);
      if (pause_until_ <= slot) return {};
      auto reserved = Reserve(ctx);
      if (!reserved) return std::move(reserved).error();
      slot = *reserved;
    }
  }

  void PauseUntil(Clock_::time_point until) override {
    std::lock_guard<std::mutex> lock(mu_);
    until = std::min(until, clock_->Now() + max_pause_);
    pause_until_ = std::max(pause_until_, until);
  }

 private:
  /// The next free slot (reserved). Caller holds mu_.
  Result<Clock_::time_point> Reserve(CallContext const& ctx) {
    auto now = clock_->Now();
    auto slot = std::max({now, tat_ - tolerance_, pause_until_});
    if (ctx.deadline && slot > *ctx.deadline) {
      return MakeError(ErrorCode::kDeadlineExceeded, "rate limit: the next request slot is after the deadline");
    }
    tat_ = std::max(tat_, slot) + interval_;
    return slot;
  }

  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  Clock_::duration interval_{};
  Clock_::duration tolerance_{};
  std::chrono::milliseconds max_pause_{};
  std::mutex mu_;
  Clock_::time_point tat_{};  // theoretical arrival time of the next request
  Clock_::time_point pause_until_{};
};

}  // namespace

std::shared_ptr<RateLimiter> MakeTokenBucketRateLimiter(TokenBucketOptions options) {
  return std::make_shared<TokenBucket>(std::move(options));
}

}  // namespace v1
}  // namespace ccrec
