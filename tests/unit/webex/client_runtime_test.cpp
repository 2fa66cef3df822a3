// SPDX-License-Identifier: Apache-2.0
// ::ccrec::detail::ClientRuntime: the transport, clock, sleeper, backoff and logger every vendor client
// holds (webex::Client, webex::OAuthClient and face::Client derive their Impl from it).

#include "internal/client_runtime.hpp"

#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace ccrec {
namespace {

TEST(ClientRuntime, KeepsWhatIsGivenAndEnvPointsIntoIt) {
  auto transport = std::make_shared<testing::FakeHttpTransport>();
  auto clock = std::make_shared<testing::ManualClock>();
  auto sleeper = std::make_shared<testing::ManualSleeper>(clock);
  RetryPolicy retry;
  retry.max_attempts = 3;
  ::ccrec::detail::ClientRuntime runtime(transport, clock, sleeper, retry, Logger{});
  EXPECT_EQ(runtime.transport, transport);
  EXPECT_EQ(runtime.clock, clock);
  EXPECT_EQ(runtime.sleeper, sleeper);
  EXPECT_EQ(runtime.backoff.Policy().max_attempts, 3);
  auto env = runtime.Env();
  EXPECT_EQ(env.backoff, &runtime.backoff);
  EXPECT_EQ(env.clock, clock.get());
  EXPECT_EQ(env.sleeper, sleeper.get());
  EXPECT_EQ(env.logger, &runtime.logger);
}

TEST(ClientRuntime, FillsTheClockAndSleeperDefaults) {
  auto transport = std::make_shared<testing::FakeHttpTransport>();
  ::ccrec::detail::ClientRuntime runtime(transport, nullptr, nullptr, RetryPolicy{}, Logger{});
  EXPECT_EQ(runtime.transport, transport);
  ASSERT_NE(runtime.clock, nullptr);
  ASSERT_NE(runtime.sleeper, nullptr);
  auto const before = std::chrono::system_clock::now();
  auto const now = runtime.clock->Now();  // MakeSystemClock(): the real time
  EXPECT_LE(before - std::chrono::seconds(1), now);
  EXPECT_LE(now, std::chrono::system_clock::now() + std::chrono::seconds(1));
  EXPECT_EQ(runtime.backoff.Policy().max_attempts, RetryPolicy{}.max_attempts);
}

}  // namespace
}  // namespace ccrec
