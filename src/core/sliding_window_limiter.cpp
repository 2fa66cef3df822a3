// SPDX-License-Identifier: Apache-2.0
// MakeSlidingWindowRateLimiter(): at most N admissions in any rolling window, callers served in
// arrival order, an admission recorded only when it happens (so giving up consumes nothing).
#include <ccrec/core/rate_limiter.hpp>

#include "internal/sliding_window_limiter.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace ccrec {
inline namespace v1 {

namespace {

using SysClock = std::chrono::system_clock;
using TimePoint = SysClock::time_point;

constexpr std::size_t kMaxRequestsCap = 1'000'000;
// How often a waiter behind the head of the queue looks at its cancellation token (real time).
// It is woken at once when the queue moves or a pause begins; this only bounds how late a
// cancellation of such a waiter is noticed.
constexpr std::chrono::milliseconds kQueuePoll{10};

class SlidingWindow : public RateLimiter {
 public:
  SlidingWindow(SlidingWindowOptions o, detail::AdmissionObserver on_admit)
      : clock_(o.clock ? o.clock : MakeSystemClock()),
        sleeper_(o.sleeper ? o.sleeper : MakeRealSleeper()),
        on_admit_(std::move(on_admit)) {
    std::size_t n = std::clamp<std::size_t>(o.max_requests, 1, kMaxRequestsCap);
    // The spacing kept between an admission and the one N later: the rule's window plus the
    // margin for requests that take longer than others to reach the server.
    window_ = std::max(o.window, std::chrono::milliseconds(1)) + std::max(o.margin, std::chrono::milliseconds(0));
    max_pause_ = std::max(o.max_pause, std::chrono::milliseconds(0));
    ring_.resize(n);
  }

  Result<void> Acquire(CallContext const& ctx) override {
    std::unique_lock<std::mutex> lock(mu_);
    // A caller that has already given up is not admitted, even when the window has room.
    if (ctx.cancel.IsCancelled()) return Cancelled();
    if (ctx.deadline && clock_->Now() > *ctx.deadline) return DeadlinePassed();
    Waiter me;
    queue_.push_back(&me);
    for (;;) {
      // Whoever holds the lock admits every waiter that may go now, in queue order, itself
      // included: a woken waiter finds itself admitted instead of each admission waiting for its
      // thread to be scheduled (which would turn a queue, once formed, into a convoy).
      auto const now = clock_->Now();
      AdmitReady(now, me);
      if (me.admitted) return {};
      if (ctx.cancel.IsCancelled()) return Leave(me, Cancelled());
      std::size_t const pos = Position(me);
      auto const slot = SlotAt(pos, now);
      if (ctx.deadline && slot > *ctx.deadline) {
        return Leave(me, DeadlinePassed());
      }
      if (pos == 0) {
        // Only the head sleeps for its slot. The pause and the window are checked again after
        // the sleep: a pause that began meanwhile (another worker's 429) holds this caller too.
        auto const wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
        lock.unlock();
        bool const slept = sleeper_->SleepFor(wait, ctx.cancel);
        lock.lock();
        if (me.admitted) return {};  // admitted by another caller while sleeping
        if (!slept) return Leave(me, Cancelled());
      } else {
        cv_.wait_for(lock, kQueuePoll);
      }
    }
  }

  void PauseUntil(TimePoint until) override {
    std::lock_guard<std::mutex> lock(mu_);
    until = std::min(until, clock_->Now() + max_pause_);
    pause_until_ = std::max(pause_until_, until);
    cv_.notify_all();  // waiters behind the head re-check their deadline
  }

 private:
  static Error Cancelled() { return MakeError(ErrorCode::kCancelled, "cancelled while waiting for the rate limiter"); }
  static Error DeadlinePassed() {
    return MakeError(ErrorCode::kDeadlineExceeded, "rate limit: the next request slot is after the deadline");
  }

  struct Waiter {
    bool admitted = false;
  };

  /// Leaves the queue without admission (no slot consumed) and returns `error`. Caller holds mu_.
  Result<void> Leave(Waiter& me, Error error) {
    auto it = std::find(queue_.begin(), queue_.end(), &me);
    if (it != queue_.end()) queue_.erase(it);
    cv_.notify_all();  // the next may now be the head
    return error;
  }

  std::size_t Position(Waiter const& me) const {
    return static_cast<std::size_t>(std::find(queue_.begin(), queue_.end(), &me) - queue_.begin());
  }

  /// Admits the waiters at the front of the queue whose slot has come. Caller holds mu_.
  void AdmitReady(TimePoint now, Waiter const& me) {
    bool others = false;  // admitted a waiter other than `me`, or made a new head
    bool any = false;
    while (!queue_.empty() && SlotAt(0, now) <= now) {
      Admit(now);
      queue_.front()->admitted = true;
      others = others || queue_.front() != &me;
      queue_.pop_front();
      any = true;
    }
    // The admitted return; a new head goes to sleep for its slot.
    if (others || (any && !queue_.empty())) cv_.notify_all();
  }

  /// Earliest time the waiter at queue position `pos` may go, if everyone ahead goes at their
  /// earliest time. Exact for the head (pos 0). Caller holds mu_.
  TimePoint SlotAt(std::size_t pos, TimePoint now) {
    std::size_t const n = ring_.size();
    TimePoint slot = std::max(now, pause_until_);
    if (pos >= n) ahead_.assign(pos + 1, TimePoint{});
    for (std::size_t k = 0; k <= pos; ++k) {
      // The admission n before the k-th next one: in the ring for k < n, else one of the ahead.
      if (k < n) {
        if (filled_ + k >= n) slot = std::max(slot, ring_[(next_ + k) % n] + window_);
      } else {
        slot = std::max(slot, ahead_[k - n] + window_);
      }
      if (pos >= n) ahead_[k] = slot;
    }
    return slot;
  }

  /// Records an admission at `now`. Caller holds mu_.
  void Admit(TimePoint now) {
    ring_[next_] = now;
    next_ = (next_ + 1) % ring_.size();
    if (filled_ < ring_.size()) ++filled_;
    if (on_admit_) on_admit_(now);
  }

  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  detail::AdmissionObserver on_admit_;
  std::chrono::milliseconds window_{};
  std::chrono::milliseconds max_pause_{};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TimePoint> ring_;  // the last ring_.size() admissions; ring_[next_] is the oldest once full
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  std::deque<Waiter*> queue_;  // waiting callers (on their stacks), in arrival order
  TimePoint pause_until_{};
  std::vector<TimePoint> ahead_;  // scratch of SlotAt() when more callers wait than the window holds
};

}  // namespace

std::shared_ptr<RateLimiter> MakeSlidingWindowRateLimiter(SlidingWindowOptions options) {
  return std::make_shared<SlidingWindow>(std::move(options), nullptr);
}

namespace detail {
std::shared_ptr<RateLimiter> MakeSlidingWindowRateLimiter(SlidingWindowOptions options, AdmissionObserver on_admit) {
  return std::make_shared<SlidingWindow>(std::move(options), std::move(on_admit));
}
}  // namespace detail

}  // namespace v1
}  // namespace ccrec
