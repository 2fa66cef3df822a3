// SPDX-License-Identifier: Apache-2.0
// The JSON Lines manifest's compact index (issue 14, item 6: no parsed line kept in memory) and
// CompactManifest(): nothing a later run relies on is lost, superseded lines go.

#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/manifest_compact.hpp>

#include "exporter/jsonl_manifest.hpp"
#include "exporter/manifest_index.hpp"
#include "unit/core/test_util.hpp"
#include "unit/exporter/exporter_test_util.hpp"
#include "unit/exporter/manifest_test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::ErrorCode;
using ccrec::exporter::CompactManifest;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::ManifestCompactOptions;
using ccrec::exporter::ManifestEntry;
using ccrec_test::ReadFile;
using ccrec_test::TempDir;
using ccrec_test::WriteFile;

ManifestEntry Item(std::string task, std::string rec, ItemStatus status, std::string segment = "",
                   std::string error = "") {
  ManifestEntry e;
  e.source = "webex";
  e.task_id = std::move(task);
  e.recording_id = std::move(rec);
  e.segment_id = std::move(segment);
  e.key = "k/" + e.task_id + "/" + e.recording_id + e.segment_id + ".wav";
  e.uri = "file:///dest/" + e.key;
  e.bytes = status == ItemStatus::kExported || status == ItemStatus::kSkipped ? 100 : 0;
  e.sha256 = e.bytes ? std::string(64, 'b') : "";
  e.status = status;
  e.error = std::move(error);
  return e;
}

std::size_t CountLines(std::string const& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

/// Everything a run asks a manifest, for every item of `items`.
struct View {
  std::optional<std::string> destination;
  std::vector<std::string> entries;                     // ToJsonLine minus "time", in Entries() order
  std::map<std::string, std::optional<std::string>> latest;    // item -> its Latest(), same form
  std::map<std::string, std::optional<std::string>> exported;  // item -> its LastExported()
  bool operator==(View const& o) const {
    return std::tie(destination, entries, latest, exported) == std::tie(o.destination, o.entries, o.latest, o.exported);
  }
};

std::string Form(ManifestEntry const& e) {
  auto line = ccrec::exporter::Manifest::ToJsonLine(e);
  return line.substr(0, line.find(",\"time\":"));
}

View Look(ccrec::exporter::Manifest const& m, std::vector<ManifestEntry> const& items) {
  View v;
  v.destination = m.Destination();
  for (auto const& e : m.Entries()) v.entries.push_back(Form(e));
  for (auto const& i : items) {
    std::string const id = i.task_id + "/" + i.recording_id + "/" + i.segment_id;
    auto l = m.Latest(i.source, i.task_id, i.recording_id, i.segment_id);
    auto x = m.LastExported(i.source, i.task_id, i.recording_id, i.segment_id);
    v.latest[id] = l ? std::optional<std::string>(Form(*l)) : std::nullopt;
    v.exported[id] = x ? std::optional<std::string>(Form(*x)) : std::nullopt;
  }
  return v;
}

TEST(ManifestIndex, SlotIsTwentyFourBytesAndDigestsSeparateFields) {
  static_assert(sizeof(ccrec::exporter::detail::IndexSlot) == 24, "per-item state stays compact");
  using ccrec::exporter::detail::DigestOf;
  EXPECT_EQ(DigestOf("webex", "t", "r", ""), DigestOf("webex", "t", "r", ""));
  // Length-prefixed fields: moving a byte from one field to the next is another item.
  EXPECT_FALSE(DigestOf("webex", "ta", "r", "") == DigestOf("webex", "t", "ar", ""));
  EXPECT_FALSE(DigestOf("webex", "t", "r", "") == DigestOf("webex", "t", "r", "s"));
}

TEST(ManifestIndex, LatestAndLastExportedComeBackFromTheFileAfterReopen) {
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  {
    auto m = OpenUnlocked(path);
    ASSERT_TRUE(m->Bind("file:///dest/", "{task_id}"));
    ASSERT_TRUE(m->Append(Item("t1", "r1", ItemStatus::kExported)));
    ASSERT_TRUE(m->Append(Item("t1", "r1", ItemStatus::kSkipped)));
    ASSERT_TRUE(m->Append(Item("t1", "r1", ItemStatus::kFailed, "", "sink said no")));
    ASSERT_TRUE(m->Append(Item("t2", "r2", ItemStatus::kPending)));
    // Visible at once, from the live manifest (read back from the file it appends to).
    auto latest = m->Latest("webex", "t1", "r1");
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->status, ItemStatus::kFailed);
    EXPECT_EQ(latest->error, "sink said no");
  }
  auto m = OpenUnlocked(path);
  auto latest = m->Latest("webex", "t1", "r1");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->status, ItemStatus::kFailed);
  auto exported = m->LastExported("webex", "t1", "r1");
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->status, ItemStatus::kExported);
  EXPECT_EQ(exported->uri, "file:///dest/k/t1/r1.wav");
  EXPECT_EQ(exported->sha256, std::string(64, 'b'));
  EXPECT_FALSE(m->LastExported("webex", "t2", "r2"));
  EXPECT_FALSE(m->Latest("webex", "t3", "r3"));
  EXPECT_FALSE(m->IsDone("webex", "t1", "r1")) << "the failure is the latest word: retried";
}

TEST(ManifestIndex, LinesLongerThanTheReadBlockAndAcrossBlockBoundariesLoad) {
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  std::string const long_error(3 << 20, 'x');  // 3 MiB: spans several 1 MiB read blocks
  std::vector<ManifestEntry> items;
  {
    auto m = OpenUnlocked(path);
    for (int i = 0; i < 5000; ++i) {  // ~1.3 MB of ordinary lines: some straddle a block edge
      items.push_back(Item("t" + std::to_string(i), "r", ItemStatus::kExported));
      ASSERT_TRUE(m->Append(items.back()));
    }
    items.push_back(Item("big", "r", ItemStatus::kFailed, "", long_error));
    ASSERT_TRUE(m->Append(items.back()));
    items.push_back(Item("after", "r", ItemStatus::kExported));
    ASSERT_TRUE(m->Append(items.back()));
  }
  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 0u);
  for (auto const& i : items) {
    auto latest = m->Latest(i.source, i.task_id, i.recording_id);
    ASSERT_TRUE(latest) << i.task_id;
    EXPECT_EQ(latest->status, i.status) << i.task_id;
  }
  EXPECT_EQ(m->Latest("webex", "big", "r")->error.size(), long_error.size());
  EXPECT_EQ(m->Entries().size(), items.size());
}

TEST(ManifestIndex, AFileRewrittenBehindTheIndexStillAnswersFromTheWholeFile) {
  // The index points at byte offsets. If the file changed under it (someone edited it while a
  // reader without the lock had it open), a line read back is not the item's: the manifest then
  // reads the whole file rather than answer for another item.
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto writer = OpenUnlocked(path);
  ASSERT_TRUE(writer->Append(Item("t1", "r1", ItemStatus::kExported)));
  ASSERT_TRUE(writer->Append(Item("t2", "r2", ItemStatus::kFailed)));
  auto reader = OpenUnlocked(path);
  // Same lines, other order, other offsets.
  std::string text = ReadFile(path);
  auto nl = text.find('\n');
  std::string const first = text.substr(0, nl + 1);
  std::string const second = text.substr(nl + 1);
  WriteFile(path, second + first);
  auto latest = reader->Latest("webex", "t1", "r1");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->task_id, "t1");
  EXPECT_EQ(latest->status, ItemStatus::kExported);
  auto failed = reader->Latest("webex", "t2", "r2");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, ItemStatus::kFailed);
  EXPECT_EQ(reader->LastExported("webex", "t1", "r1")->task_id, "t1");
}

/// A manifest that has seen several runs: every kind of history an item can have.
std::vector<ManifestEntry> WriteHistory(std::string const& path) {
  std::vector<ManifestEntry> items;
  auto m = OpenUnlocked(path);
  EXPECT_TRUE(m->Bind("file:///dest/", "{task_id}/{recording_id}"));
  auto add = [&](ManifestEntry e) { EXPECT_TRUE(m->Append(e)); };
  // Exported once, then skipped by three re-runs.
  items.push_back(Item("done", "r", ItemStatus::kExported));
  for (int run = 0; run < 4; ++run) add(run == 0 ? items.back() : Item("done", "r", ItemStatus::kSkipped));
  // Failed twice, then exported.
  items.push_back(Item("healed", "r", ItemStatus::kExported));
  add(Item("healed", "r", ItemStatus::kFailed, "", "HTTP 503"));
  add(Item("healed", "r", ItemStatus::kFailed, "", "HTTP 503 again"));
  add(items.back());
  // Exported, later failed (e.g. a re-export to a changed object): latest failed, last exported kept.
  items.push_back(Item("regressed", "r", ItemStatus::kExported));
  add(items.back());
  add(Item("regressed", "r", ItemStatus::kSkipped));
  add(Item("regressed", "r", ItemStatus::kFailed, "", "the object in the sink differs"));
  // Still failing: must be retried after compaction.
  items.push_back(Item("failing", "r", ItemStatus::kFailed, "", "HTTP 500"));
  add(Item("failing", "r", ItemStatus::kFailed, "", "HTTP 502"));
  add(items.back());
  // Pending (a task not ready yet).
  items.push_back(Item("waiting", "", ItemStatus::kPending));
  add(items.back());
  // Segments of one recording are separate items.
  items.push_back(Item("seg", "r", ItemStatus::kExported, "s1"));
  add(items.back());
  items.push_back(Item("seg", "r", ItemStatus::kExported, "s2"));
  add(items.back());
  add(Item("seg", "r", ItemStatus::kSkipped, "s2"));
  // Skipped only (found in the sink by a fresh manifest).
  items.push_back(Item("found", "r", ItemStatus::kSkipped));
  add(items.back());
  return items;
}

TEST(CompactManifest, KeepsEverythingARunReadsAndDropsSupersededLines) {
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto items = WriteHistory(path);
  // A torn line from a crash, and garbage.
  {
    std::string text = ReadFile(path);
    WriteFile(path, text + "{\"source\":\"webex\",\"task_id\":\"torn\n" + "not json\n");
  }
  ::chmod(path.c_str(), 0640);
  std::string const before_text = ReadFile(path);
  View before = Look(*OpenUnlocked(path), items);

  auto done = CompactManifest(path);
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->items, 8u);
  EXPECT_EQ(done->malformed_dropped, 2u);
  EXPECT_EQ(done->lines_before, 1u + 17u);  // header + 17 entry lines
  // Header, each item's latest line, and the exported lines of "done", "regressed" and "seg s2",
  // whose latest line is a later one.
  EXPECT_EQ(done->lines_after, 1u + 8u + 3u);
  EXPECT_EQ(done->bytes_before, before_text.size());
  EXPECT_EQ(done->bytes_after, ReadFile(path).size());
  EXPECT_EQ(CountLines(ReadFile(path)), done->lines_after);
  EXPECT_EQ(done->backup_path, path + ".1");
  EXPECT_EQ(ReadFile(path + ".1"), before_text) << "the old manifest is kept, byte for byte";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u) << "the manifest keeps its mode";
  EXPECT_NE(::access((path + ".compact.tmp").c_str(), F_OK), 0) << "no temporary file left";

  auto after_m = OpenUnlocked(path);
  EXPECT_EQ(after_m->MalformedLines(), 0u);
  View after = Look(*after_m, items);
  EXPECT_TRUE(after == before);
  EXPECT_EQ(after.latest.at("failing/r/"), before.latest.at("failing/r/"));
  EXPECT_EQ(after.exported.at("regressed/r/"), before.exported.at("regressed/r/"));
  ASSERT_TRUE(after_m->CheckDestination("file:///dest/", "{task_id}/{recording_id}"));
  EXPECT_FALSE(after_m->CheckDestination("file:///other/", "{task_id}/{recording_id}"));

  // Compacting a compacted manifest changes nothing a run reads, and drops nothing more.
  auto again = CompactManifest(path, ManifestCompactOptions{false});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->lines_after, done->lines_after);
  EXPECT_TRUE(again->backup_path.empty());
  EXPECT_TRUE(Look(*OpenUnlocked(path), items) == before);
}

TEST(CompactManifest, RefusedWhileARunHoldsTheManifest) {
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  WriteHistory(path);
  std::string const text = ReadFile(path);
  auto run = ccrec::exporter::Manifest::Open(path);  // locked, like a run
  ASSERT_TRUE(run);
  auto refused = CompactManifest(path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().vendor_code, ccrec::exporter::kManifestInUse);
  EXPECT_EQ(ReadFile(path), text);
}

// A run that opens the manifest just before CompactManifest() renames the compacted file over it,
// and takes the lock just after the compaction released its lock on the old file, must append to
// the new file: lines appended to the replaced one would be lost. The race is made deterministic
// by compacting inside the run's open, between its open(2) and flock(2).
TEST(CompactManifest, ARunOpeningTheManifestWhileItIsCompactedAppendsToTheNewFile) {
  TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto items = WriteHistory(path);
  struct ResetOpenHook {
    ~ResetOpenHook() { ccrec::exporter::detail::SetOpenHookForTesting(nullptr); }
  } reset_hook;
  int opens = 0;
  ccrec::Result<ccrec::exporter::ManifestCompaction> compacted = ccrec::exporter::ManifestCompaction{};
  ccrec::exporter::detail::SetOpenHookForTesting([&](std::string const& opened) {
    if (++opens == 1) compacted = CompactManifest(opened);  // the compaction's own open comes here too
  });
  auto run = ccrec::exporter::Manifest::Open(path);
  ccrec::exporter::detail::SetOpenHookForTesting(nullptr);
  ASSERT_TRUE(compacted) << compacted.error().ToString();
  ASSERT_GT(compacted->lines_before, compacted->lines_after) << "the file was really replaced";
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(opens, 3) << "the run's open, the compaction's, and the run's second open";
  ASSERT_TRUE((*run)->Append(Item("after", "r", ItemStatus::kExported)));
  run->reset();
  auto reopened = OpenUnlocked(path);
  EXPECT_TRUE(reopened->LastExported("webex", "after", "r", "")) << "the run's line is in the manifest";
  for (auto const& i : items) {
    EXPECT_TRUE(reopened->Latest(i.source, i.task_id, i.recording_id, i.segment_id)) << i.task_id;
  }
}

TEST(CompactManifest, MissingFileAndMixedDestinationsAreErrors) {
  TempDir dir;
  auto missing = CompactManifest(dir / "none.jsonl");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(::access((dir / "none.jsonl").c_str(), F_OK), 0) << "not created";

  std::string const mixed = dir / "mixed.jsonl";
  std::string const text =
      "{\"ccrec_manifest\":1,\"destination\":\"file:///a/\",\"key_template\":\"{task_id}\"}\n"
      "{\"ccrec_manifest\":1,\"destination\":\"file:///b/\",\"key_template\":\"{task_id}\"}\n";
  WriteFile(mixed, text);
  auto refused = CompactManifest(mixed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("several destinations"), std::string::npos) << refused.error().message;
  EXPECT_EQ(ReadFile(mixed), text);

  // Not a JSON Lines manifest at all (e.g. a SQLite one given by mistake): left alone.
  std::string const other = dir / "manifest.sqlite";
  std::string const bytes = std::string("SQLite format 3") + '\0' + "\x10\x00\x01\x01 binary pages\n...";
  WriteFile(other, bytes);
  auto not_jsonl = CompactManifest(other);
  ASSERT_FALSE(not_jsonl);
  EXPECT_EQ(not_jsonl.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(not_jsonl.error().message.find("not a JSON Lines manifest"), std::string::npos);
  EXPECT_EQ(ReadFile(other), bytes);
}

TEST(CompactManifest, ManifestWithoutHeaderStaysWithoutOne) {
  TempDir dir;
  std::string const path = dir / "old.jsonl";
  {
    auto m = OpenUnlocked(path);
    ASSERT_TRUE(m->Append(Item("t1", "r1", ItemStatus::kExported)));
    ASSERT_TRUE(m->Append(Item("t1", "r1", ItemStatus::kSkipped)));
  }
  // A whole last line without its newline (JSON Lines allows it) is an entry like any other.
  std::string const unterminated = ccrec::exporter::Manifest::ToJsonLine(Item("t2", "r2", ItemStatus::kFailed));
  WriteFile(path, ReadFile(path) + unterminated);
  auto done = CompactManifest(path);
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->lines_after, 3u);
  EXPECT_EQ(ReadFile(path + ".1").back(), '}') << "the old file was not touched before the rewrite";
  auto m = OpenUnlocked(path);
  EXPECT_FALSE(m->Destination());
  EXPECT_EQ(m->Latest("webex", "t1", "r1")->status, ItemStatus::kSkipped);
  EXPECT_EQ(m->Latest("webex", "t2", "r2")->status, ItemStatus::kFailed);
  EXPECT_EQ(ReadFile(path).back(), '\n');
}

TEST_F(ExporterTest, AfterCompactionDoneItemsAreSkippedAndFailedOnesRetried) {
  auto a = Add("t1", "r1", Bytes(500, 1));
  auto b = Add("t2", "r2", Bytes(600, 2), {Step::Fail(ErrorCode::kNotFound, "not there yet")});
  auto c = Add("t3", "r3", Bytes(700, 3));
  ASSERT_EQ(Run(1).LastLine(), "exported=2 skipped=0 failed=1 pending=0 bytes=1200");
  // Re-runs while t2 still fails pile up lines.
  b = std::make_shared<Media>(Bytes(600, 2), std::vector<Step>{Step::Fail(ErrorCode::kNotFound, "still not")});
  source->items[1] = MakeItem("t2", "r2", b);
  ASSERT_EQ(Run(1).LastLine(), "exported=0 skipped=2 failed=1 pending=0 bytes=0");
  auto const lines_before = Lines().size();

  auto done = CompactManifest(manifest_path);
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_LT(done->lines_after, lines_before + 1);

  // The recording is there now: the next run exports exactly it, and opens nothing else.
  b = std::make_shared<Media>(Bytes(600, 2));
  source->items[1] = MakeItem("t2", "r2", b);
  auto const opens_before = sink->Opened().size();
  auto const stats_before = sink->Statted().size();
  EXPECT_EQ(Run(1).LastLine(), "exported=1 skipped=2 failed=0 pending=0 bytes=600");
  EXPECT_EQ(a->Calls(), 1u);
  EXPECT_EQ(c->Calls(), 1u);
  EXPECT_EQ(b->Calls(), 1u);
  EXPECT_EQ(sink->Opened().size(), opens_before + 2u) << "t2's recording and its sidecar only";
  // (t2's recording and its sidecar: this sink does not enforce If-None-Match, so both are
  // looked up before they are written)
  EXPECT_EQ(sink->Statted().size(), stats_before + 2u) << "only t2 asks the sink; the others are known";
}

}  // namespace
}  // namespace exporter_test
