// SPDX-License-Identifier: Apache-2.0
// A fourth audit: a failed poll at the end of a run (during Finish()'s drain), a poll stopped for good
// outside the watch loop, and an empty download body never end a run as if nothing were lost.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;
using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::huawei::AgentSession;
using ccrec::huawei::EventPoller;
using ccrec::huawei::EventPollerOptions;
using ccrec::huawei::HuaweiSourceOptions;
using DrainClock = std::chrono::steady_clock;

constexpr char kDrainFile[] = "Y:/1/0/20261101/20011/5000.V3";

/// The poll answers that fail without ending the session: each is retried.
std::vector<std::pair<std::string, std::function<Result<HttpResponse>()>>> TransientPollFailures() {
  return {
      {"HTTP 502", [] { return Result<HttpResponse>(MakeResponse(502, "bad gateway")); }},
      {"connection reset",
       [] { return Result<HttpResponse>(ccrec::MakeError(ErrorCode::kTransport, "connection reset by peer")); }},
      {"retcode 000-007", [] { return Result<HttpResponse>(Envelope("000-007")); }},
  };
}

// A drain poll that fails (502, a reset connection, 000-007) ended the drain at once, without a
// word, and the agent was signed out with events still held (lost with exit 0); the drain polls went
// back-to-back, which the gateway answers with 000-007. Now the poll is retried at the usual pace.
TEST(HuaweiDrainFailures, AFailedDrainPollIsRetriedAtTheUsualPace) {
  for (auto const& entry : TransientPollFailures()) {
    SCOPED_TRACE(entry.first);
    auto const failure = entry.second;
    Gateway gw;
    LogCapture log;
    std::atomic<bool> delivered{false};
    std::atomic<bool> failed{false};
    std::mutex mu;
    std::vector<DrainClock::time_point> drain_polls;  // from the failed one on
    gw.deliver = [&](RecordedRequest const&) {
      // The answer carrying the first event arrives once Finish() has begun: the drain goes on.
      EXPECT_TRUE(WaitFor([&] { return log.Contains("finishing the event poll"); }));
      delivered = true;
      return true;
    };
    gw.poll_answer = [&](int) -> std::optional<Result<HttpResponse>> {
      if (!delivered.load()) return std::nullopt;
      {
        std::lock_guard<std::mutex> lock(mu);
        drain_polls.push_back(DrainClock::now());
      }
      if (failed.exchange(true)) return std::nullopt;
      gw.Event(Record("2", "Y:/d2.V3", "c2"));  // held behind the failed answer
      gw.Event(Record("3", "Y:/d3.V3", "c3"));
      return failure();
    };
    AgentSession session(Options(gw.fake));
    ASSERT_TRUE(session.SignIn());
    EventPollerOptions o;
    o.interval = 30ms;
    o.error_backoff = 30ms;
    o.logger = log.Logger();
    EventPoller poller(session, o);
    (void)poller.StopQueuing();
    poller.Start();
    gw.Event(Record("1", "Y:/d1.V3", "c1"));
    ASSERT_TRUE(WaitFor([&] { return gw.Undelivered() == 0; }));  // taken: its answer is on its way
    poller.Finish(10s);
    EXPECT_EQ(poller.TakeLate().size(), 3u) << "events held behind the failed poll would be dropped at sign-out\n"
                                            << ::testing::PrintToString(log.Lines());
    EXPECT_EQ(gw.Undelivered(), 0u);
    EXPECT_FALSE(poller.DrainError()) << poller.DrainError()->ToString();
    EXPECT_TRUE(log.Contains("event poll failed")) << ::testing::PrintToString(log.Lines());
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_GE(drain_polls.size(), 4u);  // failed, d2, d3, empty
    for (std::size_t i = 1; i < drain_polls.size(); ++i) {
      EXPECT_GE(drain_polls[i] - drain_polls[i - 1], 30ms) << "drain poll " << i << " followed without a pause";
    }
  }
}

// A drain poll that keeps failing is retried until the drain limit, and then the drain has failed:
// DrainError() says why and a warning names the cause.
TEST(HuaweiDrainFailures, ADrainPollThatKeepsFailingIsADrainError) {
  Gateway gw;
  LogCapture log;
  std::atomic<int> drain_polls{0};
  gw.poll_answer = [&](int) -> std::optional<Result<HttpResponse>> {
    if (!log.Contains("finishing the event poll")) return std::nullopt;
    ++drain_polls;
    return Envelope("000-007");
  };
  AgentSession session(Options(gw.fake));
  ASSERT_TRUE(session.SignIn());
  EventPollerOptions o;
  o.interval = 5ms;
  o.error_backoff = 10ms;
  o.logger = log.Logger();
  EventPoller poller(session, o);
  (void)poller.StopQueuing();
  poller.Start();
  ASSERT_TRUE(WaitFor([&] { return gw.polls.load() >= 2; }));
  auto const begun = DrainClock::now();
  poller.Finish(150ms);
  EXPECT_GE(DrainClock::now() - begun, 150ms) << "the drain gave up before its limit";
  EXPECT_FALSE(poller.Running());
  EXPECT_GE(drain_polls.load(), 2) << "the failed drain poll was not retried";
  EXPECT_LE(drain_polls.load(), 12) << "the drain polls were not paced by the backoff";
  auto drain = poller.DrainError();
  ASSERT_TRUE(drain) << ::testing::PrintToString(log.Lines());
  EXPECT_EQ(drain->vendor_code, "000-007");
  EXPECT_NE(drain->message.find("drain limit (150 ms)"), std::string::npos) << drain->message;
  EXPECT_TRUE(log.Contains("warn Huawei agent 20011: the event poll still failed when its end-of-run drain limit"))
      << ::testing::PrintToString(log.Lines());
}

}  // namespace
