// SPDX-License-Identifier: Apache-2.0
// Wire helpers (cookie jar, Set-GUID, recordId encoding, envelopes, events) and the lenient event models.
#include "huawei/wire.hpp"

#include <ccrec/huawei/models.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace ccrec::huawei;
namespace wire = ccrec::huawei::detail;
using ccrec::ErrorCode;

auto const kNow = ccrec::detail::FromEpochMs(1793491200000);  // 2026-11-01

TEST(HuaweiCookieJar, ReplaysNameValuePairsAndIgnoresAttributes) {
  wire::CookieJar jar;
  jar.Apply({{"Set-Cookie", "SERVERID=agw1; Path=/agentgateway; Secure"},
             {"Content-Type", "application/json"},
             {"set-cookie", "AGW_SESSION=abc==; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/; HttpOnly"}},
            kNow);
  EXPECT_EQ(jar.Header(), "SERVERID=agw1; AGW_SESSION=abc==");
  // Replacement keeps the order; deletion by Max-Age=0 and by an Expires date in the past.
  jar.ApplyOne("SERVERID=agw2", kNow);
  EXPECT_EQ(jar.Header(), "SERVERID=agw2; AGW_SESSION=abc==");
  jar.ApplyOne("AGW_SESSION=; Max-Age=0", kNow);
  EXPECT_EQ(jar.Header(), "SERVERID=agw2");
  jar.ApplyOne("X=1", kNow);
  jar.ApplyOne("X=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT", kNow);
  EXPECT_FALSE(jar.Get("X"));
  jar.ApplyOne("Y=\"quoted value\"; Max-Age=3600", kNow);
  EXPECT_EQ(jar.Get("Y").value_or(""), "\"quoted value\"");
  jar.ApplyOne("Z=3; Max-Age=-5", kNow);
  EXPECT_FALSE(jar.Get("Z"));
  jar.ApplyOne("W=4; Max-Age=junk", kNow);  // malformed Max-Age is ignored
  EXPECT_EQ(jar.Get("W").value_or(""), "4");
}

TEST(HuaweiCookieJar, RejectsMalformedCookies) {
  wire::CookieJar jar;
  EXPECT_FALSE(jar.ApplyOne("no-equals-sign", kNow));
  EXPECT_FALSE(jar.ApplyOne("=value", kNow));
  EXPECT_FALSE(jar.ApplyOne("bad name=1", kNow));
  EXPECT_FALSE(jar.ApplyOne("", kNow));
  // Found by fuzz_huawei_wire: a CR, LF or other control character in the value went into the
  // Cookie header of the next request.
  EXPECT_FALSE(jar.ApplyOne("AGW_SESSION=m\rX-Injected: 1", kNow));
  EXPECT_FALSE(jar.ApplyOne(std::string("a=b\0c", 5), kNow));
  EXPECT_FALSE(jar.ApplyOne("a=b\x7f", kNow));
  EXPECT_TRUE(jar.empty());
  EXPECT_EQ(jar.Header(), "");
}

TEST(HuaweiSetGuid, StripsJsessionidPrefixAndAttributes) {
  EXPECT_EQ(wire::GuidFromSetGuid("JSESSIONID=279fe2a0f5.AgentGateway0"), "279fe2a0f5.AgentGateway0");
  EXPECT_EQ(wire::GuidFromSetGuid("jsessionid=abc; Path=/"), "abc");
  EXPECT_EQ(wire::GuidFromSetGuid("  plainguid  "), "plainguid");
  EXPECT_EQ(wire::GuidFromSetGuid("JSESSIONID="), "");
  EXPECT_EQ(wire::GuidFromSetGuid(""), "");
}

TEST(HuaweiRecordId, PercentEncodesEveryReservedByte) {
  auto enc = [](std::string const& s) { return wire::EncodeRecordId(s, RecordIdEncoding::kPercentEncode); };
  EXPECT_EQ(enc("Y:/6/0/20161025/20011/1902050.V3"), "Y%3A%2F6%2F0%2F20161025%2F20011%2F1902050.V3");
  EXPECT_EQ(enc("y:\\1\\0\\x.V3"), "y%3A%5C1%5C0%5Cx.V3");
  EXPECT_EQ(enc("a b&c+d#e%f?g=h;i,j"), "a%20b%26c%2Bd%23e%25f%3Fg%3Dh%3Bi%2Cj");
  EXPECT_EQ(enc("录 é"), "%E5%BD%95%20%C3%A9");
  EXPECT_EQ(enc("100%25"), "100%2525");  // a literal "%25" in a name is not decoded first
  // Round trip through a Java-style decoder ('+' = space) gives back the exact bytes.
  for (std::string name : std::vector<std::string>{"Y:/1/0/a b&c+d#e%f?g=h;i,j.V3", "录音 é ü.wav",
                                                   "conferenceId=1;recordId0=2;", "tab\tand\"quote'.V3",
                                                   std::string("nul\0byte", 8)}) {
    EXPECT_EQ(ccrec::detail::PercentDecode(enc(name), true), name);
  }
}

TEST(HuaweiRecordId, KeepPathModeKeepsOnlyColonAndSlashes) {
  auto enc = [](std::string const& s) { return wire::EncodeRecordId(s, RecordIdEncoding::kKeepPathCharacters); };
  EXPECT_EQ(enc("Y:/6/0/x.V3"), "Y:/6/0/x.V3");
  EXPECT_EQ(enc("y:\\1\\a b+c&d#e.V3"), "y:\\1\\a%20b%2Bc%26d%23e.V3");
}

TEST(HuaweiResourceRoot, AppendsTheAgentGatewayPath) {
  EXPECT_EQ(*wire::ResourceRoot("https://10.1.2.3:8043"), "https://10.1.2.3:8043/agentgateway/resource/");
  EXPECT_EQ(*wire::ResourceRoot("https://10.1.2.3:8043/"), "https://10.1.2.3:8043/agentgateway/resource/");
  EXPECT_EQ(*wire::ResourceRoot("https://gw/agentgateway/resource"), "https://gw/agentgateway/resource/");
  EXPECT_EQ(*wire::ResourceRoot("http://127.0.0.1:1/custom/"), "http://127.0.0.1:1/custom/");
  for (char const* bad : {"", "ftp://x", "10.1.2.3:8043", "https://gw/?a=1", "https://gw/#frag"}) {
    auto r = wire::ResourceRoot(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(HuaweiSignInBody, UsesJsonTypesAndEscapes) {
  AgentSessionOptions o;
  o.password = "p\"w\\+&";
  o.phone_number = "40038";
  o.sign_in.auto_answer = false;
  o.sign_in.release_phone = true;
  o.sign_in.agent_type = 4;
  o.sign_in.ip = "10.0.0.1";
  auto body = wire::SignInBody(o);
  auto doc = ccrec::detail::ParseJson(body, "body");
  ASSERT_TRUE(doc) << body;
  EXPECT_EQ(std::string((*doc)["password"].GetString()), "p\"w\\+&");
  EXPECT_EQ(std::string((*doc)["phonenum"].GetString()), "40038");
  EXPECT_TRUE((*doc)["status"].IsInt());
  EXPECT_EQ((*doc)["status"].GetInt(), 3);  // busy by default
  EXPECT_TRUE((*doc)["autoanswer"].IsBool());
  EXPECT_FALSE((*doc)["autoanswer"].GetBool());
  EXPECT_TRUE((*doc)["releasephone"].GetBool());
  EXPECT_EQ((*doc)["agenttype"].GetInt(), 4);
  EXPECT_FALSE(doc->HasMember("autoenteridle"));
  EXPECT_FALSE(doc->HasMember("callBackUri"));  // polling, never push mode
}

TEST(HuaweiEnvelope, SuccessOnlyForRetcodeZero) {
  EXPECT_TRUE(wire::ParseEnvelope(200, R"({"message":"","retcode":"0","result":{}})", {}, "x"));
  auto e = wire::ParseEnvelope(200, R"({"message":"","retcode":"100-006"})", {}, "x");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().vendor_code, "100-006");
  EXPECT_EQ(wire::ParseEnvelope(200, R"({"message":"","ret)", {}, "x").error().code, ErrorCode::kParse);
  EXPECT_EQ(wire::ParseEnvelope(200, "", {}, "x").error().code, ErrorCode::kParse);
  EXPECT_EQ(wire::ParseEnvelope(502, "Bad Gateway", {}, "x").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(wire::ParseEnvelope(200, R"({"retcode":0})", {}, "x").has_value(), true);  // a number 0 is success too
}

TEST(HuaweiEvents, PollShapes) {
  auto events = [](std::string const& body, int* skipped = nullptr) {
    auto doc = ccrec::detail::ParseJsonWithSpans(body, "poll");
    EXPECT_TRUE(doc);
    return wire::EventsFromPoll(*doc, skipped);
  };
  EXPECT_TRUE(events(R"({"message":"","retcode":"0","event":null})").empty());
  EXPECT_TRUE(events(R"({"message":"","retcode":"0"})").empty());
  EXPECT_TRUE(events(R"({"message":"","retcode":"0","event":{}})").empty());
  auto one = events(R"({"retcode":"0","event":{"eventType":"AgentState_Busy","workNo":291,"content":null}})");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].event_type, "AgentState_Busy");
  EXPECT_EQ(one[0].work_no, "291");
  EXPECT_EQ(one[0].content_json, "null");
  int skipped = 0;
  auto many = events(R"({"retcode":"0","event":[{"eventType":"A"},7,{"eventType":"B","eventGenTime":"1793491200000"}]})",
                     &skipped);
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(skipped, 1);
  ASSERT_TRUE(many[1].generated_at.has_value());
  EXPECT_EQ(ccrec::detail::ToEpochMs(*many[1].generated_at), 1793491200000);
  events(R"({"retcode":"0","event":"garbage"})", &skipped);
  EXPECT_EQ(skipped, 1);
}

AgentEvent RecordEvent(std::string const& content, std::string const& type = std::string(kRecordEvent)) {
  auto doc = ccrec::detail::ParseJsonWithSpans(
      R"({"eventType":")" + type + R"(","workNo":"20011","eventGenTime":1793491200123,"content":)" + content + "}", "e");
  EXPECT_TRUE(doc);
  return wire::EventFromJson(*doc, doc->Doc());
}

TEST(HuaweiRecordEvent, ParsesTheDocumentedExample) {
  auto e = RecordEvent(
      R"({"taskId":5206,"caller":"70006","recordID":"Yc1v6a20011d20161025t1902050","called":"60015",)"
      R"("locationId":"256","fileName":"Y:/6/0/20161025/20011/1902050.V3","fileMediaType":"1","callId":"1477393325-164"})");
  auto r = ParseRecordEvent(e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->agent_id, "20011");
  EXPECT_EQ(r->file_name, "Y:/6/0/20161025/20011/1902050.V3");
  EXPECT_EQ(r->location_id, "256");
  EXPECT_EQ(r->record_serial, "Yc1v6a20011d20161025t1902050");
  EXPECT_EQ(r->call_id, "1477393325-164");
  EXPECT_EQ(r->caller, "70006");
  EXPECT_EQ(r->called, "60015");
  EXPECT_EQ(r->file_media_type, 1);
  EXPECT_EQ(r->task_id, "5206");
  ASSERT_TRUE(r->event_time.has_value());
  EXPECT_NE(r->content_json.find("1902050.V3"), std::string::npos);
}

TEST(HuaweiRecordEvent, LenientTypes) {
  auto r = ParseRecordEvent(RecordEvent(
      R"({"taskId":"77","caller":70006,"called":60015,"locationId":65535,"fileName":"Y:/1/0/20201202/503/1714442.mp4",)"
      R"("fileMediaType":2,"callId":1477393325,"recordID":12})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->task_id, "77");
  EXPECT_EQ(r->caller, "70006");
  EXPECT_EQ(r->location_id, "65535");
  EXPECT_EQ(r->file_media_type, 2);
  EXPECT_EQ(r->call_id, "1477393325");
  EXPECT_EQ(r->record_serial, "12");
  // content sent as a JSON string holding the object
  auto s = ParseRecordEvent(RecordEvent(R"("{\"fileName\":\"Y:/a.V3\",\"fileMediaType\":\"2\",\"locationId\":\" 255 \"}")"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->file_name, "Y:/a.V3");
  EXPECT_EQ(s->file_media_type, 2);
  EXPECT_EQ(s->location_id, "255");
  // missing optional fields and wrong types read as absent
  auto m = ParseRecordEvent(RecordEvent(R"({"fileName":"x.V3","fileMediaType":"audio","taskId":{},"caller":[1]})"));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->file_media_type.has_value());
  EXPECT_EQ(m->task_id, "");
  // Out-of-range numbers read as absent; converting 1e300 to an integer would be undefined behaviour.
  for (char const* huge : {"1e300", "-1e300", "9.3e18", "1e7"}) {
    auto h = ParseRecordEvent(RecordEvent(std::string(R"({"fileName":"x.V3","fileMediaType":)") + huge + "}"));
    ASSERT_TRUE(h) << huge;
    EXPECT_FALSE(h->file_media_type.has_value()) << huge;
  }
  auto f = ParseRecordEvent(RecordEvent(R"({"fileName":"x.V3","fileMediaType":2.0})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->file_media_type, 2);
  EXPECT_EQ(m->caller, "");
  EXPECT_EQ(m->location_id, "");
}

TEST(HuaweiRecordEvent, RejectsWhatCannotBeDownloaded) {
  EXPECT_EQ(ParseRecordEvent(RecordEvent(R"({"fileName":""})")).error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRecordEvent(RecordEvent(R"({"callId":"1"})")).error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRecordEvent(RecordEvent("null")).error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRecordEvent(RecordEvent("[1]")).error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRecordEvent(RecordEvent(R"({"fileName":"a","locationId":"node-1"})")).error().code,
            ErrorCode::kParse);
  EXPECT_EQ(ParseRecordEvent(RecordEvent(R"({"fileName":"a"})", "AgentState_Busy")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ParseRecordEvent(RecordEvent(R"({"fileName":"a"})", std::string(kRecordFailEvent))));
  AgentEvent truncated;
  truncated.event_type = std::string(kRecordEvent);
  truncated.content_json = R"({"fileName":"Y:/6/0/2016)";
  EXPECT_EQ(ParseRecordEvent(truncated).error().code, ErrorCode::kParse);
}

TEST(HuaweiStopRecordDone, Parses) {
  auto s = ParseStopRecordDone(RecordEvent(R"({"taskId":5206,"beginTime":"1793491200000","endTime":1793491260000,)"
                                           R"("fileMediaType":"1"})",
                                           std::string(kStopRecordDoneEvent)));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->task_id, "5206");
  ASSERT_TRUE(s->begin_time && s->end_time);
  EXPECT_EQ(*s->end_time - *s->begin_time, std::chrono::seconds(60));
  EXPECT_FALSE(ParseStopRecordDone(RecordEvent(R"({"beginTime":1})", std::string(kStopRecordDoneEvent))));
  EXPECT_FALSE(ParseStopRecordDone(RecordEvent(R"({"taskId":1})")));
}

TEST(HuaweiContentType, Classification) {
  using K = wire::BodyKind;
  EXPECT_EQ(wire::ClassifyContentType(std::string("application/octet-stream;charset=utf-8")), K::kFile);
  EXPECT_EQ(wire::ClassifyContentType(std::string("Application/Octet-Stream")), K::kFile);
  EXPECT_EQ(wire::ClassifyContentType(std::string("audio/wav")), K::kFile);
  EXPECT_EQ(wire::ClassifyContentType(std::string("video/mp4")), K::kFile);
  EXPECT_EQ(wire::ClassifyContentType(std::string("application/json;charset=UTF-8")), K::kJson);
  EXPECT_EQ(wire::ClassifyContentType(std::string("text/json")), K::kJson);
  EXPECT_EQ(wire::ClassifyContentType(std::string("application/problem+json")), K::kJson);
  EXPECT_EQ(wire::ClassifyContentType(std::string("text/html")), K::kOther);
  EXPECT_EQ(wire::ClassifyContentType(std::string(" ")), K::kMissing);
  EXPECT_EQ(wire::ClassifyContentType(std::nullopt), K::kMissing);
}

TEST(HuaweiDateFromPath, FindsTheDayDirectory) {
  auto ymd = [](std::string const& p) {
    auto t = wire::DateFromPath(p);
    return t ? ccrec::detail::FormatYmd(*t) : std::string("none");
  };
  EXPECT_EQ(ymd("Y:/6/0/20161025/20011/1902050.V3"), "20161025");
  EXPECT_EQ(ymd("y:\\1\\0\\20181217\\120\\1524488.V3"), "20181217");
  EXPECT_EQ(ymd("y:/3rdfile/1/record/20190408/515/1633022.V3"), "20190408");
  EXPECT_EQ(ymd("conferenceId=20201202;recordId0=1;"), "none");
  EXPECT_EQ(ymd("Y:/1/0/20260231/1/x.V3"), "none");  // no 31 February
  EXPECT_EQ(ymd("Y:/1/0/99991231/1/x.V3"), "none");
  EXPECT_EQ(ymd("Y:/1/0/12345678901/1/x.V3"), "none");
}

}  // namespace
