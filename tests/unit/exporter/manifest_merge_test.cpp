// SPDX-License-Identifier: Apache-2.0
// MergeManifests: one entry per recording, the one proving the object is in the sink wins, and
// manifests of different destinations are refused before anything is written.
#include <ccrec/exporter/manifest_merge.hpp>

#include <gtest/gtest.h>

#include "unit/core/test_util.hpp"
#include "unit/exporter/manifest_test_util.hpp"

#include <map>
#include <string>

namespace exporter_test {
namespace {

using ccrec::exporter::ItemStatus;
using ccrec::exporter::ManifestEntry;

ManifestEntry MergeEntry(std::string task, std::string recording, ItemStatus status, std::string key = {}) {
  ManifestEntry e;
  e.source = "webex";
  e.task_id = std::move(task);
  e.recording_id = std::move(recording);
  e.status = status;
  e.key = key.empty() ? "k/" + e.task_id + "/" + e.recording_id : std::move(key);
  if (status == ItemStatus::kExported || status == ItemStatus::kSkipped) e.uri = "file:///archive/" + e.key;
  if (status == ItemStatus::kFailed) e.error = "boom";
  return e;
}

struct MergeFixture {
  ccrec_test::TempDir dir;
  std::shared_ptr<ccrec::exporter::Manifest> Make(std::string const& name, std::string const& dest,
                                                  std::vector<ManifestEntry> const& entries,
                                                  std::string const& tmpl = "k/{task_id}/{recording_id}") {
    auto m = OpenUnlocked(dir.Path() + "/" + name);
    EXPECT_TRUE(m->Bind(dest, tmpl));
    for (auto const& e : entries) EXPECT_TRUE(m->Append(e));
    return m;
  }
};

TEST(ManifestMerge, OneEntryPerRecordingAndTheOneProvingTheObjectWins) {
  MergeFixture f;
  auto a = f.Make("a.jsonl", "file:///archive/",
                  {MergeEntry("t1", "r1", ItemStatus::kExported), MergeEntry("t2", "r2", ItemStatus::kFailed),
                   MergeEntry("t3", "r3", ItemStatus::kPending), MergeEntry("t5", "r5", ItemStatus::kSkipped)});
  auto b = f.Make("b.jsonl", "file:///archive/",
                  {MergeEntry("t1", "r1", ItemStatus::kSkipped), MergeEntry("t2", "r2", ItemStatus::kExported),
                   MergeEntry("t4", "r4", ItemStatus::kExported), MergeEntry("t5", "r5", ItemStatus::kExported)});
  auto out = OpenUnlocked(f.dir.Path() + "/merged.jsonl");
  auto report = ccrec::exporter::MergeManifests({a, b}, *out);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->items, 5u);
  EXPECT_EQ(report->duplicates, 3u);
  EXPECT_EQ(report->exported, 4u);
  EXPECT_EQ(report->pending, 1u);
  EXPECT_EQ(report->conflicting_exports, 0u);
  EXPECT_EQ(out->Destination().value_or(""), "file:///archive/");
  EXPECT_EQ(out->KeyTemplate().value_or(""), "k/{task_id}/{recording_id}");

  auto reloaded = OpenUnlocked(f.dir.Path() + "/merged.jsonl");
  std::map<std::string, ItemStatus> status;
  for (auto const& e : reloaded->Entries()) status[e.task_id] = e.status;
  EXPECT_EQ(status.at("t1"), ItemStatus::kExported) << "exported beats a later skipped";
  EXPECT_EQ(status.at("t2"), ItemStatus::kExported) << "a failure elsewhere does not undo an export";
  EXPECT_EQ(status.at("t3"), ItemStatus::kPending);
  EXPECT_EQ(status.at("t4"), ItemStatus::kExported);
  EXPECT_EQ(status.at("t5"), ItemStatus::kExported) << "exported carries the bytes and checksum";
  EXPECT_TRUE(reloaded->IsDone("webex", "t1", "r1", ""));
}

TEST(ManifestMerge, TwoExportsToDifferentKeysAreCountedAsConflicts) {
  MergeFixture f;
  auto a = f.Make("a.jsonl", "file:///archive/", {MergeEntry("t1", "r1", ItemStatus::kExported, "one")});
  auto b = f.Make("b.jsonl", "file:///archive/", {MergeEntry("t1", "r1", ItemStatus::kExported, "two")});
  auto out = OpenUnlocked(f.dir.Path() + "/merged.jsonl");
  auto report = ccrec::exporter::MergeManifests({a, b}, *out);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->conflicting_exports, 1u);
  ASSERT_EQ(out->Entries().size(), 1u);
  EXPECT_EQ(out->Entries()[0].key, "one") << "the first input's entry is kept";
}

TEST(ManifestMerge, ManifestsOfAnotherDestinationOrTemplateAreRefusedBeforeWriting) {
  MergeFixture f;
  auto a = f.Make("a.jsonl", "file:///archive/", {MergeEntry("t1", "r1", ItemStatus::kExported)});
  auto other_dest = f.Make("b.jsonl", "s3://bucket/", {MergeEntry("t2", "r2", ItemStatus::kExported)});
  auto other_tmpl = f.Make("c.jsonl", "file:///archive/", {}, "{recording_id}");
  for (auto const& other : {other_dest, other_tmpl}) {
    auto out = OpenUnlocked(f.dir.Path() + "/merged-" + std::to_string(reinterpret_cast<std::uintptr_t>(other.get())));
    auto report = ccrec::exporter::MergeManifests({a, other}, *out);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, ccrec::ErrorCode::kInvalidArgument);
    EXPECT_NE(report.error().message.find(other->Path()), std::string::npos) << report.error().message;
    EXPECT_FALSE(out->Destination()) << "nothing written";
    EXPECT_TRUE(out->Entries().empty());
  }
  auto out = OpenUnlocked(f.dir.Path() + "/none.jsonl");
  EXPECT_FALSE(ccrec::exporter::MergeManifests({}, *out));
  EXPECT_FALSE(ccrec::exporter::MergeManifests({ccrec::exporter::Manifest::Null()}, *out));
}

TEST(ManifestMerge, EmptyUnboundInputsAreSkipped) {
  MergeFixture f;
  auto a = f.Make("a.jsonl", "file:///archive/", {MergeEntry("t1", "r1", ItemStatus::kExported)});
  auto empty = OpenUnlocked(f.dir.Path() + "/empty.jsonl");
  auto out = OpenUnlocked(f.dir.Path() + "/merged.jsonl");
  auto report = ccrec::exporter::MergeManifests({empty, a}, *out);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->items, 1u);
}

}  // namespace
}  // namespace exporter_test
