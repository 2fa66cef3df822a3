// SPDX-License-Identifier: Apache-2.0
// What ends a FACE export run, and what fails one recording only.
// - A download (the engine's MediaOpener) whose error no later request of the run can escape —
//   the credentials rejected after a fresh login, FACE codes 1 and 2 — ends the run
//   (RecordingSource::IsFatal()), as the same error of a details request already did; other
//   download errors fail that recording.
// - The run's CallContext::deadline is a point on the system clock: a request that timed out ends
//   the run only once that deadline has passed in real time, whatever FaceSourceOptions::clock
//   (the clock pending_max_age is measured with) says.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::MakeError;
using ccrec::detail::FromEpochMs;
using namespace std::chrono_literals;

/// Two finished recordings, 100 (one segment: `audioRecording/download`) and 200 (two segments:
/// `audioRecording/segment/download`), exported with a manifest. `pre` registers routes that take
/// precedence over the fake server's.
struct RunEndFixture {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  std::shared_ptr<ccrec::exporter::Manifest> manifest;

  explicit RunEndFixture(std::function<void(FakeHttpTransport&)> const& pre) {
    pre(*env.transport);
    fake = std::make_unique<FakeFace>(env.transport);
    AddOneAndTwoSegmentRecordings(*fake);
    auto opened = ccrec::exporter::Manifest::Open(dir / "manifest.jsonl");
    EXPECT_TRUE(opened) << opened.error().ToString();
    if (opened) manifest = *opened;
  }

  ccrec::exporter::ExportSummary Run(std::function<void(ccrec::face::FaceSourceOptions&)> const& tweak = {},
                                     ccrec::CallContext const& ctx = {}) {
    return RunFaceExport(env, sink, manifest, false, 1000, tweak, ctx);
  }

  /// The statuses of recording `id`'s manifest lines, in order.
  std::vector<std::string> Statuses(std::string const& id) const {
    std::vector<std::string> out;
    for (auto const& line : ccrec_test::ManifestRecordLines(dir / "manifest.jsonl")) {
      auto doc = ccrec::detail::ParseJson(line, "manifest line");
      EXPECT_TRUE(doc) << line;
      if (doc && std::string((*doc)["recording_id"].GetString()) == id) out.emplace_back((*doc)["status"].GetString());
    }
    return out;
  }
};

/// The `audioRecording/download` route (recording 100 only: 200 has two segments), answering
/// `status` with `body`, counting the requests in `count`.
std::function<void(FakeHttpTransport&)> SingleDownloadAnswers(int status, std::string body,
                                                              std::shared_ptr<std::atomic<int>> count) {
  return [status, body = std::move(body), count](FakeHttpTransport& t) {
    t.Route("GET", "/Face/audioRecording/download?token=", [status, body, count](RecordedRequest const&) {
      ++*count;
      return Result<HttpResponse>(MakeResponse(status, body, JsonHeaders()));
    });
  };
}

TEST(FaceRunEnd, CredentialsRejectedOnADownloadEndTheRun) {
  auto count = std::make_shared<std::atomic<int>>(0);
  RunEndFixture f(SingleDownloadAnswers(401, R"({"result":{"code":-1,"message":"Invalid or expired token"}})", count));
  auto summary = f.Run();
  ASSERT_TRUE(summary.fatal) << "the run goes on after FACE rejected a fresh login's token";
  EXPECT_EQ(summary.fatal->code, ErrorCode::kUnauthenticated) << summary.fatal->ToString();
  EXPECT_EQ(*count, 2) << "once per token (the client's one fresh login), never again by the engine";
  EXPECT_EQ(summary.failed, 0u);
  auto lines = f.Statuses("100");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "failed"), 0) << "recorded as unfinished, not failed";
}

TEST(FaceRunEnd, HostNotAuthorizedOnADownloadEndsTheRun) {
  for (int code : {1, 2}) {
    SCOPED_TRACE(code);
    auto count = std::make_shared<std::atomic<int>>(0);
    RunEndFixture f(SingleDownloadAnswers(
        200, R"({"result":{"code":)" + std::to_string(code) + R"(,"message":"not for this host"}})", count));
    auto summary = f.Run();
    ASSERT_TRUE(summary.fatal);
    EXPECT_EQ(summary.fatal->code, ErrorCode::kPermissionDenied) << summary.fatal->ToString();
    EXPECT_EQ(summary.fatal->vendor_code, std::to_string(code));
    EXPECT_EQ(*count, 1) << "not retried";
    EXPECT_EQ(summary.failed, 0u);
  }
}

TEST(FaceRunEnd, OtherDownloadErrorsFailThatRecordingOnly) {
  struct Case {
    int status;
    std::string body;
    ErrorCode code;
  };
  Case const cases[] = {
      {200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", ErrorCode::kInternal},
      {200, R"({"result":{"code":11,"message":"Error retrieving file with supplied criteria"}})", ErrorCode::kNotFound},
      {200, R"({"result":{"code":3,"message":"Parameter Missing"}})", ErrorCode::kInvalidArgument},
      {200, R"({"result":{"code":24,"message":"Timed out waiting for file conversion"}})", ErrorCode::kUnavailable},
      {503, "", ErrorCode::kUnavailable},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.body.empty() ? std::to_string(c.status) : c.body);
    auto count = std::make_shared<std::atomic<int>>(0);
    RunEndFixture f(SingleDownloadAnswers(c.status, c.body, count));
    auto summary = f.Run();
    ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_EQ(summary.exported, 2u) << "recording 200's segments";
    EXPECT_EQ(f.sink->Get("face/200/2002.wav"), "TWO-B");
    auto lines = f.Statuses("100");
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), "failed");
  }
}

TEST(FaceRunEnd, IsFatalNamesTheErrorsNoLaterRequestEscapes) {
  Env env;
  ccrec::face::FaceSourceOptions so;
  so.from = FromEpochMs(kDayStart);
  so.to = FromEpochMs(kDayStart + 1000);
  auto source = ccrec::face::MakeFaceSource(env.MakeClient(), so);
  std::map<ErrorCode, bool> const expected = {
      {ErrorCode::kUnauthenticated, true},   {ErrorCode::kPermissionDenied, true},
      {ErrorCode::kCancelled, false},        {ErrorCode::kDeadlineExceeded, false},
      {ErrorCode::kNotFound, false},         {ErrorCode::kInvalidArgument, false},
      {ErrorCode::kRateLimited, false},      {ErrorCode::kUnavailable, false},
      {ErrorCode::kTransport, false},        {ErrorCode::kParse, false},
      {ErrorCode::kIntegrity, false},        {ErrorCode::kInternal, false},
  };
  for (auto const& [code, fatal] : expected) {
    EXPECT_EQ(source->IsFatal(MakeError(code, "x")), fatal) << ccrec::ToString(code);
  }
}

/// A details answer for recording 100 as a request that timed out, counting the requests.
std::function<void(FakeHttpTransport&)> DetailsOf100TimesOut(std::shared_ptr<std::atomic<int>> count) {
  return [count](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/details?token=tok-1&recordingId=100", [count](RecordedRequest const&) {
      ++*count;
      return Result<HttpResponse>(MakeError(ErrorCode::kDeadlineExceeded, "GET /Face/audioRecording/details: timed out"));
    });
  };
}

// FaceSourceOptions::clock far in the future (year 2100) and a run deadline an hour from now: the
// request timed out on its own, so it fails recording 100 only.
TEST(FaceRunEnd, ADeadlineAheadInRealTimeKeepsTheRunGoingWhateverTheSourceClock) {
  auto count = std::make_shared<std::atomic<int>>(0);
  RunEndFixture f(DetailsOf100TimesOut(count));
  auto far_future = std::make_shared<ccrec::testing::ManualClock>(FromEpochMs(4'102'444'800'000));  // 2100-01-01
  ccrec::CallContext ctx;
  ctx.deadline = std::chrono::system_clock::now() + 1h;
  auto summary = f.Run([&](ccrec::face::FaceSourceOptions& so) { so.clock = far_future; }, ctx);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(*count, 1);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.exported, 2u);
  auto lines = f.Statuses("100");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "failed");
}

// FaceSourceOptions::clock far in the past (year 2000) and a run deadline that passed a minute ago
// in real time: the timeout is the run's deadline, so the run ends instead of failing recording 100
// and moving on. (The client's own clock, env.clock, reads 2026-11-01, before the deadline, so the
// login and the listing go through and the timeout comes from the details request.)
TEST(FaceRunEnd, ADeadlinePassedInRealTimeEndsTheRunWhateverTheSourceClock) {
  auto count = std::make_shared<std::atomic<int>>(0);
  RunEndFixture f(DetailsOf100TimesOut(count));
  auto far_past = std::make_shared<ccrec::testing::ManualClock>(FromEpochMs(946'684'800'000));  // 2000-01-01
  ccrec::CallContext ctx;
  ctx.deadline = std::chrono::system_clock::now() - 1min;
  ASSERT_LT(f.env.clock->Now(), *ctx.deadline) << "the client's clock must not see the deadline itself";
  auto summary = f.Run([&](ccrec::face::FaceSourceOptions& so) { so.clock = far_past; }, ctx);
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kDeadlineExceeded) << summary.fatal->ToString();
  EXPECT_EQ(*count, 1) << "it ended at recording 100's details";
  auto lines = f.Statuses("100");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "failed"), 0);
}

}  // namespace
}  // namespace face_test
