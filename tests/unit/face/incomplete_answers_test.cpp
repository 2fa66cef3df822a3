// SPDX-License-Identifier: Apache-2.0
// FACE answers that announce more than they hold must fail loudly, never shrink an export:
// a list answer (code -1) without a readable `matches` member fails the listing (before the fifth
// audit it was an empty window: every recording of it lost with exit 0), a recording whose
// segments' `sequence` numbers have a gap is a failed line, not exported as if complete, and a
// FACE result served with an audio Content-Type is that result, never stored as the recording.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "face/parse.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;

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

/// A FakeFace whose details for one recording are scripted, and an export of the day through it.
struct SequenceGapFace {
  Env env;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  std::unique_ptr<FakeFace> fake;

  /// Recording "960" (one segment, exported) and "961" starting at kDayStart + 2000, whose details
  /// list the segments "9611".."961N" with the sequence numbers `sequences` (-1: no sequence).
  explicit SequenceGapFace(std::vector<int> const& sequences) {
    std::string segments;
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      std::string const id = "961" + std::to_string(i + 1);
      std::int64_t const start = kDayStart + 2000 + 1000 * static_cast<std::int64_t>(i);
      segments += std::string(segments.empty() ? "" : ",") + R"({"segment":{"segmentId":)" + id +
                  (sequences[i] < 0 ? std::string() : R"(,"sequence":)" + std::to_string(sequences[i])) +
                  R"(,"filename":"g)" + id + R"(.wav","start":")" + SqlTime(start) + R"(","end":")" +
                  SqlTime(start + 1000) + R"("}})";
    }
    std::string const details = Result0(R"("recording":{"recordingId":961,"startTime":")" + SqlTime(kDayStart + 2000) +
                                        R"(","segments":[)" + segments + "]}");
    env.transport->Route("GET", "recordingId=961", [details](RecordedRequest const& r) {
      if (Command(r.url) == "audioRecording/download") {  // a one-segment recording's audio
        return Result<HttpResponse>(MakeResponse(200, "AUDIO-9611", {{"Content-Type", "audio/wav"}}));
      }
      return Result<HttpResponse>(MakeResponse(200, details, JsonHeaders()));
    });
    fake = std::make_unique<FakeFace>(env.transport);
    FakeRecording one;
    one.id = "960";
    one.start_ms = kDayStart + 1000;
    one.segments = {{"9601", "g9601.wav", kDayStart + 1000, kDayStart + 1500, "AUDIO-960"}};
    fake->Add(one);
    FakeRecording listed;  // only listed: its details are the scripted ones
    listed.id = "961";
    listed.start_ms = kDayStart + 2000;
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      std::string const id = "961" + std::to_string(i + 1);
      listed.segments.push_back({id, "g" + id + ".wav", kDayStart + 2000, kDayStart + 3000, "AUDIO-" + id});
    }
    fake->Add(listed);
  }

  ccrec::exporter::ExportSummary Run() {
    auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
    EXPECT_TRUE(manifest);
    return RunFaceExport(env, sink, *manifest);
  }

  /// status + " " + error of the manifest line of `recording_id` + "/" + segment_id.
  std::string Line(std::string const& key) {
    std::string out;
    for (auto const& line : ccrec_test::ManifestRecordLines(dir / "m.jsonl")) {
      auto doc = ccrec::detail::ParseJson(line, "manifest line");
      if (!doc) continue;
      std::string id = std::string((*doc)["recording_id"].GetString()) + "/" +
                       (doc->HasMember("segment_id") ? (*doc)["segment_id"].GetString() : "");
      if (id != key) continue;
      out = std::string((*doc)["status"].GetString()) + " " +
            (doc->HasMember("error") ? (*doc)["error"].GetString() : "");
    }
    return out;
  }
};

// Segments 1 and 3 of a recording: segment 2 is missing from its details. Before the fifth audit
// the two were exported and the run ended with exit 0, the checkpoint past the recording: its
// middle was never exported. Now it is a failed line naming the gap, nothing of it exported, and
// it holds the checkpoint at its start.
TEST(FaceIncompleteAnswers, ASegmentMissingFromTheSequenceFailsTheRecording) {
  SequenceGapFace f({1, 3});
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  EXPECT_TRUE(f.sink->Get("face/960/9601.wav"));
  EXPECT_FALSE(f.sink->Get("face/961/9611.wav")) << "nothing of an incomplete recording is exported";
  EXPECT_FALSE(f.sink->Get("face/961/9612.wav"));
  std::string const line = f.Line("961/");
  EXPECT_EQ(line.rfind("failed ", 0), 0u) << line;
  EXPECT_NE(line.find("FACE recording 961 was not exported: its segments have sequence numbers 1, 3: sequence 2 "
                      "missing from its details"),
            std::string::npos)
      << line;
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 2000));
}

// The first segment missing (sequences 2 and 3): failed the same way.
TEST(FaceIncompleteAnswers, AMissingFirstSegmentFailsTheRecording) {
  SequenceGapFace f({3, 2});
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  std::string const line = f.Line("961/");
  EXPECT_NE(line.find("sequence numbers 2, 3: sequence 1 missing"), std::string::npos) << line;
}

// Sequences without a gap (from 1, or from 0), or segments without sequence numbers (no order to
// judge): exported as before.
TEST(FaceIncompleteAnswers, SegmentsWithoutAGapAreExported) {
  for (auto const& sequences : std::vector<std::vector<int>>{{2, 1}, {0, 1}, {1}, {-1, -1}, {1, 1}}) {
    SequenceGapFace f(sequences);
    auto summary = f.Run();
    ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
    EXPECT_EQ(summary.failed, 0u) << summary.LastLine();
    EXPECT_EQ(summary.exported, 1u + sequences.size()) << summary.LastLine();
  }
}

// A FACE result served with an audio Content-Type (a server that labels the answer before it
// knows the outcome) is that result, never stored as the recording; audio is never sniffed away.
TEST(FaceIncompleteAnswers, AResultLabelledAsAudioIsTheResult) {
  struct Served {
    std::string content_type;
    std::string body;
  };
  auto download = [](Served const& served, bool segment) {
    Env env;
    env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
    env.transport->Route("GET", "/Face/", [served](RecordedRequest const&) {
      return Result<HttpResponse>(MakeResponse(200, served.body, {{"Content-Type", served.content_type}}));
    });
    ccrec::face::Segment s;
    s.segment_id = "51";
    auto client = env.MakeClient();
    return segment ? client.DownloadSegment(s) : client.DownloadRecording("5");
  };
  for (bool segment : {false, true}) {
    auto json = download({"audio/wav", R"({"result":{"code":23,"message":"Could not convert file to playable format"}})"},
                         segment);
    ASSERT_FALSE(json) << "stored as the recording: " << *json->ReadAll();
    EXPECT_EQ(json.error().vendor_code, "23") << json.error().ToString();
    auto xml = download({"application/octet-stream",
                         "<?xml version=\"1.0\"?>\n<result><code>19</code><message>No recording found with supplied "
                         "criteria</message></result>"},
                        segment);
    ASSERT_FALSE(xml) << "stored as the recording: " << *xml->ReadAll();
    EXPECT_EQ(xml.error().vendor_code, "19") << xml.error().ToString();
    auto ack = download({"audio/wav", R"({"result":{"code":0,"message":"ACK"}})"}, segment);
    ASSERT_FALSE(ack);
    EXPECT_EQ(ack.error().code, ErrorCode::kParse) << ack.error().ToString();
    // Media that is no FACE result is served as it came, every byte of it.
    for (std::string const& audio : {std::string("RIFF") + std::string(70'000, 'r'),
                                    std::string("{not a result") + std::string(70'000, '\x7b'),
                                    std::string("<?xml version=\"1.0\"?><svg/>")}) {
      auto served = download({"audio/wav", audio}, segment);
      ASSERT_TRUE(served) << served.error().ToString();
      EXPECT_EQ(*served->ReadAll(), audio);
    }
  }
}

// In an export: the recording served a result labelled as audio is a failed line (exit 3), not an
// exported object holding the result's text (exit 0).
TEST(FaceIncompleteAnswers, AResultLabelledAsAudioFailsTheRecordingInAnExport) {
  Env env;
  env.transport->Route("GET", "audioRecording/download", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})",
        {{"Content-Type", "audio/wav"}}));
  });
  FakeFace fake(env.transport);
  AddOneAndTwoSegmentRecordings(fake);
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto summary = RunFaceExport(env, sink, *manifest);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 2u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  EXPECT_FALSE(sink->Get("face/100/1001.wav")) << *sink->Get("face/100/1001.wav");
  EXPECT_EQ(sink->Get("face/200/2001.wav"), "TWO-A");
}

}  // namespace
}  // namespace face_test
