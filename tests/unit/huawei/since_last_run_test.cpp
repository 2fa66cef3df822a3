// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 4: `ccrec-export huawei --since-last-run`. The gateway cannot list past recordings, so
// the manifest is the checkpoint: UnfinishedRecordings() names what a run retries (failed and pending
// recordings), under the identity of their manifest line, so that a retry supersedes the line.

#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace huawei_test;
using ccrec::exporter::Exporter;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;
using ccrec::huawei::AgentSession;
using ccrec::huawei::HuaweiSourceOptions;
using ccrec::huawei::RecordingReference;
using ccrec::huawei::UnfinishedRecordings;
using ccrec::testing::MemorySink;

ManifestEntry ManifestLineFor(std::string call, std::string file, ItemStatus status, std::string error = "") {
  ManifestEntry e;
  e.source = "huawei";
  e.task_id = std::move(call);
  e.recording_id = std::move(file);
  e.status = status;
  e.error = std::move(error);
  return e;
}

std::map<std::string, std::string> Files(std::vector<RecordingReference> const& refs) {
  std::map<std::string, std::string> out;  // file -> call
  for (auto const& r : refs) out[r.file_name] = r.call_id;
  return out;
}

TEST(HuaweiSinceLastRun, UnfinishedRecordingsAreTheFailedAndPendingOnesWithAFile) {
  ccrec_test::TempDir dir;
  auto m = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(m);
  auto& manifest = **m;
  ASSERT_TRUE(manifest.Append(ManifestLineFor("", "Y:/a.V3", ItemStatus::kFailed, "NotFound (HTTP 200, vendor 104-005)")));
  ASSERT_TRUE(manifest.Append(ManifestLineFor("c2", "Y:/b.V3", ItemStatus::kPending, "still being recorded")));
  ASSERT_TRUE(manifest.Append(ManifestLineFor("", "Y:/c.V3", ItemStatus::kFailed)));
  ASSERT_TRUE(manifest.Append(ManifestLineFor("", "Y:/c.V3", ItemStatus::kExported)));  // done since
  ASSERT_TRUE(manifest.Append(ManifestLineFor("", "Y:/d.V3", ItemStatus::kSkipped)));
  ASSERT_TRUE(manifest.Append(ManifestLineFor("c5", "", ItemStatus::kPending, "recording \"Y:/old.V3\" ...")));  // old style
  ASSERT_TRUE(manifest.Append(ManifestLineFor("c6", "record-fail-task-9", ItemStatus::kFailed)));
  ASSERT_TRUE(manifest.Append(ManifestLineFor("c7", "malformed-event-0123456789ab", ItemStatus::kFailed)));
  ASSERT_TRUE(manifest.Append(
      ManifestLineFor("c8", "Y:/f.V3", ItemStatus::kFailed, "Huawei: the gateway reported AgentMediaEvent_Record_Fail (...)")));
  auto webex = ManifestLineFor("t", "r", ItemStatus::kFailed);
  webex.source = "webex";
  ASSERT_TRUE(manifest.Append(webex));
  EXPECT_EQ(Files(UnfinishedRecordings(manifest)),
            (std::map<std::string, std::string>{{"Y:/a.V3", ""}, {"Y:/b.V3", "c2"}}));
  EXPECT_TRUE(UnfinishedRecordings(*Manifest::Null()).empty());
}

TEST(HuaweiSinceLastRun, ARetrySupersedesTheLineAndTheNextRunHasNothingLeft) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/100.V3"] = "one hundred";
  gw.files["Y:/1/0/20261101/20011/200.V3"] = "two hundred";
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->Append(ManifestLineFor("", "Y:/1/0/20261101/20011/100.V3", ItemStatus::kFailed, "vendor 104-005")));
    ASSERT_TRUE((*m)->Append(ManifestLineFor("c2", "Y:/1/0/20261101/20011/200.V3", ItemStatus::kPending, "being recorded")));
  }
  auto run = [&](std::size_t expect_exported) {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    LogCapture log;
    AgentSession session(Options(gw.fake, log));
    HuaweiSourceOptions so;
    so.recordings = UnfinishedRecordings(**m);
    so.keep_alive = false;
    so.logger = log.Logger();
    std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
    Exporter exporter(source, std::make_shared<MemorySink>(), *m, EngineOptions());
    auto summary = exporter.Run();
    ASSERT_TRUE(source->Shutdown());
    EXPECT_FALSE(summary.fatal);
    EXPECT_EQ(summary.exported, expect_exported) << summary.LastLine();
    EXPECT_EQ(summary.failed + summary.pending + summary.skipped, 0u) << summary.LastLine();
  };
  run(2);
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    EXPECT_TRUE((*m)->IsDone("huawei", "", "Y:/1/0/20261101/20011/100.V3"));
    EXPECT_TRUE((*m)->IsDone("huawei", "c2", "Y:/1/0/20261101/20011/200.V3")) << "the pending line's identity";
    EXPECT_TRUE(UnfinishedRecordings(**m).empty());
  }
  run(0);  // nothing left: no download
}

TEST(HuaweiSinceLastRun, ARecordingStillBeingRecordedWhenTheWatchEndsIsPendingUnderItsFileName) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/200.V3"] = "two hundred";
  gw.Event(Record("2", "Y:/1/0/20261101/20011/200.V3", "c2"));  // never stopped
  ccrec_test::TempDir dir;
  auto m = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(m);
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  HuaweiSourceOptions so;
  so.watch = std::chrono::milliseconds(200);
  so.poller.interval = std::chrono::milliseconds(1);
  so.watch_drain_limit = std::chrono::milliseconds(0);
  so.logger = log.Logger();
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  Exporter exporter(source, std::make_shared<MemorySink>(), *m, EngineOptions());
  auto summary = exporter.Run();
  ASSERT_TRUE(source->Shutdown());
  EXPECT_EQ(summary.pending, 1u) << summary.LastLine();
  auto latest = (*m)->Latest("huawei", "c2", "Y:/1/0/20261101/20011/200.V3");
  ASSERT_TRUE(latest) << "the pending line names the file as its recording_id";
  EXPECT_EQ(latest->status, ItemStatus::kPending);
  EXPECT_EQ(Files(UnfinishedRecordings(**m)),
            (std::map<std::string, std::string>{{"Y:/1/0/20261101/20011/200.V3", "c2"}}));
}

// The pending line says "list its fileName with --record-id"; doing so exported the file under the
// identity ("", fileName), the pending line (its call, fileName) stayed unfinished, and every later
// --since-last-run failed it with kIntegrity ("holds another recording", exit 3). ListedRecordings()
// (the CLI's --record-id) now exports it under the pending line's identity: the next run is clean.
TEST(HuaweiSinceLastRun, RecordIdOfAPendingLineSupersedesItAndTheNextRunIsClean) {
  constexpr char kAdvised[] = "Y:/1/0/20261101/20011/300.V3";
  Gateway gw;
  gw.files[kAdvised] = "three hundred";
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->Append(ManifestLineFor("c3", kAdvised, ItemStatus::kPending,
                                             "still being recorded; export it later by listing its fileName")));
  }
  auto sink = std::make_shared<MemorySink>();  // the same destination for both runs
  auto export_run = [&](bool record_id) {
    auto m = Manifest::Open(path);
    EXPECT_TRUE(m);
    AgentSession session(Options(gw.fake));
    HuaweiSourceOptions so;
    so.recordings = record_id ? ccrec::huawei::ListedRecordings({kAdvised}, **m) : UnfinishedRecordings(**m);
    so.keep_alive = false;
    std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
    Exporter exporter(source, sink, *m, EngineOptions());
    auto summary = exporter.Run();
    EXPECT_TRUE(source->Shutdown());
    return summary;
  };
  auto advised = export_run(true);  // --record-id F
  ASSERT_FALSE(advised.fatal) << advised.fatal->ToString();
  EXPECT_EQ(advised.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=13");
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    EXPECT_TRUE((*m)->IsDone("huawei", "c3", kAdvised)) << "the pending line was not superseded";
    EXPECT_TRUE(UnfinishedRecordings(**m).empty());
  }
  auto since = export_run(false);  // --since-last-run
  ASSERT_FALSE(since.fatal) << since.fatal->ToString();
  EXPECT_EQ(since.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
  // A fileName without an unfinished line is listed as given.
  auto m = Manifest::Open(path);
  ASSERT_TRUE(m);
  auto other = ccrec::huawei::ListedRecordings({"Y:/other.V3", kAdvised}, **m);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(other[0].file_name, "Y:/other.V3");
  EXPECT_EQ(other[0].call_id, "");
  EXPECT_EQ(other[1].file_name, kAdvised);
}

}  // namespace
