// SPDX-License-Identifier: Apache-2.0
// The export engine: byte-exact streaming, exactly-once via manifest and Stat, dry runs. Resumed downloads
// and retries: exporter_retry_test.cpp; failures: exporter_failures_test.cpp; cancellation:
// exporter_cancel_test.cpp; concurrency and back-pressure: exporter_concurrency_test.cpp.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace exporter_test {
namespace {

using ccrec::exporter::ExportSummary;
using ccrec::exporter::Manifest;

// ---------------------------------------------------------------------------------------------
// Happy path

TEST_F(ExporterTest, ExportsEveryItemByteExactWithSidecarsAndManifest) {
  auto a = Add("t1", "r1", Bytes(10000, 1));
  auto b = Add("t1", "r2", "", {}, "Empty.MP3");
  auto c = Add("t2", "r3", Bytes(70001, 3));
  auto summary = Run();

  EXPECT_EQ(summary.exported, 3u);
  EXPECT_EQ(summary.skipped, 0u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.pending, 0u);
  EXPECT_EQ(summary.bytes, 80001u);
  EXPECT_EQ(summary.discovered, 3u);
  EXPECT_FALSE(summary.cancelled);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=3 skipped=0 failed=0 pending=0 bytes=80001");

  auto objects = memory->Objects();
  ASSERT_EQ(objects.size(), 6u);
  EXPECT_TRUE(objects.at(Key("t1", "r1")).data == a->Data());
  EXPECT_TRUE(objects.at(Key("t1", "r2", ".mp3")).data.empty());
  EXPECT_TRUE(objects.at(Key("t2", "r3")).data == c->Data());
  EXPECT_EQ(objects.at(Key("t1", "r1")).options.content_type, "audio/wav");
  EXPECT_EQ(objects.at(Key("t1", "r2", ".mp3")).options.content_type, "audio/mpeg");
  EXPECT_EQ(objects.at(Key("t1", "r1")).options.metadata.at("ccrec-source"), "fake");
  EXPECT_EQ(objects.at(Key("t1", "r1") + ".json").data, R"({"task":"t1","recording":"r1"})");
  EXPECT_EQ(objects.at(Key("t1", "r1") + ".json").options.content_type, "application/json");
  EXPECT_EQ(objects.at(Key("t2", "r3") + ".json").data, R"({"task":"t2","recording":"r3"})");
  EXPECT_EQ(objects.at(Key("t1", "r2", ".mp3") + ".json").data, R"({"task":"t1","recording":"r2"})");
  EXPECT_EQ(memory->AbortCount(), 0u);

  for (auto const* m : {a.get(), b.get(), c.get()}) EXPECT_EQ(m->Offsets(), std::vector<std::uint64_t>{0});
  EXPECT_TRUE(sleeper->Sleeps().empty());

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  std::map<std::string, Line> by_rec;
  for (auto const& l : lines) by_rec[l.recording_id] = l;
  EXPECT_EQ(by_rec.at("r1").status, "exported");
  EXPECT_EQ(by_rec.at("r1").source, "fake");
  EXPECT_EQ(by_rec.at("r1").task_id, "t1");
  EXPECT_EQ(by_rec.at("r1").key, Key("t1", "r1"));
  EXPECT_EQ(by_rec.at("r1").bytes, 10000u);
  EXPECT_EQ(by_rec.at("r1").sha256, ccrec::detail::Sha256Hex(a->Data()));
  EXPECT_EQ(by_rec.at("r1").error, "");
  EXPECT_FALSE(by_rec.at("r1").segment_id) << "segment_id only when the source has one";
  EXPECT_EQ(by_rec.at("r2").bytes, 0u);
  EXPECT_EQ(by_rec.at("r2").key, Key("t1", "r2", ".mp3"));
  EXPECT_EQ(by_rec.at("r3").sha256, ccrec::detail::Sha256Hex(c->Data()));
}

TEST(ExportSummaryTest, LastLineFormat) {
  ExportSummary s;
  EXPECT_EQ(s.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
  s.exported = 12;
  s.skipped = 3;
  s.failed = 1;
  s.pending = 7;
  s.bytes = 18446744073709551615ull;
  s.discovered = 99;  // not part of the line
  EXPECT_EQ(s.LastLine(), "exported=12 skipped=3 failed=1 pending=7 bytes=18446744073709551615");
}

TEST(ItemStatusCountsTest, CountsEachStatusAndPrintsTheLine) {
  using ccrec::exporter::ItemStatus;
  ccrec::exporter::ItemStatusCounts c;
  EXPECT_EQ(c.Line(), "exported=0 skipped=0 failed=0 pending=0");
  for (auto status : {ItemStatus::kExported, ItemStatus::kSkipped, ItemStatus::kSkipped, ItemStatus::kFailed,
                      ItemStatus::kFailed, ItemStatus::kFailed, ItemStatus::kPending}) {
    c.Count(status);
  }
  EXPECT_EQ(c.exported, 1u);
  EXPECT_EQ(c.skipped, 2u);
  EXPECT_EQ(c.failed, 3u);
  EXPECT_EQ(c.pending, 1u);
  EXPECT_EQ(c.Line(), "exported=1 skipped=2 failed=3 pending=1");
  ExportSummary s;
  s.Count(ItemStatus::kExported);
  s.bytes = 5;
  EXPECT_EQ(s.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=5");
}

TEST_F(ExporterTest, SegmentIdIsRecordedAndUsableInTheKey) {
  auto media = std::make_shared<Media>(Bytes(100));
  auto item = MakeItem("t1", "r1", media);
  item.segment_id = "s-2";
  item.key_fields.segment_id = "s-2";
  source->items.push_back(item);
  auto o = Options();
  o.key_template = "{task_id}/{recording_id}-{segment_id}{ext}";
  auto summary = Run(o, OpenManifest());
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_TRUE(memory->Get("t1/r1-s-2.wav"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].segment_id, "s-2");
}

TEST_F(ExporterTest, SidecarsCanBeTurnedOff) {
  Add("t1", "r1", Bytes(100));
  auto o = Options();
  o.write_sidecars = false;
  EXPECT_EQ(Run(o, OpenManifest()).exported, 1u);
  auto objects = memory->Objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.begin()->first, Key("t1", "r1"));
}

TEST_F(ExporterTest, ProgressCallbackGetsTheFinalSummary) {
  Add("t1", "r1", Bytes(100));
  Add("t1", "r2", Bytes(200));
  std::mutex mu;
  std::vector<ExportSummary> seen;
  auto o = Options();
  o.on_progress = [&](ExportSummary const& s) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(s);
  };
  auto summary = Run(o, OpenManifest());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().LastLine(), summary.LastLine());
  EXPECT_EQ(seen.back().exported, 2u);
}

// ---------------------------------------------------------------------------------------------
// Exactly once

TEST_F(ExporterTest, SecondRunWithSameManifestSkipsEverythingWithoutOpening) {
  auto a = Add("t1", "r1", Bytes(5000, 1));
  auto b = Add("t2", "r2", Bytes(6000, 2));
  auto manifest = OpenManifest();
  ASSERT_EQ(Run(Options(), manifest).exported, 2u);
  auto opens_before = sink->Opened().size();
  auto stats_before = sink->Statted().size();

  auto again = Run(Options(), manifest);
  EXPECT_EQ(again.LastLine(), "exported=0 skipped=2 failed=0 pending=0 bytes=0");
  EXPECT_EQ(a->Calls(), 1u);
  EXPECT_EQ(b->Calls(), 1u);
  EXPECT_EQ(sink->Opened().size(), opens_before) << "nothing written";
  EXPECT_EQ(sink->Statted().size(), stats_before) << "the manifest alone decides";

  // The same file reopened (a new process) behaves the same.
  auto third = Run(Options(), OpenManifest());
  EXPECT_EQ(third.LastLine(), "exported=0 skipped=2 failed=0 pending=0 bytes=0");
  EXPECT_EQ(a->Calls(), 1u);
  EXPECT_EQ(b->Calls(), 1u);

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 6u);
  auto counts = StatusCounts(lines);
  EXPECT_EQ(counts["exported"], 2u);
  EXPECT_EQ(counts["skipped"], 4u);
  for (auto const& l : lines) {
    if (l.status != "skipped") continue;
    auto const& data = l.recording_id == "r1" ? a->Data() : b->Data();
    EXPECT_EQ(l.bytes, data.size()) << l.raw;
    EXPECT_EQ(l.sha256, ccrec::detail::Sha256Hex(data)) << l.raw;
    EXPECT_EQ(l.key, Key(l.task_id, l.recording_id));
  }
}

TEST_F(ExporterTest, FreshManifestSkipsItemsAlreadyInTheSinkViaStat) {
  auto a = Add("t1", "r1", Bytes(5000, 1));
  auto b = Add("t2", "r2", Bytes(6000, 2));
  ASSERT_EQ(Run(Options(), OpenManifest(dir / "first.jsonl")).exported, 2u);
  sink = std::make_shared<CountingSink>(memory);  // reset counters

  auto summary = Run(Options(), OpenManifest());
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=2 failed=0 pending=0 bytes=0");
  EXPECT_EQ(a->Calls(), 1u) << "no download";
  EXPECT_EQ(b->Calls(), 1u) << "no download";
  EXPECT_TRUE(sink->Opened().empty());
  auto statted = sink->Statted();
  EXPECT_NE(std::find(statted.begin(), statted.end(), Key("t1", "r1")), statted.end());
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  for (auto const& l : lines) {
    EXPECT_EQ(l.status, "skipped");
    auto const& data = l.recording_id == "r1" ? a->Data() : b->Data();
    EXPECT_EQ(l.bytes, data.size());
    EXPECT_EQ(l.sha256, ccrec::detail::Sha256Hex(data));
  }

  // Without any manifest (Manifest::Null) too.
  auto none = Run(Options(), nullptr);
  EXPECT_EQ(none.skipped, 2u);
  EXPECT_EQ(a->Calls(), 1u);
}

TEST_F(ExporterTest, ObjectOfTheWrongSizeInTheSinkIsNeverOverwritten) {
  auto media = std::make_shared<Media>(Bytes(3000));
  auto item = MakeItem("t1", "r1", media);
  item.expected_size = 3000;
  source->items.push_back(item);
  Preload(Key("t1", "r1"), "truncated by an old tool", "t1", "r1");
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 0u);
  EXPECT_EQ(memory->Get(Key("t1", "r1")), std::optional<std::string>("truncated by an old tool"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].error.find("the source now reports 3000 bytes"), std::string::npos) << lines[0].error;
}

TEST_F(ExporterTest, RecordingPresentButSidecarMissingGetsItsSidecarWithoutDownload) {
  // A previous run stopped between the recording and its sidecar.
  auto media = Add("t1", "r1", Bytes(3000));
  Preload(Key("t1", "r1"), media->Data(), "t1", "r1");
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 0u);
  EXPECT_EQ(memory->Get(Key("t1", "r1") + ".json"), std::optional<std::string>(R"({"task":"t1","recording":"r1"})"))
      << "a skipped recording must still end up with its sidecar";
}

TEST_F(ExporterTest, ChangedKeyTemplateNeedsANewManifestAndExportsAgain) {
  auto media = Add("t1", "r1", Bytes(300));
  auto manifest = OpenManifest();
  ASSERT_EQ(Run(Options(), manifest).exported, 1u);
  auto o = Options();
  o.key_template = "archive/{yyyy}/{task_id}/{recording_id}{ext}";
  auto refused = Run(o, manifest);
  ASSERT_TRUE(refused.fatal);
  EXPECT_EQ(refused.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.fatal->message.find("key template \"call-detail/{task_id}/{recording_id}{ext}\""),
            std::string::npos)
      << refused.fatal->message;
  EXPECT_EQ(media->Calls(), 1u);
  auto summary = Run(o, OpenManifest(dir / "archive.jsonl"));
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(media->Calls(), 2u);
  EXPECT_TRUE(memory->Get("archive/1970/t1/r1.wav"));
}

// ---------------------------------------------------------------------------------------------
// Dry run

TEST_F(ExporterTest, DryRunWritesNothingAndReportsEveryKey) {
  auto a = Add("t1", "r1", Bytes(10));
  auto b = Add("t/2", "../r2", Bytes(10), {}, "Call.M4A");
  source->pending.push_back(PendingItem{"fake", "t-wait", "later"});
  Preload(Key("t1", "r1"), a->Data());
  sink = std::make_shared<CountingSink>(memory);
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> planned;
  auto o = Options(4);
  o.dry_run = true;
  o.on_dry_run_item = [&](ExportItem const& item, std::string const& key) {
    std::lock_guard<std::mutex> lock(mu);
    planned.emplace_back(item.recording_id, key);
  };
  auto summary = Run(o, OpenManifest());
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported + summary.skipped + summary.failed, 0u);
  EXPECT_EQ(summary.bytes, 0u);
  EXPECT_EQ(summary.discovered, 2u);
  std::sort(planned.begin(), planned.end());
  EXPECT_EQ(planned, (std::vector<std::pair<std::string, std::string>>{
                         {"../r2", "call-detail/t_2_feb9a8482385d2f1/_._r2_c8448a8d460a3c22.m4a"}, {"r1", "call-detail/t1/r1.wav"}}));
  EXPECT_TRUE(sink->Opened().empty());
  EXPECT_TRUE(sink->Statted().empty());
  EXPECT_EQ(a->Calls() + b->Calls(), 0u);
  EXPECT_EQ(memory->Objects().size(), 1u) << "only the preloaded object";
  EXPECT_TRUE(ccrec_test::ReadFile(manifest_path).empty()) << "no manifest lines in a dry run";
}

}  // namespace
}  // namespace exporter_test
