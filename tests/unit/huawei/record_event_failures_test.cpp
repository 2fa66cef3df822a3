// SPDX-License-Identifier: Apache-2.0
// Issue 11 ("nothing lost, ever"): every record event the gateway delivers ends as a manifest line.
// A malformed AgentMediaEvent_Record (unparseable content, no fileName, or not even an object) and an
// AgentMediaEvent_Record_Fail are failed lines that say what happened, counted in the summary.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "huawei/wire.hpp"
#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace huawei_test;
using ccrec::exporter::Exporter;
using ccrec::exporter::Manifest;
using ccrec::huawei::AgentSession;
using ccrec::huawei::HuaweiSourceOptions;
using ccrec::testing::MemorySink;

bool Has(std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; }

TEST(HuaweiRecordEvents, MalformedAndRecordFailEventsEndAsFailedLines) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/100.V3"] = "one hundred";
  gw.Event(Record("1", "Y:/1/0/20261101/20011/100.V3", "c1"));
  // No fileName: the call id is recovered. (A repeated "caller" key is masked too.)
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","eventGenTime":1793491200000,)"
           R"("content":{"callId":"c-nofile","caller":"70006","taskId":7,"caller":"70006"}})");
  // Content that is not an object at all.
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":"not json 70006123"})");
  // The same malformed event delivered twice is one line.
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":"not json 70006123"})");
  // Recording failed on the platform: nothing to download.
  gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":9,)"
           R"("fileName":"Y:/1/0/20261101/20011/900.V3","callId":"c9","caller":"70006","called":"60015"}})");
  // A Record_Fail without a fileName still names its call and task.
  gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":10,"callId":"c10"}})");
  // Not even an object in the poll answer, but it names a record event.
  gw.Event(R"("AgentMediaEvent_Record garbled 70006")");
  ccrec_test::TempDir dir;
  auto manifest = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  HuaweiSourceOptions so;
  so.watch = std::chrono::milliseconds(300);
  so.wait_for_stop_record = false;
  so.poller.interval = std::chrono::milliseconds(1);
  so.logger = log.Logger();
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  Exporter exporter(source, std::make_shared<MemorySink>(), *manifest, EngineOptions());
  auto summary = exporter.Run();
  ASSERT_TRUE(source->Shutdown());
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(gw.Undelivered(), 0u);
  EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 5u) << summary.LastLine();
  EXPECT_EQ(summary.pending, 0u);

  auto lines = ReadManifest(dir / "m.jsonl");
  int failed = 0, no_file = 0, not_object = 0, fail_900 = 0, fail_10 = 0, garbled = 0;
  for (auto const& l : lines) {
    if (l.status != "failed") continue;
    ++failed;
    SCOPED_TRACE(l.error);
    EXPECT_FALSE(Has(l.error, "70006")) << "caller number in the manifest";
    EXPECT_FALSE(Has(l.error, "60015")) << "called number in the manifest";
    if (Has(l.error, "has no fileName")) {
      ++no_file;
      EXPECT_EQ(l.task_id, "c-nofile");
      EXPECT_EQ(l.recording_id.rfind("malformed-event-", 0), 0u);
      EXPECT_TRUE(Has(l.error, "call c-nofile"));
      EXPECT_TRUE(Has(l.error, R"({"callId":"c-nofile","caller":"[redacted]","taskId":7,"caller":"[redacted]"})"));
    } else if (Has(l.error, "not json")) {
      ++not_object;
      EXPECT_TRUE(Has(l.error, "no content object"));
      EXPECT_EQ(l.recording_id.rfind("malformed-event-", 0), 0u);
    } else if (l.recording_id == "Y:/1/0/20261101/20011/900.V3") {
      ++fail_900;
      EXPECT_EQ(l.task_id, "c9");
      EXPECT_TRUE(Has(l.error, "AgentMediaEvent_Record_Fail"));
      EXPECT_TRUE(Has(l.error, "call c9, agent 20011, task 9"));
    } else if (l.task_id == "c10") {
      ++fail_10;
      EXPECT_EQ(l.recording_id, "record-fail-task-10");
      EXPECT_TRUE(Has(l.error, "AgentMediaEvent_Record_Fail"));
    } else if (Has(l.error, "garbled")) {
      ++garbled;
    }
  }
  EXPECT_EQ(failed, 5);
  EXPECT_EQ(no_file, 1);
  EXPECT_EQ(not_object, 1);
  EXPECT_EQ(fail_900, 1);
  EXPECT_EQ(fail_10, 1);
  EXPECT_EQ(garbled, 1);
  for (auto const& line : log.Lines()) EXPECT_FALSE(Has(line, "70006")) << "caller logged: " << line;
}

// A record event whose locationId is not a number cannot be downloaded as announced, but it names its
// file: the failed line takes the identity its export will have, so --since-last-run downloads it
// (with the locationId given by the operator). It used to be a "malformed-event-" line, never retried.
TEST(HuaweiRecordEvents, ARecordEventWithAnUnusableLocationIdIsRetriedByItsFileName) {
  constexpr char kFile[] = "Y:/1/0/20261101/20011/300.V3";
  Gateway gw;
  gw.files[kFile] = "three hundred";
  gw.Event(std::string(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","eventGenTime":1793491200000,)") +
           R"("content":{"taskId":3,"fileName":")" + kFile + R"(","locationId":"node-7","callId":"c3"}})");
  ccrec_test::TempDir dir;
  auto manifest = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  AgentSession session(Options(gw.fake));
  HuaweiSourceOptions so;
  so.watch = std::chrono::milliseconds(200);
  so.poller.interval = std::chrono::milliseconds(1);
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto summary = Exporter(source, std::make_shared<MemorySink>(), *manifest, EngineOptions()).Run();
  ASSERT_TRUE(source->Shutdown());
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  auto lines = ReadManifest(dir / "m.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].recording_id, kFile);
  EXPECT_EQ(lines[0].task_id, "c3");
  EXPECT_TRUE(Has(lines[0].error, "locationId that is not a number")) << lines[0].error;
  EXPECT_TRUE(Has(lines[0].error, "--since-last-run retries it")) << lines[0].error;

  HuaweiSourceOptions retry;
  retry.recordings = ccrec::huawei::UnfinishedRecordings(**manifest);
  ASSERT_EQ(retry.recordings.size(), 1u);
  EXPECT_EQ(retry.recordings[0].file_name, kFile);
  retry.location_id = "256";
  retry.keep_alive = false;
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> again = ccrec::huawei::MakeHuaweiSource(session, retry);
  auto second = Exporter(again, std::make_shared<MemorySink>(), *manifest, EngineOptions()).Run();
  ASSERT_TRUE(again->Shutdown());
  EXPECT_EQ(second.exported, 1u) << second.LastLine();
  EXPECT_TRUE(ccrec::huawei::UnfinishedRecordings(**manifest).empty());
}

TEST(HuaweiRecordEvents, PollAnswerEntriesNamingARecordEventAreKept) {
  auto doc = ccrec::detail::ParseJsonWithSpans(
      R"({"retcode":"0","event":[7,"AgentMediaEvent_Record_Fail ???",)"
      R"("{\"eventType\":\"AgentMediaEvent_Record\",\"workNo\":\"1\",\"content\":{\"fileName\":\"Y:/a.V3\"}}"]})",
      "poll");
  ASSERT_TRUE(doc);
  int skipped = 0;
  auto events = ccrec::huawei::detail::EventsFromPoll(*doc, &skipped);
  EXPECT_EQ(skipped, 1) << "only the bare number is unusable";
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event_type, "AgentMediaEvent_Record_Fail");
  EXPECT_EQ(events[1].event_type, "AgentMediaEvent_Record");
  EXPECT_EQ(events[1].work_no, "1");
  auto single = ccrec::detail::ParseJsonWithSpans(R"({"retcode":"0","event":"AgentMediaEvent_Record ???"})", "poll");
  ASSERT_TRUE(single);
  auto one = ccrec::huawei::detail::EventsFromPoll(*single, &skipped);
  EXPECT_EQ(skipped, 0);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].event_type, "AgentMediaEvent_Record");
}

// Ctrl-C while the downloads are stuck: a Record_Fail or malformed event that the engine refused (it
// was stopping) or that was still queued is a pending line saying what it was, never nothing.
TEST(HuaweiRecordEvents, ARunStoppedBeforeTheyWereReportedLeavesPendingLines) {
  constexpr int kStopped = 6;  // recorded to the end: they fill the engine (1 in flight, 2 queued)
  Gateway gw;
  for (int i = 0; i < kStopped; ++i) {
    std::string file = "Y:/1/0/20261101/20011/" + std::to_string(1000 + i) + ".V3";
    gw.files[file] = "recording " + std::to_string(i);
    gw.Event(Record(std::to_string(i + 1), file, "c" + std::to_string(i)));
    gw.Event(Stop(std::to_string(i + 1)));
  }
  gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":77,"callId":"c77"}})");
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":{"callId":"c78"}})");
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  gw.on_download = [&](std::string const&) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(20), [&] { return open; });
  };
  ccrec::CallContext ctx;
  std::thread ctrl_c([&] {
    auto const end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((gw.Undelivered() > 0 || gw.polls.load() < 2 * kStopped + 7) && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ctx.cancel.Cancel();
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  });
  ccrec_test::TempDir dir;
  auto manifest = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  AgentSession session(Options(gw.fake));
  HuaweiSourceOptions so;
  so.watch = std::chrono::hours(1);
  so.poller.interval = std::chrono::milliseconds(1);
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto eo = EngineOptions();
  eo.concurrency = 1;
  Exporter exporter(source, std::make_shared<MemorySink>(), *manifest, eo);
  auto summary = exporter.Run(ctx);
  ctrl_c.join();
  ASSERT_TRUE(source->Shutdown());
  EXPECT_TRUE(summary.cancelled);
  int record_fail = 0, malformed = 0;
  for (auto const& l : ReadManifest(dir / "m.jsonl")) {
    if (!Has(l.error, "the run stopped before this record event was reported")) continue;
    EXPECT_EQ(l.status, "pending") << l.error;
    if (l.task_id == "c77") {
      ++record_fail;
      EXPECT_EQ(l.recording_id, "record-fail-task-77");
      EXPECT_TRUE(Has(l.error, "AgentMediaEvent_Record_Fail")) << l.error;
    } else if (l.task_id == "c78") {
      ++malformed;
      EXPECT_TRUE(Has(l.error, "has no fileName")) << l.error;
    }
  }
  EXPECT_EQ(record_fail, 1);
  EXPECT_EQ(malformed, 1);
}

}  // namespace
