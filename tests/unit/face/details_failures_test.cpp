// SPDX-License-Identifier: Apache-2.0
// A per-recording `details` request of the FACE source that fails transiently — it timed out
// (kDeadlineExceeded from the transport), or HTTP 5xx / 429 after the client's retries — fails that
// recording only: a failed line holding the checkpoint, retried by the next run, while the other
// recordings are exported. A cancelled run and the run's own deadline still end the run.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::MakeError;
using ccrec::detail::FromEpochMs;

/// Two finished recordings: 100 (one segment, a call id) and 200 (two segments). `details_of_100`
/// answers the first run's `details?recordingId=100`: the route names the first login's token
/// (tok-1), and every run logs in anew, so later runs get the fake server's answer.
struct TwoRecordings {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  std::shared_ptr<ccrec::exporter::Manifest> manifest;

  explicit TwoRecordings(FakeHttpTransport::Handler details_of_100) {
    env.transport->Route("GET", "audioRecording/details?token=tok-1&recordingId=100", std::move(details_of_100));
    fake = std::make_unique<FakeFace>(env.transport);
    AddOneAndTwoSegmentRecordings(*fake, "x-isr-ucid-1-100@10.0.0.1");
    auto opened = ccrec::exporter::Manifest::Open(dir / "manifest.jsonl");
    EXPECT_TRUE(opened) << opened.error().ToString();
    if (opened) manifest = *opened;
  }

  ccrec::exporter::ExportSummary Run(ccrec::CallContext const& ctx = {}) {
    return RunFaceExport(env, sink, manifest, false, 1000, {}, ctx);
  }

  /// The `error` of each failed manifest line, by recording_id.
  std::map<std::string, std::string> FailedLines() const {
    std::map<std::string, std::string> out;
    for (auto const& line : ccrec_test::ManifestRecordLines(dir / "manifest.jsonl")) {
      auto doc = ccrec::detail::ParseJson(line, "manifest line");
      EXPECT_TRUE(doc) << line;
      if (!doc || std::string((*doc)["status"].GetString()) != "failed") continue;
      out[(*doc)["recording_id"].GetString()] = (*doc)["error"].GetString();
    }
    return out;
  }
};

TEST(FaceDetailsFailures, ATransientFailureFailsThatRecordingOnlyAndTheNextRunRetriesIt) {
  struct Case {
    std::string name;
    FakeHttpTransport::Handler answer;
    std::string in_error;
  };
  Case const cases[] = {
      {"timeout",
       [](RecordedRequest const&) -> Result<HttpResponse> {
         return MakeError(ErrorCode::kDeadlineExceeded, "GET /Face/audioRecording/details: timed out (60000 ms)");
       },
       "timed out"},
      {"HTTP 503 after retries",
       [](RecordedRequest const&) -> Result<HttpResponse> { return MakeResponse(503, "", {}); }, "HTTP 503"},
      {"HTTP 429 after retries",
       [](RecordedRequest const&) -> Result<HttpResponse> { return MakeResponse(429, "", {}); }, "HTTP 429"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.name);
    TwoRecordings f(c.answer);
    auto first = f.Run();
    ASSERT_FALSE(first.fatal) << first.fatal->ToString();
    EXPECT_FALSE(first.cancelled);
    EXPECT_EQ(first.failed, 1u);
    EXPECT_EQ(first.exported, 2u) << "recording 200's segments";
    EXPECT_EQ(f.sink->Get("face/200/2002.wav"), "TWO-B");
    ASSERT_TRUE(first.earliest_unfinished);
    EXPECT_EQ(*first.earliest_unfinished, FromEpochMs(kDayStart + 1000)) << "the failed recording holds the checkpoint";
    auto failed = f.FailedLines();
    ASSERT_EQ(failed.size(), 1u);
    ASSERT_TRUE(failed.count("100"));
    EXPECT_NE(failed["100"].find("reading the metadata of FACE recording 100 failed"), std::string::npos)
        << failed["100"];
    EXPECT_NE(failed["100"].find(c.in_error), std::string::npos) << failed["100"];
    // The next run lists it again and exports it.
    auto second = f.Run();
    ASSERT_FALSE(second.fatal) << second.fatal->ToString();
    EXPECT_EQ(second.exported, 1u);
    EXPECT_EQ(second.skipped, 2u);
    EXPECT_EQ(second.failed, 0u);
    EXPECT_EQ(f.sink->Get("face/100/1001.wav"), "ONE");
  }
}

// The run's own deadline (CallContext::deadline, a system-clock time) passed: every later request
// would fail the same, so the timeout ends the run instead of failing each remaining recording.
// (The fake clock of the client and the source reads 2026-11-01, before the deadline: the login
// and the listing go through. run_end_test.cpp: the source's clock far from real time.)
TEST(FaceDetailsFailures, ATimeoutAfterTheRunsDeadlineEndsTheRun) {
  auto const deadline = std::chrono::system_clock::now() - std::chrono::seconds(1);
  TwoRecordings f([](RecordedRequest const&) -> Result<HttpResponse> {
    return MakeError(ErrorCode::kDeadlineExceeded, "GET /Face/audioRecording/details: timed out");
  });
  ASSERT_LT(f.env.clock->Now(), deadline);
  ccrec::CallContext ctx;
  ctx.deadline = deadline;
  auto summary = f.Run(ctx);
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(f.FailedLines().count("100"), 0u);
}

// Ctrl-C during a details request: the run ends cancelled, never with the recording as a failure.
TEST(FaceDetailsFailures, ACancelledDetailsRequestIsNotAnItemFailure) {
  ccrec::CancellationToken cancel;
  TwoRecordings f([cancel](RecordedRequest const&) mutable -> Result<HttpResponse> {
    cancel.Cancel();
    return MakeError(ErrorCode::kCancelled, "GET /Face/audioRecording/details: cancelled");
  });
  ccrec::CallContext ctx;
  ctx.cancel = cancel;
  auto summary = f.Run(ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_TRUE(f.FailedLines().empty());
}

// The same, at the source itself (the engine also stops taking items once cancelled): whatever
// error the cancelled request reports — kCancelled, or a timeout that fired as the run was
// cancelled — Enumerate() ends with it and hands out no failed item.
TEST(FaceDetailsFailures, ACancelledDetailsRequestEndsEnumerateWithoutAFailedItem) {
  for (auto code : {ErrorCode::kCancelled, ErrorCode::kDeadlineExceeded}) {
    SCOPED_TRACE(std::string(ccrec::ToString(code)));
    ccrec::CancellationToken cancel;
    TwoRecordings f([cancel, code](RecordedRequest const&) mutable -> Result<HttpResponse> {
      cancel.Cancel();
      return MakeError(code, "GET /Face/audioRecording/details: the transfer was stopped");
    });
    ccrec::face::FaceSourceOptions so;
    so.from = FromEpochMs(kDayStart);
    so.to = FromEpochMs(kDayStart + 86'400'000);
    so.clock = f.env.clock;
    auto source = ccrec::face::MakeFaceSource(f.env.MakeClient(), so);
    ccrec::CallContext ctx;
    ctx.cancel = cancel;
    std::vector<std::string> handed_out;
    auto listed = source->Enumerate(
        [&handed_out](ccrec::exporter::ExportItem item) {
          handed_out.push_back(item.recording_id);
          return true;
        },
        [](ccrec::exporter::PendingItem) {}, ctx);
    ASSERT_FALSE(listed) << "a cancelled run ends Enumerate()";
    EXPECT_EQ(listed.error().code, code);
    EXPECT_EQ(std::count(handed_out.begin(), handed_out.end(), "100"), 0) << "no failed item for recording 100";
  }
}

}  // namespace
}  // namespace face_test
