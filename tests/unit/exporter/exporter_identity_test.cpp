// SPDX-License-Identifier: Apache-2.0
// The export engine's identity rules (issue 11 items 3, 4, 12): objects that are not the
// recording's are never skipped or overwritten, key collisions fail every item involved, and a
// manifest is bound to its destination and key template.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/object_identity.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::exporter::Manifest;
using ccrec::testing::MemorySink;

// Issue 11 item 3: an object already at the key is skipped only when it holds this recording.
TEST_F(ExporterTest, ObjectOfAnotherRecordingOrWithoutIdentityIsAFailureNotASkip) {
  auto a = Add("t1", "r1", Bytes(100, 1));
  auto b = Add("t2", "r2", Bytes(100, 2));
  Preload(Key("t1", "r1"), "someone else's", "t9", "r9");
  Preload(Key("t2", "r2"), "written by another tool");
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
  EXPECT_EQ(a->Calls() + b->Calls(), 0u);
  EXPECT_EQ(memory->Get(Key("t1", "r1")), std::optional<std::string>("someone else's")) << "never overwritten";
  EXPECT_EQ(memory->Get(Key("t2", "r2")), std::optional<std::string>("written by another tool"));
  std::map<std::string, Line> by_rec;
  for (auto const& l : Lines()) by_rec[l.recording_id] = l;
  EXPECT_NE(by_rec.at("r1").error.find("holds another recording"), std::string::npos) << by_rec.at("r1").error;
  EXPECT_NE(by_rec.at("r1").error.find("v1/fake/t9/r9/"), std::string::npos) << by_rec.at("r1").error;
  EXPECT_NE(by_rec.at("r2").error.find("has no ccrec-id metadata"), std::string::npos) << by_rec.at("r2").error;
  EXPECT_EQ(by_rec.at("r2").uri, "memory://" + Key("t2", "r2"));
}

TEST_F(ExporterTest, ObjectWithoutIdentityIsProvenByTheExportedLineOfAnOlderManifest) {
  auto media = Add("t1", "r1", Bytes(500));
  Preload(Key("t1", "r1"), media->Data());  // an older ccrec wrote it, without metadata
  // ... and its manifest (no header, no "uri") says so; a later "skipped" line does not hide it.
  std::string const sha = ccrec::detail::Sha256Hex(media->Data());
  ccrec_test::WriteFile(manifest_path,
                        R"({"source":"fake","task_id":"t1","recording_id":"r1","key":")" + Key("t1", "r1") +
                            R"(","bytes":500,"sha256":")" + sha + R"(","status":"exported","error":""})" + "\n" +
                            R"({"source":"fake","task_id":"t1","recording_id":"r1","key":")" + Key("t1", "r1") +
                            R"(","bytes":500,"sha256":")" + sha + R"(","status":"skipped","error":""})" + "\n");
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 0u);
  auto statted = sink->Statted();
  EXPECT_NE(std::find(statted.begin(), statted.end(), Key("t1", "r1")), statted.end())
      << "lines without a uri are not trusted: the sink is asked";
}

// Issue 11 item 4: re-running with the same --manifest and a new --dest gave skipped=27, an
// empty destination and exit 0.
TEST_F(ExporterTest, ManifestOfAnotherDestinationIsRefusedBeforeAnythingIsWritten) {
  for (int i = 0; i < 3; ++i) Add("t", "r" + std::to_string(i), Bytes(10));
  ASSERT_EQ(Run().exported, 3u);
  auto lines_before = ccrec_test::ReadFile(manifest_path);
  EXPECT_NE(lines_before.find(R"("ccrec_manifest":1,"destination":"memory://","key_template":"call-detail/)"),
            std::string::npos)
      << lines_before;
  for (auto const& l : Lines()) EXPECT_EQ(l.uri, "memory://" + l.key);

  auto other = std::make_shared<MemorySink>();
  sink = std::make_shared<CountingSink>(other);
  sink->uri_base = "s3://new-bucket/";
  auto summary = Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(summary.fatal->message.find("belongs to destination memory://"), std::string::npos)
      << summary.fatal->message;
  EXPECT_NE(summary.fatal->message.find("writes to s3://new-bucket/"), std::string::npos) << summary.fatal->message;
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
  EXPECT_EQ(ccrec_test::ReadFile(manifest_path), lines_before) << "nothing written";
  EXPECT_TRUE(sink->Opened().empty());
  EXPECT_TRUE(sink->Statted().empty());
}

TEST_F(ExporterTest, ManifestWithoutHeaderGetsOneAndItsLinesAreCheckedWithTheSink) {
  auto media = Add("t1", "r1", Bytes(10));
  // An older ccrec's line for another destination: it must not make the item skipped here.
  ccrec_test::WriteFile(manifest_path, R"({"source":"fake","task_id":"t1","recording_id":"r1","key":")" +
                                           Key("t1", "r1") + R"(","bytes":10,"sha256":"","status":"exported"})" +
                                           "\n");
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=10");
  EXPECT_EQ(media->Calls(), 1u);
  auto text = ccrec_test::ReadFile(manifest_path);
  EXPECT_NE(text.find(R"({"ccrec_manifest":1,"destination":"memory://")"), std::string::npos) << text;
  auto again = Run();
  EXPECT_EQ(again.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
}

// ---------------------------------------------------------------------------------------------
// Key collisions (issue 11 item 3)

/// 27 Webex-like recordings in 9 tasks whose file names repeat (recording-1..3.wav).
void AddRepeatingFileNames(FakeSource& source, std::vector<std::shared_ptr<Media>>& media) {
  for (int t = 0; t < 9; ++t) {
    for (int r = 1; r <= 3; ++r) {
      media.push_back(std::make_shared<Media>(Bytes(100 + t * 3 + r, static_cast<std::uint32_t>(t * 3 + r))));
      source.items.push_back(MakeItem("task-" + std::to_string(t), "rec-" + std::to_string(t) + "-" + std::to_string(r),
                                      media.back(), "recording-" + std::to_string(r) + ".wav"));
    }
  }
}

TEST_F(ExporterTest, FileNameTemplateIsRefusedForASourceWhoseFileNamesRepeat) {
  std::vector<std::shared_ptr<Media>> media;
  AddRepeatingFileNames(*source, media);
  source->identity = ccrec::exporter::KeyIdentityRule{"webex", {{"task_id", "recording_id"}}};
  auto o = Options();
  o.key_template = "wxcc/{yyyy}/{mm}/{dd}/{file_name}";
  auto summary = Run(o, OpenManifest());
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(summary.fatal->message.find("{task_id} and {recording_id}"), std::string::npos) << summary.fatal->message;
  EXPECT_TRUE(memory->Objects().empty());
}

// The measured case: 27 recordings, `exported=5 skipped=22`, 4 files, exit 0. Even when a source
// declares no identity rule (so the template is accepted), no recording may end "skipped" for
// another recording's object: every one ends exported or failed.
TEST_F(ExporterTest, RepeatingFileNamesEndExportedOrFailedNeverSkipped) {
  std::vector<std::shared_ptr<Media>> media;
  AddRepeatingFileNames(*source, media);
  source->identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
  auto o = Options(4);
  o.key_template = "wxcc/{yyyy}/{mm}/{dd}/{file_name}";
  auto summary = Run(o, OpenManifest());
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.skipped, 0u);
  EXPECT_EQ(summary.exported + summary.failed, 27u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 27u) << "9 recordings per key: every one of them collides";
  EXPECT_EQ(summary.bytes, 0u);
  std::map<std::string, Line> latest;
  for (auto const& l : Lines()) latest[l.recording_id] = l;
  ASSERT_EQ(latest.size(), 27u);
  for (auto const& [rec, l] : latest) {
    EXPECT_EQ(l.status, "failed") << l.raw;
    EXPECT_NE(l.error.find("key collision"), std::string::npos) << l.raw;
  }
  // A second run neither skips nor overwrites anything.
  auto again = Run(o, OpenManifest());
  EXPECT_EQ(again.skipped, 0u);
  EXPECT_EQ(again.failed, 27u);
}

TEST_F(ExporterTest, OneCollisionFailsBothItemsEvenAfterTheFirstWasExported) {
  auto a = Add("t1", "r1", Bytes(10, 1), {}, "same.wav");
  auto b = Add("t2", "r2", Bytes(20, 2), {}, "other.wav");
  auto c = Add("t3", "r3", Bytes(30, 3), {}, "same.wav");
  source->identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
  auto o = Options(1);  // in order: t1/r1 is exported before t3/r3 collides with it
  o.key_template = "x/{file_name}";
  auto summary = Run(o, OpenManifest());
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=2 pending=0 bytes=20");
  std::map<std::string, Line> latest;
  for (auto const& l : Lines()) latest[l.recording_id] = l;
  EXPECT_EQ(latest.at("r1").status, "failed");
  EXPECT_NE(latest.at("r1").error.find("t3 recording r3"), std::string::npos) << latest.at("r1").error;
  EXPECT_EQ(latest.at("r2").status, "exported");
  EXPECT_EQ(latest.at("r3").status, "failed");
  EXPECT_EQ(c->Calls(), 0u);
  EXPECT_EQ(memory->Get("x/same.wav"), std::optional<std::string>(a->Data())) << "never overwritten";
}

TEST_F(ExporterTest, TheSameRecordingListedTwiceIsNotACollision) {
  auto media = std::make_shared<Media>(Bytes(50));
  source->items.push_back(MakeItem("t1", "r1", media));
  source->items.push_back(MakeItem("t1", "r1", media));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=1 failed=0 pending=0 bytes=50");
}

/// Lists t1/r1 twice and t3/r3 (whose key collides with it) in `order` ("aab": both listings of
/// t1/r1 first; "aba": t3/r3 between them), and t2/r2 at its own key, under "x/{file_name}".
void ListTwiceAndCollide(FakeSource& source, std::string const& order) {
  auto const r1 = std::make_shared<Media>(Bytes(10, 1));
  for (char c : order) {
    if (c == 'a') source.items.push_back(MakeItem("t1", "r1", r1, "same.wav"));
    if (c == 'b') source.items.push_back(MakeItem("t3", "r3", std::make_shared<Media>(Bytes(30, 3)), "same.wav"));
  }
  source.items.push_back(MakeItem("t2", "r2", std::make_shared<Media>(Bytes(20, 2)), "other.wav"));
  source.identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
}

/// The run of ListTwiceAndCollide(): every listed item counted once, in one bucket (both
/// listings of t1/r1 and t3/r3 failed, t2/r2 exported, only its bytes), the lines of the run
/// exactly `expected` ("recording:status"), and replaying them gives the summary's counts (a
/// "failed" line after an "exported" or "skipped" line of the same recording takes that back).
void ExpectEveryListingCountedOnce(ccrec::exporter::ExportSummary const& summary, std::vector<Line> const& lines,
                                   std::vector<std::string> const& expected) {
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=3 pending=0 bytes=20");
  EXPECT_EQ(summary.exported + summary.skipped + summary.failed + summary.pending, summary.discovered);
  std::vector<std::string> seen;
  std::map<std::string, std::vector<std::string>> completed;  // recording -> outcomes not taken back
  std::map<std::string, std::uint64_t> replayed;
  for (auto const& l : lines) {
    seen.push_back(l.recording_id + ":" + l.status);
    auto& done = completed[l.recording_id];
    if (l.status == "failed" && !done.empty()) {
      --replayed[done.back()];
      done.pop_back();
    } else if (l.status != "failed") {
      done.push_back(l.status);
    }
    ++replayed[l.status];
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(replayed["exported"], summary.exported);
  EXPECT_EQ(replayed["skipped"], summary.skipped);
  EXPECT_EQ(replayed["failed"], summary.failed);
}

// The same recording listed twice completes twice (exported, then skipped as done); a later
// collision must take back both listings, not only the one recorded last (the summary said
// exported=2 skipped=0 failed=2: t1/r1's export stayed counted, with its bytes).
TEST_F(ExporterTest, ACollisionTakesBackEveryListingOfARecordingListedTwice) {
  ListTwiceAndCollide(*source, "aab");
  auto o = Options(1);  // in order: both listings of t1/r1 complete before t3/r3 collides
  o.write_sidecars = false;  // (a sidecar would complete an item on the pool, in no fixed order)
  o.key_template = "x/{file_name}";
  auto const summary = Run(o, OpenManifest());
  ExpectEveryListingCountedOnce(summary, Lines(),
                                {"r1:exported", "r1:skipped", "r1:failed", "r1:failed", "r3:failed", "r2:exported"});
  EXPECT_EQ(memory->Get("x/same.wav"), std::optional<std::string>(Bytes(10, 1))) << "never overwritten";
}

TEST_F(ExporterTest, ACollisionBetweenTheListingsOfARecordingCountsEachListingOnce) {
  ListTwiceAndCollide(*source, "aba");
  auto o = Options(1);  // the second listing of t1/r1 comes after the collision
  o.write_sidecars = false;
  o.key_template = "x/{file_name}";
  auto const summary = Run(o, OpenManifest());
  ExpectEveryListingCountedOnce(summary, Lines(),
                                {"r1:exported", "r1:failed", "r3:failed", "r1:failed", "r2:exported"});
}

TEST_F(ExporterTest, ObjectsCarryTheirIdentityAndAreWrittenWithIfNoneMatch) {
  Add("t1", "r/1", Bytes(50));
  ASSERT_EQ(Run().exported, 1u);
  auto objects = memory->Objects();
  auto const& rec = objects.at("call-detail/t1/" + ccrec::exporter::SanitizeKeyComponent("r/1") + ".wav");
  EXPECT_EQ(rec.options.metadata.at("ccrec-id"), "v1/fake/t1/r%2F1/");
  EXPECT_TRUE(rec.options.if_none_match);
  auto const& sidecar = objects.at("call-detail/t1/" + ccrec::exporter::SanitizeKeyComponent("r/1") + ".wav.json");
  EXPECT_EQ(sidecar.options.metadata.at("ccrec-id"), "v1/fake/t1/r%2F1/");
  EXPECT_TRUE(sidecar.options.if_none_match);
}

// The identity's wire form is stored in objects' metadata, so it must never change: every byte
// outside [A-Za-z0-9._~-] is %XX with upper-case hex (EncodeIdentity uses ::ccrec::detail::PercentEncode;
// this pins that it encodes exactly as the exporter's own encoder did before).
TEST(EncodeIdentityTest, EveryByteEncodesAsBefore) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string expected;
  for (int c = 0; c < 256; ++c) {
    bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
                 c == '~' || c == '-';
    if (plain) {
      expected += static_cast<char>(c);
    } else {
      expected += '%';
      expected += "0123456789ABCDEF"[c >> 4];
      expected += "0123456789ABCDEF"[c & 0xF];
    }
  }
  ccrec::exporter::RecordingIdentity id{"src/x", all.substr(0, 128), all.substr(128), "s 1"};
  EXPECT_EQ(ccrec::exporter::EncodeIdentity(id),
            "v1/src%2Fx/" + expected.substr(0, expected.find("%80")) + "/" + expected.substr(expected.find("%80")) + "/s%201");
}

}  // namespace
}  // namespace exporter_test
