// SPDX-License-Identifier: Apache-2.0
// FACE filters a recording may match only once it has ended (custom data set by the stop request,
// a file name that is .rpdd while recording, inProgress=false): a recording in progress that the
// filtered listing leaves out is pending and holds the --since-last-run checkpoint, so the run
// after it has ended lists and exports it (it was lost with exit 0).

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "face/volatile_filters.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;
using ccrec::face::SearchCriteria;

constexpr std::int64_t kVolatileHourMs = 3'600'000;

struct VolatileRun {
  ccrec::exporter::ExportSummary summary;
  std::vector<std::string> lines;  // the manifest's record lines
};

/// One run over [from_ms, to_ms) with `filter`, into `sink`, with a manifest of its own.
VolatileRun RunVolatileFilterExport(Env const& env, std::shared_ptr<ccrec::testing::MemorySink> const& sink,
                                    SearchCriteria const& filter, std::int64_t from_ms, std::int64_t to_ms) {
  ccrec::face::FaceSourceOptions so;
  so.from = FromEpochMs(from_ms);
  so.to = FromEpochMs(to_ms);
  so.filter = filter;
  so.clock = env.clock;  // pending_max_age counts on the test's clock
  ccrec::exporter::ExporterOptions eo;
  eo.concurrency = 1;
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  eo.sleeper = env.sleeper;
  eo.clock = env.clock;
  char path[] = "/tmp/face-volatile-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  auto manifest = ccrec::exporter::Manifest::Open(path);
  EXPECT_TRUE(manifest);
  VolatileRun run;
  {
    ccrec::exporter::Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink,
                                       manifest ? *manifest : nullptr, eo);
    run.summary = exporter.Run();
  }
  manifest = ccrec::Result<std::shared_ptr<ccrec::exporter::Manifest>>(nullptr);
  run.lines = ccrec_test::ManifestRecordLines(path);
  std::remove(path);
  return run;
}

struct VolatileFixture {
  Env env;
  FakeFace fake{env.transport};
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();

  VolatileFixture() {
    FakeRecording done;  // ended, matches every filter of these tests
    done.id = "510";
    done.start_ms = kDayStart + 60'000;
    done.custom_search = {{"campaign", "spring"}};
    done.segments = {{"5101", "done.wav", kDayStart + 60'000, kDayStart + 70'000, "DONE-AUDIO"}};
    fake.Add(done);
    FakeRecording running;  // in progress: no campaign yet, its segment still .rpdd
    running.id = "500";
    running.start_ms = kDayStart + 10'000;
    running.isr_ucid = "ucid-500";
    running.custom_search = {{"other", "x"}};
    running.segments = {{"5001", "call.rpdd", kDayStart + 10'000, std::nullopt, "CALL-AUDIO"}};
    fake.Add(running);
  }

  /// The call ends: its segment gets its final name and end, the stop request sets campaign=spring.
  void EndTheCall(bool with_campaign = true) {
    fake.Update("500", [with_campaign](FakeRecording& r) {
      r.segments[0].filename = "call.wav";
      r.segments[0].end_ms = kDayStart + 20'000;
      r.custom_search = with_campaign ? std::map<std::string, std::string>{{"campaign", "spring"}}
                                      : std::map<std::string, std::string>{{"other", "x"}};
    });
  }
};

SearchCriteria CampaignFilter() {
  SearchCriteria c;
  c.custom_fields = {{"campaign", "spring"}};
  return c;
}

TEST(FaceVolatileFilters, NamesAndTheInProgressSearch) {
  SearchCriteria c;
  c.ani = "7777";
  c.isr_ucid = "u";
  EXPECT_EQ(ccrec::face::detail::VolatileFilterNames(c), "");
  c.in_progress = true;
  EXPECT_EQ(ccrec::face::detail::VolatileFilterNames(c), "");
  c.in_progress = false;
  c.filename = "f.wav";
  c.custom_fields = {{"campaign", "spring"}, {"team", "b"}};
  c.earliest_end = FromEpochMs(kDayStart);
  EXPECT_EQ(ccrec::face::detail::VolatileFilterNames(c),
            "custom data campaign, custom data team, filename, inProgress=false, end time");
  auto s = ccrec::face::detail::InProgressSearch(c);
  EXPECT_EQ(s.in_progress, std::optional<bool>(true));
  EXPECT_FALSE(s.filename);
  EXPECT_TRUE(s.custom_fields.empty());
  EXPECT_FALSE(s.earliest_end);
  EXPECT_EQ(s.ani, std::optional<std::string>("7777"));
  EXPECT_EQ(s.isr_ucid, std::optional<std::string>("u"));
}

// --custom: the recording in progress has no campaign yet. Pending, holding the checkpoint; the next
// run (from that checkpoint, after the call ended with campaign=spring) exports it.
TEST(FaceVolatileFilters, CustomFilterRecordingInProgressIsPendingThenExported) {
  VolatileFixture f;
  auto first = RunVolatileFilterExport(f.env, f.sink, CampaignFilter(), kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(first.summary.fatal) << first.summary.fatal->ToString();
  EXPECT_EQ(first.summary.exported, 1u);
  EXPECT_EQ(first.summary.pending, 1u);
  EXPECT_EQ(first.summary.failed, 0u);
  ASSERT_TRUE(first.summary.earliest_unfinished) << "the recording in progress must hold the checkpoint";
  EXPECT_EQ(*first.summary.earliest_unfinished, FromEpochMs(kDayStart + 10'000));
  bool pending_line = false;
  for (auto const& line : first.lines) {
    auto doc = ccrec::detail::ParseJson(line, "manifest line");
    ASSERT_TRUE(doc);
    if (std::string((*doc)["status"].GetString()) != "pending") continue;
    pending_line = true;
    EXPECT_STREQ((*doc)["recording_id"].GetString(), "500");
    EXPECT_STREQ((*doc)["task_id"].GetString(), "ucid-500");
    EXPECT_NE(line.find("custom data campaign"), std::string::npos) << line;
    EXPECT_NE(line.find("judged once it has ended"), std::string::npos) << line;
  }
  EXPECT_TRUE(pending_line);
  EXPECT_FALSE(f.sink->Get("face/500/5001.wav"));

  f.EndTheCall();
  // --since-last-run: the next window starts at the checkpoint.
  auto second = RunVolatileFilterExport(f.env, f.sink, CampaignFilter(),
                                        ccrec::detail::ToEpochMs(*first.summary.earliest_unfinished),
                                        kDayStart + 2 * kVolatileHourMs);
  ASSERT_FALSE(second.summary.fatal) << second.summary.fatal->ToString();
  EXPECT_EQ(second.summary.pending, 0u);
  EXPECT_EQ(f.sink->Get("face/500/5001.wav"), "CALL-AUDIO");
  EXPECT_FALSE(second.summary.earliest_unfinished);
}

// The call ends without the custom value: it is no longer pending and is not exported, so the
// checkpoint moves on.
TEST(FaceVolatileFilters, RecordingThatEndsOutsideTheFiltersIsLeftOut) {
  VolatileFixture f;
  f.EndTheCall(false);
  auto run = RunVolatileFilterExport(f.env, f.sink, CampaignFilter(), kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(run.summary.fatal) << run.summary.fatal->ToString();
  EXPECT_EQ(run.summary.exported, 1u);
  EXPECT_EQ(run.summary.pending, 0u);
  EXPECT_FALSE(run.summary.earliest_unfinished);
}

// --filename with the final name: the segment is .rpdd while it records.
TEST(FaceVolatileFilters, FilenameFilterRecordingInProgressIsPending) {
  VolatileFixture f;
  SearchCriteria c;
  c.filename = "call.wav";
  auto run = RunVolatileFilterExport(f.env, f.sink, c, kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(run.summary.fatal) << run.summary.fatal->ToString();
  EXPECT_EQ(run.summary.pending, 1u);
  ASSERT_TRUE(run.summary.earliest_unfinished);
  EXPECT_EQ(*run.summary.earliest_unfinished, FromEpochMs(kDayStart + 10'000));
}

// --in-progress false: a recording in progress never matches it.
TEST(FaceVolatileFilters, InProgressFalseRecordingInProgressIsPending) {
  VolatileFixture f;
  SearchCriteria c;
  c.in_progress = false;
  auto run = RunVolatileFilterExport(f.env, f.sink, c, kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(run.summary.fatal) << run.summary.fatal->ToString();
  EXPECT_EQ(run.summary.exported, 1u);
  EXPECT_EQ(run.summary.pending, 1u);
  ASSERT_TRUE(run.summary.earliest_unfinished);
  EXPECT_EQ(*run.summary.earliest_unfinished, FromEpochMs(kDayStart + 10'000));
}

// The call ends after the filtered listing left it out and before its details are read: it is
// judged by the filters then, and exported in this run.
TEST(FaceVolatileFilters, RecordingThatEndsDuringTheRunIsJudgedByTheFilters) {
  VolatileFixture f;
  f.fake.OnDetails([&f](std::map<std::string, std::string> const& p) {
    auto id = p.find("recordingId");
    if (id != p.end() && id->second == "500" && !p.count("campaign")) f.EndTheCall();
  });
  auto run = RunVolatileFilterExport(f.env, f.sink, CampaignFilter(), kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(run.summary.fatal) << run.summary.fatal->ToString();
  EXPECT_EQ(run.summary.exported, 2u);
  EXPECT_EQ(run.summary.pending, 0u);
  EXPECT_EQ(f.sink->Get("face/500/5001.wav"), "CALL-AUDIO");
}

// inProgress=true matches a recording only while it is recorded: each would stay pending and, once
// ended, match no listing again (never exported, exit 0). Refused before anything is sent.
TEST(FaceVolatileFilters, InProgressTrueIsRefusedBeforeAnythingIsSent) {
  VolatileFixture f;
  SearchCriteria c;
  c.in_progress = true;
  auto run = RunVolatileFilterExport(f.env, f.sink, c, kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_TRUE(run.summary.fatal);
  EXPECT_EQ(run.summary.fatal->code, ccrec::ErrorCode::kInvalidArgument);
  EXPECT_NE(run.summary.fatal->message.find("inProgress=true selects recordings only while"), std::string::npos)
      << run.summary.fatal->message;
  EXPECT_EQ(run.summary.exported + run.summary.pending, 0u);
  for (auto const& r : f.env.transport->Requests()) {
    EXPECT_EQ(r.url.find("recording"), std::string::npos) << "no search or download: " << r.url;
  }
}

// No volatile filter: no extra search.
TEST(FaceVolatileFilters, StableFiltersSendOneListing) {
  VolatileFixture f;
  SearchCriteria c;
  c.ani = "7777";
  auto run = RunVolatileFilterExport(f.env, f.sink, c, kDayStart, kDayStart + kVolatileHourMs);
  ASSERT_FALSE(run.summary.fatal) << run.summary.fatal->ToString();
  EXPECT_EQ(run.summary.pending, 1u);
  for (auto const& r : f.env.transport->Requests()) {
    EXPECT_FALSE(Params(r.url).count("inProgress")) << r.url;
  }
}

}  // namespace
}  // namespace face_test
