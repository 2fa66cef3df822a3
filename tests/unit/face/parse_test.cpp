// SPDX-License-Identifier: Apache-2.0
// FACE result documents: both match shapes in JSON, the quirks of reference §5.3, XML where JSON
// was asked for (read like JSON; xml_answers_test.cpp has the rest), and bad input (truncated, wrong types, missing fields, huge values).

#include "face_test_util.hpp"

#include "face/parse.hpp"

#include <gtest/gtest.h>

namespace face_test {
namespace {

using ccrec::ErrorCode;
namespace wire = ccrec::face::detail;

// Oracle's single-match example (reference §5.1), in JSON with straight quotes, with the
// trailing empty segment, account as a string, locationId and SIPREC data.
constexpr char kSingle[] = R"({"result":{"code":0,"message":"ACK","recording":{
  "recordingId":11905071,"ani":"sipp_sd_siprec","dnis":"rss_sd_siprec","account":"1","duration":120075,
  "startTime":"2018-08-29 19:00:54.923","rss":2,"route":1,"agentId":"","sensitive":0,"deleteFlag":false,
  "isrUcid":"x-isr-ucid-1-28605@10.10.248.209","ingressCallId":"1-28605@10.10.248.209",
  "customDataSets":[{"customData":{"customDataId":7,"name":"customerId","value":"C-1"}},
                    {"customData":{"customDataId":"8","name":"tags","values":[{"value":"a"},{"value":"b"}]}}],
  "segments":[
    {"segment":{"segmentId":1214966,"recordingId":11905071,"sequence":2,"filename":"b.seg1.wav",
                "start":"2018-08-29 19:01:54.0","end":"2018-08-29 19:02:54.998","locationId":4}},
    {"segment":{"segmentId":"1214965","recordingId":"11905071","sequence":"1",
                "filename":"rss_sd_siprec-1-28605@10.10.248.209.seg0.wav","directory":"/2018-08-29/19/00",
                "fileStatus":0,"location":4,"start":"2018-08-29 19:00:54.923","end":"2018-08-29 19:01:54.21",
                "checksumMismatch":false,"pauseLength":0,"hasVideo":"false","archived":1,"conversionStatus":0,
                "siprecDataSets":[{"siprecData":{"sessionId":"s-1",
                   "participants":[{"participant":{"participantId":"1","aor":"sip:a@b","name":"A"}}],
                   "streams":[{"stream":{"streamId":"st-1","label":"1"}}]}}]}},
    {"segment":{}}]}}})";

constexpr char kList[] = R"({"result":{"code":-1,
  "message":"Selection criteria insufficient to determine recording. Returning all matches.",
  "matches":[{"match":{"recordingId":671,"isrUcid":"u","ingressCallId":"i","filename":"dhtest.wav",
                       "from":"sipp_g711_ulaw","to":"rss_g711_ulaw","start":"2017-03-22 15:06:59"}},
             {"match":{"recordingId":"15","from":"7777","to":"5555","start":"2021-01-18 06:37:27"}},
             {"match":{}},{"match":{"isrUcid":"no id"}}]}})";

TEST(FaceParse, SingleMatchFullRecording) {
  auto r = wire::ParseRecordingSearch(200, JsonHeaders(), kSingle, "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->code, 0);
  ASSERT_TRUE(r->recording);
  auto const& rec = *r->recording;
  EXPECT_EQ(rec.recording_id, "11905071");
  EXPECT_EQ(rec.ani, "sipp_sd_siprec");
  EXPECT_EQ(rec.dnis, "rss_sd_siprec");
  EXPECT_EQ(rec.account, "1");
  EXPECT_EQ(rec.duration, std::chrono::milliseconds(120075));
  EXPECT_EQ(rec.start_time_text, "2018-08-29 19:00:54.923");
  EXPECT_EQ(ccrec::detail::ToEpochMs(*rec.start_time), 1535569254923);
  EXPECT_FALSE(rec.agent_id) << "empty values read as absent";
  EXPECT_EQ(rec.sensitive, false);
  EXPECT_EQ(rec.delete_flag, false);
  ASSERT_EQ(rec.custom_data.size(), 2u);
  EXPECT_EQ(rec.custom_data[0].name, "customerId");
  EXPECT_EQ(rec.custom_data[0].value, "C-1");
  EXPECT_EQ(rec.custom_data[1].custom_data_id, 8);
  EXPECT_EQ(rec.custom_data[1].value, "a,b");
  ASSERT_EQ(rec.segments.size(), 2u) << "the empty trailing segment is ignored";
  EXPECT_EQ(rec.segments[0].segment_id, "1214965") << "sorted by sequence";
  EXPECT_EQ(rec.segments[0].location_id, 4) << "location (XML name) accepted";
  EXPECT_EQ(rec.segments[1].location_id, 4);
  EXPECT_EQ(rec.segments[0].has_video, false);
  EXPECT_EQ(ccrec::detail::ToEpochMs(*rec.segments[0].end), 1535569314210) << ".21 is 210 ms";
  EXPECT_EQ(ccrec::detail::ToEpochMs(*rec.segments[1].start), 1535569314000) << ".0";
  ASSERT_EQ(rec.segments[0].siprec_data.size(), 1u);
  EXPECT_EQ(rec.segments[0].siprec_data[0].session_id, "s-1");
  ASSERT_EQ(rec.segments[0].siprec_data[0].participants.size(), 1u);
  EXPECT_EQ(rec.segments[0].siprec_data[0].participants[0].aor, "sip:a@b");
  EXPECT_EQ(rec.segments[0].siprec_data[0].streams[0].label, "1");
  EXPECT_FALSE(rec.InProgress());
  EXPECT_NE(rec.raw_json.find("\"isrUcid\""), std::string::npos);
}

TEST(FaceParse, ListShape) {
  auto r = wire::ParseRecordingSearch(200, JsonHeaders(), kList, "op", {}, 1000);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->code, -1);
  EXPECT_FALSE(r->recording);
  ASSERT_EQ(r->matches.size(), 2u) << "entries without recordingId are skipped";
  EXPECT_EQ(r->matches[0].recording_id, "671");
  EXPECT_EQ(r->matches[0].ani, "sipp_g711_ulaw") << "from -> ani";
  EXPECT_EQ(r->matches[0].dnis, "rss_g711_ulaw") << "to -> dnis";
  EXPECT_EQ(r->matches[0].filename, "dhtest.wav");
  EXPECT_EQ(r->matches[1].recording_id, "15");
  EXPECT_FALSE(r->truncated);
}

TEST(FaceParse, TruncationByMessageOrCount) {
  std::string msg = R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. There )"
                    R"(were more matches than maxListLength, please refine your search if the entry you require is )"
                    R"(not in this list.","matches":[{"match":{"recordingId":1}}]}})";
  auto a = wire::ParseRecordingSearch(200, JsonHeaders(), msg, "op", {}, 1000);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->truncated) << "a server may cap below maxListLength; only the message tells";
  auto b = wire::ParseRecordingSearch(200, JsonHeaders(), kList, "op", {}, 2);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->truncated) << "a full list counts as truncated";
}

TEST(FaceParse, OtherListShapesAreUnwrapped) {
  // {"matches":{"match":[...]}} and a plain array, as XML-to-JSON converters produce.
  auto a = wire::ParseRecordingSearch(
      200, JsonHeaders(),
      R"({"result":{"code":-1,"message":"Returning all matches.","matches":{"match":[{"recordingId":1},{"recordingId":2}]}}})",
      "op", {}, 0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->matches.size(), 2u);
  auto b = wire::ParseRecordingSearch(
      200, JsonHeaders(), R"({"result":{"code":"-1","message":"x","matches":[{"recordingId":1},{"recordingId":2}]}})", "op",
      {}, 0);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->matches.size(), 2u) << "numeric string code and plain array";
  auto c = wire::ParseRecordingSearch(
      200, JsonHeaders(), R"({"result":{"code":-1,"message":"x","matches":{"match":{"recordingId":9}}}})", "op", {}, 0);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->matches.size(), 1u);
  EXPECT_EQ(c->matches[0].recording_id, "9");
}

TEST(FaceParse, NoMatchIsEmptyNotAnError) {
  auto r = wire::ParseRecordingSearch(200, JsonHeaders(),
                                      R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})",
                                      "op", {}, 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 19);
  EXPECT_FALSE(r->recording);
  EXPECT_TRUE(r->matches.empty());
}

TEST(FaceParse, XmlWhereJsonWasAskedForIsRead) {
  // A server that ignores Accept (issue 16 item 1): the XML answer gives the same result as JSON.
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>-1</code><message>Selection criteria "
                    "insufficient to determine recording. Returning all matches.</message><matches/></result>";
  for (auto const& headers : {XmlHeaders(), HttpHeaders{}, HttpHeaders{{"Content-Type", "text/xml;charset=UTF-16"}}}) {
    auto r = wire::ParseRecordingSearch(200, headers, xml, "FACE GET audioRecording/details", {}, 0);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->code, -1);
    EXPECT_TRUE(r->matches.empty());
  }
}

// `text` as UTF-16 (ASCII and Latin-1 only), with or without a BOM.
std::string Latin1AsUtf16(std::string_view text, bool little_endian, bool bom) {
  std::string out = bom ? (little_endian ? "\xFF\xFE" : "\xFE\xFF") : "";
  for (char c : text) {
    out.push_back(little_endian ? c : '\0');
    out.push_back(little_endian ? '\0' : c);
  }
  return out;
}

TEST(FaceParse, Utf16XmlAnswersAreRead) {
  // Reference §5.3: the guide's XML declares UTF-16; a server may send UTF-16 bytes, LE or BE, with
  // or without a BOM, and with or without a Content-Type.
  std::string const result = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>0</code><message>ACK "
                             "caf\xE9</message><token>tok-1</token><expiration>3600seconds</expiration><version>7.1"
                             "</version></result>";
  for (bool le : {true, false}) {
    for (bool bom : {true, false}) {
      for (auto const& headers : {XmlHeaders(), HttpHeaders{}}) {
        SCOPED_TRACE(std::string(le ? "LE" : "BE") + (bom ? " BOM" : " no BOM") + (headers.empty() ? " sniffed" : ""));
        auto body = Latin1AsUtf16(result, le, bom);
        EXPECT_EQ(wire::Classify(headers, body), wire::BodyKind::kXml);
        auto header = wire::ReadResultHeader(headers, body);
        EXPECT_TRUE(header.parsed);
        EXPECT_EQ(header.code, 0);
        EXPECT_EQ(header.message, "ACK caf\xC3\xA9");
        auto login = wire::ParseLogin(headers, body);
        EXPECT_EQ(login.token, "tok-1");
        EXPECT_EQ(login.expiration, "3600seconds");
        EXPECT_EQ(wire::ParseVersion(headers, body), "7.1");
        auto search = wire::ParseRecordingSearch(200, headers, body, "op", {}, 0);
        ASSERT_FALSE(search);  // read, but a code 0 without a recording
        EXPECT_EQ(search.error().code, ErrorCode::kParse);
        EXPECT_NE(search.error().message.find("without a recording"), std::string::npos) << search.error().message;
      }
    }
  }
}

TEST(FaceParse, XmlAnswersWithPrefixesEntitiesAndHostileDoctypes) {
  auto header = wire::ReadResultHeader(
      XmlHeaders(), "<f:result xmlns:f=\"urn:face\"><f:code>-1</f:code><f:message>a &amp; b</f:message><f:matches/></f:result>");
  EXPECT_TRUE(header.parsed);
  EXPECT_EQ(header.code, -1);
  EXPECT_EQ(header.message, "a & b");
  EXPECT_TRUE(header.has_matches);
  // A DOCTYPE (billion laughs, XXE) is refused: nothing is read from the body.
  auto lol = wire::ReadResultHeader(
      XmlHeaders(), "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><result><code>0</code><message>&b;"
                    "</message></result>");
  EXPECT_FALSE(lol.parsed);
  EXPECT_TRUE(wire::ParseLogin(XmlHeaders(), "<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><result><token>t</token></result>")
                  .token.empty());
  // A body mentioning <matches only inside a text is not a list.
  EXPECT_FALSE(wire::ReadResultHeader(XmlHeaders(), "<result><code>5</code><message>&lt;matches&gt;</message></result>")
                   .has_matches);
}

TEST(FaceParse, MalformedAndTruncatedBodies) {
  std::string single = kSingle;
  for (std::string body : {single.substr(0, single.size() / 2), std::string("{\"result\":{\"code\":0}"),
                           std::string(""), std::string("   "), std::string("null"), std::string("[]"),
                           std::string("{\"result\":{\"message\":\"ACK\"}}"), std::string("{\"result\":\"ACK\"}"),
                           std::string("{\"result\":{\"code\":0,\"recording\":{}}}"),
                           std::string("{\"result\":{\"code\":0,\"recording\":[1,2]}}"),
                           std::string("{\"result\":{\"code\":true}}"),
                           std::string("{\"result\u201D:{\"code\":0}}")}) {
    auto r = wire::ParseRecordingSearch(200, JsonHeaders(), body, "op", {}, 0);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << body << " -> " << r.error().ToString();
  }
}

TEST(FaceParse, WrongTypesReadAsAbsent) {
  auto r = wire::ParseRecordingSearch(
      200, JsonHeaders(),
      R"({"result":{"code":0,"message":"ACK","recording":{"recordingId":5,"ani":{"x":1},"duration":"long",
          "startTime":"yesterday","sensitive":"maybe","customDataSets":"","segments":[{"segment":{"segmentId":true}},
          {"segment":{"segmentId":99999999999999999999,"filename":7}},{"segment":{"segmentId":1,"end":"soon"}}]}}})",
      "op", {}, 0);
  ASSERT_TRUE(r) << r.error().ToString();
  auto const& rec = *r->recording;
  EXPECT_FALSE(rec.ani);
  EXPECT_FALSE(rec.duration);
  EXPECT_FALSE(rec.start_time);
  EXPECT_EQ(rec.start_time_text, "yesterday");
  EXPECT_FALSE(rec.sensitive);
  EXPECT_TRUE(rec.custom_data.empty());
  ASSERT_EQ(rec.segments.size(), 1u) << "ids that are booleans or too large for 64 bits are dropped";
  // An end that is present but unreadable still means "ended".
  auto const& seg = rec.segments.back();
  EXPECT_EQ(seg.segment_id, "1");
  EXPECT_FALSE(seg.end);
  EXPECT_FALSE(seg.InProgress());
}

TEST(FaceParse, InProgressSegments) {
  auto r = wire::ParseRecordingSearch(
      200, JsonHeaders(),
      R"({"result":{"code":0,"message":"ACK","recording":{"recordingId":5,"segments":[
          {"segment":{"segmentId":1,"sequence":1,"filename":"a.seg0.wav","start":"2026-11-01 00:00:00","end":"2026-11-01 00:01:00"}},
          {"segment":{"segmentId":2,"sequence":2,"filename":"a.seg1.RPDD","start":"2026-11-01 00:01:00","end":""}}]}}})",
      "op", {}, 0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->recording->segments[0].InProgress());
  EXPECT_TRUE(r->recording->segments[1].InProgress());
  EXPECT_TRUE(r->recording->InProgress());
  ccrec::face::Recording empty;
  EXPECT_TRUE(empty.InProgress()) << "no segment yet";
}

TEST(FaceParse, SegmentSearchShapes) {
  auto one = wire::ParseSegmentSearch(
      200, JsonHeaders(),
      R"({"result":{"code":0,"message":"ACK","segment":{"segmentId":3,"recordingId":4,"filename":"x.wav","start":"2026-11-01 00:00:00"}}})",
      "op", {}, 0);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->segment->segment_id, "3");
  auto list = wire::ParseSegmentSearch(
      200, JsonHeaders(),
      R"({"result":{"code":-1,"message":"Returning all matches.","matches":[
          {"match":{"segmentId":3,"recordingId":4,"filename":"x.wav","start":"2026-11-01 00:00:00","end":"2026-11-01 00:00:10","hasVideo":false}},
          {"match":{"segmentId":5,"recordingId":4,"filename":"y.rpdd","start":"2026-11-01 00:00:10","end":""}}]}})",
      "op", {}, 0);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->matches.size(), 2u);
  EXPECT_FALSE(list->matches[0].InProgress());
  EXPECT_TRUE(list->matches[1].InProgress());
}

TEST(FaceParse, ErrorCodesInA200AreErrors) {
  auto r = wire::ParseRecordingSearch(200, JsonHeaders(), R"({"result":{"code":2,"message":"Host Not Authorized"}})",
                                      "op", {}, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().vendor_code, "2");
  auto nack = wire::ParseRecordingSearch(200, JsonHeaders(), R"({"result":{"code":-1,"message":"NACK"}})", "op", {}, 0);
  ASSERT_FALSE(nack);
  EXPECT_EQ(nack.error().vendor_code, "-1");
}

TEST(FaceParse, ControlResult) {
  auto r = wire::ParseControl(200, JsonHeaders(),
                              R"({"result":{"code":0,"message":"This file has been renamed by the recorder, please use )"
                              R"(the following new filename for future commands: new-name.wav","recordingId":42}})",
                              "op");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->renamed_filename, "new-name.wav");
  EXPECT_EQ(r->recording_id, "42");
}

TEST(FaceParse, LoginAnswers) {
  auto json = wire::ParseLogin(JsonHeaders(), Result0(R"("token":"0b007a4d","expiration":"3600seconds")"));
  EXPECT_TRUE(json.parsed);
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(json.token, "0b007a4d");
  EXPECT_EQ(json.expiration, "3600seconds");
  // Oracle's XML example (UTF-16 declared, ASCII bytes), as a server ignoring Accept would send.
  auto xml = wire::ParseLogin(
      {}, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>0</code><message>ACK</message><token>0b007a4d-5593-"
          "4393-a8ef-bc7e6384e97</token><expiration>3600seconds</expiration></result>");
  EXPECT_TRUE(xml.parsed);
  EXPECT_EQ(xml.token, "0b007a4d-5593-4393-a8ef-bc7e6384e97");
  auto flat = wire::ParseLogin(JsonHeaders(), R"({"token":" t1 ","expiration":3600})");
  EXPECT_EQ(flat.token, "t1");
  EXPECT_EQ(flat.expiration, "3600");
  auto garbage = wire::ParseLogin({{"Content-Type", "text/html"}}, "<html>login page</html>");
  EXPECT_TRUE(garbage.token.empty());
  EXPECT_EQ(wire::ParseExpiration("3600seconds"), std::chrono::seconds(3600));
  EXPECT_EQ(wire::ParseExpiration("86400 seconds"), std::chrono::seconds(86400));
  EXPECT_EQ(wire::ParseExpiration("60"), std::chrono::seconds(60));
  EXPECT_FALSE(wire::ParseExpiration("soon"));
  EXPECT_FALSE(wire::ParseExpiration("-5seconds"));
  EXPECT_FALSE(wire::ParseExpiration("99999999999999999999seconds"));
}

TEST(FaceParse, Version) {
  EXPECT_EQ(wire::ParseVersion({}, "<result><version>5.2.0M1P0 build 2016.12.15_13.29</version></result>"),
            "5.2.0M1P0 build 2016.12.15_13.29");
  EXPECT_EQ(wire::ParseVersion(JsonHeaders(), R"({"result":{"version":"6.4"}})"), "6.4");
  EXPECT_FALSE(wire::ParseVersion(JsonHeaders(), "{}"));
  EXPECT_EQ(wire::ParseVersion(JsonHeaders(), R"({"version":"6.4"})"), "6.4");
  EXPECT_EQ(wire::ParseVersion(XmlHeaders(), "<result><code>0</code><version>7.1</version></result>"), "7.1");
  // A <version> outside a result (a proxy's or server's own XML page) is no FACE version.
  EXPECT_FALSE(wire::ParseVersion(XmlHeaders(), "<status><server><version>2.4.57</version></server></status>"));
  EXPECT_FALSE(wire::ParseVersion({}, "<html><body><version>1</version></body></html>"));
  EXPECT_FALSE(wire::ParseVersion(XmlHeaders(), "<result><version></version></result>"));
}

}  // namespace
}  // namespace face_test
