// SPDX-License-Identifier: Apache-2.0
// Manifest::Entries(): every item's last entry, ordered by identity, a snapshot, thread-safe.

#include <ccrec/exporter/manifest.hpp>

#include "unit/core/test_util.hpp"
#include "unit/exporter/manifest_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;
using ccrec_test::TempDir;
using ccrec_test::WriteFile;

ManifestEntry Entry(std::string source, std::string task, std::string rec, ItemStatus status,
                    std::string segment = "") {
  ManifestEntry e;
  e.source = std::move(source);
  e.task_id = std::move(task);
  e.recording_id = std::move(rec);
  e.segment_id = std::move(segment);
  e.key = e.task_id + "/" + e.recording_id + e.segment_id + ".wav";
  e.status = status;
  return e;
}

using exporter_test::OpenUnlocked;

using Identity = std::tuple<std::string, std::string, std::string, std::string>;

std::vector<Identity> Identities(std::vector<ManifestEntry> const& entries) {
  std::vector<Identity> out;
  for (auto const& e : entries) out.emplace_back(e.source, e.task_id, e.recording_id, e.segment_id);
  return out;
}

TEST(ManifestEntries, LastEntryPerItemOrderedByIdentity) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  auto m = OpenUnlocked(path);
  EXPECT_TRUE(m->Entries().empty()) << "a new manifest has none";
  ASSERT_TRUE(m->Bind("file:///dest/", "{task_id}/{recording_id}{ext}"));
  ASSERT_TRUE(m->Append(Entry("webex", "t2", "r1", ItemStatus::kFailed)));
  ASSERT_TRUE(m->Append(Entry("webex", "t1", "r1", ItemStatus::kExported)));
  ASSERT_TRUE(m->Append(Entry("face", "c9", "r9", ItemStatus::kPending)));
  ASSERT_TRUE(m->Append(Entry("webex", "t2", "r1", ItemStatus::kExported)));  // replaces the failed line
  ASSERT_TRUE(m->Append(Entry("face", "c9", "r9", ItemStatus::kExported, "s2")));
  ASSERT_TRUE(m->Append(Entry("face", "c9", "r9", ItemStatus::kSkipped, "s1")));

  auto const want = std::vector<Identity>{{"face", "c9", "r9", ""},
                                          {"face", "c9", "r9", "s1"},
                                          {"face", "c9", "r9", "s2"},
                                          {"webex", "t1", "r1", ""},
                                          {"webex", "t2", "r1", ""}};
  auto entries = m->Entries();
  EXPECT_EQ(Identities(entries), want);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].status, ItemStatus::kPending);
  EXPECT_EQ(entries[1].status, ItemStatus::kSkipped);
  EXPECT_EQ(entries[4].status, ItemStatus::kExported) << "the last line of an item wins";
  EXPECT_EQ(entries[4].key, "t2/r1.wav");

  ASSERT_TRUE(m->Sync());
  auto reloaded = OpenUnlocked(path)->Entries();
  EXPECT_EQ(Identities(reloaded), want) << "the same after a reload (the header is not an entry)";
  ASSERT_EQ(reloaded.size(), 5u);
  EXPECT_EQ(reloaded[4].status, ItemStatus::kExported);
  EXPECT_EQ(reloaded[3].key, "t1/r1.wav");
}

TEST(ManifestEntries, MalformedLinesAreNotEntries) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  WriteFile(path, "{\"source\":\"webex\",\"task_id\":\"t1\",\"recording_id\":\"r1\",\"key\":\"k\",\"status\":\"exported\"}\n"
                  "not json\n"
                  "{\"source\":\"webex\",\"task_id\":\"t2\",\"recording_id\":\"r2\",\"status\":\"bogus\"}\n"
                  "{\"source\":\"webex\",\"task_id\":\"t3\",\"reco");  // torn
  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 3u);
  EXPECT_EQ(Identities(m->Entries()), (std::vector<Identity>{{"webex", "t1", "r1", ""}}));
}

TEST(ManifestEntries, NullManifestHasNone) {
  auto m = Manifest::Null();
  ASSERT_TRUE(m->Append(Entry("webex", "t1", "r1", ItemStatus::kExported)));
  EXPECT_TRUE(m->Entries().empty());
}

TEST(ManifestEntries, SnapshotIsNotChangedByLaterAppends) {
  TempDir dir;
  auto m = OpenUnlocked(dir / "m.jsonl");
  ASSERT_TRUE(m->Append(Entry("webex", "t1", "r1", ItemStatus::kFailed)));
  auto before = m->Entries();
  ASSERT_TRUE(m->Append(Entry("webex", "t1", "r1", ItemStatus::kExported)));
  ASSERT_TRUE(m->Append(Entry("webex", "t2", "r2", ItemStatus::kExported)));
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].status, ItemStatus::kFailed);
  EXPECT_EQ(m->Entries().size(), 2u);
}

TEST(ManifestEntries, ConcurrentWithAppend) {
  TempDir dir;
  auto m = OpenUnlocked(dir / "m.jsonl");
  constexpr int kItems = 400;
  std::thread writer([&] {
    for (int i = 0; i < kItems; ++i) {
      EXPECT_TRUE(m->Append(Entry("webex", "t" + std::to_string(i), "r", ItemStatus::kExported)));
    }
  });
  std::size_t last = 0;
  for (int i = 0; i < 200; ++i) {
    auto entries = m->Entries();
    EXPECT_GE(entries.size(), last) << "items are never lost";
    last = entries.size();
    for (auto const& e : entries) EXPECT_EQ(e.status, ItemStatus::kExported);
  }
  writer.join();
  EXPECT_EQ(m->Entries().size(), static_cast<std::size_t>(kItems));
}

}  // namespace
