// SPDX-License-Identifier: Apache-2.0
// MakeRedisRateLimiter against a real redis-server: the window and the Retry-After pause are
// shared by limiter instances with their own connections (as separate processes would be).

#include "integration/redis/redis_server.hpp"

#include <ccrec/redis/redis_rate_limiter.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using ccrec::CallContext;
using ccrec::ErrorCode;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

ccrec::redis::RedisRateLimiterOptions Options(ccrec_it::RedisServer const& redis, std::size_t max, std::chrono::milliseconds window,
                                              std::string key = "t:ratelimit:C1") {
  auto loc = ccrec::redis::ParseRedisUrl(redis.Url());
  EXPECT_TRUE(loc);
  ccrec::redis::RedisRateLimiterOptions o;
  o.server = loc->server;
  o.key = std::move(key);
  o.max_requests = max;
  o.window = window;
  o.margin = 0ms;
  return o;
}

CallContext Within(std::chrono::milliseconds d) {
  CallContext ctx;
  ctx.deadline = std::chrono::system_clock::now() + d;
  return ctx;
}

TEST(RedisRateLimiter, WindowIsSharedBetweenInstances) {
  auto redis = ccrec_it::RedisServer::Start();
  auto a = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 5, 1500ms));
  auto b = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 5, 1500ms));
  auto t0 = Steady::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(a->Acquire({})) << i;
  // b has its own connection and has admitted nothing itself, yet the window is full.
  auto refused = b->Acquire(Within(200ms));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kDeadlineExceeded);
  ASSERT_TRUE(b->Acquire({}));
  EXPECT_GE(Steady::now() - t0, 1400ms);  // the server's clock may round a millisecond either way
  // The window never holds more than five (how many of a's left it depends on their spacing).
  EXPECT_LE(std::stoi(redis->Command({"ZCARD", "t:ratelimit:C1"}).value_or("99")), 5);
}

TEST(RedisRateLimiter, KeysAreIndependent) {
  auto redis = ccrec_it::RedisServer::Start();
  auto c1 = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 2, 10s, "t:ratelimit:C1"));
  auto c2 = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 2, 10s, "t:ratelimit:C2"));
  ASSERT_TRUE(c1->Acquire({}));
  ASSERT_TRUE(c1->Acquire({}));
  EXPECT_FALSE(c1->Acquire(Within(50ms)));
  EXPECT_TRUE(c2->Acquire(Within(50ms)));
}

TEST(RedisRateLimiter, ManyThreadsOfSeveralInstancesNeverExceedTheWindow) {
  auto redis = ccrec_it::RedisServer::Start();
  constexpr int kInstances = 3;
  constexpr int kThreads = 4;
  constexpr int kEach = 5;  // 60 admissions at 20 per 400 ms: three windows
  std::vector<std::shared_ptr<ccrec::RateLimiter>> limiters;
  for (int i = 0; i < kInstances; ++i) limiters.push_back(ccrec::redis::MakeRedisRateLimiter(Options(*redis, 20, 400ms)));
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<Steady::time_point> times;
  std::vector<std::thread> threads;
  auto t0 = Steady::now();
  for (int i = 0; i < kInstances * kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < kEach; ++k) {
        if (!limiters[i % kInstances]->Acquire({})) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        times.push_back(Steady::now());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // 60 admissions, at most 20 per 400 ms: the last 20 cannot start before 800 ms.
  EXPECT_GE(Steady::now() - t0, 780ms);
  // Any 21 consecutive admissions span at least the window (client-side time stamps, taken
  // right after Acquire returned; 150 ms of slack for a thread descheduled on a loaded machine).
  std::sort(times.begin(), times.end());
  ASSERT_EQ(times.size(), static_cast<std::size_t>(kInstances * kThreads * kEach));
  for (std::size_t i = 0; i + 20 < times.size(); ++i) {
    EXPECT_GE(times[i + 20] - times[i], 250ms) << "admissions " << i << " and " << i + 20;
  }
}

TEST(RedisRateLimiter, PauseIsSharedAndNeverShortened) {
  auto redis = ccrec_it::RedisServer::Start();
  auto a = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 100, 60s));
  auto b = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 100, 60s));
  auto t0 = Steady::now();
  a->PauseUntil(std::chrono::system_clock::now() + 800ms);
  a->PauseUntil(std::chrono::system_clock::now() + 100ms);  // does not shorten it
  auto pttl = std::stoll(redis->Command({"PTTL", "t:ratelimit:C1:pause"}).value_or("0"));
  EXPECT_GT(pttl, 500);
  auto refused = b->Acquire(Within(300ms));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kDeadlineExceeded);
  ASSERT_TRUE(b->Acquire({}));
  EXPECT_GE(Steady::now() - t0, 750ms);
}

TEST(RedisRateLimiter, PauseIsCutToMaxPause) {
  auto redis = ccrec_it::RedisServer::Start();
  auto o = Options(*redis, 100, 60s);
  o.max_pause = 200ms;
  auto a = ccrec::redis::MakeRedisRateLimiter(o);
  a->PauseUntil(std::chrono::system_clock::now() + std::chrono::hours(24 * 365));
  auto pttl = std::stoll(redis->Command({"PTTL", "t:ratelimit:C1:pause"}).value_or("0"));
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 201);
}

TEST(RedisRateLimiter, ScriptCacheFlushFallsBackToEval) {
  auto redis = ccrec_it::RedisServer::Start();
  auto a = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 100, 60s));
  ASSERT_TRUE(a->Acquire({}));
  redis->Command({"SCRIPT", "FLUSH"});
  auto again = a->Acquire({});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(redis->Command({"ZCARD", "t:ratelimit:C1"}).value_or(""), "2");
}

TEST(RedisRateLimiter, CancelWakesAWaiter) {
  auto redis = ccrec_it::RedisServer::Start();
  auto a = ccrec::redis::MakeRedisRateLimiter(Options(*redis, 1, 60s));
  ASSERT_TRUE(a->Acquire({}));
  CallContext ctx;
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    ctx.cancel.Cancel();
  });
  auto t0 = Steady::now();
  auto r = a->Acquire(ctx);
  canceller.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_LT(Steady::now() - t0, 10s);
}

TEST(RedisRateLimiter, UnreachableRedisIsUnavailableAndNamesTheServer) {
  int port = 0;
  {
    auto redis = ccrec_it::RedisServer::Start();
    port = redis->Port();
  }  // stopped: nothing listens there now
  auto loc = ccrec::redis::ParseRedisUrl("redis://:hunter2@127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(loc);
  ccrec::redis::RedisRateLimiterOptions o;
  o.server = loc->server;
  auto a = ccrec::redis::MakeRedisRateLimiter(o);
  auto r = a->Acquire({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
