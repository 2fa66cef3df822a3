// SPDX-License-Identifier: Apache-2.0
// Backoff, IsRetryable and ::ccrec::detail::RunWithRetries, all on manual time.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/retry_loop.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ManualClock;
using testing::ManualSleeper;

Error Err(ErrorCode code, int status = 0) {
  Error e = MakeError(code, "test error");
  e.http_status = status;
  return e;
}

TEST(IsRetryable, RetryableClasses) {
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kRateLimited, 429)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kUnavailable, 500)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kUnavailable, 502)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kUnavailable, 503)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kUnavailable, 504)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kTransport)));
  EXPECT_TRUE(IsRetryable(Err(ErrorCode::kDeadlineExceeded, 408)));
}

TEST(IsRetryable, NonRetryableClasses) {
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kDeadlineExceeded)));  // the caller's deadline
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kCancelled)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kUnauthenticated, 401)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kPermissionDenied, 403)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kNotFound, 404)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kInvalidArgument, 400)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kParse)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kIntegrity)));
  EXPECT_FALSE(IsRetryable(Err(ErrorCode::kInternal)));
}

RetryPolicy Policy(int attempts = 100) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.max_elapsed = std::chrono::hours(24);
  p.initial_backoff = milliseconds(100);
  p.max_backoff = milliseconds(1600);
  p.multiplier = 2.0;
  p.max_retry_after = seconds(60);
  return p;
}

TEST(Backoff, DefaultPolicy) {
  RetryPolicy p;
  EXPECT_EQ(p.max_attempts, 6);
  EXPECT_EQ(p.max_elapsed, std::chrono::minutes(2));
  EXPECT_EQ(p.initial_backoff, milliseconds(250));
  EXPECT_EQ(p.max_backoff, seconds(30));
  EXPECT_DOUBLE_EQ(p.multiplier, 2.0);
  EXPECT_EQ(p.max_retry_after, std::chrono::minutes(5));
}

TEST(Backoff, FullJitterStaysWithinTruncatedCeiling) {
  Backoff backoff(Policy(), /*seed=*/12345);
  auto const err = Err(ErrorCode::kUnavailable, 503);
  // ceiling(attempt) = min(1600, 100 * 2^(attempt-1)): 100, 200, 400, 800, 1600, 1600, ...
  for (int attempt = 1; attempt <= 8; ++attempt) {
    std::int64_t const ceiling = std::min<std::int64_t>(1600, 100LL << (attempt - 1));
    std::int64_t lo = ceiling;
    std::int64_t hi = 0;
    double sum = 0;
    constexpr int kDraws = 2000;
    for (int i = 0; i < kDraws; ++i) {
      auto d = backoff.NextDelay(err, attempt, milliseconds(0));
      ASSERT_TRUE(d.has_value()) << "attempt " << attempt;
      ASSERT_GE(d->count(), 0);
      ASSERT_LE(d->count(), ceiling) << "attempt " << attempt;
      lo = std::min<std::int64_t>(lo, d->count());
      hi = std::max<std::int64_t>(hi, d->count());
      sum += static_cast<double>(d->count());
    }
    // Full jitter: the draws cover the whole range, not just a band near the ceiling.
    EXPECT_LT(lo, ceiling / 10) << "attempt " << attempt;
    EXPECT_GT(hi, ceiling * 9 / 10) << "attempt " << attempt;
    double mean = sum / kDraws;
    EXPECT_NEAR(mean, static_cast<double>(ceiling) / 2, static_cast<double>(ceiling) * 0.1);
  }
}

TEST(Backoff, SameSeedSameSequence) {
  Backoff a(Policy(), 7);
  Backoff b(Policy(), 7);
  auto const err = Err(ErrorCode::kTransport);
  for (int i = 1; i < 50; ++i) {
    EXPECT_EQ(a.NextDelay(err, 3, milliseconds(0)), b.NextDelay(err, 3, milliseconds(0)));
  }
}

TEST(Backoff, HugeAttemptNumberIsTruncated) {
  Backoff backoff(Policy(100000), 1);
  for (int attempt : {60, 64, 1000, 5000}) {
    auto d = backoff.NextDelay(Err(ErrorCode::kTransport), attempt, milliseconds(0));
    ASSERT_TRUE(d);
    EXPECT_GE(d->count(), 0);
    EXPECT_LE(d->count(), 1600);
  }
}

TEST(Backoff, ZeroBackoffIsZero) {
  RetryPolicy p = Policy();
  p.initial_backoff = milliseconds(0);
  p.max_backoff = milliseconds(0);
  Backoff backoff(p, 3);
  for (int i = 1; i < 5; ++i) EXPECT_EQ(backoff.NextDelay(Err(ErrorCode::kTransport), i, milliseconds(0)), milliseconds(0));
}

TEST(Backoff, NegativeBackoffSettingsAreClampedToZero) {
  RetryPolicy p = Policy();
  p.initial_backoff = milliseconds(-5);
  p.max_backoff = milliseconds(-1);
  Backoff backoff(p, 3);
  EXPECT_EQ(backoff.NextDelay(Err(ErrorCode::kTransport), 1, milliseconds(0)), milliseconds(0));
}

TEST(Backoff, StopsAfterMaxAttempts) {
  Backoff backoff(Policy(3), 1);
  auto const err = Err(ErrorCode::kUnavailable, 503);
  EXPECT_TRUE(backoff.NextDelay(err, 1, milliseconds(0)));
  EXPECT_TRUE(backoff.NextDelay(err, 2, milliseconds(0)));
  EXPECT_FALSE(backoff.NextDelay(err, 3, milliseconds(0)));  // the third attempt was the last
  EXPECT_FALSE(backoff.NextDelay(err, 4, milliseconds(0)));
}

TEST(Backoff, OneAttemptDisablesRetries) {
  Backoff backoff(Policy(1), 1);
  EXPECT_FALSE(backoff.NextDelay(Err(ErrorCode::kTransport), 1, milliseconds(0)));
}

TEST(Backoff, StopsWhenElapsedExhausted) {
  RetryPolicy p = Policy();
  p.max_elapsed = seconds(10);
  Backoff backoff(p, 1);
  auto const err = Err(ErrorCode::kTransport);
  EXPECT_TRUE(backoff.NextDelay(err, 1, seconds(5)));
  EXPECT_FALSE(backoff.NextDelay(err, 1, seconds(10)));
  EXPECT_FALSE(backoff.NextDelay(err, 1, seconds(11)));
}

TEST(Backoff, StopsWhenDelayWouldPassElapsedLimit) {
  RetryPolicy p = Policy();
  p.max_elapsed = seconds(10);
  Backoff backoff(p, 1);
  Error e = Err(ErrorCode::kRateLimited, 429);
  e.retry_after = seconds(5);
  EXPECT_TRUE(backoff.NextDelay(e, 1, seconds(4)));
  EXPECT_FALSE(backoff.NextDelay(e, 1, seconds(6)));  // 6 s + 5 s > 10 s
}

TEST(Backoff, RetryAfterIsHonoured) {
  Backoff backoff(Policy(), 99);
  Error e = Err(ErrorCode::kRateLimited, 429);
  e.retry_after = seconds(7);  // far above the 100..1600 ms jitter range
  for (int i = 0; i < 200; ++i) {
    auto d = backoff.NextDelay(e, 1 + i % 5, milliseconds(0));
    ASSERT_TRUE(d);
    EXPECT_GE(*d, seconds(7));
    EXPECT_LE(*d, seconds(7));  // max(jitter, retry_after)
  }
  e.retry_after = milliseconds(1);  // below the jitter: still at least 1 ms
  for (int i = 0; i < 200; ++i) {
    auto d = backoff.NextDelay(e, 5, milliseconds(0));
    ASSERT_TRUE(d);
    EXPECT_GE(*d, milliseconds(1));
    EXPECT_LE(*d, milliseconds(1600));
  }
}

TEST(Backoff, RetryAfterAboveMaxStops) {
  Backoff backoff(Policy(), 1);
  Error e = Err(ErrorCode::kRateLimited, 429);
  e.retry_after = seconds(60);  // == max_retry_after: still waited for
  EXPECT_EQ(backoff.NextDelay(e, 1, milliseconds(0)), seconds(60));
  e.retry_after = seconds(61);
  EXPECT_FALSE(backoff.NextDelay(e, 1, milliseconds(0)));
}

TEST(Backoff, NonRetryableStops) {
  Backoff backoff(Policy(), 1);
  for (auto code : {ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied, ErrorCode::kNotFound,
                    ErrorCode::kInvalidArgument, ErrorCode::kParse, ErrorCode::kIntegrity, ErrorCode::kInternal,
                    ErrorCode::kCancelled, ErrorCode::kDeadlineExceeded}) {
    Error e = Err(code);
    e.retry_after = seconds(1);  // a Retry-After does not make an error retryable
    EXPECT_FALSE(backoff.NextDelay(e, 1, milliseconds(0))) << ToString(code);
  }
}

// ---------------------------------------------------------------------------------------------
// RunWithRetries

struct Env {
  explicit Env(RetryPolicy policy = Policy(5))
      : backoff(policy, 42), clock(std::make_shared<ManualClock>()), sleeper(clock) {
    env.backoff = &backoff;
    env.clock = clock.get();
    env.sleeper = &sleeper;
  }
  Backoff backoff;
  std::shared_ptr<ManualClock> clock;
  ManualSleeper sleeper;
  ::ccrec::detail::RetryEnv env;
};

TEST(RunWithRetries, SucceedsFirstTime) {
  Env t;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int n) -> Result<int> {
    ++calls;
    EXPECT_EQ(n, calls);
    return 5;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(t.sleeper.Sleeps().empty());
}

TEST(RunWithRetries, RetriesThenSucceeds) {
  Env t;
  auto const start = t.clock->Now();
  std::vector<int> seen;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int n) -> Result<std::string> {
    seen.push_back(n);
    if (n < 3) return Err(ErrorCode::kUnavailable, 503);
    return std::string("ok");
  });
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, "ok");
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(t.sleeper.Sleeps().size(), 2u);
  EXPECT_LE(t.sleeper.Sleeps()[0], milliseconds(100));
  EXPECT_LE(t.sleeper.Sleeps()[1], milliseconds(200));
  // The manual sleeper advanced the manual clock by exactly what was slept.
  EXPECT_EQ(t.clock->Now() - start, t.sleeper.Total());
}

TEST(RunWithRetries, ResultVoid) {
  Env t;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int) -> Result<void> {
    if (++calls == 1) return Err(ErrorCode::kTransport);
    return {};
  });
  EXPECT_TRUE(r);
  EXPECT_EQ(calls, 2);
}

TEST(RunWithRetries, GivesUpAfterMaxAttemptsWithLastError) {
  Env t(Policy(4));
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int n) -> Result<int> {
    ++calls;
    Error e = Err(ErrorCode::kUnavailable, 500 + n);
    return e;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r.error().http_status, 504);
  EXPECT_EQ(t.sleeper.Sleeps().size(), 3u);
}

TEST(RunWithRetries, NonIdempotentIsNotRetried) {
  Env t;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, false, "POST", [&](int) -> Result<int> {
    ++calls;
    return Err(ErrorCode::kUnavailable, 503);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(t.sleeper.Sleeps().empty());
}

TEST(RunWithRetries, NonRetryableErrorIsReturnedAtOnce) {
  Env t;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int) -> Result<int> {
    ++calls;
    return Err(ErrorCode::kNotFound, 404);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(calls, 1);
}

TEST(RunWithRetries, RetryAfterIsSlept) {
  Env t;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int) -> Result<int> {
    if (++calls == 1) {
      Error e = Err(ErrorCode::kRateLimited, 429);
      e.retry_after = seconds(3);
      return e;
    }
    return 1;
  });
  ASSERT_TRUE(r);
  ASSERT_EQ(t.sleeper.Sleeps().size(), 1u);
  EXPECT_EQ(t.sleeper.Sleeps()[0], seconds(3));
}

// Issue 11 item 7: a Retry-After beyond max_retry_after fails the call at once with
// kRateLimited and says why; the shared pause it implies is cut to max_retry_after.
TEST(RunWithRetries, RetryAfterBeyondMaxFailsAtOnceAndSaysWhy) {
  Env t;  // max_retry_after 60 s
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "Webex GET /v1/tasks", [&](int) -> Result<int> {
    ++calls;
    Error e = Err(ErrorCode::kRateLimited, 429);
    e.retry_after = seconds(999'999'999);
    return e;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(t.sleeper.Sleeps().empty());
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(r.error().http_status, 429);
  EXPECT_NE(r.error().message.find("999999999 s"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("max_retry_after (60 s)"), std::string::npos) << r.error().message;

  // A Retry-After within the limit keeps the plain message when the attempts run out.
  Env one(Policy(1));
  auto plain = ::ccrec::detail::RunWithRetries(one.env, CallContext{}, true, "op", [&](int) -> Result<int> {
    Error e = Err(ErrorCode::kRateLimited, 429);
    e.retry_after = seconds(60);
    return e;
  });
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().message, "test error");
}

TEST(SharedPauseFor, IsTheRetryAfterCutToMaxRetryAfter) {
  RetryPolicy p = Policy();  // max_retry_after 60 s
  Error e = Err(ErrorCode::kRateLimited, 429);
  EXPECT_FALSE(::ccrec::detail::SharedPauseFor(e, p));
  e.retry_after = seconds(20);
  EXPECT_EQ(::ccrec::detail::SharedPauseFor(e, p), seconds(20));
  e.retry_after = seconds(999'999'999);
  EXPECT_EQ(::ccrec::detail::SharedPauseFor(e, p), seconds(60));
}

TEST(RunWithRetries, AlreadyCancelledMakesNoAttempt) {
  Env t;
  CallContext ctx;
  ctx.cancel.Cancel();
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    return 1;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(calls, 0);
}

// A sleeper whose sleep is interrupted by cancellation (as if another thread cancelled).
class CancellingSleeper : public Sleeper {
 public:
  bool SleepFor(milliseconds, CancellationToken const& cancel) override {
    ++sleeps;
    cancel.Cancel();
    return !cancel.IsCancelled();
  }
  int sleeps = 0;
};

TEST(RunWithRetries, CancelledDuringSleepReturnsCancelled) {
  Env t;
  CancellingSleeper sleeper;
  t.env.sleeper = &sleeper;
  CallContext ctx;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "Webex GET /v1/tasks", [&](int) -> Result<int> {
    ++calls;
    return Err(ErrorCode::kUnavailable, 503);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_NE(r.error().message.find("Webex GET /v1/tasks"), std::string::npos) << r.error().message;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(sleeper.sleeps, 1);
}

TEST(RunWithRetries, CancelledDuringAttemptStopsBeforeSleeping) {
  Env t;
  CallContext ctx;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    ctx.cancel.Cancel();
    return Err(ErrorCode::kTransport);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST(RunWithRetries, DeadlinePassedMakesNoAttempt) {
  Env t;
  CallContext ctx;
  ctx.deadline = t.clock->Now();
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    return 1;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 0);
}

TEST(RunWithRetries, NeverSleepsPastDeadline) {
  Env t;
  CallContext ctx;
  ctx.deadline = t.clock->Now() + seconds(10);
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    Error e = Err(ErrorCode::kRateLimited, 429);
    e.retry_after = seconds(4);
    return e;
  });
  ASSERT_FALSE(r);
  // Attempts at t=0, 4, 8; a third sleep would end at 12 s > deadline.
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(t.sleeper.Total(), seconds(8));
  EXPECT_LE(t.clock->Now(), *ctx.deadline);
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);  // the real reason, not a synthetic one
}

TEST(RunWithRetries, DeadlineReachedWhileAttemptRuns) {
  Env t;
  CallContext ctx;
  ctx.deadline = t.clock->Now() + seconds(10);
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    t.clock->Advance(seconds(11));  // the attempt itself used up the deadline
    return Err(ErrorCode::kTransport);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(t.sleeper.Sleeps().empty());
}

TEST(RunWithRetries, ContextRetryOverridesPolicy) {
  Env t(Policy(10));
  CallContext ctx;
  RetryPolicy once;
  once.max_attempts = 2;
  once.initial_backoff = milliseconds(1);
  once.max_backoff = milliseconds(1);
  ctx.retry = once;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    return Err(ErrorCode::kUnavailable, 503);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(t.sleeper.Sleeps().size(), 1u);
  EXPECT_LE(t.sleeper.Sleeps()[0], milliseconds(1));

  RetryPolicy none;
  none.max_attempts = 1;
  ctx.retry = none;
  calls = 0;
  auto r2 = ::ccrec::detail::RunWithRetries(t.env, ctx, true, "op", [&](int) -> Result<int> {
    ++calls;
    return Err(ErrorCode::kUnavailable, 503);
  });
  EXPECT_FALSE(r2);
  EXPECT_EQ(calls, 1);
}

TEST(RunWithRetries, ElapsedLimitUsesInjectedClock) {
  RetryPolicy p = Policy(100);
  p.max_elapsed = seconds(30);
  Env t(p);
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "op", [&](int) -> Result<int> {
    ++calls;
    t.clock->Advance(seconds(11));
    return Err(ErrorCode::kTransport);
  });
  ASSERT_FALSE(r);
  // Elapsed after each attempt: 11 s, 22 s (+ small sleeps), 33 s -> stop.
  EXPECT_EQ(calls, 3);
}

TEST(RunWithRetries, LogsRetriesRedacted) {
  Env t;
  std::vector<std::string> lines;
  Logger logger(LogLevel::kInfo, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
  t.env.logger = &logger;
  int calls = 0;
  auto r = ::ccrec::detail::RunWithRetries(t.env, CallContext{}, true, "GET /x?access_token=SECRET", [&](int) -> Result<int> {
    if (++calls == 1) return Err(ErrorCode::kTransport);
    return 1;
  });
  ASSERT_TRUE(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("attempt 1 failed"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("SECRET"), std::string::npos) << lines[0];
}

TEST(CheckContext, Basics) {
  CallContext ctx;
  auto now = std::chrono::system_clock::now();
  EXPECT_FALSE(::ccrec::detail::CheckContext(ctx, now));
  ctx.deadline = now + seconds(1);
  EXPECT_FALSE(::ccrec::detail::CheckContext(ctx, now));
  auto e = ::ccrec::detail::CheckContext(ctx, now + seconds(1));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ErrorCode::kDeadlineExceeded);
  ctx.cancel.Cancel();
  e = ::ccrec::detail::CheckContext(ctx, now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ErrorCode::kCancelled);  // cancellation wins
}

}  // namespace
}  // namespace ccrec

namespace {
TEST(IsRetryableTlsTest, CertificateVerificationFailureIsNotRetried) {
  ccrec::Error tls = ccrec::MakeError(ccrec::ErrorCode::kTransport, "TLS certificate verification failed");
  tls.vendor_code = ccrec::kTlsVerificationFailed;
  EXPECT_FALSE(ccrec::IsRetryable(tls));
  EXPECT_TRUE(ccrec::IsRetryable(ccrec::MakeError(ccrec::ErrorCode::kTransport, "connection reset")));
}
}  // namespace
