// SPDX-License-Identifier: Apache-2.0
// The fourth audit: a poll answer that arrives (HTTP 200) but cannot be read — cut off, over the 1 MiB
// cap, not JSON, without retcode — lost the events it carried (the gateway delivers each once) and
// was only a retried poll failure: the run ended with exit 0. Now it is counted, the poll goes on,
// and the run ends with an error naming it; a poll that failed before an answer arrived does not.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
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

constexpr char kUnreadableFile[] = "Y:/1/0/20261101/20011/6000.V3";
constexpr char kUnreadableRecord[] =
    R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":{"taskId":7,"fileName":"Y:/lost.V3"}})";

/// A 200 answer with `body`, without Content-Length, whose reader fails with `cut` after the body.
HttpResponse UnreadableOk(std::string body, std::optional<ccrec::Error> cut = {}) {
  HttpResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json;charset=UTF-8"}};
  r.body = ccrec::testing::MakeStringBodyReader(std::move(body), 65536, std::move(cut));
  return r;
}

/// Poll answers that arrived but cannot be read; each carried a record event.
std::vector<std::pair<std::string, std::function<Result<HttpResponse>()>>> UnreadableAnswers() {
  std::string const full = std::string(R"({"message":"","retcode":"0","event":)") + kUnreadableRecord + "}";
  return {
      {"cut off", [full] {
         return Result<HttpResponse>(UnreadableOk(full.substr(0, 60), ccrec::MakeError(ErrorCode::kTransport,
                                                                                        "connection reset by peer")));
       }},
      {"timed out in the body", [full] {
         return Result<HttpResponse>(
             UnreadableOk(full.substr(0, 30), ccrec::MakeError(ErrorCode::kDeadlineExceeded, "read timed out")));
       }},
      {"over 1 MiB", [full] {
         std::string big = full;
         big.insert(big.size() - 1, std::size_t{1} << 20, ' ');
         return Result<HttpResponse>(UnreadableOk(big));
       }},
      {"invalid JSON", [full] { return Result<HttpResponse>(UnreadableOk(full.substr(0, full.size() - 1))); }},
      {"no retcode", [] {
         return Result<HttpResponse>(UnreadableOk(std::string(R"({"message":"","event":)") + kUnreadableRecord + "}"));
       }},
  };
}

/// Polls with `second()` as the second poll's answer until the poll has gone on after it, then
/// hands the finished poller to `check`.
void PollPast(std::function<Result<HttpResponse>()> second, ccrec::Logger const& logger,
              std::function<void(EventPoller const&)> const& check) {
  Gateway gw;
  gw.poll_answer = [second = std::move(second)](int n) -> std::optional<Result<HttpResponse>> {
    if (n == 2) return second();
    return std::nullopt;
  };
  AgentSession session(Options(gw.fake));
  ASSERT_TRUE(session.SignIn());
  EventPollerOptions o;
  o.interval = 1ms;
  o.error_backoff = 1ms;
  o.logger = logger;
  EventPoller poller(session, o);
  poller.Start();
  EXPECT_TRUE(WaitFor([&] { return gw.polls.load() >= 4; }));
  poller.Finish(1s);
  check(poller);
}

TEST(HuaweiUnreadableAnswers, AnAnswerThatArrivedButCannotBeReadIsCountedAndNamed) {
  for (auto const& entry : UnreadableAnswers()) {
    SCOPED_TRACE(entry.first);
    LogCapture log;
    PollPast(entry.second, log.Logger(), [&](EventPoller const& poller) {
      EXPECT_EQ(poller.UnreadableAnswers(), 1u) << ::testing::PrintToString(log.Lines());
      auto error = poller.UnreadableAnswerError();
      ASSERT_TRUE(error) << "an answer that arrived but could not be read lost its events without a trace";
      EXPECT_NE(error->message.find("1 event poll answer(s) arrived but could not be read"), std::string::npos)
          << error->message;
      EXPECT_NE(error->message.find("--record-id"), std::string::npos) << error->message;
      EXPECT_FALSE(poller.FatalError());
      EXPECT_FALSE(poller.DrainError());
    });
    EXPECT_TRUE(log.Contains("error Huawei agent 20011: an event poll answer arrived but could not be read"))
        << ::testing::PrintToString(log.Lines());
  }
}

// A poll that failed before an answer arrived took nothing off the gateway's queue: a retry, as before.
TEST(HuaweiUnreadableAnswers, APollWithoutAnAnswerIsOnlyRetried) {
  std::vector<std::pair<std::string, std::function<Result<HttpResponse>()>>> const no_answer = {
      {"refused", [] { return Result<HttpResponse>(ccrec::MakeError(ErrorCode::kTransport, "connection refused")); }},
      {"timeout", [] { return Result<HttpResponse>(ccrec::MakeError(ErrorCode::kDeadlineExceeded, "timed out")); }},
      {"HTTP 502", [] { return Result<HttpResponse>(MakeResponse(502, "bad gateway")); }},
      {"retcode 000-007", [] { return Result<HttpResponse>(Envelope("000-007")); }},
  };
  for (auto const& entry : no_answer) {
    SCOPED_TRACE(entry.first);
    PollPast(entry.second, {}, [](EventPoller const& poller) {
      EXPECT_EQ(poller.UnreadableAnswers(), 0u);
      EXPECT_FALSE(poller.UnreadableAnswerError());
    });
  }
}

// Through the export source: the run exported what it could, yet ends with an error (exit 1) that
// names the unreadable answer and the way to recover the recording it may have announced.
TEST(HuaweiUnreadableAnswers, ARunWithAnUnreadablePollAnswerEndsWithAnError) {
  for (bool watch : {false, true}) {
    SCOPED_TRACE(watch ? "watch" : "list");
    Gateway gw;
    gw.files[kUnreadableFile] = "AUDIO";
    LogCapture log;
    std::atomic<bool> served{false};
    gw.poll_answer = [&](int) -> std::optional<Result<HttpResponse>> {
      if (served.exchange(true)) return std::nullopt;
      return Result<HttpResponse>(UnreadableOk(R"({"retcode":"0","event":{"eventType":"AgentMediaEvent_Rec)"));
    };
    HuaweiSourceOptions so;
    ccrec::huawei::RecordingReference listed;
    listed.file_name = kUnreadableFile;
    so.recordings = {listed};
    if (watch) so.watch = 30ms;
    so.poller.interval = 2ms;
    so.poller.error_backoff = 2ms;
    so.logger = log.Logger();
    ccrec_test::TempDir dir;
    auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
    ASSERT_TRUE(manifest);
    AgentSession session(Options(gw.fake));
    std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
    ccrec::exporter::Exporter exporter(source, std::make_shared<ccrec::testing::MemorySink>(), *manifest,
                                       EngineOptions());
    auto summary = exporter.Run();
    EXPECT_TRUE(source->Shutdown());
    EXPECT_TRUE(served.load());
    ASSERT_TRUE(summary.fatal) << "an unreadable poll answer, yet the run looks clean: " << summary.LastLine() << "\n"
                               << ::testing::PrintToString(log.Lines());
    EXPECT_NE(summary.fatal->message.find("could not be read"), std::string::npos) << summary.fatal->ToString();
    EXPECT_NE(summary.fatal->message.find("--record-id"), std::string::npos) << summary.fatal->ToString();
    EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  }
}

}  // namespace
