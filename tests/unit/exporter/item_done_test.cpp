// SPDX-License-Identifier: Apache-2.0
// ExporterOptions::on_item_done (issue 14 item 5): one event per item with its final outcome,
// from the worker threads, matching the manifest and the summary.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::exporter::ItemStatus;
using ccrec::exporter::ManifestEntry;

/// Collects on_item_done events (thread-safe, as the callback must be).
struct Events {
  std::mutex mu;
  std::vector<std::pair<ExportItem, ManifestEntry>> all;
  std::set<std::thread::id> threads;
  void Hook(ccrec::exporter::ExporterOptions& o) {
    o.on_item_done = [this](ExportItem const& item, ManifestEntry const& outcome) {
      std::lock_guard<std::mutex> lock(mu);
      all.emplace_back(item, outcome);
      threads.insert(std::this_thread::get_id());
    };
  }
  std::map<std::string, ManifestEntry> ByRecording() {
    std::map<std::string, ManifestEntry> out;
    for (auto const& [item, outcome] : all) {
      EXPECT_EQ(item.recording_id, outcome.recording_id);
      EXPECT_EQ(item.task_id, outcome.task_id);
      EXPECT_TRUE(out.emplace(item.task_id + "/" + item.recording_id, outcome).second)
          << "reported twice: " << item.task_id << "/" << item.recording_id;
    }
    return out;
  }
};

TEST_F(ExporterTest, OnItemDoneReportsEveryOutcomeOnceFromTheWorkers) {
  Add("t1", "r1", Bytes(500, 1));
  Add("t2", "r2", Bytes(700, 2));
  Add("t3", "r3", Bytes(100, 3), {Step::Fail(ErrorCode::kNotFound, "NoSuchKey: gone; Authorization: Bearer SECRET-T")});
  Preload(Key("t4", "r4"), Bytes(40, 4), "t4", "r4");
  Add("t4", "r4", Bytes(40, 4));
  source->pending.push_back(PendingItem{"fake", "t5", "capture not available yet"});
  Events events;
  auto o = Options(3);
  events.Hook(o);
  std::thread::id const caller = std::this_thread::get_id();
  auto summary = Run(o, OpenManifest());
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=1 failed=1 pending=1 bytes=1200");
  ASSERT_EQ(events.all.size(), 5u);
  auto by = events.ByRecording();
  EXPECT_EQ(by.at("t1/r1").status, ItemStatus::kExported);
  EXPECT_EQ(by.at("t1/r1").key, Key("t1", "r1"));
  EXPECT_EQ(by.at("t1/r1").uri, memory->Uri(Key("t1", "r1")));
  EXPECT_EQ(by.at("t1/r1").bytes, 500u);
  EXPECT_EQ(by.at("t1/r1").sha256.size(), 64u);
  EXPECT_EQ(by.at("t2/r2").status, ItemStatus::kExported);
  EXPECT_EQ(by.at("t4/r4").status, ItemStatus::kSkipped);
  auto const& failed = by.at("t3/r3");
  EXPECT_EQ(failed.status, ItemStatus::kFailed);
  EXPECT_NE(failed.error.find("NoSuchKey"), std::string::npos) << failed.error;
  EXPECT_EQ(failed.error.find("SECRET-T"), std::string::npos) << "redacted: " << failed.error;
  EXPECT_EQ(by.at("t5/").status, ItemStatus::kPending);
  // Every item event matches the manifest's line for it.
  for (auto const& l : Lines()) {
    auto it = by.find(l.task_id + "/" + l.recording_id);
    ASSERT_NE(it, by.end()) << l.raw;
    EXPECT_EQ(std::string(ToString(it->second.status)), l.status);
  }
  // Items are reported by the workers; the pending task by the enumerating (calling) thread.
  EXPECT_GE(events.threads.size(), 2u);
  EXPECT_TRUE(events.threads.count(caller)) << "the pending task is reported where Enumerate() runs";
}

TEST_F(ExporterTest, OnItemDoneReportsItemsACancelledRunNeverStartedAsPending) {
  for (int i = 0; i < 6; ++i) Add("t" + std::to_string(i), "r", Bytes(100, static_cast<std::uint32_t>(i)));
  ccrec::CancellationToken cancel;
  source->before_item = [&](std::size_t i) {
    if (i == 2) cancel.Cancel();
  };
  Events events;
  auto o = Options(1);
  events.Hook(o);
  CallContext ctx;
  ctx.cancel = cancel;
  auto summary = Run(o, OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  auto by = events.ByRecording();
  std::uint64_t pending = 0, exported = 0;
  for (auto const& [id, outcome] : by) {
    if (outcome.status == ItemStatus::kPending) ++pending;
    if (outcome.status == ItemStatus::kExported) ++exported;
  }
  EXPECT_EQ(pending, summary.pending);
  EXPECT_EQ(exported, summary.exported);
  EXPECT_EQ(by.size(), summary.exported + summary.pending + summary.failed + summary.skipped);
}

TEST_F(ExporterTest, OnItemDoneReportsACollisionVictimAgainAsFailed) {
  Add("t1", "r1", Bytes(10, 1), {}, "same.wav");
  Add("t3", "r3", Bytes(30, 3), {}, "same.wav");
  source->identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
  Events events;
  auto o = Options(1);  // in order: t1/r1 is exported before t3/r3 collides with it
  o.write_sidecars = false;  // (a sidecar would complete t1/r1 beside t3/r3, in no fixed order)
  o.key_template = "x/{file_name}";
  events.Hook(o);
  Run(o, OpenManifest());
  std::vector<std::string> seen;
  for (auto const& [item, outcome] : events.all) {
    seen.push_back(item.recording_id + ":" + std::string(ToString(outcome.status)));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"r1:exported", "r1:failed", "r3:failed"}));
}

TEST_F(ExporterTest, OnItemDoneIsNotCalledInADryRun) {
  Add("t1", "r1", Bytes(10, 1));
  Events events;
  auto o = Options(1);
  o.dry_run = true;
  events.Hook(o);
  Run(o, OpenManifest());
  EXPECT_TRUE(events.all.empty());
}

}  // namespace
}  // namespace exporter_test
