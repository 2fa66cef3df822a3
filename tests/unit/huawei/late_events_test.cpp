// SPDX-License-Identifier: Apache-2.0
// A Huawei watch loses no record event, even one the gateway delivers after the watch: such a
// recording ends as a pending line that --since-last-run (UnfinishedRecordings) downloads. And one
// task's several files (audio and video?) all wait for its StopRecordDone; none overwrites another.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;

constexpr char kEarly[] = "Y:/1/0/20261101/20011/2000.V3";
constexpr char kLate[] = "Y:/1/0/20261101/20011/2001.V3";

// The watch ends at its drain limit (the gateway never runs dry) while a download is still running;
// the gateway then announces another recording. Before, it was only logged (lost with exit 0); now
// it is a pending line naming its fileName, and the next --since-last-run run exports it.
TEST(HuaweiLateRecordEvents, ARecordEventAfterTheWatchIsPendingAndTheNextRunExportsIt) {
  Gateway gw;
  gw.files[kEarly] = "EARLY";
  gw.files[kLate] = "LATE";
  gw.Event(Record("1", kEarly, "c1"));
  gw.Event(Stop("1"));
  // Runs dry only once the late record event was delivered: the watch's drain limit ends the watch,
  // and the end-of-run drain then finds the gateway empty.
  std::atomic<bool> dry{false};
  gw.on_poll = [&](int n) {
    if (!dry) gw.Event(Noise(n));
  };
  LogCapture log;
  std::atomic<bool> announced{false};
  gw.on_download = [&](std::string const& id) {
    if (id != kEarly || announced.exchange(true)) return;
    EXPECT_TRUE(WaitFor([&] { return log.Contains("ms after the watch period"); }));
    std::this_thread::sleep_for(30ms);  // the watch stops collecting right after that line
    gw.Event(Record("2", kLate, "c2"));
    EXPECT_TRUE(WaitFor([&] { return log.Contains("arrived while events are not queued for export"); }))
        << "the late record event was not delivered while the download ran";
    dry = true;
  };
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec::huawei::HuaweiSourceOptions so;
  so.watch = 50ms;
  so.watch_drain_limit = 50ms;
  so.end_drain_limit = 50ms;
  so.poller.interval = 2ms;
  so.logger = log.Logger();
  auto first = RunWatch(gw, *manifest, sink, so);
  ASSERT_FALSE(first.fatal) << first.fatal->ToString();
  EXPECT_EQ(first.exported, 1u) << first.LastLine();
  EXPECT_EQ(first.pending, 1u) << first.LastLine();
  auto lines = LatestByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kLate), 1u) << "the late recording has no manifest line: lost";
  EXPECT_EQ(lines[kLate].status, "pending");
  EXPECT_EQ(lines[kLate].task_id, "c2");
  EXPECT_NE(lines[kLate].error.find("announced after the watch ended"), std::string::npos) << lines[kLate].error;
  EXPECT_NE(lines[kLate].error.find("--since-last-run"), std::string::npos) << lines[kLate].error;

  // --since-last-run: the manifest is the checkpoint. No StopRecordDone of task 2 was seen, so
  // the call may still be going on: a run soon after holds it (nothing downloaded, pending again);
  // once max_recording_duration has passed (here: 0) it is taken as finished and exported.
  gw.on_poll = nullptr;
  ccrec::huawei::HuaweiSourceOptions retry;
  retry.recordings = ccrec::huawei::UnfinishedRecordings(**manifest);
  ASSERT_EQ(retry.recordings.size(), 1u);
  EXPECT_EQ(retry.recordings[0].file_name, kLate);
  EXPECT_TRUE(retry.recordings[0].awaiting_stop_record);
  EXPECT_EQ(retry.recordings[0].task_id, "2");
  retry.keep_alive = false;
  auto held = RunWatch(gw, *manifest, sink, retry);
  ASSERT_FALSE(held.fatal) << held.fatal->ToString();
  EXPECT_EQ(held.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
  retry.max_recording_duration = 0ms;
  auto second = RunWatch(gw, *manifest, sink, retry);
  ASSERT_FALSE(second.fatal) << second.fatal->ToString();
  EXPECT_EQ(second.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=4");
  EXPECT_EQ(LatestByFile(dir / "m.jsonl")[kLate].status, "exported");
  EXPECT_TRUE(ccrec::huawei::UnfinishedRecordings(**manifest).empty());
}

/// List mode (no watch, keep-alive poll on): kEarly, polled every 2 ms, logging to `log`.
ccrec::huawei::HuaweiSourceOptions ListingEarly(LogCapture const& log) {
  ccrec::huawei::HuaweiSourceOptions so;
  ccrec::huawei::RecordingReference listed;
  listed.file_name = kEarly;
  so.recordings = {listed};
  so.poller.interval = 2ms;
  so.logger = log.Logger();
  return so;
}

// Without --watch (a --record-id run) the poll is only the session's keep-alive, but reading an
// event consumes it: a recording the gateway announces meanwhile was only logged (lost with exit
// 0). Now it is a pending line that --since-last-run exports, and a Record_Fail a failed line.
TEST(HuaweiLateRecordEvents, RecordEventsTheKeepAliveConsumesInListModeEndAsManifestLines) {
  Gateway gw;
  gw.files[kEarly] = "EARLY";
  gw.files[kLate] = "LATE";
  LogCapture log;
  std::atomic<bool> announced{false};
  gw.on_download = [&](std::string const& id) {
    if (id != kEarly || announced.exchange(true)) return;
    gw.Event(Record("2", kLate, "c2"));
    gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":9,)"
             R"("fileName":"Y:/1/0/20261101/20011/2002.V3","callId":"c9","locationId":"256"}})");
    EXPECT_TRUE(WaitFor([&] { return gw.Undelivered() == 0; })) << "the keep-alive poll did not run";
    EXPECT_TRUE(WaitFor([&] { return log.Contains("AgentMediaEvent_Record_Fail"); })) << "not kept";
  };
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  auto so = ListingEarly(log);
  auto first = RunWatch(gw, *manifest, sink, so);
  ASSERT_FALSE(first.fatal) << first.fatal->ToString();
  EXPECT_EQ(first.LastLine(), "exported=1 skipped=0 failed=1 pending=1 bytes=5");
  auto lines = LatestByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kLate), 1u) << "the announced recording has no manifest line: lost";
  EXPECT_EQ(lines[kLate].status, "pending");
  EXPECT_EQ(lines[kLate].task_id, "c2");
  EXPECT_NE(lines[kLate].error.find("during a run without --watch"), std::string::npos) << lines[kLate].error;
  ASSERT_EQ(lines.count("Y:/1/0/20261101/20011/2002.V3"), 1u);
  EXPECT_EQ(lines["Y:/1/0/20261101/20011/2002.V3"].status, "failed");

  ccrec::huawei::HuaweiSourceOptions retry;
  retry.recordings = ccrec::huawei::UnfinishedRecordings(**manifest);
  ASSERT_EQ(retry.recordings.size(), 1u);
  EXPECT_TRUE(retry.recordings[0].awaiting_stop_record) << "its call may still be going on";
  retry.keep_alive = false;
  retry.max_recording_duration = 0ms;  // taken as finished (see the test above for the hold)
  auto second = RunWatch(gw, *manifest, sink, retry);
  ASSERT_FALSE(second.fatal) << second.fatal->ToString();
  EXPECT_EQ(LatestByFile(dir / "m.jsonl")[kLate].status, "exported");
}

// The end of a run stops the keep-alive poll. A held poll is answered at once when an event comes;
// cancelling the poll while that answer was on its way dropped the event, which the gateway had
// already taken off its queue (lost with exit 0). The run now waits for the answer in flight.
TEST(HuaweiLateRecordEvents, AnAnswerOnItsWayWhenTheRunEndsIsAwaitedNotCancelled) {
  Gateway gw;
  gw.files[kEarly] = "EARLY";
  LogCapture log;
  std::atomic<bool> announced{false};
  gw.on_download = [&](std::string const& id) {
    if (id != kEarly || announced.exchange(true)) return;
    gw.Event(Record("2", kLate, "c2"));
    EXPECT_TRUE(WaitFor([&] { return gw.Undelivered() == 0; })) << "the keep-alive poll did not take the event";
  };
  gw.deliver = [&](RecordedRequest const& r) {
    // The answer arrives only once the downloads are done and the run stops the poll.
    EXPECT_TRUE(WaitFor([&] { return r.cancel.IsCancelled() || log.Contains("stopping the event poll once"); }));
    return !r.cancel.IsCancelled();
  };
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto summary = RunWatch(gw, *manifest, std::make_shared<ccrec::testing::MemorySink>(), ListingEarly(log));
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=1 bytes=5");
  auto lines = LatestByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kLate), 1u) << "the event of the answer in flight has no manifest line: lost\n"
                                    << ::testing::PrintToString(log.Lines());
  EXPECT_EQ(lines[kLate].status, "pending");
  EXPECT_EQ(gw.Undelivered(), 0u);
}

// The same without --watch, when the run is cancelled during the download: the record events the
// keep-alive poll consumed still end as lines (pending: the run stopped before they were reported).
TEST(HuaweiLateRecordEvents, RecordEventsTheKeepAliveConsumesInListModeSurviveACancelledRun) {
  Gateway gw;
  gw.files[kEarly] = "EARLY";
  constexpr char kFailed[] = "Y:/1/0/20261101/20011/2003.V3";
  LogCapture log;
  ccrec::CallContext ctx;
  gw.on_download = [&](std::string const& id) {
    if (id != kEarly) return;
    gw.Event(Record("2", kLate, "c2"));
    gw.Event(std::string(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":9,)") +
             R"("fileName":")" + kFailed + R"(","callId":"c9","locationId":"256"}})");
    EXPECT_TRUE(WaitFor([&] { return log.Contains("AgentMediaEvent_Record_Fail"); })) << "not kept";
    ctx.cancel.Cancel();  // Ctrl-C while the listed recording downloads
  };
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  ccrec::huawei::AgentSession session(Options(gw.fake));
  auto so = ListingEarly(log);
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  ccrec::exporter::Exporter exporter(source, std::make_shared<ccrec::testing::MemorySink>(), *manifest,
                                     EngineOptions());
  auto summary = exporter.Run(ctx);
  EXPECT_TRUE(source->Shutdown());
  EXPECT_TRUE(summary.cancelled);
  auto lines = LatestByFile(dir / "m.jsonl");
  ASSERT_EQ(lines.count(kLate), 1u) << "the announced recording has no manifest line: lost";
  EXPECT_EQ(lines[kLate].status, "pending");
  EXPECT_NE(lines[kLate].error.find("during a run without --watch"), std::string::npos) << lines[kLate].error;
  ASSERT_EQ(lines.count(kFailed), 1u) << "the Record_Fail has no manifest line";
  EXPECT_TRUE(lines[kFailed].status == "pending" || lines[kFailed].status == "failed") << lines[kFailed].status;
}

// Two AgentMediaEvent_Record with one taskId (audio and video of one call?): both wait for the
// task's StopRecordDone and both are exported; before, the second replaced the first, which was lost.
TEST(HuaweiLateRecordEvents, TwoFilesOfOneTaskAreBothExportedAfterItsStopRecordDone) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/3000.V3"] = "AUDIO";
  gw.files["Y:/1/0/20261101/20011/3000.mp4"] = "VIDEO";
  gw.Event(Record("7", "Y:/1/0/20261101/20011/3000.V3", "c7"));
  gw.Event(Record("7", "Y:/1/0/20261101/20011/3000.mp4", "c7"));
  gw.Event(Stop("7"));
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec::huawei::HuaweiSourceOptions so;
  so.watch = 100ms;
  so.poller.interval = 2ms;
  auto summary = RunWatch(gw, *manifest, sink, so);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=10");
  auto lines = LatestByFile(dir / "m.jsonl");
  EXPECT_EQ(lines["Y:/1/0/20261101/20011/3000.V3"].status, "exported");
  EXPECT_EQ(lines["Y:/1/0/20261101/20011/3000.mp4"].status, "exported");
  int sidecars = 0;
  for (auto const& [key, object] : sink->Objects()) {
    if (key.size() <= 5 || key.compare(key.size() - 5, 5, ".json") != 0) continue;
    ++sidecars;
    EXPECT_NE(object.data.find("\"stop_record_seen\":true"), std::string::npos) << key << ": " << object.data;
  }
  EXPECT_EQ(sidecars, 2);
}

// The same two files, and the watch ends before the task's StopRecordDone: both are pending lines
// (still being recorded), each naming its fileName for --since-last-run.
TEST(HuaweiLateRecordEvents, TwoFilesOfOneTaskStillRecordingAtTheEndAreBothPending) {
  Gateway gw;
  gw.Event(Record("8", "Y:/1/0/20261101/20011/4000.V3", "c8"));
  gw.Event(Record("8", "Y:/1/0/20261101/20011/4000.mp4", "c8"));
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  ccrec::huawei::HuaweiSourceOptions so;
  so.watch = 100ms;
  so.poller.interval = 2ms;
  auto summary = RunWatch(gw, *manifest, std::make_shared<ccrec::testing::MemorySink>(), so);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=2 bytes=0");
  auto unfinished = ccrec::huawei::UnfinishedRecordings(**manifest);
  ASSERT_EQ(unfinished.size(), 2u);
  std::set<std::string> files{unfinished[0].file_name, unfinished[1].file_name};
  EXPECT_EQ(files, (std::set<std::string>{"Y:/1/0/20261101/20011/4000.V3", "Y:/1/0/20261101/20011/4000.mp4"}));
}

// A Record_Fail of the task that names no file (one of its files failed, which one is unknown): the
// task's waiting files were all erased — a good audio file with the failed video — and ended on no
// manifest line (lost; --since-last-run never retried them). Now they are exported after the task's
// StopRecordDone, and the nameless failure keeps its failed line.
TEST(HuaweiLateRecordEvents, ARecordFailWithoutAFileNameKeepsTheTasksOtherFiles) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/4500.V3"] = "AUDIO";
  gw.files["Y:/1/0/20261101/20011/4500.mp4"] = "VIDEO";
  gw.Event(Record("9", "Y:/1/0/20261101/20011/4500.V3", "c9"));
  gw.Event(Record("9", "Y:/1/0/20261101/20011/4500.mp4", "c9"));
  gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":9,"callId":"c9"}})");
  gw.Event(Stop("9"));
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  ccrec::huawei::HuaweiSourceOptions so;
  so.watch = 100ms;
  so.poller.interval = 2ms;
  auto summary = RunWatch(gw, *manifest, std::make_shared<ccrec::testing::MemorySink>(), so);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=1 pending=0 bytes=10");
  auto lines = LatestByFile(dir / "m.jsonl");
  EXPECT_EQ(lines["Y:/1/0/20261101/20011/4500.V3"].status, "exported");
  EXPECT_EQ(lines["Y:/1/0/20261101/20011/4500.mp4"].status, "exported");
  ASSERT_EQ(lines.count("record-fail-task-9"), 1u) << "the nameless Record_Fail has no line";
  EXPECT_EQ(lines["record-fail-task-9"].status, "failed");
}

}  // namespace
