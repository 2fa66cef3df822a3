// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 1: FACE answers in XML (the guide's default format), UTF-8 and UTF-16 LE/BE with
// and without a BOM, read into the same models as the JSON answers, raw_json included; malformed
// XML fails with kParse naming the command; no error quotes a token.

#include "face_test_util.hpp"

#include "face/parse.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>

namespace face_test {
namespace {

using ccrec::ErrorCode;
namespace wire = ccrec::face::detail;

constexpr char kDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n";

// A single match in compact JSON (the form XML answers are read into), covering every member the
// models read: typed numbers and booleans, numeric-looking strings (ani, account, participantId,
// label), empty values, nested lists, an empty list, escapes and non-ASCII text.
constexpr char kSingleJson[] =
    R"({"result":{"code":0,"message":"ACK","recording":{"recordingId":11905071,"ani":"5551234",)"
    R"("dnis":"rss_sd_siprec","account":"1","duration":120075,"startTime":"2018-08-29 19:00:54.923","rss":2,)"
    R"("route":1,"agentId":"","sensitive":0,"deleteFlag":false,"isrUcid":"x-isr-ucid-1-28605@10.10.248.209",)"
    R"("ingressCallId":"1-28605@10.10.248.209","egressCallId":"2-28605@10.10.248.209",)"
    R"("customDataSets":[{"customData":{"customDataId":7,"name":"customerId","value":"C-1 & <b> \"q\" caf)" "\xC3\xA9" R"(\t/x"}},)"
    R"({"customData":{"customDataId":8,"name":"tags","values":[{"value":"a"},{"value":"b"}]}}],)"
    R"("segments":[{"segment":{"segmentId":1214966,"recordingId":11905071,"sequence":2,"filename":"b.seg1.wav",)"
    R"("start":"2018-08-29 19:01:54.0","end":"2018-08-29 19:02:54.998","locationId":4}},)"
    R"({"segment":{"segmentId":1214965,"recordingId":11905071,"sequence":1,)"
    R"("filename":"rss_sd_siprec-1-28605@10.10.248.209.seg0.wav","directory":"/2018-08-29/19/00","fileStatus":0,)"
    R"("locationId":4,"start":"2018-08-29 19:00:54.923","end":"2018-08-29 19:01:54.21","checksumMismatch":false,)"
    R"("pauseLength":0,"hasVideo":true,"archived":1,"conversionStatus":0,"siprecDataSets":[{"siprecData":)"
    R"({"sessionId":"s-1","participants":[{"participant":{"participantId":"1","aor":"sip:a@b","name":"A"}}],)"
    R"("streams":[{"stream":{"streamId":"st-1","label":"1"}}],"dtmfDigits":[]}}]}}],)"
    R"("supplementalFiles":[{"supplementalFile":{"supplementalFileId":55,"filename":"s.txt","size":12}}]}}})";

constexpr char kListJson[] =
    R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. Returning all )"
    R"(matches.","matches":[{"match":{"recordingId":671,"isrUcid":"u","ingressCallId":"i","filename":"dhtest.wav",)"
    R"("from":"sipp_g711_ulaw","to":"rss_g711_ulaw","start":"2017-03-22 15:06:59"}},{"match":{"recordingId":15,)"
    R"("from":"7777","to":"5555","start":"2021-01-18 06:37:27.5"}}]}})";

constexpr char kSegmentJson[] =
    R"({"result":{"code":0,"message":"ACK","segment":{"segmentId":1214965,"recordingId":11905071,"sequence":1,)"
    R"("filename":"a.wav","directory":"/d","fileStatus":0,"locationId":4,"start":"2018-08-29 19:00:54.923",)"
    R"("end":"2018-08-29 19:01:54.21","checksumMismatch":false,"pauseLength":0,"hasVideo":false,"archived":1,)"
    R"("conversionStatus":0}}})";

constexpr char kSegmentListJson[] =
    R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. There were more )"
    R"(matches than maxListLength, please refine your search if the entry you require is not in this list.",)"
    R"("matches":[{"match":{"segmentId":1,"recordingId":9,"filename":"a.wav","start":"2018-08-29 19:00:54",)"
    R"("end":"2018-08-29 19:01:54","hasVideo":false}},{"match":{"segmentId":2,"recordingId":9,"filename":"b.wav",)"
    R"("start":"2018-08-29 19:01:54","end":"","hasVideo":true}}]}})";

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out.push_back(c);
  }
  return out;
}

// The guide's XML for a FACE JSON document: the inverse of the mapping under test.
std::string ToXml(std::string const& name, rapidjson::Value const& v) {
  std::string inner;
  if (v.IsObject()) {
    for (auto const& m : v.GetObject()) inner += ToXml(m.name.GetString(), m.value);
  } else if (v.IsArray()) {
    for (auto const& e : v.GetArray()) inner += ToXml(e.MemberBegin()->name.GetString(), e.MemberBegin()->value);
  } else if (v.IsString()) {
    inner = Escape(std::string_view(v.GetString(), v.GetStringLength()));
  } else if (v.IsBool()) {
    inner = v.GetBool() ? "true" : "false";
  } else {
    inner = std::to_string(v.GetInt64());
  }
  return inner.empty() ? "<" + name + "/>" : "<" + name + ">" + inner + "</" + name + ">";
}

std::string XmlOf(char const* json) {
  rapidjson::Document d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  return kDecl + ToXml("result", d["result"]);
}

// `text` (ASCII or UTF-8) as UTF-16, with or without a BOM.
std::string Utf16(std::string_view utf8, bool little_endian, bool bom) {
  std::string out = bom ? (little_endian ? "\xFF\xFE" : "\xFE\xFF") : "";
  auto unit = [&](std::uint32_t u) {
    out.push_back(static_cast<char>(little_endian ? (u & 0xFF) : (u >> 8)));
    out.push_back(static_cast<char>(little_endian ? (u >> 8) : (u & 0xFF)));
  };
  for (std::size_t i = 0; i < utf8.size();) {
    auto const c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xF0) cp = c & 0x07, n = 4;
    else if (c >= 0xE0) cp = c & 0x0F, n = 3;
    else if (c >= 0xC0) cp = c & 0x1F, n = 2;
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 | (cp >> 10));
      unit(0xDC00 | (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

// `text` without blanks: a UTF-16 body quoted byte-wise reads "0 b 0 0 7 a 4 d".
std::string Despaced(std::string const& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\0') out.push_back(c);
  }
  return out;
}

std::string Repeat(std::string const& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Variant {
  std::string name;
  HttpHeaders headers;
  std::function<std::string(std::string const&)> encode;
};

std::vector<Variant> Variants() {
  std::vector<Variant> out;
  out.push_back({"UTF-8", XmlHeaders(), [](std::string const& x) { return x; }});
  out.push_back({"UTF-8 BOM sniffed", {}, [](std::string const& x) { return "\xEF\xBB\xBF" + x; }});
  for (bool le : {true, false}) {
    for (bool bom : {true, false}) {
      for (bool sniffed : {false, true}) {
        std::string name = std::string(le ? "UTF-16LE" : "UTF-16BE") + (bom ? " BOM" : " no BOM") + (sniffed ? " sniffed" : "");
        HttpHeaders h = sniffed ? HttpHeaders{} : HttpHeaders{{"Content-Type", "application/xml;charset=UTF-16"}};
        out.push_back({name, h, [le, bom](std::string const& x) { return Utf16(x, le, bom); }});
      }
    }
  }
  return out;
}

void ExpectSame(ccrec::face::Segment const& a, ccrec::face::Segment const& b) {
  EXPECT_EQ(a.segment_id, b.segment_id);
  EXPECT_EQ(a.recording_id, b.recording_id);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.filename, b.filename);
  EXPECT_EQ(a.directory, b.directory);
  EXPECT_EQ(a.file_status, b.file_status);
  EXPECT_EQ(a.location_id, b.location_id);
  EXPECT_EQ(a.start, b.start);
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.start_text, b.start_text);
  EXPECT_EQ(a.end_text, b.end_text);
  EXPECT_EQ(a.checksum_mismatch, b.checksum_mismatch);
  EXPECT_EQ(a.pause_length, b.pause_length);
  EXPECT_EQ(a.has_video, b.has_video);
  EXPECT_EQ(a.archived, b.archived);
  EXPECT_EQ(a.conversion_status, b.conversion_status);
  ASSERT_EQ(a.siprec_data.size(), b.siprec_data.size());
  for (std::size_t i = 0; i < a.siprec_data.size(); ++i) {
    auto const& x = a.siprec_data[i];
    auto const& y = b.siprec_data[i];
    EXPECT_EQ(x.session_id, y.session_id);
    ASSERT_EQ(x.participants.size(), y.participants.size());
    for (std::size_t k = 0; k < x.participants.size(); ++k) {
      EXPECT_EQ(x.participants[k].participant_id, y.participants[k].participant_id);
      EXPECT_EQ(x.participants[k].aor, y.participants[k].aor);
      EXPECT_EQ(x.participants[k].name, y.participants[k].name);
    }
    ASSERT_EQ(x.streams.size(), y.streams.size());
    for (std::size_t k = 0; k < x.streams.size(); ++k) {
      EXPECT_EQ(x.streams[k].stream_id, y.streams[k].stream_id);
      EXPECT_EQ(x.streams[k].label, y.streams[k].label);
    }
    EXPECT_EQ(x.raw_json, y.raw_json);
  }
  EXPECT_EQ(a.raw_json, b.raw_json);
}

void ExpectSame(ccrec::face::Recording const& a, ccrec::face::Recording const& b) {
  EXPECT_EQ(a.recording_id, b.recording_id);
  EXPECT_EQ(a.ani, b.ani);
  EXPECT_EQ(a.dnis, b.dnis);
  EXPECT_EQ(a.account, b.account);
  EXPECT_EQ(a.duration, b.duration);
  EXPECT_EQ(a.start_time, b.start_time);
  EXPECT_EQ(a.start_time_text, b.start_time_text);
  EXPECT_EQ(a.rss, b.rss);
  EXPECT_EQ(a.route, b.route);
  EXPECT_EQ(a.agent_id, b.agent_id);
  EXPECT_EQ(a.sensitive, b.sensitive);
  EXPECT_EQ(a.delete_flag, b.delete_flag);
  EXPECT_EQ(a.isr_ucid, b.isr_ucid);
  EXPECT_EQ(a.ingress_call_id, b.ingress_call_id);
  EXPECT_EQ(a.egress_call_id, b.egress_call_id);
  ASSERT_EQ(a.custom_data.size(), b.custom_data.size());
  for (std::size_t i = 0; i < a.custom_data.size(); ++i) {
    EXPECT_EQ(a.custom_data[i].custom_data_id, b.custom_data[i].custom_data_id);
    EXPECT_EQ(a.custom_data[i].name, b.custom_data[i].name);
    EXPECT_EQ(a.custom_data[i].value, b.custom_data[i].value);
  }
  ASSERT_EQ(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < a.segments.size(); ++i) ExpectSame(a.segments[i], b.segments[i]);
  ASSERT_EQ(a.supplemental_files.size(), b.supplemental_files.size());
  for (std::size_t i = 0; i < a.supplemental_files.size(); ++i) {
    EXPECT_EQ(a.supplemental_files[i].supplemental_file_id, b.supplemental_files[i].supplemental_file_id);
    EXPECT_EQ(a.supplemental_files[i].filename, b.supplemental_files[i].filename);
    EXPECT_EQ(a.supplemental_files[i].size, b.supplemental_files[i].size);
  }
  EXPECT_EQ(a.raw_json, b.raw_json);
}

TEST(FaceXml, TheXmlIsReadIntoTheJsonForm) {
  for (char const* json : {kSingleJson, kListJson, kSegmentJson, kSegmentListJson}) {
    auto converted = wire::XmlAnswerAsJson(XmlOf(json), "op");
    ASSERT_TRUE(converted) << converted.error().ToString();
    EXPECT_EQ(*converted, json);
  }
}

TEST(FaceXml, SingleMatchGivesTheSameRecordingAsJson) {
  auto want = wire::ParseRecordingSearch(200, JsonHeaders(), kSingleJson, "op", {}, 0);
  ASSERT_TRUE(want) << want.error().ToString();
  ASSERT_TRUE(want->recording);
  EXPECT_EQ(want->recording->segments.size(), 2u);
  EXPECT_EQ(want->recording->custom_data[1].value, "a,b");
  EXPECT_EQ(want->recording->ani, "5551234") << "a numeric-looking ani stays a string";
  for (auto const& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto got = wire::ParseRecordingSearch(200, v.headers, v.encode(XmlOf(kSingleJson)), "op", {}, 0);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(got->code, 0);
    EXPECT_EQ(got->message, "ACK");
    ASSERT_TRUE(got->recording);
    ExpectSame(*got->recording, *want->recording);
    EXPECT_TRUE(got->matches.empty());
  }
}

TEST(FaceXml, ListsAndSegmentAnswersGiveTheSameModelsAsJson) {
  for (auto const& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto list = wire::ParseRecordingSearch(200, v.headers, v.encode(XmlOf(kListJson)), "op", {}, 0);
    ASSERT_TRUE(list) << list.error().ToString();
    EXPECT_EQ(list->code, -1);
    ASSERT_EQ(list->matches.size(), 2u);
    EXPECT_EQ(list->matches[0].recording_id, "671");
    EXPECT_EQ(list->matches[0].ani, "sipp_g711_ulaw");
    EXPECT_EQ(list->matches[0].filename, "dhtest.wav");
    EXPECT_EQ(list->matches[1].start_text, "2021-01-18 06:37:27.5");
    EXPECT_FALSE(list->truncated);

    auto want = wire::ParseSegmentSearch(200, JsonHeaders(), kSegmentJson, "op", {}, 0);
    ASSERT_TRUE(want);
    auto seg = wire::ParseSegmentSearch(200, v.headers, v.encode(XmlOf(kSegmentJson)), "op", {}, 0);
    ASSERT_TRUE(seg) << seg.error().ToString();
    ASSERT_TRUE(seg->segment);
    ExpectSame(*seg->segment, *want->segment);

    auto segs = wire::ParseSegmentSearch(200, v.headers, v.encode(XmlOf(kSegmentListJson)), "op", {}, 0);
    ASSERT_TRUE(segs) << segs.error().ToString();
    EXPECT_TRUE(segs->truncated);
    ASSERT_EQ(segs->matches.size(), 2u);
    EXPECT_EQ(segs->matches[1].segment_id, "2");
    EXPECT_EQ(segs->matches[1].has_video, true);
    EXPECT_FALSE(segs->matches[1].end);

    auto none = wire::ParseRecordingSearch(
        200, v.headers, v.encode(std::string(kDecl) + "<result><code>19</code><message>No recording found with supplied "
                                                      "criteria</message></result>"),
        "op", {}, 0);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_EQ(none->code, 19);
    EXPECT_FALSE(none->recording);
  }
}

TEST(FaceXml, TheGuidesOwnExampleIsRead) {
  // Reference §5.1, abridged: `location` (not locationId), <agentId/>, a blank-indented document.
  std::string const xml = std::string(kDecl) + R"(<result><code>0</code><message>ACK</message>
 <recording>
  <recordingId>11905071</recordingId><ani>sipp_sd_siprec</ani><dnis>rss_sd_siprec</dnis>
  <account>1</account><duration>120075</duration><startTime>2018-08-29 19:00:54.923</startTime>
  <rss>2</rss><route>1</route><agentId/><sensitive>0</sensitive><deleteFlag>false</deleteFlag>
  <isrUcid>x-isr-ucid-1-28605@10.10.248.209</isrUcid><ingressCallId>1-28605@10.10.248.209</ingressCallId>
  <customDataSets><customData><customDataId>7</customDataId><name>n</name><value>v</value></customData></customDataSets>
  <segments><segment>
    <segmentId>1214965</segmentId><recordingId>11905071</recordingId><sequence>1</sequence>
    <filename>rss_sd_siprec-1-28605@10.10.248.209.seg0.wav</filename><directory>/2018-08-29/19/00</directory>
    <fileStatus>0</fileStatus><location>4</location><start>2018-08-29 19:00:54.923</start>
    <end>2018-08-29 19:02:54.998</end><checksumMismatch>false</checksumMismatch><pauseLength>0</pauseLength>
    <hasVideo>false</hasVideo><archived>1</archived><conversionStatus>0</conversionStatus>
  </segment></segments>
 </recording></result>)";
  for (auto const& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto r = wire::ParseRecordingSearch(200, v.headers, v.encode(xml), "op", {}, 0);
    ASSERT_TRUE(r) << r.error().ToString();
    ASSERT_TRUE(r->recording);
    auto const& rec = *r->recording;
    EXPECT_EQ(rec.recording_id, "11905071");
    EXPECT_EQ(rec.duration, std::chrono::milliseconds(120075));
    EXPECT_FALSE(rec.agent_id);
    EXPECT_EQ(rec.sensitive, false);
    EXPECT_EQ(rec.delete_flag, false);
    ASSERT_EQ(rec.custom_data.size(), 1u);
    EXPECT_EQ(rec.custom_data[0].custom_data_id, 7);
    ASSERT_EQ(rec.segments.size(), 1u);
    EXPECT_EQ(rec.segments[0].location_id, 4);
    EXPECT_EQ(rec.segments[0].sequence, 1);
    EXPECT_EQ(rec.segments[0].has_video, false);
    EXPECT_NE(rec.segments[0].raw_json.find("\"locationId\":4"), std::string::npos) << rec.segments[0].raw_json;
    EXPECT_EQ(rec.raw_json.find("\n"), std::string::npos) << "raw_json is the compact JSON form";
  }
}

TEST(FaceXml, ControlAnswersLoginAndVersion) {
  for (auto const& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto c = wire::ParseControl(
        200, v.headers,
        v.encode(std::string(kDecl) + "<result><code>0</code><message>This file has been renamed by the recorder, please use "
                                      "the following new filename for future commands: new.wav</message><recordingId>77"
                                      "</recordingId></result>"),
        "FACE GET audioRecording/stop");
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->code, 0);
    EXPECT_EQ(c->recording_id, "77");
    EXPECT_EQ(c->renamed_filename, "new.wav");
    EXPECT_EQ(c->raw_json,
              R"({"code":0,"message":"This file has been renamed by the recorder, please use the following new filename )"
              R"(for future commands: new.wav","recordingId":77})");

    auto login = wire::ParseLogin(v.headers, v.encode(std::string(kDecl) + "<result><code>0</code><message>ACK</message>"
                                                                           "<token>0b007a4d-5593</token><expiration>3600se"
                                                                           "conds</expiration></result>"));
    EXPECT_TRUE(login.parsed);
    EXPECT_EQ(login.code, 0);
    EXPECT_EQ(login.token, "0b007a4d-5593");
    EXPECT_EQ(login.expiration, "3600seconds");
    EXPECT_EQ(wire::ParseVersion(v.headers, v.encode(std::string(kDecl) + "<result><version>5.2.0M1P0 build</version></result>")),
              "5.2.0M1P0 build");
  }
}

TEST(FaceXml, AnErrorCodeInXmlIsMappedLikeJson) {
  for (auto const& v : Variants()) {
    SCOPED_TRACE(v.name);
    auto r = wire::ParseRecordingSearch(
        200, v.headers, v.encode(std::string(kDecl) + "<result><code>2</code><message>Host Not Authorized</message></result>"),
        "FACE GET audioRecording/details", {}, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(r.error().vendor_code, "2");
  }
}

TEST(FaceXml, MalformedXmlIsAParseErrorNamingTheCommand) {
  std::string const bad[] = {
      std::string(kDecl) + "<result><code>0</code><message>ACK</message><recording><recordingId>1</recordingId></result>",
      std::string(kDecl) + "<result><code>0</code></result><result/>",
      std::string(kDecl) + "<!DOCTYPE r [<!ENTITY a \"b\">]><result><code>&a;</code></result>",
      std::string(kDecl) + "<result><code>0</code>",
      std::string(kDecl) + "<response><Code>0</Code></response><response/>",
      std::string(kDecl) + "<result>" + Repeat("<a>", 40) + Repeat("</a>", 40) + "</result>",
  };
  for (auto const& v : Variants()) {
    for (auto const& body : bad) {
      SCOPED_TRACE(v.name + ": " + body);
      auto r = wire::ParseRecordingSearch(200, v.headers, v.encode(body), "FACE GET audioRecording/details", {}, 0);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::kParse) << r.error().message;
      EXPECT_EQ(r.error().message.rfind("FACE GET audioRecording/details", 0), 0u) << r.error().message;
      EXPECT_EQ(r.error().http_status, 200);
      auto s = wire::ParseSegmentSearch(200, v.headers, v.encode(body), "FACE GET audioRecording/segment/details", {}, 0);
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().message.rfind("FACE GET audioRecording/segment/details", 0), 0u) << s.error().message;
      auto c = wire::ParseControl(200, v.headers, v.encode(body), "FACE GET audioRecording/stop");
      ASSERT_FALSE(c);
      EXPECT_EQ(c.error().message.rfind("FACE GET audioRecording/stop", 0), 0u) << c.error().message;
    }
  }
  // The guide's `<response><Code>0</Code>..` (eventNotify, screen capture) is a control answer,
  // never a search answer.
  std::string const response = std::string(kDecl) + "<response><Code>0</Code></response>";
  EXPECT_EQ(wire::ParseRecordingSearch(200, XmlHeaders(), response, "FACE GET audioRecording/details", {}, 0)
                .error()
                .code,
            ErrorCode::kParse);
  EXPECT_TRUE(wire::ParseControl(200, XmlHeaders(), response, "FACE GET StopScreenCapture"));
  // Deep nesting: refused before any recursion gets deep.
  std::string const deep = kDecl + Repeat("<result>", 100000) + Repeat("</result>", 100000);
  auto r = wire::ParseRecordingSearch(200, XmlHeaders(), deep, "FACE GET audioRecording/details", {}, 0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deeper than"), std::string::npos) << r.error().message;
}

TEST(FaceXml, NoErrorQuotesAToken) {
  // Issue 16: the old login error quoted the body, token included. Every unreadable answer that
  // carries a token, in every encoding, gives a message without it.
  std::string const token = "0b007a4d-5593-4393-a8ef-bc7e6384e97";
  std::string const bodies[] = {
      "<result><code>0</code><message>ACK</message><token>" + token + "</token><expiration>3600",  // truncated
      "<result><code>0</code><token>" + token + "</token></result><x/>",                            // two roots
      "<result><code>0</code><message>ACK</message><token>" + token + "</token></result>",          // no recording
      "<result><code>zero</code><token>" + token + "</token></result>",                             // no code
      "<result><code>0</code><message>ACK</message><token>" + token + "</tok",                       // cut in a tag
      "<html><body>token=" + token + "</body></html>",
  };
  for (auto const& v : Variants()) {
    for (auto const& body : bodies) {
      SCOPED_TRACE(v.name + ": " + body);
      std::string const encoded = v.encode(std::string(kDecl) + body);
      auto r = wire::ParseRecordingSearch(200, v.headers, encoded, "op", {}, 0);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().message.find(token), std::string::npos) << r.error().message;
      EXPECT_EQ(Despaced(r.error().message).find("0b007a4d"), std::string::npos) << r.error().message;
      auto c = wire::ParseControl(200, v.headers, encoded, "op");  // a code 0 with a token is a fine control answer
      if (!c) {
        EXPECT_EQ(Despaced(c.error().message).find("0b007a4d"), std::string::npos) << c.error().message;
      }
      EXPECT_EQ(Despaced(wire::Snippet(encoded)).find("0b007a4d"), std::string::npos) << wire::Snippet(encoded);
    }
  }
}

TEST(FaceXml, LoginAnswersThatCannotBeReadDoNotQuoteTheToken) {
  std::string const token = "0b007a4d-5593-4393-a8ef-bc7e6384e97";
  for (auto const& v : Variants()) {
    for (std::string const& body :
         {std::string(kDecl) + "<result><code>0</code><token>" + token + "</token>",  // truncated
          std::string(kDecl) + "<result><code>0</code><tok en>" + token + "</result>",
          "{\"result\":{\"code\":0,\"token\":\"" + token + "\""}) {
      SCOPED_TRACE(v.name + ": " + body);
      Env env;
      std::string const encoded = v.encode(body);
      env.transport->Route("POST", "/Face/login", [&](RecordedRequest const&) {
        return Result<HttpResponse>(MakeResponse(200, encoded, v.headers));
      });
      auto r = env.MakeClient().Login();
      ASSERT_FALSE(r);
      EXPECT_EQ(Despaced(r.error().message).find("0b007a4d"), std::string::npos) << r.error().message;
      EXPECT_EQ(Despaced(env.AllLogs()).find("0b007a4d"), std::string::npos) << env.AllLogs();
    }
  }
}

TEST(FaceXml, AClientReadsXmlAnswersFromAServerThatIgnoresAccept) {
  Env env;
  auto xml = [](std::string const& json) {
    return Result<HttpResponse>(MakeResponse(200, Utf16(XmlOf(json.c_str()), true, true),
                                             {{"Content-Type", "application/xml;charset=UTF-16"}}));
  };
  env.transport->Route("POST", "/Face/login", [&](RecordedRequest const& req) {
    EXPECT_EQ(req.Header("Accept"), "application/json") << "ccrec still asks for JSON";
    return xml(R"({"result":{"code":0,"message":"ACK","token":"tok-1","expiration":"3600seconds"}})");
  });
  env.transport->Route("GET", "/Face/audioRecording/details", [&](RecordedRequest const& req) {
    EXPECT_EQ(req.Header("Accept"), "application/json");
    return xml(kSingleJson);
  });
  auto r = env.MakeClient().GetRecording("11905071");
  ASSERT_TRUE(r) << r.error().ToString();
  auto want = wire::ParseRecordingSearch(200, JsonHeaders(), kSingleJson, "op", {}, 0);
  ExpectSame(*r, *want->recording);
}

}  // namespace
}  // namespace face_test
