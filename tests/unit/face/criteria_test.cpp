// SPDX-License-Identifier: Apache-2.0
// FACE selection criteria: documented names only, RFC 3986 values, UTC dates (reference §3, §4).

#include "face_test_util.hpp"

#include <ccrec/face/criteria.hpp>

#include <gtest/gtest.h>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::CriteriaUse;
using ccrec::face::EncodeCriteria;
using ccrec::face::SearchCriteria;
using ccrec::face::TimeFormat;
using ccrec::detail::FromEpochMs;

TEST(FaceCriteria, EveryDocumentedCriterionInFixedOrder) {
  SearchCriteria c;
  c.recording_id = "128";
  c.tmp_recording_id = "9";
  c.segment_id = "77";
  c.isr_ucid = "x-isr-ucid-1-28605@10.10.248.209";
  c.ingress_call_id = "1-28605@10.10.248.209";
  c.egress_call_id = "2-1@h";
  c.thirdparty_id = "oit-1";
  c.ani = "+14155550123";
  c.dnis = "sip:agent@example.com";
  c.filename = "a b.wav";
  c.aor = "sip:x@y";
  c.start = FromEpochMs(kDayStart);
  c.earliest_start = FromEpochMs(kDayStart + 1);
  c.latest_start = FromEpochMs(kDayStart + 86'399'999);
  c.end = FromEpochMs(kDayStart + 5000);
  c.earliest_end = FromEpochMs(kDayStart);
  c.latest_end = FromEpochMs(kDayStart + 60'000);
  c.in_progress = false;
  c.channel_number = 3;
  c.rss_id = 2;
  c.audio_only = true;
  c.must_have_video = false;
  c.custom_fields = {{"testCustomData1", "testValue1"}};
  c.max_list_length = 50;
  auto q = EncodeCriteria(c, CriteriaUse::kSegmentSearch);
  ASSERT_TRUE(q) << q.error().ToString();
  EXPECT_EQ(*q,
            "recordingId=128&tmpRecordingId=9&segmentId=77&isrUcid=x-isr-ucid-1-28605%4010.10.248.209"
            "&ingressCallId=1-28605%4010.10.248.209&egressCallId=2-1%40h&thirdpartyId=oit-1&ani=%2B14155550123"
            "&dnis=sip%3Aagent%40example.com&filename=a%20b.wav&aor=sip%3Ax%40y&start=2026-11-01%2000%3A00%3A00"
            "&earliestStart=2026-11-01%2000%3A00%3A00.001&latestStart=2026-11-01%2023%3A59%3A59.999"
            "&end=2026-11-01%2000%3A00%3A05&earliestEnd=2026-11-01%2000%3A00%3A00"
            "&latestEnd=2026-11-01%2000%3A01%3A00&inProgress=false&channelNumber=3&rssId=2&audioOnly=true"
            "&mustHaveVideo=false&testCustomData1=testValue1&maxListLength=50");
}

TEST(FaceCriteria, UnsetFieldsAreNotSent) {
  SearchCriteria c;
  auto q = EncodeCriteria(c, CriteriaUse::kRecordingSearch);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, "");
  c.ani = "7777";
  EXPECT_EQ(*EncodeCriteria(c, CriteriaUse::kRecordingSearch), "ani=7777");
}

TEST(FaceCriteria, EmptyValuesAreRejectedLocally) {
  SearchCriteria c;
  c.ani = "";
  auto q = EncodeCriteria(c, CriteriaUse::kRecordingSearch);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(q.error().message.find("ani"), std::string::npos);
  SearchCriteria d;
  d.custom_fields = {{"campaign", ""}};
  EXPECT_FALSE(EncodeCriteria(d, CriteriaUse::kRecordingSearch));
}

TEST(FaceCriteria, CustomFieldNamesCannotShadowDocumentedOnes) {
  for (char const* name : {"token", "ani", "maxListLength", "", "bad name", "a&b=c", "userEmail"}) {
    SearchCriteria c;
    c.custom_fields = {{name, "v"}};
    auto q = EncodeCriteria(c, CriteriaUse::kRecordingSearch);
    EXPECT_FALSE(q) << name;
    if (!q) {
      EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
    }
  }
  SearchCriteria ok;
  ok.custom_fields = {{"customer.id-2_x", "a+b"}};
  EXPECT_EQ(*EncodeCriteria(ok, CriteriaUse::kRecordingSearch), "customer.id-2_x=a%2Bb");
}

TEST(FaceCriteria, FieldsOnlyWhereTheyApply) {
  SearchCriteria seg;
  seg.segment_id = "1";
  EXPECT_FALSE(EncodeCriteria(seg, CriteriaUse::kRecordingSearch));
  EXPECT_FALSE(EncodeCriteria(seg, CriteriaUse::kRecordingSelection));
  EXPECT_TRUE(EncodeCriteria(seg, CriteriaUse::kSegmentSelection));
  SearchCriteria list;
  list.max_list_length = 10;
  EXPECT_FALSE(EncodeCriteria(list, CriteriaUse::kRecordingSelection));
  EXPECT_FALSE(EncodeCriteria(list, CriteriaUse::kSegmentSelection));
  for (int bad : {0, -1, 1001}) {
    list.max_list_length = bad;
    EXPECT_FALSE(EncodeCriteria(list, CriteriaUse::kRecordingSearch)) << bad;
  }
  list.max_list_length = 1000;
  EXPECT_TRUE(EncodeCriteria(list, CriteriaUse::kRecordingSearch));
}

TEST(FaceCriteria, InvertedRangesAreRejected) {
  SearchCriteria c;
  c.earliest_start = FromEpochMs(kDayStart + 1);
  c.latest_start = FromEpochMs(kDayStart);
  EXPECT_FALSE(EncodeCriteria(c, CriteriaUse::kRecordingSearch));
  SearchCriteria d;
  d.earliest_end = FromEpochMs(kDayStart + 1);
  d.latest_end = FromEpochMs(kDayStart);
  EXPECT_FALSE(EncodeCriteria(d, CriteriaUse::kRecordingSearch));
}

TEST(FaceCriteria, DateFormatMillisecondsOnlyWhenNonZero) {
  EXPECT_EQ(ccrec::face::FormatFaceTime(FromEpochMs(kDayStart)), "2026-11-01 00:00:00");
  EXPECT_EQ(ccrec::face::FormatFaceTime(FromEpochMs(kDayStart + 7)), "2026-11-01 00:00:00.007");
  EXPECT_EQ(ccrec::face::FormatFaceTime(FromEpochMs(kDayStart + 86'399'999)), "2026-11-01 23:59:59.999");
}

TEST(FaceCriteria, SecondsModeRoundsBoundsOutward) {
  TimeFormat f;
  f.milliseconds = false;
  SearchCriteria c;
  c.earliest_start = FromEpochMs(kDayStart + 1500);
  c.latest_start = FromEpochMs(kDayStart + 2500);
  c.start = FromEpochMs(kDayStart + 999);
  auto q = EncodeCriteria(c, CriteriaUse::kRecordingSearch, f);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q,
            "start=2026-11-01%2000%3A00%3A00&earliestStart=2026-11-01%2000%3A00%3A01"
            "&latestStart=2026-11-01%2000%3A00%3A03");
}

TEST(FaceCriteria, ServerOffsetAppliedBothWays) {
  TimeFormat f;
  f.server_utc_offset = std::chrono::minutes(120);
  EXPECT_EQ(ccrec::face::FormatFaceTime(FromEpochMs(kDayStart), f), "2026-11-01 02:00:00");
  auto t = ccrec::face::ParseFaceTime("2026-11-01 02:00:00.5", f);
  ASSERT_TRUE(t);
  EXPECT_EQ(ccrec::detail::ToEpochMs(*t), kDayStart + 500);
}

TEST(FaceCriteria, ParseFaceTimeAcceptsZeroToThreeFractionDigitsOnly) {
  EXPECT_EQ(ccrec::detail::ToEpochMs(*ccrec::face::ParseFaceTime("2018-08-29 19:00:54")), 1535569254000);
  EXPECT_EQ(ccrec::detail::ToEpochMs(*ccrec::face::ParseFaceTime("2018-08-29 19:00:54.923")), 1535569254923);
  EXPECT_EQ(ccrec::detail::ToEpochMs(*ccrec::face::ParseFaceTime("2018-08-29 19:00:54.0")), 1535569254000);
  EXPECT_EQ(ccrec::detail::ToEpochMs(*ccrec::face::ParseFaceTime("2018-08-29 19:00:54.21")), 1535569254210);
  for (char const* bad : {"", "2018-08-29", "2018-08-29T19:00:54Z", "2018-08-29 19:00:54.1234", "1535569254000",
                          "2018-13-29 19:00:54", "2018-08-29 19:00:54Z", "garbage garbage garbage"}) {
    EXPECT_FALSE(ccrec::face::ParseFaceTime(bad)) << bad;
  }
}

}  // namespace
}  // namespace face_test
