// SPDX-License-Identifier: Apache-2.0
// FACE answers that announce more than they hold must fail loudly, never shrink an export:
// a list answer (code -1) without a readable `matches` member fails the listing (before the fifth
// audit it was an empty window: every recording of it lost with exit 0).

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "face/parse.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace face_test {
namespace {

using ccrec::ErrorCode;

constexpr char kIncompleteListMessage[] =
    "Selection criteria insufficient to determine recording. Returning all matches.";

std::string IncompleteListAnswer(std::string const& matches_member) {
  return std::string(R"({"result":{"code":-1,"message":")") + kIncompleteListMessage + "\"" +
         (matches_member.empty() ? "" : "," + matches_member) + "}}";
}

TEST(FaceIncompleteAnswers, AListAnswerWithoutItsMatchesIsAParseError) {
  namespace wire = ccrec::face::detail;
  for (std::string const member : {"", R"("match":[{"recordingId":15},{"recordingId":16}])", R"("matches":"15,16")",
                                   R"("matches":2)", R"("matches":true)"}) {
    auto r = wire::ParseRecordingSearch(200, JsonHeaders(), IncompleteListAnswer(member), "op", {}, 1000);
    ASSERT_FALSE(r) << member;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << member;
    EXPECT_NE(r.error().message.find(member.rfind("\"matches\"", 0) == 0 ? "is not a list" : "without a `matches`"),
              std::string::npos)
        << r.error().message;
    auto s = wire::ParseSegmentSearch(200, JsonHeaders(), IncompleteListAnswer(member), "op", {}, 0);
    ASSERT_FALSE(s) << member;
    EXPECT_EQ(s.error().code, ErrorCode::kParse) << member;
  }
  // The same in XML: the list element left out.
  auto xml = wire::ParseRecordingSearch(200, XmlHeaders(),
                                        std::string("<result><code>-1</code><message>") + kIncompleteListMessage +
                                            "</message><match><recordingId>15</recordingId></match></result>",
                                        "op", {}, 1000);
  ASSERT_FALSE(xml);
  EXPECT_EQ(xml.error().code, ErrorCode::kParse);
  // An empty list, however written, is an empty list.
  for (std::string const member : {R"("matches":[])", R"("matches":{})", R"("matches":null)", R"("matches":"")"}) {
    auto r = wire::ParseRecordingSearch(200, JsonHeaders(), IncompleteListAnswer(member), "op", {}, 1000);
    ASSERT_TRUE(r) << member << ": " << r.error().ToString();
    EXPECT_TRUE(r->matches.empty()) << member;
    EXPECT_TRUE(r->unreadable_matches.empty()) << member;
  }
}

// The day's listing is answered with a list that holds no `matches`: the run fails (fatal, exit 1)
// instead of finding an empty day and moving the --since-last-run checkpoint past it.
TEST(FaceIncompleteAnswers, AListAnswerWithoutItsMatchesFailsTheRun) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, IncompleteListAnswer(R"("match":[{"recordingId":15,"start":"2026-11-01 06:37:27"}])"), JsonHeaders()));
  });
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto summary = RunFaceExport(env, sink, *manifest);
  ASSERT_TRUE(summary.fatal) << "an unreadable list must not pass for an empty day: " << summary.LastLine();
  EXPECT_EQ(summary.fatal->code, ErrorCode::kParse) << summary.fatal->ToString();
  EXPECT_NE(summary.fatal->message.find("without a `matches` member"), std::string::npos) << summary.fatal->message;
}

}  // namespace
}  // namespace face_test
