// SPDX-License-Identifier: Apache-2.0
// CancellationToken, the real clock/sleeper, and CallContext defaults.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>

namespace ccrec {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

TEST(CancellationToken, StartsLive) {
  CancellationToken t;
  EXPECT_FALSE(t.IsCancelled());
}

TEST(CancellationToken, CopiesShareState) {
  CancellationToken a;
  CancellationToken b = a;
  CancellationToken c;
  c = b;
  CancellationToken independent;
  b.Cancel();
  EXPECT_TRUE(a.IsCancelled());
  EXPECT_TRUE(b.IsCancelled());
  EXPECT_TRUE(c.IsCancelled());
  EXPECT_FALSE(independent.IsCancelled());
  b.Cancel();  // idempotent
  EXPECT_TRUE(a.IsCancelled());
}

TEST(CancellationToken, MovedFromTokenStaysUsable) {
  // CallContext is routinely moved; a moved-from context must not crash when asked.
  CancellationToken a;
  CancellationToken b = std::move(a);
  EXPECT_FALSE(a.IsCancelled());  // NOLINT(bugprone-use-after-move): deliberate
  b.Cancel();
  EXPECT_TRUE(b.IsCancelled());
  CallContext ctx;
  CallContext moved = std::move(ctx);
  EXPECT_FALSE(ctx.cancel.IsCancelled());  // NOLINT(bugprone-use-after-move): deliberate
  EXPECT_FALSE(moved.cancel.IsCancelled());
}

TEST(CancellationToken, WaitUntilPastDeadlineReturnsAtOnce) {
  CancellationToken t;
  EXPECT_TRUE(t.WaitUntil(steady_clock::now() - seconds(1)));
  t.Cancel();
  EXPECT_FALSE(t.WaitUntil(steady_clock::now() + seconds(60)));  // already cancelled: no wait
}

TEST(CancellationToken, WaitUntilWakesEarlyOnCancelFromAnotherThread) {
  CancellationToken t;
  auto const start = steady_clock::now();
  std::thread canceller([copy = t] {
    std::this_thread::sleep_for(milliseconds(5));
    copy.Cancel();
  });
  bool const completed = t.WaitUntil(start + seconds(30));
  auto const waited = steady_clock::now() - start;
  canceller.join();
  EXPECT_FALSE(completed);
  EXPECT_LT(waited, seconds(5));
}

TEST(RealSleeper, ZeroSleepAndCancelled) {
  auto sleeper = MakeRealSleeper();
  CancellationToken t;
  EXPECT_TRUE(sleeper->SleepFor(milliseconds(0), t));
  t.Cancel();
  auto const start = steady_clock::now();
  EXPECT_FALSE(sleeper->SleepFor(seconds(30), t));
  EXPECT_LT(steady_clock::now() - start, seconds(5));
}

TEST(SystemClock, IsNow) {
  auto clock = MakeSystemClock();
  auto a = std::chrono::system_clock::now();
  auto b = clock->Now();
  EXPECT_LT(std::chrono::abs(b - a), seconds(5));
}

TEST(CallContext, Defaults) {
  CallContext ctx;
  EXPECT_FALSE(ctx.deadline);
  EXPECT_FALSE(ctx.cancel.IsCancelled());
  EXPECT_FALSE(ctx.retry);
  EXPECT_TRUE(ctx.extra_headers.empty());
  CallContext copy = ctx;
  copy.cancel.Cancel();
  EXPECT_TRUE(ctx.cancel.IsCancelled()) << "a copied context shares its cancellation token";
}

}  // namespace
}  // namespace ccrec
