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

/// The latest manifest line of each recording_id.
std::map<std::string, Line> DrainLinesByFile(std::string const& path) {
  std::map<std::string, Line> out;
  for (auto const& l : ReadManifest(path)) out[l.recording_id] = l;
  return out;
}

ccrec::exporter::ExportSummary RunDrainExport(Gateway& gw, std::string const& manifest_path, HuaweiSourceOptions so) {
  auto manifest = ccrec::exporter::Manifest::Open(manifest_path);
  EXPECT_TRUE(manifest);
  AgentSession session(Options(gw.fake));
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  ccrec::exporter::Exporter exporter(source, std::make_shared<ccrec::testing::MemorySink>(), *manifest,
                                     EngineOptions());
  auto summary = exporter.Run();
  EXPECT_TRUE(source->Shutdown());
  EXPECT_EQ(gw.logouts.load(), 1);
  return summary;
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
    // Every answer comes once Finish() has begun (a poll before it is held, as by the gateway), so
    // no empty answer can end the drain early, however the threads are scheduled.
    EXPECT_TRUE(WaitFor([&] { return log.Contains("finishing the event poll"); }));
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
  ASSERT_TRUE(WaitFor([&] { return gw.polls.load() >= 1; }));  // held until Finish()
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

// The same through the export source: a list run whose end drain fails ended with exit 0 while the
// gateway still held events. Now the run ends with a fatal error (exit 1) that names the cause.
TEST(HuaweiDrainFailures, ARunWhoseEndDrainFailsEndsWithAnError) {
  for (auto const& entry : TransientPollFailures()) {
    SCOPED_TRACE(entry.first);
    Gateway gw;
    gw.files[kDrainFile] = "AUDIO";
    LogCapture log;
    gw.poll_answer = [&, fail = entry.second](int) -> std::optional<Result<HttpResponse>> {
      // Held until the end drain has begun, as by the gateway, so that no empty answer of a poll
      // sent before it can end the drain, however the threads are scheduled.
      EXPECT_TRUE(WaitFor([&] { return log.Contains("finishing the event poll"); }));
      return fail();
    };
    HuaweiSourceOptions so;
    ccrec::huawei::RecordingReference listed;
    listed.file_name = kDrainFile;
    so.recordings = {listed};
    so.poller.interval = 2ms;
    so.poller.error_backoff = 5ms;
    so.end_drain_limit = 60ms;
    so.logger = log.Logger();
    ccrec_test::TempDir dir;
    auto summary = RunDrainExport(gw, dir / "m.jsonl", so);
    ASSERT_TRUE(summary.fatal) << "the end drain failed, yet the run looks clean: " << summary.LastLine() << "\n"
                               << ::testing::PrintToString(log.Lines());
    EXPECT_NE(summary.fatal->message.find("events the gateway still holds are dropped"), std::string::npos)
        << summary.fatal->ToString();
    EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
    EXPECT_EQ(DrainLinesByFile(dir / "m.jsonl")[kDrainFile].status, "exported");
  }
}

/// A bare HTTP 403 (a proxy in front of the gateway): the poll stops for good.
Result<HttpResponse> ProxyForbidden() { return MakeResponse(403, "<html>Forbidden</html>", {{"Content-Type", "text/html"}}); }

// Without --watch the poll is the keep-alive only; a poll that stopped for good (403 from a proxy)
// was never checked: the run ended with exit 0 without keep-alive, and held events were dropped.
TEST(HuaweiDrainFailures, APollStoppedForGoodInListModeFailsTheRun) {
  Gateway gw;
  gw.files[kDrainFile] = "AUDIO";
  LogCapture log;
  std::atomic<bool> forbidden{false};
  gw.poll_answer = [&](int) -> std::optional<Result<HttpResponse>> {
    if (!forbidden.load()) return std::nullopt;
    return ProxyForbidden();
  };
  gw.on_download = [&](std::string const&) {
    forbidden = true;
    EXPECT_TRUE(WaitFor([&] { return log.Contains("event poll stopped"); })) << "the poll did not stop";
  };
  HuaweiSourceOptions so;
  ccrec::huawei::RecordingReference listed;
  listed.file_name = kDrainFile;
  so.recordings = {listed};
  so.poller.interval = 2ms;
  so.logger = log.Logger();
  ccrec_test::TempDir dir;
  auto summary = RunDrainExport(gw, dir / "m.jsonl", so);
  ASSERT_TRUE(summary.fatal) << "the keep-alive poll stopped for good, yet the run looks clean: "
                             << summary.LastLine();
  EXPECT_EQ(summary.fatal->code, ErrorCode::kPermissionDenied) << summary.fatal->ToString();
  auto lines = DrainLinesByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kDrainFile), 1u) << "the listed recording has no manifest line";
  EXPECT_TRUE(lines[kDrainFile].status == "exported" || lines[kDrainFile].status == "pending")
      << lines[kDrainFile].status;
}

// The same once the watch period (and its drain) is over: only the watch loop checked FatalError().
TEST(HuaweiDrainFailures, APollStoppedForGoodAfterTheWatchFailsTheRun) {
  Gateway gw;
  gw.files[kDrainFile] = "AUDIO";
  gw.Event(Record("1", kDrainFile, "c1"));
  gw.Event(Stop("1"));
  gw.on_poll = [&](int n) { gw.Event(Noise(n)); };  // never runs dry: the drain limit ends the watch
  LogCapture log;
  gw.poll_answer = [&](int) -> std::optional<Result<HttpResponse>> {
    // From when the watch loop has ended (it stops collecting right after this warning).
    if (!log.Contains("ms after the watch period")) return std::nullopt;
    return ProxyForbidden();
  };
  gw.on_download = [&](std::string const&) {
    EXPECT_TRUE(WaitFor([&] { return log.Contains("event poll stopped"); })) << "the poll did not stop";
  };
  HuaweiSourceOptions so;
  so.watch = 30ms;
  so.watch_drain_limit = 30ms;
  so.poller.interval = 2ms;
  so.logger = log.Logger();
  ccrec_test::TempDir dir;
  auto summary = RunDrainExport(gw, dir / "m.jsonl", so);
  ASSERT_TRUE(summary.fatal) << "the keep-alive poll stopped for good after the watch, yet the run looks clean: "
                             << summary.LastLine() << "\n"
                             << ::testing::PrintToString(log.Lines());
  EXPECT_EQ(summary.fatal->code, ErrorCode::kPermissionDenied) << summary.fatal->ToString();
  auto lines = DrainLinesByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kDrainFile), 1u) << "the announced recording has no manifest line";
}

/// Reads a body to its end; the error of a failed read.
Result<std::string> ReadDrainBody(HttpResponse& r) {
  std::string out;
  char buffer[256];
  for (;;) {
    auto n = r.body->Read(buffer, sizeof buffer);
    if (!n) return std::move(n).error();
    if (*n == 0) return out;
    out.append(buffer, *n);
  }
}

// A 200 without a byte (Content-Length 0, with or without Content-Type, or a body that just ends)
// was stored as a 0-byte recording and marked exported. No recording file is 0 bytes.
TEST(HuaweiEmptyDownload, AnEmptyBodyIsAFailedDownload) {
  struct Case {
    std::string name;
    HttpHeaders headers;
    bool declared;  // Content-Length: 0 (else none: chunked)
  };
  std::vector<Case> const cases = {
      {"octet-stream, Content-Length 0", {{"Content-Type", "application/octet-stream;charset=utf-8"}}, true},
      {"no Content-Type, Content-Length 0", {}, true},
      {"octet-stream, no Content-Length", {{"Content-Type", "application/octet-stream"}}, false},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.name);
    auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
    fake->Route("PUT", "onlineagent/20011", [](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
    fake->Route("GET", "recordfile", [&c](RecordedRequest const&) -> Result<HttpResponse> {
      auto r = MakeResponse(200, "", c.headers);
      if (!c.declared) {
        r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                       [](auto const& h) { return h.first == "Content-Length"; }),
                        r.headers.end());
      }
      return r;
    });
    AgentSession session(Options(fake));
    ASSERT_TRUE(session.SignIn());
    auto opened = session.OpenRecordFile({kDrainFile});
    Result<std::string> body = opened ? ReadDrainBody(*opened) : Result<std::string>(opened.error());
    ASSERT_FALSE(body) << "an empty body was taken as the recording";
    EXPECT_EQ(body.error().code, ErrorCode::kIntegrity) << body.error().ToString();
    EXPECT_NE(body.error().message.find("answered 200 with an empty body"), std::string::npos)
        << body.error().ToString();
    EXPECT_NE(body.error().message.find(kDrainFile), std::string::npos) << body.error().ToString();
  }
}

// Through the engine: a failed line naming the file (retried by --since-last-run), not an exported one.
TEST(HuaweiEmptyDownload, AnEmptyRecordingEndsAsAFailedLine) {
  Gateway gw;
  gw.files[kDrainFile] = "";
  HuaweiSourceOptions so;
  ccrec::huawei::RecordingReference listed;
  listed.file_name = kDrainFile;
  so.recordings = {listed};
  so.keep_alive = false;
  ccrec_test::TempDir dir;
  auto summary = RunDrainExport(gw, dir / "m.jsonl", so);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  auto lines = DrainLinesByFile(dir / "m.jsonl");
  EXPECT_EQ(lines[kDrainFile].status, "failed");
  EXPECT_NE(lines[kDrainFile].error.find("answered 200 with an empty body"), std::string::npos)
      << lines[kDrainFile].error;
}

}  // namespace
