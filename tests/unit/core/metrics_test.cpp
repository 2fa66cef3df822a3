// SPDX-License-Identifier: Apache-2.0
// RequestMetrics and its decorators: every request's outcome is counted once, responses pass
// through untouched, and rate-limiter waits are measured on the injected clock.
#include <ccrec/core/metrics.hpp>
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace {

using ccrec::CallContext;
using ccrec::ErrorCode;
using ccrec::HttpRequest;
using ccrec::MakeError;
using ccrec::RequestMetrics;

HttpRequest MeteredGet(std::string url) {
  HttpRequest r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

TEST(MeteredTransport, CountsEachStatusAndTransportErrorsAndPassesResponsesThrough) {
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  fake->EnqueueResponse(200, "first");
  fake->EnqueueResponse(429, "slow down", {{"Retry-After", "3"}});
  fake->EnqueueResponse(200, "second");
  fake->EnqueueError(MakeError(ErrorCode::kTransport, "connection reset"));
  auto metrics = std::make_shared<RequestMetrics>();
  auto metered = ccrec::MakeMeteredTransport(fake, metrics);

  auto a = metered->Send(MeteredGet("https://api.example/a"), CallContext{});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(*a->ReadAll(), "first");
  auto b = metered->Send(MeteredGet("https://api.example/b"), CallContext{});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 429);
  EXPECT_EQ(b->Header("retry-after").value_or(""), "3");
  ASSERT_TRUE(metered->Send(MeteredGet("https://api.example/c"), CallContext{}));
  auto d = metered->Send(MeteredGet("https://api.example/d"), CallContext{});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kTransport);

  auto snap = metrics->Read();
  EXPECT_EQ(snap.responses.at(200), 2u);
  EXPECT_EQ(snap.responses.at(429), 1u);
  EXPECT_EQ(snap.responses.size(), 2u);
  EXPECT_EQ(snap.transport_errors, 1u);
  EXPECT_EQ(snap.TooManyRequests(), 1u);
  EXPECT_EQ(snap.Requests(), 4u);
  EXPECT_EQ(fake->RequestCount(), 4u);
}

TEST(MeteredTransport, ConcurrentSendsAreAllCounted) {
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  fake->Route("GET", "/x", [](ccrec::testing::RecordedRequest const&) {
    ccrec::HttpResponse r;
    r.status = 204;
    return ccrec::Result<ccrec::HttpResponse>(std::move(r));
  });
  auto metrics = std::make_shared<RequestMetrics>();
  auto metered = ccrec::MakeMeteredTransport(fake, metrics);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(metered->Send(MeteredGet("https://api.example/x"), CallContext{}));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(metrics->Read().responses.at(204), 400u);
}

TEST(MeteredRateLimiter, RecordsTheTimeEachAcquireWaitedOnTheInjectedClock) {
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  auto sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  ccrec::SlidingWindowOptions o;
  o.max_requests = 2;
  o.window = std::chrono::seconds(60);
  o.margin = std::chrono::seconds(0);
  o.clock = clock;
  o.sleeper = sleeper;
  auto metrics = std::make_shared<RequestMetrics>();
  auto limiter = ccrec::MakeMeteredRateLimiter(ccrec::MakeSlidingWindowRateLimiter(o), metrics, clock);

  ASSERT_TRUE(limiter->Acquire(CallContext{}));
  ASSERT_TRUE(limiter->Acquire(CallContext{}));
  EXPECT_EQ(metrics->Read().limiter_wait, std::chrono::nanoseconds(0));
  ASSERT_TRUE(limiter->Acquire(CallContext{}));  // the window is full: waits 60 s
  auto snap = metrics->Read();
  EXPECT_EQ(snap.limiter_acquires, 3u);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(snap.limiter_wait).count(), 60);
  EXPECT_EQ(sleeper->Total(), std::chrono::seconds(60));
}

TEST(MeteredRateLimiter, ForwardsPausesToTheInnerLimiter) {
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  auto sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  ccrec::SlidingWindowOptions o;
  o.clock = clock;
  o.sleeper = sleeper;
  auto metrics = std::make_shared<RequestMetrics>();
  auto limiter = ccrec::MakeMeteredRateLimiter(ccrec::MakeSlidingWindowRateLimiter(o), metrics, clock);
  limiter->PauseUntil(clock->Now() + std::chrono::seconds(7));
  ASSERT_TRUE(limiter->Acquire(CallContext{}));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(metrics->Read().limiter_wait).count(), 7);
}

}  // namespace
