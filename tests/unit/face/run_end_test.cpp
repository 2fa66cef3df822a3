// SPDX-License-Identifier: Apache-2.0
// What ends a FACE export run, and what fails one recording only.
// - A download (the engine's MediaOpener) whose error no later request of the run can escape —
//   the credentials rejected after a fresh login, FACE codes 1 and 2 — ends the run
//   (RecordingSource::IsFatal()), as the same error of a details request already did; other
//   download errors fail that recording.

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
    FakeRecording one;
    one.id = "100";
    one.start_ms = kDayStart + 1000;
    one.segments = {{"1001", "one.wav", kDayStart + 1000, kDayStart + 2000, "ONE"}};
    fake->Add(one);
    FakeRecording two;
    two.id = "200";
    two.start_ms = kDayStart + 5000;
    two.segments = {{"2001", "two.seg0.wav", kDayStart + 5000, kDayStart + 6000, "TWO-A"},
                    {"2002", "two.seg1.wav", kDayStart + 6000, kDayStart + 7000, "TWO-B"}};
    fake->Add(two);
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

}  // namespace
}  // namespace face_test
