// SPDX-License-Identifier: Apache-2.0
// A Huawei watch never downloads a recording before its AgentMediaEvent_StopRecordDone (reference
// §5: a file still being written is incomplete). Before, one whose stop event was
// stop_record_timeout (5 min) overdue — any call longer than that — was downloaded anyway while
// still being recorded and marked exported: a truncated recording that no later run replaced.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;

/// The start of the overdue warning for `file` of task `task`.
std::string OverdueWarning(std::string const& file, std::string const& task) {
  return "no AgentMediaEvent_StopRecordDone for \"" + file + "\" (task " + task + ") after 20 ms; still waiting";
}

/// How many log lines contain `fragment`.
int CountLines(LogCapture const& log, std::string const& fragment) {
  int n = 0;
  for (auto const& l : log.Lines()) n += l.find(fragment) != std::string::npos ? 1 : 0;
  return n;
}

/// Watch options: a short period, stop_record_timeout 20 ms, the drains bounded at 5 s and 1 s (they
/// last while the fake gateway keeps delivering events, which these tests do until what they wait for
/// holds).
ccrec::huawei::HuaweiSourceOptions Watching(LogCapture const& log) {
  ccrec::huawei::HuaweiSourceOptions so;
  so.watch = 50ms;
  so.watch_drain_limit = 5s;
  so.end_drain_limit = 1s;
  so.stop_record_timeout = 20ms;
  so.poller.interval = 2ms;
  so.logger = log.Logger();
  return so;
}

/// The sidecar of each exported recording, by its fileName.
std::map<std::string, std::string> SidecarsByFile(ccrec::testing::MemorySink const& sink) {
  std::map<std::string, std::string> out;
  for (auto const& [key, object] : sink.Objects()) {
    if (key.size() <= 5 || key.compare(key.size() - 5, 5, ".json") != 0) continue;
    auto doc = ccrec::detail::ParseJson(object.data, "sidecar");
    if (doc) out[(*doc)["file_name"].GetString()] = object.data;
  }
  return out;
}

/// A watch against a fake gateway, into a manifest and a memory sink of the test's own.
class HuaweiStopRecordWait : public ::testing::Test {
 protected:
  /// Runs the export of `so` (see Watching()); a fatal error or a manifest that cannot open fails the test.
  ccrec::exporter::ExportSummary Run(ccrec::huawei::HuaweiSourceOptions so) {
    auto manifest = ccrec::exporter::Manifest::Open(dir_ / "m.jsonl");
    if (!manifest) {
      ADD_FAILURE() << manifest.error().ToString();
      return {};
    }
    manifest_ = *manifest;
    auto summary = RunWatch(gw_, manifest_, sink_, std::move(so));
    EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
    return summary;
  }
  /// The latest manifest line of each recording_id.
  std::map<std::string, Line> Lines() const { return LatestByFile(dir_ / "m.jsonl"); }

  Gateway gw_;
  LogCapture log_;
  ccrec_test::TempDir dir_;
  std::shared_ptr<ccrec::testing::MemorySink> sink_ = std::make_shared<ccrec::testing::MemorySink>();
  std::shared_ptr<ccrec::exporter::Manifest> manifest_;
};

constexpr char kLongCall[] = "Y:/1/0/20261101/20011/5000.V3";

// A call that lasts longer than stop_record_timeout: its StopRecordDone comes after the warning. The
// recording is downloaded only then (before, it was downloaded at the timeout, still being recorded).
TEST_F(HuaweiStopRecordWait, AStopRecordDoneAfterTheTimeoutIsAwaitedAndTheRecordingExportedThen) {
  gw_.files[kLongCall] = "LONG CALL";
  gw_.Event(Record("5", kLongCall, "c5"));
  std::atomic<bool> stop_sent{false};
  std::atomic<int> downloads{0};
  gw_.on_poll = [&](int n) {
    if (stop_sent) return;  // the gateway then runs dry: the watch ends
    if (log_.Contains(OverdueWarning(kLongCall, "5"))) {
      stop_sent = true;
      gw_.Event(Stop("5"));
      return;
    }
    gw_.Event(Noise(n));  // the call goes on: the watch (or its drain) goes on with it
  };
  gw_.on_download = [&](std::string const& id) {
    ++downloads;
    EXPECT_TRUE(stop_sent.load()) << id << " downloaded before its StopRecordDone:\n"
                                  << ::testing::PrintToString(log_.Lines());
  };
  auto summary = Run(Watching(log_));
  EXPECT_TRUE(stop_sent.load()) << "no overdue warning: " << ::testing::PrintToString(log_.Lines());
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=9");
  EXPECT_EQ(downloads.load(), 1);
  EXPECT_EQ(Lines()[kLongCall].status, "exported");
  auto sidecars = SidecarsByFile(*sink_);
  ASSERT_EQ(sidecars.count(kLongCall), 1u);
  EXPECT_NE(sidecars[kLongCall].find("\"stop_record_seen\":true"), std::string::npos) << sidecars[kLongCall];
  EXPECT_EQ(CountLines(log_, OverdueWarning(kLongCall, "5")), 1);
  EXPECT_EQ(CountLines(log_, "anyway"), 0) << ::testing::PrintToString(log_.Lines());
}

// A gateway that sends no StopRecordDone at all: nothing is downloaded; each recording is warned
// about once and, when the watch ends, is a pending line naming its fileName (--since-last-run).
TEST_F(HuaweiStopRecordWait, WithoutAStopRecordDoneNothingIsDownloadedAndEachRecordingIsPending) {
  std::vector<std::pair<std::string, std::string>> const recordings = {
      {"11", "Y:/1/0/20261101/20011/5011.V3"}, {"12", "Y:/1/0/20261101/20011/5012.V3"},
      {"13", "Y:/1/0/20261101/20011/5013.V3"}};
  for (auto const& [task, file] : recordings) {
    gw_.files[file] = "NOT YET";
    gw_.Event(Record(task, file, "c" + task));
  }
  std::atomic<int> after_warnings{0};
  gw_.on_poll = [&](int n) {
    // Events go on until every recording was warned about, and 20 polls more (no second warning).
    if (CountLines(log_, "still waiting for it") < 3 || after_warnings++ < 20) gw_.Event(Noise(n));
  };
  std::atomic<int> downloads{0};
  gw_.on_download = [&](std::string const&) { ++downloads; };
  auto summary = Run(Watching(log_));
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=3 bytes=0");
  EXPECT_EQ(downloads.load(), 0) << "a recording without its StopRecordDone was downloaded";
  auto lines = Lines();
  for (auto const& [task, file] : recordings) {
    EXPECT_EQ(CountLines(log_, OverdueWarning(file, task)), 1)
        << file << "\n" << ::testing::PrintToString(log_.Lines());
    ASSERT_EQ(lines.count(file), 1u) << file << " has no manifest line";
    EXPECT_EQ(lines[file].status, "pending");
    EXPECT_EQ(lines[file].task_id, "c" + task);
    EXPECT_NE(lines[file].error.find("\"" + file + "\""), std::string::npos) << lines[file].error;
    EXPECT_NE(lines[file].error.find("still being recorded when the watch ended"), std::string::npos)
        << lines[file].error;
  }
  ASSERT_TRUE(manifest_);
  std::set<std::string> retried;
  for (auto const& r : ccrec::huawei::UnfinishedRecordings(*manifest_)) retried.insert(r.file_name);
  EXPECT_EQ(retried.size(), 3u);
}

// wait_for_stop_record false: each recording is exported when announced, and its sidecar says whether
// its StopRecordDone had arrived by then (before, it said true for every one).
TEST_F(HuaweiStopRecordWait, WithoutWaitingTheSidecarSaysWhetherTheStopRecordDoneHadArrived) {
  constexpr char kStoppedLater[] = "Y:/1/0/20261101/20011/5021.V3";
  constexpr char kStoppedBefore[] = "Y:/1/0/20261101/20011/5022.V3";
  gw_.files[kStoppedLater] = "LATER";
  gw_.files[kStoppedBefore] = "BEFORE";
  gw_.Event(Record("21", kStoppedLater, "c21"));
  gw_.Event(Stop("21"));
  gw_.Event(Stop("22"));
  gw_.Event(Record("22", kStoppedBefore, "c22"));
  auto so = Watching(log_);
  so.wait_for_stop_record = false;
  EXPECT_EQ(Run(so).LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=11");
  auto sidecars = SidecarsByFile(*sink_);
  EXPECT_NE(sidecars[kStoppedLater].find("\"stop_record_seen\":false"), std::string::npos) << sidecars[kStoppedLater];
  EXPECT_NE(sidecars[kStoppedBefore].find("\"stop_record_seen\":true"), std::string::npos) << sidecars[kStoppedBefore];
}

// A record event for a file already exported (the gateway announced it again, under another call)
// does not wait for a StopRecordDone of its own: before, when the watch ended before
// stop_record_timeout, it was a pending line that --since-last-run retried under a second identity
// for the object that already holds the recording; now a wait ends only with the stop event.
TEST_F(HuaweiStopRecordWait, ARecordingAnnouncedAgainAfterItsExportDoesNotWait) {
  constexpr char kOnce[] = "Y:/1/0/20261101/20011/5031.V3";
  gw_.files[kOnce] = "ONCE";
  gw_.Event(Record("31", kOnce, "c31"));
  gw_.Event(Stop("31"));
  gw_.Event(Record("32", kOnce, "c31-again"));  // no StopRecordDone for task 32
  auto so = Watching(log_);
  so.stop_record_timeout = std::chrono::minutes(5);  // the watch ends long before
  EXPECT_EQ(Run(so).LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=4");
  ASSERT_TRUE(manifest_);
  EXPECT_TRUE(ccrec::huawei::UnfinishedRecordings(*manifest_).empty());
}

}  // namespace
