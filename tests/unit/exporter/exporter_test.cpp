// SPDX-License-Identifier: Apache-2.0
// The export engine: byte-exact streaming, exactly-once via manifest and Stat, resumed
// downloads, failures, fatal sink errors, cancellation, concurrency, back-pressure, dry runs.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

namespace exporter_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::exporter::ExportSummary;
using ccrec::exporter::Manifest;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;
using namespace std::chrono_literals;

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
  EXPECT_TRUE(objects.at(Key("t1", "r1")).data == a->data());
  EXPECT_TRUE(objects.at(Key("t1", "r2", ".mp3")).data.empty());
  EXPECT_TRUE(objects.at(Key("t2", "r3")).data == c->data());
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
  EXPECT_EQ(by_rec.at("r1").sha256, ccrec::detail::Sha256Hex(a->data()));
  EXPECT_EQ(by_rec.at("r1").error, "");
  EXPECT_FALSE(by_rec.at("r1").segment_id) << "segment_id only when the source has one";
  EXPECT_EQ(by_rec.at("r2").bytes, 0u);
  EXPECT_EQ(by_rec.at("r2").key, Key("t1", "r2", ".mp3"));
  EXPECT_EQ(by_rec.at("r3").sha256, ccrec::detail::Sha256Hex(c->data()));
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
    auto const& data = l.recording_id == "r1" ? a->data() : b->data();
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
    auto const& data = l.recording_id == "r1" ? a->data() : b->data();
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
  Preload(Key("t1", "r1"), media->data(), "t1", "r1");
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
// Resume and retries

TEST_F(ExporterTest, DroppedConnectionsResumeAtTheBytesAlreadyWritten) {
  auto media = Add("t1", "r1", Bytes(50000), {Step::DropAfter(12345), Step::DropAfter(20000), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=50000");
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 12345, 32345}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->data());
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].bytes, 50000u);
  EXPECT_EQ(lines[0].sha256, ccrec::detail::Sha256Hex(media->data()));
}

TEST_F(ExporterTest, ServerIgnoringRangeOnResumeStillGivesAByteExactObject) {
  auto once = Add("t1", "r1", Bytes(30000, 1), {Step::DropAfter(7000), Step::IgnoreRange()});
  // Ignores Range and drops again, once before and once after reaching the resume offset.
  auto twice = Add("t1", "r2", Bytes(30000, 2),
                   {Step::DropAfter(7000), Step::IgnoreRangeDropAfter(3000), Step::IgnoreRangeDropAfter(9000),
                    Step::IgnoreRange()});
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=60000");
  EXPECT_EQ(once->Offsets(), (std::vector<std::uint64_t>{0, 7000}));
  EXPECT_EQ(twice->Offsets(), (std::vector<std::uint64_t>{0, 7000, 7000, 9000}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == once->data());
  EXPECT_TRUE(memory->Get(Key("t1", "r2")) == twice->data());
}

TEST_F(ExporterTest, PartialResponseMustStartAtTheRequestedOffset) {
  // A 206 whose Content-Range starts elsewhere must not be appended.
  std::string data = Bytes(20000);
  auto wrong_range = [data](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return Respond(206, data, data.size(), 1000, {}, {{"Content-Range", "bytes 0-19999/20000"}});
  };
  auto media = Add("t1", "r1", data, {Step::DropAfter(5000), Step::Response(wrong_range), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.exported, 1u);
  auto stored = memory->Get(Key("t1", "r1"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), data.size());
  EXPECT_TRUE(*stored == data) << "object corrupted by a misplaced 206";
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 5000, 5000}));
}

TEST_F(ExporterTest, BodyShorterThanContentLengthIsDetectedAndResumed) {
  auto media = Add("t1", "r1", Bytes(20000), {Step::ShortBody(4000), Step::ShortBody(1), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 4000, 4001}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->data());
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
}

TEST_F(ExporterTest, ExhaustedAttemptsFailTheItemAndStoreNothing) {
  auto bad = Add("t1", "r1", Bytes(20000), std::vector<Step>(10, Step::DropAfter(1000)));
  auto good = Add("t2", "r2", Bytes(777));
  auto o = Options(1);
  o.download_attempts = 3;
  auto summary = Run(o, OpenManifest());
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=777")
      << "bytes of a failed transfer are not exported bytes";
  EXPECT_EQ(bad->Offsets(), (std::vector<std::uint64_t>{0, 1000, 2000}));
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
  EXPECT_EQ(memory->AbortCount(), 1u);
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto const& failed = lines[0].recording_id == "r1" ? lines[0] : lines[1];
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.key, Key("t1", "r1"));
  EXPECT_NE(failed.error.find("connection reset by peer"), std::string::npos) << failed.error;
  EXPECT_NE(failed.error.find("3000 bytes"), std::string::npos) << failed.error;
  EXPECT_EQ(failed.bytes, 0u);
  EXPECT_EQ(failed.sha256, "");
}

TEST_F(ExporterTest, NonRetryableOpenerErrorFailsAtOnce) {
  auto gone = Add("t1", "r1", Bytes(100), {Step::Fail(ErrorCode::kNotFound, "NoSuchKey: recording deleted")});
  // A source-side 403 is a per-item failure, not a fatal sink credential error.
  auto denied = Add("t1", "r2", Bytes(100), {Step::Fail(ErrorCode::kPermissionDenied, "URL expired")});
  auto fine = Add("t1", "r3", Bytes(100));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=2 pending=0 bytes=100");
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(gone->Calls(), 1u);
  EXPECT_EQ(denied->Calls(), 1u);
  EXPECT_TRUE(sleeper->Sleeps().empty());
  EXPECT_EQ(memory->AbortCount(), 2u);
  for (auto const& l : Lines()) {
    if (l.recording_id == "r1") {
      EXPECT_EQ(l.status, "failed");
      EXPECT_NE(l.error.find("NoSuchKey: recording deleted"), std::string::npos) << l.error;
      EXPECT_NE(l.error.find("NotFound"), std::string::npos) << l.error;
    }
  }
}

TEST_F(ExporterTest, RetryAfterIsHonouredBetweenAttempts) {
  Error throttled = MakeError(ErrorCode::kRateLimited, "SlowDown");
  throttled.retry_after = 7s;
  auto media = Add("t1", "r1", Bytes(100), {Step::Fail(throttled), Step::Serve()});
  EXPECT_EQ(Run().exported, 1u);
  ASSERT_EQ(sleeper->Sleeps().size(), 1u);
  EXPECT_GE(sleeper->Sleeps()[0], 7000ms);
  EXPECT_EQ(media->Calls(), 2u);
}

TEST_F(ExporterTest, HttpErrorResponseFromAnOpenerIsNeverStored) {
  // A MediaOpener should return HTTP errors as Error, but one that hands back the error response
  // itself must not get an HTML error page exported as the recording.
  auto busy = [](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return ccrec::testing::MakeResponse(503, "<html>busy</html>");
  };
  auto missing = [](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return ccrec::testing::MakeResponse(404, "<Error><Code>NoSuchKey</Code></Error>");
  };
  auto retried = Add("t1", "r1", Bytes(1000), {Step::Response(busy), Step::Serve()});
  auto failed = Add("t1", "r2", Bytes(1000), {Step::Response(missing)});
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=1000");
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == retried->data());
  EXPECT_FALSE(memory->Get(Key("t1", "r2")));
  EXPECT_EQ(failed->Calls(), 1u);
  for (auto const& l : Lines()) {
    if (l.recording_id == "r2") {
      EXPECT_NE(l.error.find("404"), std::string::npos) << l.error;
    }
  }
}

TEST_F(ExporterTest, ItemWithoutAnOpenerFailsInsteadOfCrashing) {
  auto item = MakeItem("t1", "r1", std::make_shared<Media>("x"));
  item.open = nullptr;
  source->items.push_back(item);
  Add("t1", "r2", Bytes(10));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
}

TEST_F(ExporterTest, SizeDifferentFromExpectedFailsTheItem) {
  auto media = std::make_shared<Media>(Bytes(120));
  auto item = MakeItem("t1", "r1", media);
  item.expected_size = 100;
  source->items.push_back(item);
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].error.find("Integrity"), std::string::npos) << lines[0].error;
}

// ---------------------------------------------------------------------------------------------
// Sink failures

TEST_F(ExporterTest, SinkWriteFailureFailsTheItemAndAbortsTheWriter) {
  auto media = Add("t1", "r1", Bytes(20000));
  memory->FailWriteAfter(3, MakeError(ErrorCode::kUnavailable, "disk full"));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(memory->AbortCount(), 1u);
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_EQ(media->Calls(), 1u) << "a sink failure is not a download failure";
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "failed");
  EXPECT_NE(lines[0].error.find("disk full"), std::string::npos);
}

TEST_F(ExporterTest, SidecarFailureFailsTheItemAndTheNextRunCompletesIt) {
  auto media = Add("t1", "r1", Bytes(1000));
  memory->FailWriteAfter(2, MakeError(ErrorCode::kUnavailable, "sidecar write failed"));  // write 1: recording
  auto first = Run(1);
  EXPECT_EQ(first.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));

  auto second = Run(1);
  EXPECT_EQ(second.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 1u) << "the recording is already there";
  EXPECT_TRUE(memory->Get(Key("t1", "r1") + ".json"));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->data());
}

TEST_F(ExporterTest, SinkCredentialErrorOnWriteIsFatal) {
  for (int i = 1; i <= 6; ++i) Add("t" + std::to_string(i), "r" + std::to_string(i), Bytes(500, i));
  // One write per recording (no sidecars: they are written beside the next recording, in no
  // fixed order with it): write 3 is the third recording.
  Error denied = MakeError(ErrorCode::kPermissionDenied, "AccessDenied: Access Denied");
  denied.http_status = 403;
  memory->FailWriteAfter(3, denied);
  auto options = Options(1);
  options.write_sidecars = false;
  auto summary = Run(options, OpenManifest());
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kPermissionDenied);
  EXPECT_NE(summary.fatal->message.find("credentials"), std::string::npos) << summary.fatal->message;
  EXPECT_NE(summary.fatal->message.find("memory://" + Key("t3", "r3")), std::string::npos) << summary.fatal->message;
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(summary.exported, 2u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.bytes, 1000u);
  EXPECT_TRUE(source->stopped_early || source->handed_over < 6u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), source->handed_over.load()) << "every item handed over has a line";
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].task_id, "t1");
  EXPECT_EQ(lines[1].task_id, "t2");
  EXPECT_EQ(lines[0].status, "exported");
  EXPECT_EQ(lines[1].status, "exported");
  // t3 (whose write was denied) and whatever was queued behind it: interrupted, not failed.
  for (std::size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(lines[i].status, "pending") << lines[i].raw;
  EXPECT_EQ(summary.pending, lines.size() - 2);
  EXPECT_FALSE(memory->Get(Key("t3", "r3")));
  EXPECT_EQ(memory->Objects().size(), 2u);
}

TEST_F(ExporterTest, SinkCredentialErrorOnStatOrOpenIsFatal) {
  for (auto code : {ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied}) {
    for (bool on_stat : {true, false}) {
      SCOPED_TRACE(std::string(ccrec::ToString(code)) + (on_stat ? " on Stat" : " on Open"));
      source = std::make_shared<FakeSource>();
      sink = std::make_shared<CountingSink>(memory);
      std::vector<std::shared_ptr<Media>> media;
      for (int i = 0; i < 4; ++i) media.push_back(Add("t", "r" + std::to_string(i), Bytes(10)));
      Error e = MakeError(code, "InvalidAccessKeyId");
      if (on_stat) sink->FailStat(e);
      else sink->FailOpen(e);
      auto path = dir / ("m-" + std::to_string(on_stat) + std::string(ccrec::ToString(code)));
      auto summary = Run(Options(1), OpenManifest(path));
      ASSERT_TRUE(summary.fatal);
      EXPECT_EQ(summary.fatal->code, code);
      EXPECT_NE(summary.fatal->message.find("InvalidAccessKeyId"), std::string::npos);
      EXPECT_EQ(summary.exported + summary.skipped + summary.failed + summary.bytes, 0u);
      // Nothing was exported or failed; what the source handed over is pending (interrupted).
      auto lines = ReadManifest(path);
      EXPECT_EQ(lines.size(), summary.pending);
      for (auto const& l : lines) EXPECT_EQ(l.status, "pending") << l.raw;
      for (auto const& m : media) EXPECT_EQ(m->Calls(), 0u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pending, fatal listing errors, validation

TEST_F(ExporterTest, PendingTasksAreRecordedAsPending) {
  source->pending.push_back(PendingItem{"fake", "t-wait", "capture requested but not available yet"});
  source->pending.push_back(PendingItem{"fake", "t-null", "capture status \"unknown\"\nyet"});
  Add("t1", "r1", Bytes(10));
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=2 bytes=10");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  std::map<std::string, Line> by_task;
  for (auto const& l : lines) by_task[l.task_id] = l;
  EXPECT_EQ(by_task.at("t-wait").status, "pending");
  EXPECT_EQ(by_task.at("t-wait").source, "fake");
  EXPECT_EQ(by_task.at("t-wait").error, "capture requested but not available yet");
  EXPECT_EQ(by_task.at("t-wait").recording_id, "");
  EXPECT_EQ(by_task.at("t-null").error, "capture status \"unknown\"\nyet");
  EXPECT_EQ(by_task.at("t1").status, "exported");
}

TEST_F(ExporterTest, ListingErrorIsFatal) {
  source->pending.push_back(PendingItem{"fake", "t-wait", "later"});
  source->final_error = MakeError(ErrorCode::kUnavailable, "tasks API down");
  auto summary = Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kUnavailable);
  EXPECT_EQ(summary.fatal->message, "tasks API down");
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(summary.pending, 1u);
}

TEST_F(ExporterTest, ValidateChecksOptions) {
  auto validate = [&](ExporterOptions o) { return Exporter(source, sink, nullptr, std::move(o)).Validate(); };
  for (int bad : {0, -1, 65, 1000}) {
    auto o = Options();
    o.concurrency = bad;
    auto v = validate(o);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find("between 1 and 64"), std::string::npos) << v.error().message;
    EXPECT_NE(v.error().message.find(std::to_string(bad)), std::string::npos) << v.error().message;
  }
  for (int good : {1, 64}) {
    auto o = Options();
    o.concurrency = good;
    EXPECT_TRUE(validate(o)) << good;
  }
  auto o = Options();
  o.key_template = "{task_id}/{nope}";
  auto bad_template = validate(o);
  ASSERT_FALSE(bad_template);
  EXPECT_EQ(bad_template.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_template.error().message.find("{nope}"), std::string::npos);
  o = Options();
  o.download_attempts = 0;
  EXPECT_FALSE(validate(o));
  o = Options();
  o.copy_buffer_bytes = 100;
  EXPECT_FALSE(validate(o));
  EXPECT_FALSE(Exporter(nullptr, sink, nullptr, Options()).Validate());
  EXPECT_FALSE(Exporter(source, nullptr, nullptr, Options()).Validate());

  // Run() refuses to start with invalid options: nothing listed, nothing written.
  Add("t1", "r1", Bytes(10));
  o = Options();
  o.concurrency = 65;
  auto summary = Run(o, OpenManifest());
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(source->enumerations, 0);
  EXPECT_TRUE(memory->Objects().empty());
}

// ---------------------------------------------------------------------------------------------
// Cancellation

/// A step whose body writes one byte, then stalls until the run's cancellation token fires.
Step Stall(std::shared_ptr<Latch> started) {
  return Step::Response([started](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
    HttpResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Length", "1000");
    r.body = std::make_unique<BlockingBodyReader>(ctx.cancel, started);
    return r;
  });
}

TEST_F(ExporterTest, CancelFromTheSourceStopsTheRun) {
  auto started = std::make_shared<Latch>();
  CallContext ctx;
  auto stalled = Add("t0", "r0", Bytes(1000), {Stall(started)});
  std::vector<std::shared_ptr<Media>> rest;
  for (int i = 1; i < 20; ++i) rest.push_back(Add("t" + std::to_string(i), "r", Bytes(100)));
  source->before_item = [&](std::size_t i) {
    if (i != 1) return;
    EXPECT_TRUE(started->Wait()) << "the first transfer never started";
    ctx.cancel.Cancel();
  };
  auto summary = Run(Options(2), OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
  EXPECT_EQ(source->handed_over, 1u) << "on_item must refuse items once cancelled";
  EXPECT_TRUE(source->stopped_early);
  EXPECT_TRUE(memory->Objects().empty()) << "no partial objects";
  EXPECT_EQ(memory->AbortCount(), 1u);
  // The item the source handed over is not lost: a source may be unable to hand it out again
  // (a Huawei watch event), so it gets a pending line that holds the resume point.
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].task_id, "t0");
  EXPECT_EQ(lines[0].status, "pending");
  EXPECT_THAT(lines[0].error, ::testing::HasSubstr("interrupted"));
  for (auto const& m : rest) EXPECT_EQ(m->Calls(), 0u);
}

TEST_F(ExporterTest, CancelFromAProgressCallbackStopsTheRun) {
  auto started = std::make_shared<Latch>();
  std::atomic<bool> in_flight{false};
  Add("t0", "r0", Bytes(1000), {Step::Response([&, started](CallContext const& ctx, std::uint64_t o) {
        in_flight = true;
        return Stall(started).make(ctx, o);
      })});
  for (int i = 1; i < 10; ++i) Add("t" + std::to_string(i), "r", Bytes(100));
  CallContext ctx;
  std::mutex mu;
  std::vector<ExportSummary> progress;
  auto o = Options(1);
  o.progress_interval = 1ms;
  o.on_progress = [&](ExportSummary const& s) {
    std::lock_guard<std::mutex> lock(mu);
    progress.push_back(s);
    if (in_flight) ctx.cancel.Cancel();
  };
  auto summary = Run(o, OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported + summary.failed, 0u);
  EXPECT_TRUE(memory->Objects().empty());
  // Every item handed to the engine (the one in flight and those queued behind it) ends as a
  // pending line; none is dropped.
  auto lines = Lines();
  EXPECT_EQ(lines.size(), summary.pending);
  EXPECT_EQ(summary.pending, source->handed_over);
  EXPECT_GE(summary.pending, 1u);
  for (auto const& line : lines) EXPECT_EQ(line.status, "pending") << line.raw;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(progress.size(), 2u);
  EXPECT_TRUE(progress.back().cancelled);
}

TEST_F(ExporterTest, CancelledBeforeRunDoesNothing) {
  std::vector<std::shared_ptr<Media>> media;
  for (int i = 0; i < 10; ++i) media.push_back(Add("t" + std::to_string(i), "r", Bytes(100)));
  CallContext ctx;
  ctx.cancel.Cancel();
  auto summary = Run(Options(4), OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
  for (auto const& m : media) EXPECT_EQ(m->Calls(), 0u);
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_TRUE(Lines().empty());
}

TEST_F(ExporterTest, CancelDuringBackoffLeavesAPendingLineNotAFailedOne) {
  CallContext ctx;
  // The sleeper is asked to wait after the first drop; cancel right then.
  class CancellingSleeper : public ccrec::Sleeper {
   public:
    explicit CancellingSleeper(CallContext ctx) : ctx_(std::move(ctx)) {}
    bool SleepFor(std::chrono::milliseconds, ccrec::CancellationToken const& cancel) override {
      ctx_.cancel.Cancel();
      // Waits (bounded) for the engine to propagate the cancellation to its own token.
      return cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    }

   private:
    CallContext ctx_;
  };
  auto media = Add("t1", "r1", Bytes(5000), {Step::DropAfter(100), Step::Serve()});
  auto o = Options(1);
  o.sleeper = std::make_shared<CancellingSleeper>(ctx);
  auto summary = Run(o, OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
  EXPECT_EQ(media->Calls(), 1u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "pending");
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_EQ(memory->AbortCount(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Concurrency and back-pressure

struct Outcome {
  std::string summary;
  std::map<std::string, std::string> objects;
  std::set<std::tuple<std::string, std::string, std::string, std::uint64_t, std::string>> lines;
};

Outcome RunMixed(int concurrency) {
  ccrec_test::TempDir dir;
  auto memory = std::make_shared<MemorySink>();
  auto source = std::make_shared<FakeSource>();
  for (int i = 0; i < 40; ++i) {
    std::vector<Step> script;
    if (i % 3 == 0) script.push_back(Step::DropAfter(static_cast<std::size_t>(100 + i)));
    if (i % 7 == 0) script.push_back(Step::IgnoreRange());
    if (i % 11 == 0) script = {Step::Fail(ErrorCode::kNotFound, "gone")};
    if (i % 13 == 0) script = std::vector<Step>(10, Step::DropAfter(10));
    auto media = std::make_shared<Media>(Bytes(static_cast<std::size_t>(500 + 97 * i), static_cast<std::uint32_t>(i)),
                                         script, 300);
    source->items.push_back(MakeItem("t" + std::to_string(i / 4), "r" + std::to_string(i), media));
  }
  for (int i = 0; i < 5; ++i) source->pending.push_back(PendingItem{"fake", "p" + std::to_string(i), "later"});
  auto manifest = Manifest::Open(dir / "m.jsonl");
  EXPECT_TRUE(manifest);
  ExporterOptions o;
  o.concurrency = concurrency;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.copy_buffer_bytes = 4096;
  o.download_attempts = 4;
  auto summary = Exporter(source, memory, *manifest, o).Run();
  Outcome out;
  out.summary = summary.LastLine();
  for (auto const& [key, obj] : memory->Objects()) out.objects[key] = obj.data;
  for (auto const& l : ReadManifest(dir / "m.jsonl")) {
    out.lines.insert({l.task_id + "/" + l.recording_id, l.key, l.status, l.bytes, l.sha256});
  }
  return out;
}

TEST(ExporterConcurrency, OneAndEightWorkersProduceTheSameResult) {
  auto one = RunMixed(1);
  auto eight = RunMixed(8);
  // 40 items: 4 NotFound (0 is also %13), 4 exhausted (%13: 0,13,26,39 minus 0) -> see counts.
  EXPECT_EQ(one.summary, eight.summary);
  EXPECT_EQ(one.summary.substr(0, one.summary.find(" bytes")), "exported=33 skipped=0 failed=7 pending=5");
  EXPECT_EQ(one.objects.size(), 66u);
  EXPECT_TRUE(one.objects == eight.objects);
  EXPECT_EQ(one.lines, eight.lines);
  EXPECT_EQ(one.lines.size(), 45u);
}

TEST_F(ExporterTest, BoundedQueueAppliesBackPressureOn500Items) {
  constexpr int kConcurrency = 3;
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> max_outstanding{0};
  source->generate_count = 500;
  source->generate = [&](std::size_t i) {
    auto media = std::make_shared<Media>(Bytes(64, static_cast<std::uint32_t>(i)));
    auto item = MakeItem("t" + std::to_string(i), "r", media);
    auto inner = item.open;
    auto first = std::make_shared<std::atomic<bool>>(true);
    item.open = [inner, first, &started](CallContext const& ctx, std::uint64_t offset) {
      if (first->exchange(false)) started.fetch_add(1);
      return inner(ctx, offset);
    };
    return item;
  };
  source->before_item = [&](std::size_t i) {
    std::size_t outstanding = i - std::min(i, started.load());
    std::size_t prev = max_outstanding.load();
    while (outstanding > prev && !max_outstanding.compare_exchange_weak(prev, outstanding)) {
    }
  };
  auto summary = Run(kConcurrency);
  EXPECT_EQ(summary.LastLine(), "exported=500 skipped=0 failed=0 pending=0 bytes=32000");
  EXPECT_EQ(summary.discovered, 500u);
  EXPECT_EQ(memory->Objects().size(), 1000u);
  EXPECT_EQ(Lines().size(), 500u);
  // Handed over but not started: at most the queue (2 x concurrency) plus items the workers
  // have popped and not yet opened.
  EXPECT_LE(max_outstanding.load(), static_cast<std::size_t>(3 * kConcurrency));
}

// ---------------------------------------------------------------------------------------------
// Dry run

TEST_F(ExporterTest, DryRunWritesNothingAndReportsEveryKey) {
  auto a = Add("t1", "r1", Bytes(10));
  auto b = Add("t/2", "../r2", Bytes(10), {}, "Call.M4A");
  source->pending.push_back(PendingItem{"fake", "t-wait", "later"});
  Preload(Key("t1", "r1"), a->data());
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
