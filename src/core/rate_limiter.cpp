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
  }

  Result<void> Acquire(CallContext const& ctx) override {
    Clock_::time_point slot;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto now = clock_->Now();
      slot = std::max({now, tat_ - tolerance_, pause_until_});
      if (ctx.deadline && slot > *ctx.deadline) {
        return MakeError(ErrorCode::kDeadlineExceeded, "rate limit: the next request slot is after the deadline");
      }
      tat_ = std::max(tat_, slot) + interval_;
    }
    auto wait = slot - clock_->Now();
    if (wait > Clock_::duration::zero()) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait);
      if (!sleeper_->SleepFor(ms, ctx.cancel)) {
        return MakeError(ErrorCode::kCancelled, "cancelled while waiting for the rate limiter");
      }
    }
    return {};
  }

  void PauseUntil(Clock_::time_point until) override {
    std::lock_guard<std::mutex> lock(mu_);
    pause_until_ = std::max(pause_until_, until);
  }

 private:
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  Clock_::duration interval_{};
  Clock_::duration tolerance_{};
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
