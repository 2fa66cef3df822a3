// SPDX-License-Identifier: Apache-2.0
// RateLimiter: the token bucket never admits more than the configured rate, however many threads
// ask, and a server pause (Retry-After) holds back every caller.
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <gtest/gtest.h>

#include "unit/core/limiter_test_util.hpp"

#include <algorithm>
#include <functional>
#include <utility>
#include <thread>
#include <vector>

namespace {

using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec_test::HookSleeper;
using std::chrono::milliseconds;

// With the clock frozen, each Acquire() sleeps exactly until its reserved slot, so the recorded
// sleeps are the slots (relative to now).
TEST(RateLimiterTest, SixtyFourThreadsGetDistinctEvenlySpacedSlots) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>();  // does not advance the clock
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 300;  // one every 200 ms
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
    });
  }
  for (auto& t : threads) t.join();
  auto sleeps = sleeper->Sleeps();  // the first slot (0 ms) does not sleep
  ASSERT_EQ(sleeps.size(), 639u);
  std::sort(sleeps.begin(), sleeps.end());
  for (std::size_t i = 0; i < sleeps.size(); ++i) EXPECT_EQ(sleeps[i], milliseconds(200 * (i + 1)));
}

TEST(RateLimiterTest, NoSixtySecondWindowExceedsTheLimit) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>(clock);  // advances the clock
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 300;
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  std::vector<std::int64_t> times;
  for (int i = 0; i < 900; ++i) {
    ASSERT_TRUE(limiter->Acquire({}).has_value());
    times.push_back(std::chrono::duration_cast<milliseconds>(clock->Now().time_since_epoch()).count());
    if (i % 7 == 0) clock->Advance(milliseconds(13));  // callers also spend time working
  }
  for (std::size_t i = 0; i < times.size(); ++i) {
    auto in_window = std::upper_bound(times.begin(), times.end(), times[i] + 59'999) - (times.begin() + i);
    EXPECT_LE(in_window, 300) << "window starting at request " << i;
  }
}

TEST(RateLimiterTest, BurstAdmitsBackToBackAfterQuiet) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>();
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 60;
  o.burst = 5;
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_TRUE(sleeper->Sleeps().empty());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_EQ(sleeper->Sleeps().size(), 1u);
  EXPECT_EQ(sleeper->Sleeps()[0], milliseconds(1000));
}

TEST(RateLimiterTest, PauseUntilHoldsEveryCallerAndNeverShortens) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>();
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 6000;
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  limiter->PauseUntil(clock->Now() + std::chrono::seconds(30));
  limiter->PauseUntil(clock->Now() + std::chrono::seconds(5));  // shorter: ignored
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  auto sleeps = sleeper->Sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0], std::chrono::seconds(30));
  EXPECT_EQ(sleeps[1], std::chrono::seconds(30) + milliseconds(10));
}

TEST(RateLimiterTest, CancelledAndDeadline) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>();
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 1;
  o.clock = clock;
  o.sleeper = sleeper;
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ccrec::CallContext deadline;
  deadline.deadline = clock->Now() + std::chrono::seconds(10);
  auto late = limiter->Acquire(deadline);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ccrec::ErrorCode::kDeadlineExceeded);
  ccrec::CallContext cancelled;
  cancelled.cancel.Cancel();
  auto c = limiter->Acquire(cancelled);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ccrec::ErrorCode::kCancelled);
}

// Issue 11 item 7: a request that had been granted a slot before a 429 went out inside the
// Retry-After window (measured: a captures request 0.2 s after "Retry-After: 1").
TEST(RateLimiterTest, PauseThatBeginsWhileWaitingHoldsTheWaiterToo) {
  auto clock = std::make_shared<ManualClock>();
  std::shared_ptr<ccrec::RateLimiter> limiter;
  auto const t0 = clock->Now();
  auto sleeper = std::make_shared<HookSleeper>(clock);
  sleeper->hook = [&] { limiter->PauseUntil(t0 + std::chrono::seconds(1)); };
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 300;  // one every 200 ms
  o.clock = clock;
  o.sleeper = sleeper;
  limiter = ccrec::MakeTokenBucketRateLimiter(o);
  ASSERT_TRUE(limiter->Acquire({}).has_value());  // t0, no wait
  ASSERT_TRUE(limiter->Acquire({}).has_value());  // slot t0+200ms; the pause to t0+1s begins meanwhile
  EXPECT_GE(clock->Now() - t0, std::chrono::seconds(1)) << "admitted inside the Retry-After window";
  ASSERT_EQ(sleeper->sleeps.size(), 2u);
  EXPECT_EQ(sleeper->sleeps[0], milliseconds(200));
  EXPECT_EQ(sleeper->sleeps[1], milliseconds(800));
  // The next caller is spaced after the re-reserved slot, not admitted back to back with it.
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  EXPECT_EQ(clock->Now() - t0, milliseconds(1200));
}

TEST(RateLimiterTest, PauseThatBeginsWhileWaitingRespectsTheDeadline) {
  auto clock = std::make_shared<ManualClock>();
  std::shared_ptr<ccrec::RateLimiter> limiter;
  auto const t0 = clock->Now();
  auto sleeper = std::make_shared<HookSleeper>(clock);
  sleeper->hook = [&] { limiter->PauseUntil(t0 + std::chrono::seconds(30)); };
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 300;
  o.clock = clock;
  o.sleeper = sleeper;
  limiter = ccrec::MakeTokenBucketRateLimiter(o);
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ccrec::CallContext ctx;
  ctx.deadline = t0 + std::chrono::seconds(10);
  auto r = limiter->Acquire(ctx);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ccrec::ErrorCode::kDeadlineExceeded);
}

// Issue 11 item 7: one "Retry-After: 999999999" stalled every later call for 31 years.
TEST(RateLimiterTest, PauseIsCutToMaxPause) {
  auto clock = std::make_shared<ManualClock>();
  auto sleeper = std::make_shared<ManualSleeper>();
  ccrec::TokenBucketOptions o;
  o.requests_per_minute = 6000;
  o.clock = clock;
  o.sleeper = sleeper;
  EXPECT_EQ(o.max_pause, std::chrono::minutes(5));
  auto limiter = ccrec::MakeTokenBucketRateLimiter(o);
  limiter->PauseUntil(clock->Now() + std::chrono::seconds(999'999'999));
  ASSERT_TRUE(limiter->Acquire({}).has_value());
  ASSERT_EQ(sleeper->Sleeps().size(), 1u);
  EXPECT_EQ(sleeper->Sleeps()[0], std::chrono::minutes(5));

  o.max_pause = std::chrono::seconds(7);
  auto short_cap = ccrec::MakeTokenBucketRateLimiter(o);
  short_cap->PauseUntil(clock->Now() + std::chrono::hours(1));
  ASSERT_TRUE(short_cap->Acquire({}).has_value());
  ASSERT_EQ(sleeper->Sleeps().size(), 2u);
  EXPECT_EQ(sleeper->Sleeps()[1], std::chrono::seconds(7));
}

}  // namespace
