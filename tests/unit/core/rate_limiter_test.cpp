// RateLimiter: the token bucket never admits more than the configured rate, however many threads
// ask, and a server pause (Retry-After) holds back every caller.
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace {

using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
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

}  // namespace
