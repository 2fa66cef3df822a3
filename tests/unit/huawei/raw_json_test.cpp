// SPDX-License-Identifier: Apache-2.0
// AgentEvent::raw_json / content_json and the number texts of RecordingReference are the gateway's
// exact bytes (issue 12 item 2): not a re-serialisation, which rewrote `1E2` as `100.0`, dropped
// `\u00e9` escapes and whitespace, and cut digits off numbers beyond 64 bits.

#include <ccrec/huawei/models.hpp>

#include "huawei/wire.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace wire = ccrec::huawei::detail;
using ccrec::huawei::AgentEvent;

constexpr char kContent[] =
    "{ \"fileName\" : \"Y:/1/0/20261101/20011/caf\\u00e9.V3\", \"locationId\":0, \"callId\": 1E2,\n"
    "  \"recordID\":123456789012345678901234567890, \"taskId\" : 1.0, \"fileMediaType\":1, \"caller\":\"70006\" }";
std::string const kEvent = "{\"eventType\":\"AgentMediaEvent_Record\", \"workNo\":20011,\"eventGenTime\":1793491200123,"
                           "\n \"content\" : " + std::string(kContent) + "}";

TEST(HuaweiRawJson, EventRawAndContentJsonAreTheExactBytes) {
  auto envelope = wire::ParseEnvelope(200, "{\"message\":\"\",\"retcode\":\"0\",\"event\":[ " + kEvent + " ,\n" + kEvent + "]}",
                                      {}, "poll");
  ASSERT_TRUE(envelope) << envelope.error().ToString();
  int skipped = 0;
  auto events = wire::EventsFromPoll(*envelope, &skipped);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(skipped, 0);
  for (auto const& e : events) {
    EXPECT_EQ(e.raw_json, kEvent);
    EXPECT_EQ(e.content_json, kContent);
    EXPECT_EQ(e.work_no, "20011");
  }
  auto one = wire::ParseEnvelope(200, "{\"retcode\":\"0\",\"event\":" + kEvent + "}", {}, "poll");
  ASSERT_TRUE(one);
  auto single = wire::EventsFromPoll(*one);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].raw_json, kEvent);
}

TEST(HuaweiRawJson, ContentSentAsAStringIsUnwrappedToItsOwnText) {
  // The content's JSON inside a JSON string: content_json is that inner text, byte for byte.
  auto envelope = wire::ParseEnvelope(
      200, R"({"retcode":"0","event":{"eventType":"AgentMediaEvent_Record","content":" { \"fileName\":\"a.V3\", \"n\":1E2 } "}})",
      {}, "poll");
  ASSERT_TRUE(envelope);
  auto events = wire::EventsFromPoll(*envelope);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].content_json, R"({ "fileName":"a.V3", "n":1E2 })");
  // A string that is not an object's text stays the JSON string as sent.
  auto text = wire::ParseEnvelope(200, R"({"retcode":"0","event":{"eventType":"X","content":"caf\u00e9"}})", {}, "poll");
  ASSERT_TRUE(text);
  EXPECT_EQ(wire::EventsFromPoll(*text)[0].content_json, R"("caf\u00e9")");
  // An event inside a string (salvaged) keeps its own text too.
  auto salvaged = wire::ParseEnvelope(
      200, R"({"retcode":"0","event":["{\"eventType\":\"AgentMediaEvent_Record\", \"content\":{\"n\":1.0}}"]})", {}, "poll");
  ASSERT_TRUE(salvaged);
  auto s = wire::EventsFromPoll(*salvaged);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].raw_json, R"({"eventType":"AgentMediaEvent_Record", "content":{"n":1.0}})");
  EXPECT_EQ(s[0].content_json, R"({"n":1.0})");
}

TEST(HuaweiRawJson, NumbersReadAsTextKeepTheirDigits) {
  AgentEvent e;
  e.event_type = std::string(ccrec::huawei::kRecordEvent);
  e.work_no = "20011";
  e.content_json = kContent;
  auto r = ccrec::huawei::ParseRecordEvent(e);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->file_name, "Y:/1/0/20261101/20011/caf\xC3\xA9.V3");
  EXPECT_EQ(r->call_id, "1E2");
  EXPECT_EQ(r->record_serial, "123456789012345678901234567890");
  EXPECT_EQ(r->task_id, "1.0");
  EXPECT_EQ(r->location_id, "0");
  EXPECT_EQ(r->file_media_type, 1);
  EXPECT_EQ(r->content_json, kContent);

  AgentEvent stop;
  stop.event_type = std::string(ccrec::huawei::kStopRecordDoneEvent);
  stop.content_json = R"({"taskId":5206.0,"fileMediaType":2})";
  auto s = ccrec::huawei::ParseStopRecordDone(stop);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->task_id, "5206.0") << "pairs with a Record event whose taskId was written the same way";
}

TEST(HuaweiRawJson, SignInResultRawJsonIsTheExactBytes) {
  constexpr char kResult[] = "{\"vdnid\":1E0, \"workno\":\"20011\",\n \"loginTime\":1793491200000.0,"
                             "\"serverName\":\"AGW\\u0030\"}";
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  huawei_test::LogCapture log;
  ccrec::huawei::AgentSession session(huawei_test::Options(fake, log));
  fake->Enqueue([&](ccrec::testing::RecordedRequest const&) -> ccrec::Result<ccrec::HttpResponse> {
    return huawei_test::Envelope("0", std::string("\"result\" : ") + kResult, {{"Set-GUID", "JSESSIONID=G1"}});
  });
  auto r = session.SignIn();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->raw_json, kResult);
  EXPECT_EQ(r->server_name, "AGW0");
}

}  // namespace
