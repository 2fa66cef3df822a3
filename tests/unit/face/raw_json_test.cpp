// SPDX-License-Identifier: Apache-2.0
// raw_json of FACE recordings, segments, SIPREC data and control results, and the sidecar's
// "recording" and "segment" objects, are the server's exact bytes (issue 12 item 2): not a
// re-serialisation, which rewrote `1E2` as `100.0`, dropped `\u00e9` escapes and whitespace, and cut
// digits off numbers beyond 64 bits.

#include "face_test_util.hpp"

#include <ccrec/face/recording_source.hpp>

#include "face/parse.hpp"

#include <gtest/gtest.h>

namespace face_test {
namespace {

namespace wire = ccrec::face::detail;

constexpr char kSiprec[] = "{ \"sessionId\":\"s-1\", \"n\":1.50 ,\"who\":\"Ren\\u00e9e\"}";
constexpr char kSegmentHead[] =
    "{\"segmentId\":\"501\",\"sequence\":1, \"filename\":\"a.wav\",\"start\":\"2026-11-01 00:00:01.000\","
    "\"end\":\"2026-11-01 00:00:02.000\", \"gain\" : 1E-3,\n \"siprecDataSets\":[{\"siprecData\":";
std::string const kSegment = std::string(kSegmentHead) + kSiprec + "}]}";
// The recording is head + segments member + tail; without its segments it is head + tail.
constexpr char kRecordingHead[] =
    "{\"recordingId\":500, \"ani\":\"caf\\u00e9\", \"duration\":1.2E5, \"startTime\":\"2026-11-01 00:00:01.000\","
    "\"big\":123456789012345678901234567890,\n\t\"customDataSets\":[{\"customData\":{\"name\":\"score\","
    "\"values\":[{\"value\":1E2},{\"value\":1.0},{\"value\":\"x\"}]}}], ";
std::string const kSegmentsMember = "\"segments\":[ {\"segment\":" + kSegment + "} ], ";
constexpr char kRecordingTail[] = "\"tail\" : {\"x\": 0.10} }";
std::string const kRecording = kRecordingHead + kSegmentsMember + kRecordingTail;

std::string Answer(std::string const& member) {
  return "{\"result\":{\"code\":0,\"message\":\"ACK\"," + member + "}}";
}

TEST(FaceRawJson, RecordingSegmentAndSiprecRawJsonAreTheExactBytes) {
  auto r = wire::ParseRecordingSearch(200, JsonHeaders(), Answer("\"recording\": " + kRecording), "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(r->recording);
  EXPECT_EQ(r->recording->raw_json, kRecording);
  ASSERT_EQ(r->recording->segments.size(), 1u);
  EXPECT_EQ(r->recording->segments[0].raw_json, kSegment);
  ASSERT_EQ(r->recording->segments[0].siprec_data.size(), 1u);
  EXPECT_EQ(r->recording->segments[0].siprec_data[0].raw_json, kSiprec);
  ASSERT_EQ(r->recording->custom_data.size(), 1u);
  EXPECT_EQ(r->recording->custom_data[0].value, "1E2,1.0,x") << "numbers as written";

  auto s = wire::ParseSegmentSearch(200, JsonHeaders(), Answer("\"segment\":" + kSegment), "op", {}, 0);
  ASSERT_TRUE(s) << s.error().ToString();
  ASSERT_TRUE(s->segment);
  EXPECT_EQ(s->segment->raw_json, kSegment);
}

TEST(FaceRawJson, ControlResultRawJsonIsTheExactBytes) {
  constexpr char kResult[] = "{ \"code\":0, \"message\":\"ACK\", \"recordingId\":\"7\", \"n\":1E2 }";
  auto c = wire::ParseControl(200, JsonHeaders(), std::string("{\"result\":") + kResult + "}", "op");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->raw_json, kResult);
}

TEST(FaceRawJson, SidecarEmbedsTheServersRecordingAndSegmentBytes) {
  Env env;
  // Registered before FakeFace's routes, so it answers every details query.
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, Answer("\"recording\":" + kRecording), JsonHeaders()));
  });
  FakeFace face(env.transport);
  ccrec::face::FaceSourceOptions so;
  so.from = ccrec::detail::FromEpochMs(kDayStart);
  so.to = ccrec::detail::FromEpochMs(kDayStart + 86'400'000);
  auto source = ccrec::face::MakeFaceSource(env.MakeClient(), so);
  std::vector<ccrec::exporter::ExportItem> items;
  auto result = source->Enumerate(
      [&](ccrec::exporter::ExportItem item) {
        items.push_back(std::move(item));
        return true;
      },
      [](ccrec::exporter::PendingItem) {}, ccrec::CallContext{});
  ASSERT_TRUE(result) << result.error().ToString();
  ASSERT_EQ(items.size(), 1u);
  std::string const& json = items[0].metadata_json;
  std::string const tail = ",\"recording\":" + std::string(kRecordingHead) + kRecordingTail + ",\"segment\":" + kSegment + "}\n";
  ASSERT_GE(json.size(), tail.size()) << json;
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail) << json;
  auto doc = ccrec::detail::ParseJson(json, "sidecar");
  ASSERT_TRUE(doc) << json;
  EXPECT_STREQ((*doc)["source"].GetString(), "face");
  EXPECT_STREQ((*doc)["segmentId"].GetString(), "501");
  EXPECT_FALSE((*doc)["recording"].HasMember("segments"));
}

}  // namespace
}  // namespace face_test
