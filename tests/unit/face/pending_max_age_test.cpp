// SPDX-License-Identifier: Apache-2.0
// FaceSourceOptions::pending_max_age: a FACE recording still in progress long after its start (a
// .rpdd segment that never finalises: its recorder crashed) is given up once — one failed line —
// so that it no longer pins the --since-last-run checkpoint; a later run that lists it again
// records nothing more for it.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;
using namespace std::chrono_literals;

constexpr std::int64_t kStuckStartMs = kDayStart + 9000;
constexpr std::int64_t kThreeDaysMs = 72 * 3'600'000LL;

/// One line of the manifest.
struct GiveUpLine {
  std::string status, task_id, recording_id, error;
};

/// A FACE server with one finished recording (100) and one whose second segment stays .rpdd (300,
/// with a call id), exported with one manifest over several runs.
struct StuckRecorder {
  Env env;
  FakeFace fake{env.transport};
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  std::shared_ptr<ccrec::exporter::Manifest> manifest;

  StuckRecorder() {
    FakeRecording done;
    done.id = "100";
    done.start_ms = kDayStart + 1000;
    done.segments = {{"1001", "done.wav", kDayStart + 1000, kDayStart + 2000, "DONE-AUDIO"}};
    fake.Add(done);
    FakeRecording stuck;
    stuck.id = "300";
    stuck.start_ms = kStuckStartMs;
    stuck.isr_ucid = "x-isr-ucid-1-300@10.0.0.1";
    stuck.segments = {{"3001", "r.seg0.wav", kStuckStartMs, kStuckStartMs + 500, "FIRST"},
                      {"3002", "r.seg1.rpdd", kStuckStartMs + 500, std::nullopt, "RUNNING"}};
    fake.Add(stuck);
    auto opened = ccrec::exporter::Manifest::Open(dir / "manifest.jsonl");
    EXPECT_TRUE(opened) << opened.error().ToString();
    if (opened) manifest = *opened;
  }

  /// One run with the clock at `now_ms`, pending_max_age `max_age` and the search filter `filter`.
  ccrec::exporter::ExportSummary RunAt(std::int64_t now_ms, std::chrono::milliseconds max_age = 72h,
                                       ccrec::face::SearchCriteria const& filter = {}) {
    env.clock->Set(FromEpochMs(now_ms));
    return RunFaceExport(env, sink, manifest, false, 1000, [&](ccrec::face::FaceSourceOptions& so) {
      so.pending_max_age = max_age;
      so.filter = filter;
    });
  }

  /// The manifest's record lines with status `status`.
  std::vector<GiveUpLine> Lines(std::string const& status) const {
    std::vector<GiveUpLine> out;
    for (auto const& line : ccrec_test::ManifestRecordLines(dir / "manifest.jsonl")) {
      auto doc = ccrec::detail::ParseJson(line, "manifest line");
      EXPECT_TRUE(doc) << line;
      if (!doc || (*doc)["status"].GetString() != status) continue;
      GiveUpLine l{status, (*doc)["task_id"].GetString(), (*doc)["recording_id"].GetString(), {}};
      if (doc->HasMember("error")) l.error = (*doc)["error"].GetString();
      out.push_back(std::move(l));
    }
    return out;
  }
};

TEST(FacePendingMaxAge, YoungerThanTheMaxAgeStaysPendingAndHoldsTheCheckpoint) {
  StuckRecorder f;
  auto summary = f.RunAt(kStuckStartMs + kThreeDaysMs);  // exactly 3 days: not older than the limit
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.pending, 1u);
  EXPECT_EQ(summary.failed, 0u);
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kStuckStartMs));
  auto pending = f.Lines("pending");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].recording_id, "300");
  EXPECT_EQ(f.Lines("failed").size(), 0u);
}

TEST(FacePendingMaxAge, OlderIsGivenUpOnceAndNoLongerHoldsTheCheckpoint) {
  StuckRecorder f;
  auto summary = f.RunAt(kStuckStartMs + kThreeDaysMs + 1);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.pending, 0u);
  EXPECT_EQ(summary.failed, 1u) << "one failed line: the run reports it (exit status 3 in the CLI)";
  EXPECT_FALSE(summary.earliest_unfinished) << "the given-up recording no longer holds the checkpoint";
  EXPECT_EQ(summary.unfinished_without_window_time, 0u);
  auto failed = f.Lines("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].recording_id, "300");
  EXPECT_EQ(failed[0].task_id, "x-isr-ucid-1-300@10.0.0.1");
  for (std::string want : {"still in progress after 3d", "FACE recording 300", "2026-11-01T00:00:09",
                           "segment 3002 (r.seg1.rpdd) never finalised"}) {
    EXPECT_NE(failed[0].error.find(want), std::string::npos) << want << " in: " << failed[0].error;
  }
  EXPECT_TRUE(f.Lines("pending").empty());
  for (auto const& r : f.env.transport->Requests()) {
    auto p = Params(r.url);
    bool of_300 = p["recordingId"] == "300" || p["segmentId"].rfind("300", 0) == 0;
    EXPECT_FALSE(of_300 && Command(r.url).find("download") != std::string::npos) << "downloaded " << r.url;
  }
  // A later run over the same window lists it again: nothing more is recorded or counted.
  auto again = f.RunAt(kStuckStartMs + 2 * kThreeDaysMs);
  ASSERT_FALSE(again.fatal) << again.fatal->ToString();
  EXPECT_EQ(again.failed, 0u);
  EXPECT_EQ(again.pending, 0u);
  EXPECT_EQ(again.skipped, 1u);
  EXPECT_FALSE(again.earliest_unfinished);
  EXPECT_EQ(f.Lines("failed").size(), 1u);
}

TEST(FacePendingMaxAge, ZeroWaitsForever) {
  StuckRecorder f;
  auto summary = f.RunAt(kStuckStartMs + 100 * kThreeDaysMs, 0ms);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.pending, 1u);
  EXPECT_EQ(summary.failed, 0u);
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kStuckStartMs));
}

// Recordings without a call id share an empty task_id: each is given up under its own recording_id
// (the engine's given-up line is keyed by the recordingId too), once.
TEST(FacePendingMaxAge, EachRecordingWithoutCallIdIsGivenUpOnce) {
  StuckRecorder f;
  FakeRecording no_end;  // a .wav segment without end time: in progress too
  no_end.id = "400";
  no_end.start_ms = kStuckStartMs + 1000;
  no_end.segments = {{"4001", "w.wav", kStuckStartMs + 1000, std::nullopt, "RUNNING"}};
  f.fake.Add(no_end);
  FakeRecording rpdd;
  rpdd.id = "500";
  rpdd.start_ms = kStuckStartMs + 2000;
  rpdd.segments = {{"5001", "x.rpdd", kStuckStartMs + 2000, std::nullopt, "RUNNING"}};
  f.fake.Add(rpdd);
  auto summary = f.RunAt(kStuckStartMs + 2 * kThreeDaysMs);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 3u);
  EXPECT_EQ(summary.pending, 0u);
  auto failed = f.Lines("failed");
  ASSERT_EQ(failed.size(), 3u);
  std::map<std::string, GiveUpLine> by_id;
  for (auto const& l : failed) by_id[l.recording_id] = l;
  ASSERT_EQ(by_id.size(), 3u) << "one line per recording";
  EXPECT_EQ(by_id["400"].task_id, "");
  EXPECT_NE(by_id["400"].error.find("segment 4001 (w.wav) never finalised (no end time)"), std::string::npos)
      << by_id["400"].error;
  EXPECT_NE(by_id["500"].error.find("FACE recording 500"), std::string::npos) << by_id["500"].error;
  auto again = f.RunAt(kStuckStartMs + 3 * kThreeDaysMs);
  EXPECT_EQ(again.failed, 0u);
  EXPECT_EQ(f.Lines("failed").size(), 3u);
}

// A recording in progress that a filter judged once it has ended leaves out (here: custom data the
// stop request would set) is held pending the same way, and given up the same way.
TEST(FacePendingMaxAge, AlsoForARecordingHeldUntilTheFiltersCanJudgeIt) {
  StuckRecorder f;
  ccrec::face::SearchCriteria filter;
  filter.custom_fields.emplace_back("campaign", "spring");
  auto young = f.RunAt(kStuckStartMs + 3'600'000, 72h, filter);
  ASSERT_FALSE(young.fatal) << young.fatal->ToString();
  EXPECT_EQ(young.pending, 1u);
  EXPECT_EQ(young.failed, 0u);
  auto old = f.RunAt(kStuckStartMs + kThreeDaysMs + 1, 72h, filter);
  ASSERT_FALSE(old.fatal) << old.fatal->ToString();
  EXPECT_EQ(old.pending, 0u);
  EXPECT_EQ(old.failed, 1u);
  EXPECT_FALSE(old.earliest_unfinished);
  auto failed = f.Lines("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].recording_id, "300");
  EXPECT_NE(failed[0].error.find("still in progress after 3d"), std::string::npos) << failed[0].error;
}

// FACE sends no start time for recording 300 (neither its list entry nor its details): its age is
// measured from the earliest time one of its segments names — here its first segment's start, a
// minute after the recording's (unknown) start, so the age is never overstated. Without a window
// time it holds the checkpoint at the window's start until it is given up.
TEST(FacePendingMaxAge, WithoutAStartTimeTheFirstSegmentsStartIsUsed) {
  StuckRecorder f;
  constexpr std::int64_t kSegmentStartMs = kStuckStartMs + 60'000;
  f.fake.Update("300", [](FakeRecording& r) {
    r.send_start_time = false;
    r.start_in_lists = false;
    r.segments = {{"3001", "r.seg0.wav", kSegmentStartMs, kSegmentStartMs + 500, "FIRST"},
                  {"3002", "r.seg1.rpdd", kSegmentStartMs + 500, std::nullopt, "RUNNING"}};
  });
  auto young = f.RunAt(kSegmentStartMs + kThreeDaysMs);  // the recording itself may be older
  ASSERT_FALSE(young.fatal) << young.fatal->ToString();
  EXPECT_EQ(young.pending, 1u);
  EXPECT_EQ(young.failed, 0u);
  EXPECT_FALSE(young.earliest_unfinished) << "no window time: a segment's start is no checkpoint";
  EXPECT_EQ(young.unfinished_without_window_time, 1u) << "it holds the checkpoint at the window's start";

  auto old = f.RunAt(kSegmentStartMs + kThreeDaysMs + 1);
  ASSERT_FALSE(old.fatal) << old.fatal->ToString();
  EXPECT_EQ(old.pending, 0u);
  EXPECT_EQ(old.failed, 1u);
  EXPECT_EQ(old.unfinished_without_window_time, 0u) << "given up: the checkpoint moves on";
  auto failed = f.Lines("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].recording_id, "300");
  for (std::string want : {"still in progress after 3d: FACE recording 300 has no start time",
                           "its segment 3001 started 2026-11-01T00:01:09Z",
                           "segment 3002 (r.seg1.rpdd) never finalised"}) {
    EXPECT_NE(failed[0].error.find(want), std::string::npos) << want << " in: " << failed[0].error;
  }
}

// No time at all — no start in the list or the details, no segment yet: nothing says how old it
// is, so it is never given up (and keeps the checkpoint at the window's start, with the engine's
// warning); docs/face.md, "Recordings that never end".
TEST(FacePendingMaxAge, WithNoTimeAtAllItStaysPending) {
  StuckRecorder f;
  f.fake.Update("300", [](FakeRecording& r) {
    r.send_start_time = false;
    r.start_in_lists = false;
    r.segments.clear();
  });
  auto summary = f.RunAt(kStuckStartMs + 100 * kThreeDaysMs);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.pending, 1u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.unfinished_without_window_time, 1u);
  auto pending = f.Lines("pending");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].recording_id, "300");
}

}  // namespace
}  // namespace face_test
