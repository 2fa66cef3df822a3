// SPDX-License-Identifier: Apache-2.0
// A recording still being recorded when a Huawei watch ended is a pending line that the next
// --since-last-run run retries. Before, that run downloaded it at once, without waiting for its
// AgentMediaEvent_StopRecordDone: a call still going on was stored truncated and marked exported
// (reference §5: a file still being written is incomplete). The pending line now keeps the taskId
// and when the Record event was seen; the retry waits for the StopRecordDone (watch) or is pending
// again (list mode) until it is max_recording_duration old, then it is exported with a warning.

#include "huawei/awaiting_stop.hpp"

#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;
using ccrec::huawei::RecordingReference;
using ccrec::huawei::UnfinishedRecordings;
using ccrec::huawei::detail::AwaitingStop;
using ccrec::huawei::detail::AwaitingStopMarker;
using ccrec::huawei::detail::AwaitingStopPending;
using ccrec::huawei::detail::ParseAwaitingStopMarker;
using SysTime = std::chrono::system_clock::time_point;

/// 2026-11-01T08:00:00Z, "now" of these tests.
SysTime const kRetryNow = SysTime(std::chrono::milliseconds(1793491200000)) + 8h;
constexpr char kHeld[] = "Y:/1/0/20261101/20011/6000.V3";

/// A pending manifest line as the watch writes it for `file` (call `call`) awaiting task `task`'s
/// StopRecordDone since `seen`.
ManifestEntry AwaitingLine(std::string const& call, std::string const& file, std::string const& task, SysTime seen) {
  RecordingReference r;
  r.file_name = file;
  r.call_id = call;
  auto p = AwaitingStopPending(r, AwaitingStop{task, seen}, "was still being recorded when the watch ended");
  ManifestEntry e;
  e.source = p.source;
  e.task_id = p.task_id;
  e.recording_id = p.recording_id;
  e.status = ItemStatus::kPending;
  e.error = p.reason;
  return e;
}

// (a) The marker round-trips, also for a taskId with bytes outside [A-Za-z0-9._-]; other reasons
// (older ccrec versions) and damaged markers give nothing.
TEST(HuaweiAwaitingStopMarker, RoundTripsAndOlderReasonsParseAsBefore) {
  for (std::string const task : {"6", "1793491200000123", "a b]%x/é", "-._"}) {
    for (SysTime const seen : {kRetryNow, kRetryNow + 250ms, SysTime(std::chrono::milliseconds(1))}) {
      auto reason = "recording \"Y:/a.V3\" (task " + task + ") was still being recorded" + AwaitingStopMarker({task, seen});
      auto parsed = ParseAwaitingStopMarker(reason);
      ASSERT_TRUE(parsed) << reason;
      EXPECT_EQ(parsed->task_id, task);
      EXPECT_EQ(parsed->seen_at, seen) << reason;
      EXPECT_TRUE(ParseAwaitingStopMarker(reason + " \n")) << "trailing blanks";
    }
  }
  EXPECT_EQ(AwaitingStopMarker({"6", kRetryNow}), " [ccrec-awaiting-stop taskId=6 seen=2026-11-01T08:00:00Z]");
  EXPECT_EQ(AwaitingStopMarker({"a b", kRetryNow + 5ms}), " [ccrec-awaiting-stop taskId=a%20b seen=2026-11-01T08:00:00.005Z]");
  for (std::string const bad :
       {"", "recording \"Y:/a.V3\" (task 6) was still being recorded when the watch ended (no "
            "AgentMediaEvent_StopRecordDone); export it later by listing its fileName (or --since-last-run)",
        " [ccrec-awaiting-stop taskId= seen=2026-11-01T08:00:00Z]", " [ccrec-awaiting-stop taskId=6 seen=]",
        " [ccrec-awaiting-stop taskId=6 seen=yesterday]", " [ccrec-awaiting-stop taskId=6 seen=1793491200000]",
        " [ccrec-awaiting-stop taskId=6%2 seen=2026-11-01T08:00:00Z]",
        " [ccrec-awaiting-stop taskId=6 seen=2026-11-01T08:00:00Z] and more",
        " [ccrec-awaiting-stop taskId=6]", " [ccrec-awaiting-stop taskId=6 seen=2026-11-01T08:00:00Z"}) {
    EXPECT_FALSE(ParseAwaitingStopMarker(bad)) << bad;
  }
}

// (b) UnfinishedRecordings() gives such a line's taskId, time and the awaiting flag; a line of an
// older version (no marker) keeps today's reference.
TEST(HuaweiAwaitingStopMarker, UnfinishedRecordingsTakeTheTaskAndTimeOfAnAwaitingLine) {
  ccrec_test::TempDir dir;
  {
    auto m = Manifest::Open(dir / "m.jsonl");
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->Append(AwaitingLine("c6", kHeld, "6", kRetryNow - 1h)));
    ManifestEntry old = AwaitingLine("c7", "Y:/old.V3", "7", kRetryNow);
    old.error = "recording \"Y:/old.V3\" (task 7) was still being recorded when the watch ended";
    ASSERT_TRUE((*m)->Append(old));
  }
  auto reopened = Manifest::Open(dir / "m.jsonl");  // as the next run reads it
  ASSERT_TRUE(reopened);
  auto refs = UnfinishedRecordings(**reopened);
  ASSERT_EQ(refs.size(), 2u);
  std::map<std::string, RecordingReference> by_file;
  for (auto const& r : refs) by_file[r.file_name] = r;
  auto const& held = by_file[kHeld];
  EXPECT_EQ(held.call_id, "c6");
  EXPECT_EQ(held.task_id, "6");
  ASSERT_TRUE(held.event_time);
  EXPECT_EQ(*held.event_time, kRetryNow - 1h);
  EXPECT_TRUE(held.awaiting_stop_record);
  auto const& before = by_file["Y:/old.V3"];
  EXPECT_EQ(before.call_id, "c7");
  EXPECT_EQ(before.task_id, "");
  EXPECT_FALSE(before.event_time);
  EXPECT_FALSE(before.awaiting_stop_record);
}

/// The sidecar of the only exported recording ("" when none).
std::string OnlySidecar(ccrec::testing::MemorySink const& sink) {
  for (auto const& [key, object] : sink.Objects()) {
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ".json") == 0) return object.data;
  }
  return {};
}

/// A run retrying the manifest's unfinished recordings against a fake gateway, at kRetryNow by a manual clock.
class HuaweiRetryWait : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = Manifest::Open(dir_ / "m.jsonl");
    ASSERT_TRUE(m);
    manifest_ = *m;
    gw_.files[kHeld] = "HELD CALL";
    gw_.on_download = [this](std::string const&) { ++downloads_; };
  }
  /// Source options retrying the manifest's unfinished recordings; a watch when `watch`.
  ccrec::huawei::HuaweiSourceOptions Retrying(bool watch) {
    ccrec::huawei::HuaweiSourceOptions so;
    so.recordings = UnfinishedRecordings(*manifest_);
    if (watch) so.watch = 50ms;
    so.watch_drain_limit = 5s;
    so.end_drain_limit = 1s;
    so.poller.interval = 2ms;
    so.clock = clock_;
    so.logger = log_.Logger();
    return so;
  }
  ccrec::exporter::ExportSummary Run(ccrec::huawei::HuaweiSourceOptions so) {
    auto summary = RunWatch(gw_, manifest_, sink_, std::move(so));
    EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
    return summary;
  }
  /// The reference the next run would retry for kHeld.
  std::optional<RecordingReference> Retried() const {
    for (auto const& r : UnfinishedRecordings(*manifest_)) {
      if (r.file_name == kHeld) return r;
    }
    return std::nullopt;
  }
  /// Expects kHeld pending again, awaiting task 6's StopRecordDone since `seen`, and not downloaded.
  void ExpectPendingAgain(ccrec::exporter::ExportSummary const& summary, SysTime seen) {
    EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
    EXPECT_EQ(downloads_.load(), 0) << "downloaded before its StopRecordDone";
    EXPECT_EQ(LatestByFile(dir_ / "m.jsonl")[kHeld].status, "pending");
    auto again = Retried();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->call_id, "c6");
    EXPECT_EQ(again->task_id, "6");
    EXPECT_TRUE(again->awaiting_stop_record);
    ASSERT_TRUE(again->event_time);
    EXPECT_EQ(*again->event_time, seen) << "the original time is kept, so the age keeps growing";
  }

  Gateway gw_;
  LogCapture log_;
  ccrec_test::TempDir dir_;
  std::shared_ptr<ccrec::testing::ManualClock> clock_ = std::make_shared<ccrec::testing::ManualClock>(kRetryNow);
  std::shared_ptr<ccrec::testing::MemorySink> sink_ = std::make_shared<ccrec::testing::MemorySink>();
  std::shared_ptr<Manifest> manifest_;
  std::atomic<int> downloads_{0};
};

// (c) Young, watch: not downloaded until the StopRecordDone of its taskId arrives, then exported.
TEST_F(HuaweiRetryWait, AWatchWaitsForTheStopRecordDoneOfARetriedRecording) {
  ASSERT_TRUE(manifest_->Append(AwaitingLine("c6", kHeld, "6", kRetryNow - 1h)));
  std::atomic<bool> stop_sent{false};
  gw_.on_poll = [&](int n) {
    if (stop_sent) return;  // the gateway then runs dry: the watch ends
    if (n >= 10) {          // the call goes on for 10 polls
      stop_sent = true;
      gw_.Event(Stop("6"));
      return;
    }
    gw_.Event(Noise(n));
  };
  gw_.on_download = [&](std::string const& id) {
    ++downloads_;
    EXPECT_TRUE(stop_sent.load()) << id << " downloaded before its StopRecordDone";
  };
  auto summary = Run(Retrying(true));
  EXPECT_TRUE(stop_sent.load());
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=9");
  EXPECT_EQ(downloads_.load(), 1);
  EXPECT_EQ(LatestByFile(dir_ / "m.jsonl")[kHeld].status, "exported");
  EXPECT_NE(OnlySidecar(*sink_).find("\"stop_record_seen\":true"), std::string::npos) << OnlySidecar(*sink_);
  EXPECT_FALSE(Retried());
}

// (d) Young, watch, no StopRecordDone during it: not downloaded, pending again with the original time.
TEST_F(HuaweiRetryWait, WithoutItsStopRecordDoneARetriedRecordingIsPendingAgainWithItsOriginalTime) {
  ASSERT_TRUE(manifest_->Append(AwaitingLine("c6", kHeld, "6", kRetryNow - 1h)));
  gw_.on_poll = [&](int n) {
    if (n < 20) gw_.Event(Noise(n));
  };
  auto summary = Run(Retrying(true));
  ExpectPendingAgain(summary, kRetryNow - 1h);
}

// (e) Young, list mode: not downloaded, pending again at once with the original time.
TEST_F(HuaweiRetryWait, ListModeReportsAYoungRetriedRecordingAsPendingAgain) {
  ASSERT_TRUE(manifest_->Append(AwaitingLine("c6", kHeld, "6", kRetryNow - 3h)));
  auto summary = Run(Retrying(false));
  ExpectPendingAgain(summary, kRetryNow - 3h);
}

// (f) Older than max_recording_duration: presumed finished, downloaded at once (list mode, and in a
// watch without waiting for the stop event) with stop_record_seen false and one warning.
TEST_F(HuaweiRetryWait, ARetriedRecordingOlderThanTheMaximumDurationIsDownloadedAtOnce) {
  for (bool watch : {false, true}) {
    SCOPED_TRACE(watch ? "watch" : "list mode");
    ccrec_test::TempDir dir;
    auto m = Manifest::Open(dir / "m.jsonl");
    ASSERT_TRUE(m);
    manifest_ = *m;
    sink_ = std::make_shared<ccrec::testing::MemorySink>();
    downloads_ = 0;
    ASSERT_TRUE(manifest_->Append(AwaitingLine("c6", kHeld, "6", kRetryNow - 5h)));
    LogCapture log;
    log_ = log;
    auto summary = Run(Retrying(watch));
    EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=9");
    EXPECT_EQ(downloads_.load(), 1);
    EXPECT_NE(OnlySidecar(*sink_).find("\"stop_record_seen\":false"), std::string::npos) << OnlySidecar(*sink_);
    int warnings = 0;
    for (auto const& l : log.Lines()) {
      warnings += l.rfind("warn ", 0) == 0 && l.find(kHeld) != std::string::npos &&
                          l.find("(task 6) 18000 s after its AgentMediaEvent_Record") != std::string::npos
                      ? 1
                      : 0;
    }
    EXPECT_EQ(warnings, 1) << ::testing::PrintToString(log.Lines());
  }
}

// Within a watch, a recording still waiting max_recording_duration after its Record event is
// presumed finished, as a listed one that old is: exported then, with a warning.
TEST_F(HuaweiRetryWait, AWatchedRecordingWaitingLongerThanTheMaximumDurationIsExportedThen) {
  constexpr char kWatched[] = "Y:/1/0/20261101/20011/7000.V3";
  gw_.files[kWatched] = "LONG";
  gw_.Event(Record("7", kWatched, "c7"));
  std::atomic<bool> advanced{false};
  gw_.on_poll = [&](int n) {
    if (downloads_ > 0) return;  // then the gateway runs dry: the watch ends
    if (!advanced && log_.Contains("\"" + std::string(kWatched) + "\" is being recorded (task 7)")) {
      advanced = true;
      clock_->Advance(4h + 1ms);
    }
    gw_.Event(Noise(n));
  };
  gw_.on_download = [&](std::string const&) {
    ++downloads_;
    EXPECT_TRUE(advanced.load()) << "downloaded before it was presumed finished";
  };
  auto summary = Run(Retrying(true));
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=4");
  EXPECT_NE(OnlySidecar(*sink_).find("\"stop_record_seen\":false"), std::string::npos) << OnlySidecar(*sink_);
  EXPECT_TRUE(log_.Contains("(task 7) 14400 s after its AgentMediaEvent_Record")) << ::testing::PrintToString(log_.Lines());
}

}  // namespace
