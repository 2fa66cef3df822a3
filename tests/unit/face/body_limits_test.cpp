// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 3: a FACE result document larger than wire::kMaxResultBytes (8 MiB: the largest
// legitimate one, a list of maxListLength 1000 matches, is a few hundred KiB) fails the command
// with kParse naming the command and the limit, and is never used in part; one at the limit is read.

#include "face_test_util.hpp"

#include "face/parse.hpp"

#include <gtest/gtest.h>

namespace face_test {
namespace {

using ccrec::ErrorCode;

constexpr std::size_t kLimit = ccrec::face::detail::kMaxResultBytes;

/// A single-recording details answer padded with spaces to exactly `size` bytes.
std::string DetailsOfSize(std::size_t size) {
  std::string body = Result0(R"("recording":{"recordingId":100,"startTime":"2026-11-01 00:00:01.000","segments":[)"
                             R"({"segment":{"segmentId":"1001","sequence":1,"filename":"a.wav"}}]})");
  body.insert(body.size() - 1, size - body.size(), ' ');
  return body;
}

/// Serves `body` without a Content-Length.
FakeHttpTransport::Handler Undeclared(std::string body) {
  return [body = std::move(body)](RecordedRequest const&) {
    ccrec::HttpResponse r;
    r.status = 200;
    r.headers = JsonHeaders();
    r.body = ccrec::testing::MakeStringBodyReader(body);
    return Result<HttpResponse>(std::move(r));
  };
}

TEST(FaceBodyLimit, IsEightMiB) { EXPECT_EQ(kLimit, std::size_t{8} << 20); }

TEST(FaceBodyLimit, DetailsJustOverTheLimitFailNamingCommandAndLimit) {
  Env env;
  env.transport->Route("GET", "audioRecording/details", Undeclared(DetailsOfSize(kLimit + 1)));
  FakeFace face(env.transport);
  auto recording = env.MakeClient().GetRecording("100");
  ASSERT_FALSE(recording) << "a result over the limit was used";
  EXPECT_EQ(recording.error().code, ErrorCode::kParse);
  EXPECT_NE(recording.error().message.find("FACE GET audioRecording/details"), std::string::npos)
      << recording.error().message;
  EXPECT_NE(recording.error().message.find("8388608 bytes (8 MiB)"), std::string::npos) << recording.error().message;
}

TEST(FaceBodyLimit, DeclaredLengthOverTheLimitFailsToo) {
  Env env;
  env.transport->Route("GET", "audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, DetailsOfSize(kLimit + 1), JsonHeaders()));
  });
  FakeFace face(env.transport);
  auto recording = env.MakeClient().GetRecording("100");
  ASSERT_FALSE(recording);
  EXPECT_NE(recording.error().message.find("Content-Length"), std::string::npos) << recording.error().message;
}

TEST(FaceBodyLimit, DetailsExactlyAtTheLimitAreRead) {
  Env env;
  env.transport->Route("GET", "audioRecording/details", Undeclared(DetailsOfSize(kLimit)));
  FakeFace face(env.transport);
  auto recording = env.MakeClient().GetRecording("100");
  ASSERT_TRUE(recording) << recording.error().ToString();
  EXPECT_EQ(recording->recording_id, "100");
}

// The listing (what the export source walks) yields the error rather than ending quietly.
TEST(FaceBodyLimit, ListingYieldsTheError) {
  Env env;
  std::string list = R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. )"
                     R"(Returning all matches.","matches":[]}})";
  list.insert(list.size() - 2, kLimit, ' ');
  env.transport->Route("GET", "audioRecording/details", Undeclared(list));
  FakeFace face(env.transport);
  ccrec::face::ListQuery q;
  q.from = ccrec::detail::FromEpochMs(kDayStart);
  q.to = ccrec::detail::FromEpochMs(kDayStart + 3'600'000);
  int errors = 0, matches = 0;
  for (auto& m : env.MakeClient().ListRecordings(q)) {
    if (m) {
      ++matches;
    } else {
      ++errors;
      EXPECT_EQ(m.error().code, ErrorCode::kParse) << m.error().message;
      EXPECT_NE(m.error().message.find("8 MiB"), std::string::npos) << m.error().message;
    }
  }
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(matches, 0);
}

}  // namespace
}  // namespace face_test
