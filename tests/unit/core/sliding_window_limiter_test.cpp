// SPDX-License-Identifier: Apache-2.0
// MakeSlidingWindowRateLimiter(): at most N requests in any rolling window, a burst of N at once,
// the shared Retry-After pause of the RateLimiter contract, and giving up (cancellation,
// deadline) consumes no slot. All on a ManualClock: nothing sleeps for real.
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/sliding_window_limiter.hpp"
#include "unit/core/limiter_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace {

using ccrec::ErrorCode;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec_test::HookSleeper;
using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// Without the safety margin, so that the figures are the window itself.
std::shared_ptr<ccrec::RateLimiter> Make(std::size_t n, milliseconds window, std::shared_ptr<ManualClock> clock,
                                         std::shared_ptr<ccrec::Sleeper> sleeper) {
  ccrec::SlidingWindowOptions o;
  o.max_requests = n;
  o.window = window;
  o.margin = milliseconds(0);
  o.clock = std::move(clock);
  o.sleeper = std::move(sleeper);
  return ccrec::MakeSlidingWindowRateLimiter(o);
}

// Blocks each sleep until the test releases it (then advances the clock) or the token is
// cancelled, so that a test can hold a caller at the head of the queue.
class GateSleeper : public ccrec::Sleeper {
 public:
  explicit GateSleeper(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  bool SleepFor(milliseconds d, ccrec::CancellationToken const& cancel) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++sleeping_;
    cv_.notify_all();
    while (releases_ == 0) {
      if (cancel.IsCancelled()) {
        --sleeping_;
        return false;
      }
      cv_.wait_for(lock, milliseconds(5));
    }
    --releases_;
    --sleeping_;
    clock_->Advance(d);
    return true;
  }
  void WaitUntilSleeping() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return sleeping_ > 0; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    ++releases_;
    cv_.notify_all();
  }

 private:
  std::shared_ptr<ManualClock> clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  int sleeping_ = 0;
  int releases_ = 0;
};

TEST(SlidingWindowLimiterTest, BurstOfNAtOnceThenTheNextWaitsUntilTheFirstIsAWindowOld) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto limiter = Make(5, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_TRUE(sleeper->Sleeps().empty()) << "a quiet limiter admits a burst of N without waiting";
  clock->Advance(seconds(10));
  ASSERT_TRUE(limiter->Acquire({}).has_value());  // the 6th
  ASSERT_EQ(sleeper->Sleeps(), std::vector<milliseconds>{milliseconds(50'000)});
  EXPECT_EQ(clock->Now(), t0 + seconds(60)) << "exactly when the first admission is a window old";
  // The other four of the first burst are a window old too: four more go at once, then the
  // 11th waits for the 6th (admitted at t0 + 60 s).
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(sleeper->Sleeps().size(), 1u);
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(120));
}

TEST(SlidingWindowLimiterTest, NoRollingWindowEverHoldsMoreThanNAcrossARandomScheduleWithManyThreads) {
  auto manual = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(manual);  // the head's sleeps move the clock
  constexpr std::size_t kN = 7;
  constexpr milliseconds kWindow(1'000);
  ccrec::SlidingWindowOptions o;
  o.max_requests = kN;
  o.window = kWindow;
  o.margin = milliseconds(0);
  o.clock = manual;
  o.sleeper = sleeper;
  // The exact admission times: a caller may be admitted by another caller's thread, so the time
  // it could read after Acquire() returns may be later than its admission.
  std::mutex mu;
  std::vector<TimePoint> admitted;
  auto limiter = ccrec::detail::MakeSlidingWindowRateLimiter(o, [&](TimePoint t) {
    std::lock_guard<std::mutex> lock(mu);
    admitted.push_back(t);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1u);
      for (int i = 0; i < 150; ++i) {
        ASSERT_TRUE(limiter->Acquire({}).has_value());
        // Work of random length, sometimes none, sometimes longer than the window.
        auto r = rng() % 10;
        if (r < 6) manual->Advance(milliseconds(rng() % 150));
        if (r == 9) manual->Advance(milliseconds(1'000 + rng() % 500));
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(admitted.size(), 12u * 150u);
  std::sort(admitted.begin(), admitted.end());
  std::size_t fullest = 0;
  for (std::size_t i = 0; i < admitted.size(); ++i) {
    // Every window [t, t + W) that holds admissions starts at one of them.
    auto end = std::lower_bound(admitted.begin() + static_cast<std::ptrdiff_t>(i), admitted.end(), admitted[i] + kWindow);
    auto in_window = static_cast<std::size_t>(end - (admitted.begin() + static_cast<std::ptrdiff_t>(i)));
    fullest = std::max(fullest, in_window);
    ASSERT_LE(in_window, kN) << "window starting at admission " << i;
  }
  EXPECT_EQ(fullest, kN) << "the limiter lets full bursts through";
}

// The defaults: 300 at once, then the 301st waits until the first is 60 s plus the 1 s margin old.
TEST(SlidingWindowLimiterTest, DefaultsAre300In60SecondsPlusAOneSecondMargin) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  ccrec::SlidingWindowOptions o;
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeSlidingWindowRateLimiter(o);
  auto const t0 = clock->Now();
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0);
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(61));
}

TEST(SlidingWindowLimiterTest, PauseIsSharedAndHoldsEvenAFreshLimiter) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto limiter = Make(300, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  limiter->PauseUntil(t0 + seconds(10));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(10));
  ASSERT_TRUE(limiter->Acquire({}).has_value());  // pause over, the window has room
  EXPECT_EQ(sleeper->Sleeps().size(), 1u);
}

TEST(SlidingWindowLimiterTest, LaterPausesExtendButNeverShorten) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto limiter = Make(300, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  limiter->PauseUntil(t0 + seconds(20));
  limiter->PauseUntil(t0 + seconds(5));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(20));
  limiter->PauseUntil(clock->Now() + seconds(3));
  limiter->PauseUntil(clock->Now() + seconds(7));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(27));
}

TEST(SlidingWindowLimiterTest, PauseIsCutAtMaxPause) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  ccrec::SlidingWindowOptions o;
  o.max_pause = seconds(30);
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeSlidingWindowRateLimiter(o);
  auto const t0 = clock->Now();
  limiter->PauseUntil(t0 + std::chrono::hours(24 * 365));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(30));
}

TEST(SlidingWindowLimiterTest, AWaiterWhoseSlotCameBeforeThePauseWaitsForThePause) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<HookSleeper>(clock);
  auto limiter = Make(1, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  // While the next caller sleeps for its slot (t0 + 60 s), another worker gets a 429.
  sleeper->hook = [&] { limiter->PauseUntil(t0 + seconds(100)); };
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(sleeper->sleeps, (std::vector<milliseconds>{seconds(60), seconds(40)}));
  EXPECT_EQ(clock->Now(), t0 + seconds(100));
}

TEST(SlidingWindowLimiterTest, CancellationAndDeadlineConsumeNoSlot) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<HookSleeper>(clock);
  auto limiter = Make(2, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  // A caller that has given up is refused even when the window has room.
  ccrec::CallContext gave_up;
  gave_up.cancel.Cancel();
  auto early = limiter->Acquire(gave_up);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, ErrorCode::kCancelled);
  ccrec::CallContext late;
  late.deadline = t0 - milliseconds(1);
  early = limiter->Acquire(late);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, ErrorCode::kDeadlineExceeded);

  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_TRUE(sleeper->sleeps.empty()) << "the two refused callers took no slot";

  ccrec::CallContext with_deadline;
  with_deadline.deadline = t0 + seconds(30);
  auto r = limiter->Acquire(with_deadline);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(sleeper->sleeps.empty()) << "a slot after the deadline is not waited for";

  ccrec::CallContext cancelled;
  cancelled.cancel.Cancel();
  r = limiter->Acquire(cancelled);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);

  ccrec::CallContext cancelled_while_waiting;
  sleeper->hook = [&] { cancelled_while_waiting.cancel.Cancel(); };
  r = limiter->Acquire(cancelled_while_waiting);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(clock->Now(), t0);

  // None of the three took a slot: a window later, two go at once and the third waits a window.
  clock->Advance(seconds(60));
  sleeper->sleeps.clear();
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_TRUE(sleeper->sleeps.empty());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(sleeper->sleeps, std::vector<milliseconds>{seconds(60)});
}

// Callers behind the head of the queue: one whose earliest possible slot is after its deadline
// fails at once, one cancelled while queued leaves, and neither holds up the others.
TEST(SlidingWindowLimiterTest, QueuedCallersFailOnDeadlineOrCancellationWithoutHoldingOthers) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<GateSleeper>(clock);
  auto limiter = Make(1, seconds(60), clock, sleeper);
  auto const t0 = clock->Now();
  ASSERT_TRUE(limiter->Acquire({}).has_value());  // at t0

  ccrec::Result<void> head_result = ccrec::MakeError(ErrorCode::kInternal, "not run");
  std::thread head([&] { head_result = limiter->Acquire({}); });  // slot t0 + 60 s
  sleeper->WaitUntilSleeping();

  // Behind the head the earliest slot is t0 + 120 s.
  ccrec::CallContext too_soon;
  too_soon.deadline = t0 + seconds(90);
  auto r = limiter->Acquire(too_soon);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);

  ccrec::CallContext queued;
  ccrec::Result<void> queued_result = ccrec::MakeError(ErrorCode::kInternal, "not run");
  std::thread behind([&] { queued_result = limiter->Acquire(queued); });
  queued.cancel.Cancel();
  behind.join();
  ASSERT_FALSE(queued_result.has_value());
  EXPECT_EQ(queued_result.error().code, ErrorCode::kCancelled);

  sleeper->Release();
  head.join();
  EXPECT_TRUE(head_result.has_value());
  EXPECT_EQ(clock->Now(), t0 + seconds(60));
}

// Tells the test when a marked thread has read the time, which the limiter does under its lock
// after queueing the caller: from then on that caller is in the queue.
class MarkingClock : public ccrec::Clock {
 public:
  explicit MarkingClock(std::shared_ptr<ManualClock> inner) : inner_(std::move(inner)) {}
  TimePoint Now() const override {
    if (marked) read_by_marked_.store(true);
    return inner_->Now();
  }
  void WaitForMarkedRead() const {
    while (!read_by_marked_.load()) std::this_thread::yield();
  }
  static thread_local bool marked;

 private:
  std::shared_ptr<ManualClock> inner_;
  mutable std::atomic<bool> read_by_marked_{false};
};
thread_local bool MarkingClock::marked = false;

// Whoever holds the lock admits every waiter whose slot has come, in queue order: a waiter does
// not wait for the head's thread to be scheduled (or to finish a long sleep).
TEST(SlidingWindowLimiterTest, WaitersWhoseSlotCameAreAdmittedInOrderByWhoeverHoldsTheLock) {
  auto clock = std::make_shared<ManualClock>();
  auto marking = std::make_shared<MarkingClock>(clock);
  auto sleeper = std::make_shared<GateSleeper>(clock);
  ccrec::SlidingWindowOptions o;
  o.max_requests = 2;
  o.window = seconds(60);
  o.margin = milliseconds(0);
  o.clock = marking;
  o.sleeper = sleeper;
  std::vector<TimePoint> admitted;  // written under the limiter's lock
  auto limiter = ccrec::detail::MakeSlidingWindowRateLimiter(o, [&](TimePoint t) { admitted.push_back(t); });
  auto const t0 = clock->Now();
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_TRUE(limiter->Acquire({}).has_value());

  ccrec::Result<void> head_result = ccrec::MakeError(ErrorCode::kInternal, "not run");
  std::thread head([&] { head_result = limiter->Acquire({}); });  // sleeps for t0 + 60 s
  sleeper->WaitUntilSleeping();
  ccrec::Result<void> second_result = ccrec::MakeError(ErrorCode::kInternal, "not run");
  std::thread second([&] {
    MarkingClock::marked = true;
    second_result = limiter->Acquire({});
  });
  marking->WaitForMarkedRead();  // `second` is queued behind the head

  clock->Set(t0 + seconds(60));  // both slots of the window are free again
  ccrec::CallContext soon;
  soon.deadline = t0 + seconds(61);
  // This caller admits the two ahead of it, then finds its own slot (t0 + 120 s) after its deadline.
  auto r = limiter->Acquire(soon);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  second.join();  // admitted although the head's thread is still asleep
  EXPECT_TRUE(second_result.has_value());
  sleeper->Release();
  head.join();
  EXPECT_TRUE(head_result.has_value());
  EXPECT_EQ(admitted, (std::vector<TimePoint>{t0, t0, t0 + seconds(60), t0 + seconds(60)}));
}

TEST(SlidingWindowLimiterTest, InvalidOptionsAreClamped) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);
  auto const t0 = clock->Now();
  ccrec::SlidingWindowOptions o;
  o.max_requests = 0;             // -> 1
  o.window = milliseconds(-5);    // -> 1 ms
  o.max_pause = milliseconds(-1);  // -> 0: PauseUntil() has no effect
  o.margin = milliseconds(-3);     // -> 0
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeSlidingWindowRateLimiter(o);
  limiter->PauseUntil(t0 + seconds(10));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(sleeper->Sleeps(), std::vector<milliseconds>{milliseconds(1)});
  EXPECT_EQ(clock->Now(), t0 + milliseconds(1));

  o.window = milliseconds(0);  // -> 1 ms as well
  o.max_requests = 2;
  limiter = ccrec::MakeSlidingWindowRateLimiter(o);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now(), t0 + milliseconds(2));
}

}  // namespace
