// SPDX-License-Identifier: Apache-2.0
// FACE members named two ways (parse.cpp TextOr): a record with only the other name is read, and
// when both are present the preferred one wins (`ani` in a recording, `from` in a list match).

#include "face_test_util.hpp"

#include "face/parse.hpp"

#include <gtest/gtest.h>

namespace face_test {
namespace {

namespace alias_wire = ccrec::face::detail;

TEST(FaceMemberAliases, RecordingReadsFromToAndStart) {
  auto r = alias_wire::ParseRecordingSearch(200, JsonHeaders(), R"({"result":{"code":0,"message":"ACK","recording":{
    "recordingId":1,"from":"111","to":"222","start":"2026-11-01 10:00:00"}}})",
                                            "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(r->recording);
  EXPECT_EQ(r->recording->ani, "111");
  EXPECT_EQ(r->recording->dnis, "222");
  EXPECT_EQ(r->recording->start_time_text, "2026-11-01 10:00:00");
  EXPECT_TRUE(r->recording->start_time.has_value());
}

TEST(FaceMemberAliases, RecordingPrefersAniDnisAndStartTime) {
  auto r = alias_wire::ParseRecordingSearch(200, JsonHeaders(), R"({"result":{"code":0,"message":"ACK","recording":{
    "recordingId":1,"from":"111","ani":"333","to":"222","dnis":"444","start":"2026-11-01 10:00:00",
    "startTime":"2026-11-01 11:00:00"}}})",
                                            "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(r->recording);
  EXPECT_EQ(r->recording->ani, "333");
  EXPECT_EQ(r->recording->dnis, "444");
  EXPECT_EQ(r->recording->start_time_text, "2026-11-01 11:00:00");
}

TEST(FaceMemberAliases, MatchReadsAniDnisAndStartTimeButPrefersFromToAndStart) {
  auto r = alias_wire::ParseRecordingSearch(200, JsonHeaders(), R"({"result":{"code":-1,"message":"Returning all matches.",
    "matches":[{"match":{"recordingId":1,"ani":"333","dnis":"444","startTime":"2026-11-01 11:00:00"}},
               {"match":{"recordingId":2,"from":"111","ani":"333","to":"222","dnis":"444",
                         "start":"2026-11-01 10:00:00","startTime":"2026-11-01 11:00:00"}},
               {"match":{"recordingId":3,"from":"","ani":"555"}}]}})",
                                            "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->matches.size(), 3u);
  EXPECT_EQ(r->matches[0].ani, "333");
  EXPECT_EQ(r->matches[0].dnis, "444");
  EXPECT_EQ(r->matches[0].start_text, "2026-11-01 11:00:00");
  EXPECT_EQ(r->matches[1].ani, "111");
  EXPECT_EQ(r->matches[1].dnis, "222");
  EXPECT_EQ(r->matches[1].start_text, "2026-11-01 10:00:00");
  EXPECT_EQ(r->matches[2].ani, "555") << "an empty value reads as absent, so the other name is used";
}

TEST(FaceMemberAliases, SiprecSessionAndControlTmpRecordingId) {
  auto s = alias_wire::ParseSegmentSearch(200, JsonHeaders(), R"({"result":{"code":0,"message":"ACK","segment":{
    "segmentId":9,"recordingId":1,"filename":"a.wav","siprecDataSets":[{"siprecData":{"session":"s-2"}}]}}})",
                                          "op", {}, 0);
  ASSERT_TRUE(s) << s.error().ToString();
  ASSERT_TRUE(s->segment);
  ASSERT_EQ(s->segment->siprec_data.size(), 1u);
  EXPECT_EQ(s->segment->siprec_data[0].session_id, "s-2");

  auto c = alias_wire::ParseControl(200, JsonHeaders(),
                                    R"({"result":{"code":0,"message":"start command returned successfully",)"
                                    R"("tmpRecordingId":"t-7"}})",
                                    "op");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->recording_id, "t-7");
}

}  // namespace
}  // namespace face_test
