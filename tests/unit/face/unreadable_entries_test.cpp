// SPDX-License-Identifier: Apache-2.0
// Hostile FACE answers must never shrink an export silently: a list entry without a recordingId
// still counts toward maxListLength and ends as a failed line; a recording with a segment entry
// without a segmentId is not exported as if complete; a recording without a start time holds the
// --since-last-run checkpoint at the window start (ExportSummary::unfinished_without_window_time).

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
#include <set>
#include <string>
#include <vector>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;

// A list of exactly maxListLength entries is full even when one of them cannot be read: it must
// be split (and the bad entry reported), not taken as complete.
TEST(FaceUnreadableEntries, ParseCountsUnreadableMatchesForTruncationAndDescribesThem) {
  constexpr char kThree[] = R"({"result":{"code":-1,
    "message":"Selection criteria insufficient to determine recording. Returning all matches.",
    "matches":[{"match":{"recordingId":1,"from":"+14155550123","start":"2026-11-01 00:00:01"}},
               {"match":{"recordingId":"","from":"+14155550188","to":"5555","start":"2026-11-01 00:00:02"}},
               {"match":"junk"},
               {"match":{"recordingId":3,"start":"2026-11-01 00:00:03"}}]}})";
  auto full = ccrec::face::detail::ParseRecordingSearch(200, JsonHeaders(), kThree, "op", {}, 4);
  ASSERT_TRUE(full) << full.error().ToString();
  EXPECT_EQ(full->matches.size(), 2u);
  EXPECT_TRUE(full->truncated) << "4 entries were returned for maxListLength 4, 2 of them unreadable";
  ASSERT_EQ(full->unreadable_matches.size(), 2u);
  EXPECT_EQ(full->unreadable_matches[0].index, 1u);
  EXPECT_EQ(full->unreadable_matches[0].problem, "no readable recordingId (members: recordingId, from, to, start)");
  EXPECT_EQ(full->unreadable_matches[0].fingerprint.size(), 12u);
  EXPECT_EQ(full->unreadable_matches[1].index, 2u);
  EXPECT_EQ(full->unreadable_matches[1].problem, "not an object (a string)");
  EXPECT_NE(full->unreadable_matches[0].fingerprint, full->unreadable_matches[1].fingerprint);
  auto roomy = ccrec::face::detail::ParseRecordingSearch(200, JsonHeaders(), kThree, "op", {}, 5);
  ASSERT_TRUE(roomy);
  EXPECT_FALSE(roomy->truncated);
  // The same entry gives the same fingerprint (the identity of its failed line).
  EXPECT_EQ(roomy->unreadable_matches[0].fingerprint, full->unreadable_matches[0].fingerprint);

  // A recording's segment entries likewise: the unreadable one is kept apart, with its index.
  auto rec = ccrec::face::detail::ParseRecordingSearch(
      200, JsonHeaders(),
      R"({"result":{"code":0,"message":"ACK","recording":{"recordingId":5,"segments":[
          {"segment":{"segmentId":1,"filename":"a.wav"}},{"segment":{"segmentId":true,"filename":"b.wav"}},{"segment":{}}]}}})",
      "op", {}, 0);
  ASSERT_TRUE(rec) << rec.error().ToString();
  ASSERT_EQ(rec->recording->segments.size(), 1u);
  ASSERT_EQ(rec->recording->unreadable_segments.size(), 1u) << "the trailing {} is empty, not unreadable";
  EXPECT_EQ(rec->recording->unreadable_segments[0].index, 1u);
  EXPECT_EQ(rec->recording->unreadable_segments[0].problem, "no readable segmentId (members: segmentId, filename)");
}

// Audit 4: an empty entry ({"match":{}}, null, "") is an entry the server returned: it counts
// toward maxListLength (a list of 3 for maxListLength 3 is full), and it names no recording, so it
// is reported like an entry without a recordingId.
TEST(FaceUnreadableEntries, EmptyListEntriesCountTowardMaxListLengthAndAreReported) {
  for (std::string empty : {R"({"match":{}})", "null", R"({"match":null})", R"("")"}) {
    std::string const body = R"({"result":{"code":-1,
      "message":"Selection criteria insufficient to determine recording. Returning all matches.",
      "matches":[{"match":{"recordingId":1,"start":"2026-11-01 00:00:01"}},)" + empty + R"(,
                 {"match":{"recordingId":2,"start":"2026-11-01 00:00:02"}}]}})";
    auto full = ccrec::face::detail::ParseRecordingSearch(200, JsonHeaders(), body, "op", {}, 3);
    ASSERT_TRUE(full) << full.error().ToString();
    EXPECT_EQ(full->matches.size(), 2u) << empty;
    EXPECT_TRUE(full->truncated) << "3 entries for maxListLength 3, one of them empty: " << empty;
    ASSERT_EQ(full->unreadable_matches.size(), 1u) << empty;
    EXPECT_EQ(full->unreadable_matches[0].index, 1u) << "its position as sent";
    EXPECT_EQ(full->unreadable_matches[0].fingerprint.size(), 12u);
    auto roomy = ccrec::face::detail::ParseRecordingSearch(200, JsonHeaders(), body, "op", {}, 4);
    ASSERT_TRUE(roomy);
    EXPECT_FALSE(roomy->truncated) << empty;
  }
  auto problem = [](std::string const& empty) {
    auto r = ccrec::face::detail::ParseRecordingSearch(
        200, JsonHeaders(), R"({"result":{"code":-1,"message":"Returning all matches.","matches":[)" + empty + "]}}",
        "op", {}, 0);
    return r && r->unreadable_matches.size() == 1 ? r->unreadable_matches[0].problem : std::string("?");
  };
  EXPECT_EQ(problem(R"({"match":{}})"), "no readable recordingId (an empty object)");
  EXPECT_EQ(problem("null"), "not an object (null)");
  EXPECT_EQ(problem(R"("")"), "not an object (an empty string)");
}

// The server caps its lists at 3 entries, the last one always empty, and says nothing of the cap:
// the day's list (2 recordings + the empty entry) is full, so it is split until every recording is
// listed. Before audit 4 the empty entry was not counted, the list was taken as complete, and the
// third recording was never listed (exit 0).
TEST(FaceUnreadableEntries, AFullListEndingInAnEmptyEntryIsSplit) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  std::vector<std::int64_t> const starts = {kDayStart + 3'600'000, kDayStart + 7'200'000, kDayStart + 72'000'000};
  env.transport->Route("GET", "/Face/audioRecording/details", [&starts](RecordedRequest const& r) {
    auto p = Params(r.url);
    auto lo = ccrec::face::ParseFaceTime(p["earliestStart"]);
    auto hi = ccrec::face::ParseFaceTime(p["latestStart"]);
    std::vector<std::string> entries;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      auto t = FromEpochMs(starts[i]);
      if (lo && hi && t >= *lo && t <= *hi && entries.size() < 2) {
        entries.push_back(R"({"match":{"recordingId":)" + std::to_string(40 + i) + R"(,"start":")" + SqlTime(starts[i]) +
                          R"("}})");
      }
    }
    if (entries.empty()) {
      return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":19,"message":"No recording found"}})", JsonHeaders()));
    }
    std::string list;
    for (auto const& e : entries) list += e + ",";
    list += R"({"match":{}})";
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. Returning all matches.","matches":[)" +
                 list + "]}}",
        JsonHeaders()));
  });
  ccrec::face::ListQuery q;
  q.from = FromEpochMs(kDayStart);
  q.to = FromEpochMs(kDayStart + 86'400'000);
  q.max_list_length = 3;
  std::set<std::string> ids;
  for (auto& m : env.MakeClient().ListRecordings(q)) {
    ASSERT_TRUE(m) << m.error().ToString();
    ids.insert(m->recording_id);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"40", "41", "42"})) << env.AllLogs();
}

struct HostileFace {
  Env env;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec_test::TempDir dir;
  std::unique_ptr<FakeFace> fake;

  /// `pre` may register routes that take precedence over the fake server's.
  explicit HostileFace(std::function<void(FakeHttpTransport&)> const& pre = {}) {
    if (pre) pre(*env.transport);
    fake = std::make_unique<FakeFace>(env.transport);
  }
  FakeFace& face() { return *fake; }

  void Add(std::string const& id, std::int64_t start_ms, std::vector<FakeSegment> segments = {}) {
    FakeRecording r;
    r.id = id;
    r.start_ms = start_ms;
    if (segments.empty()) segments.push_back({"s" + id, "f" + id + ".wav", start_ms, start_ms + 500, "AUDIO-" + id});
    r.segments = std::move(segments);
    face().Add(std::move(r));
  }

  ccrec::exporter::ExportSummary Run(int max_list_length = 1000) {
    auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
    EXPECT_TRUE(manifest);
    return RunFaceExport(env, sink, *manifest, false, max_list_length);
  }

  /// status + " " + error of each manifest line, by recording_id + "/" + segment_id (the latest wins).
  std::map<std::string, std::string> Lines() {
    std::map<std::string, std::string> out;
    for (auto const& line : ccrec_test::ManifestRecordLines(dir / "m.jsonl")) {
      auto doc = ccrec::detail::ParseJson(line, "manifest line");
      if (!doc) continue;
      std::string id = (*doc)["recording_id"].GetString();
      id += "/" + std::string(doc->HasMember("segment_id") ? (*doc)["segment_id"].GetString() : "");
      out[id] = std::string((*doc)["status"].GetString()) + " " +
                (doc->HasMember("error") ? (*doc)["error"].GetString() : "");
    }
    return out;
  }
};

// The server caps its lists at 3 without saying so (the count is the only sign), and one of the 3
// entries it returns for the day has no recordingId: the list is full, so the window is split until
// each recording comes back on its own — none is lost.
TEST(FaceUnreadableEntries, AFullListWithAnUnreadableEntryIsSplitNotTakenAsComplete) {
  HostileFace f;
  f.face().SetCap(3);
  f.face().SetTruncationMessage(false);
  for (int i = 0; i < 4; ++i) f.Add(std::to_string(500 + i), kDayStart + 3'600'000 * (i + 1));
  FakeRecording bad;  // only its list entries are unreadable; its own details are fine
  bad.id = "599";
  bad.start_ms = kDayStart + 3'600'000 * 5;
  bad.unidentified_in_lists = true;
  bad.segments = {{"s599", "f599.wav", bad.start_ms, bad.start_ms + 500, "AUDIO-599"}};
  f.face().Add(bad);
  auto summary = f.Run(3);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 5u) << summary.LastLine() << "\n" << f.env.AllLogs();
  EXPECT_EQ(summary.failed, 0u) << "in the end each recording was listed on its own (code 0)";
  for (std::string id : {"500", "501", "502", "503", "599"}) EXPECT_TRUE(f.sink->Get("face/" + id + "/s" + id + ".wav")) << id;
}

// A complete list with an entry FACE does not identify: the recordings it names are exported, the
// entry ends as a failed line naming its index and window, and it holds the checkpoint at the
// window's start.
TEST(FaceUnreadableEntries, AnUnreadableListEntryIsAFailedLine) {
  HostileFace f;
  f.Add("700", kDayStart + 1000);
  f.Add("701", kDayStart + 2000);
  FakeRecording bad;
  bad.id = "702";
  bad.start_ms = kDayStart + 3000;
  bad.unidentified_in_lists = true;
  bad.segments = {{"s702", "f702.wav", bad.start_ms, bad.start_ms + 500, "AUDIO-702"}};
  f.face().Add(bad);
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 2u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart)) << "the start of the window it was listed in";
  std::string failed;
  for (auto const& [id, line] : f.Lines()) {
    if (line.rfind("failed ", 0) != 0) continue;
    EXPECT_EQ(id.rfind("unreadable-list-entry-", 0), 0u) << id;
    EXPECT_EQ(id.size(), std::string("unreadable-list-entry-").size() + 12 + 1) << id;
    failed = line;
  }
  EXPECT_NE(failed.find("entry 0 of the list for recordings starting in [2026-11-01T00:00:00Z, 2026-11-01T23:59:59.999Z]"), std::string::npos)
      << failed;  // the fake lists newest first: the bad entry comes first
  EXPECT_NE(failed.find("no readable recordingId"), std::string::npos) << failed;
  EXPECT_EQ(failed.find("7777"), std::string::npos) << "no phone numbers in the error: " << failed;
  EXPECT_NE(f.env.AllLogs().find("entry 0 of the FACE list for ["), std::string::npos) << f.env.AllLogs();
}

// A segment entry without a segmentId: the recording is failed as a whole (not exported as if
// complete), with an error naming the recording and the entry; the other recordings go on.
TEST(FaceUnreadableEntries, ARecordingWithAnUnreadableSegmentIsFailedNotExportedAsComplete) {
  HostileFace f;
  f.Add("800", kDayStart + 1000);
  f.Add("801", kDayStart + 2000,
        {{"8011", "m.seg0.wav", kDayStart + 2000, kDayStart + 3000, "ONE"},
         {"", "m.seg1.wav", kDayStart + 3000, kDayStart + 4000, "TWO"},
         {"8013", "m.seg2.wav", kDayStart + 4000, kDayStart + 5000, "THREE"}});
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  EXPECT_FALSE(f.sink->Get("face/801/8011.wav")) << "nothing of an incomplete recording is exported";
  EXPECT_FALSE(f.sink->Get("face/801/8013.wav"));
  auto lines = f.Lines();
  ASSERT_EQ(lines.count("801/"), 1u);
  std::string const& line = lines["801/"];
  EXPECT_EQ(line.rfind("failed ", 0), 0u) << line;
  EXPECT_NE(line.find("FACE recording 801 was not exported"), std::string::npos) << line;
  EXPECT_NE(line.find("segment entry 1: no readable segmentId"), std::string::npos) << line;
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 2000));
}

// Audit 4: when every segment entry is unreadable, the recording has no readable segment, which
// is not "in progress: no segment yet": it is a failed line (exit 3), not pending forever (exit 0).
TEST(FaceUnreadableEntries, ARecordingWhoseSegmentsAreAllUnreadableIsFailedNotPending) {
  HostileFace f;
  f.Add("850", kDayStart + 1000);
  f.Add("851", kDayStart + 2000, {{"", "u.seg0.wav", kDayStart + 2000, kDayStart + 3000, "ONE"}});
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  EXPECT_EQ(summary.pending, 0u) << summary.LastLine();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  auto lines = f.Lines();
  ASSERT_EQ(lines.count("851/"), 1u);
  std::string const& line = lines["851/"];
  EXPECT_EQ(line.rfind("failed ", 0), 0u) << line;
  EXPECT_NE(line.find("segment entry 0: no readable segmentId"), std::string::npos) << line;
  EXPECT_NE(line.find("none of its audio can be fetched"), std::string::npos) << line;
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 2000));
}

// Audit 4: a segment entry listed twice (the same segmentId) is exported once, one object per
// segment as well as concatenated (wav_test.cpp).
TEST(FaceUnreadableEntries, ARepeatedSegmentEntryIsExportedOnce) {
  HostileFace f;
  f.Add("870", kDayStart + 1000,
        {{"8701", "r.seg0.wav", kDayStart + 1000, kDayStart + 2000, "ONE"},
         {"8702", "r.seg1.wav", kDayStart + 2000, kDayStart + 3000, "TWO"},
         {"8701", "r.seg0.wav", kDayStart + 1000, kDayStart + 2000, "ONE"}});
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 2u) << summary.LastLine();
  EXPECT_EQ(summary.failed + summary.skipped, 0u) << summary.LastLine();
  EXPECT_EQ(f.sink->Get("face/870/8701.wav"), "ONE");
  EXPECT_EQ(f.sink->Get("face/870/8702.wav"), "TWO");
  int downloads = 0;
  for (auto const& r : f.env.transport->Requests()) {
    if (Command(r.url) == "audioRecording/segment/download" && Params(r.url)["segmentId"] == "8701") ++downloads;
  }
  EXPECT_EQ(downloads, 1);
  EXPECT_NE(f.env.AllLogs().find("lists segment 8701 more than once"), std::string::npos) << f.env.AllLogs();
}

// FACE may omit a recording's startTime (the parser then has no start_time): a failed download of
// it has no window_time, and the summary says so, so that the checkpoint is not moved past it.
TEST(FaceUnreadableEntries, AFailedRecordingWithoutStartTimeIsCountedAsUntimed) {
  HostileFace f([](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/download", [](RecordedRequest const&) {
      return Result<HttpResponse>(MakeResponse(
          200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders()));
    });
  });
  FakeRecording r;
  r.id = "900";
  r.start_ms = kDayStart + 1000;
  r.send_start_time = false;
  r.segments = {{"s900", "f900.wav", r.start_ms, r.start_ms + 500, "AUDIO-900"}};
  f.face().Add(r);
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 1u) << summary.LastLine();
  EXPECT_FALSE(summary.earliest_unfinished);
  EXPECT_EQ(summary.unfinished_without_window_time, 1u);
}

}  // namespace
}  // namespace face_test
