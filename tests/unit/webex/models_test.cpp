// SPDX-License-Identifier: Apache-2.0
// Lenient model parsing: missing, extra and wrong-typed fields, truncated JSON, huge numbers.

#include "webex_test_util.hpp"

#include "webex/parse.hpp"

#include <gtest/gtest.h>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
namespace wire = ccrec::webex::detail;

constexpr char kSpecExample[] = R"({
  "meta": {"orgId": "97cdbf45-ebe2-4687-8341-44d5c7abf101"},
  "data": [{
    "id": "93912f11-6017-404b-bf14-5331890b1797",
    "attributes": {
      "owner": {"id": "e0c7611b-8035-443a-b7a8-dca9f8b8289b", "name": "Joseph Lambert"},
      "queue": {"id": "89cf3b93-f020-42c6-84dc-87db6a92eae7", "name": "Technical Support Queue"},
      "channelType": "telephony", "status": "completed",
      "createdTime": 1591702170000, "lastUpdatedTime": 1591712170099,
      "captureRequested": true, "origin": "+14085550100", "destination": "+18005555555",
      "direction": "inbound", "reasonCode": "Credit"
    }
  }]
})";

TEST(WebexModels, ParsesTheSpecExampleTask) {
  auto tasks = wire::ParseTasksResponse(kSpecExample, {});
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  ASSERT_EQ(tasks->size(), 1u);
  auto const& t = (*tasks)[0];
  EXPECT_EQ(t.id, "93912f11-6017-404b-bf14-5331890b1797");
  ASSERT_TRUE(t.owner);
  EXPECT_EQ(t.owner->id, "e0c7611b-8035-443a-b7a8-dca9f8b8289b");
  EXPECT_EQ(t.owner->name, "Joseph Lambert");
  EXPECT_EQ(t.queue->name, "Technical Support Queue");
  EXPECT_EQ(t.channel_type, "telephony");
  EXPECT_EQ(t.status, "completed");
  EXPECT_EQ(t.created_time, At(1591702170000));
  EXPECT_EQ(t.last_updated_time, At(1591712170099));
  EXPECT_EQ(t.capture_requested, true);
  EXPECT_EQ(t.origin, "+14085550100");
  EXPECT_EQ(t.destination, "+18005555555");
  EXPECT_EQ(t.direction, "inbound");
  EXPECT_EQ(t.reason_code, "Credit");
  // The task object exactly as sent (whitespace included), from its '{' to its '}'.
  std::string_view const spec(kSpecExample);
  auto const begin = spec.find("{\n    \"id\"");
  EXPECT_EQ(t.raw_json, spec.substr(begin, spec.rfind("}]") + 1 - begin));
}

TEST(WebexModels, MissingAttributesAreAbsentNotErrors) {
  // IVR-only / abandoned tasks come without owner (observed live), and anything else may go missing.
  auto tasks = wire::ParseTasksResponse(
      R"({"data":[{"id":"a"},{"id":"b","attributes":{}},{"id":"c","attributes":{"captureRequested":null,"owner":null}}]})",
      {});
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  ASSERT_EQ(tasks->size(), 3u);
  for (auto const& t : *tasks) {
    EXPECT_FALSE(t.owner);
    EXPECT_FALSE(t.queue);
    EXPECT_FALSE(t.created_time);
    EXPECT_FALSE(t.capture_requested) << "null = not yet known";
    EXPECT_FALSE(t.channel_type);
  }
}

TEST(WebexModels, ExtraFieldsAreIgnoredAndUnknownEnumValuesKept) {
  auto tasks = wire::ParseTasksResponse(
      R"({"meta":{"orgId":"o","links":{"next":"x"}},"items":[],"data":[{"id":"a","future":{"x":[1,2]},"attributes":{"status":"parked","channelType":"video","direction":"sideways","endedTime":1,"newField":true}}]})",
      {});
  ASSERT_TRUE(tasks);
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].status, "parked");
  EXPECT_EQ((*tasks)[0].channel_type, "video");
  EXPECT_EQ((*tasks)[0].direction, "sideways");
  EXPECT_NE((*tasks)[0].raw_json.find("future"), std::string::npos);
}

TEST(WebexModels, WrongTypedFieldsReadAsAbsent) {
  auto tasks = wire::ParseTasksResponse(
      R"({"data":[{"id":"a","attributes":{"owner":"Joseph","queue":[1],"createdTime":"yesterday","lastUpdatedTime":{},
          "captureRequested":"maybe","status":5,"origin":false,"direction":null}}]})",
      {});
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  auto const& t = tasks->at(0);
  EXPECT_FALSE(t.owner);
  EXPECT_FALSE(t.queue);
  EXPECT_FALSE(t.created_time);
  EXPECT_FALSE(t.last_updated_time);
  EXPECT_FALSE(t.capture_requested);
  EXPECT_FALSE(t.origin);
  EXPECT_FALSE(t.direction);
  // Numeric strings are accepted where numbers belong ("1591702170000").
  auto strings = wire::ParseTasksResponse(R"({"data":[{"id":"a","attributes":{"createdTime":"1591702170000","captureRequested":"false"}}]})", {});
  ASSERT_TRUE(strings);
  EXPECT_EQ(strings->at(0).created_time, At(1591702170000));
  EXPECT_EQ(strings->at(0).capture_requested, false);
}

TEST(WebexModels, HugeNumbersDoNotOverflowTimes) {
  auto tasks = wire::ParseTasksResponse(
      R"({"data":[{"id":"a","attributes":{"createdTime":99999999999999999999999,"lastUpdatedTime":9223372036854775807}},
                  {"id":"b","attributes":{"createdTime":1e300,"lastUpdatedTime":-9223372036854775808}},
                  {"id":"c","attributes":{"createdTime":8000000000000,"lastUpdatedTime":1.5}}]})",
      {});
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  ASSERT_EQ(tasks->size(), 3u);
  EXPECT_FALSE((*tasks)[0].created_time);
  EXPECT_FALSE((*tasks)[0].last_updated_time);
  EXPECT_FALSE((*tasks)[1].created_time);
  EXPECT_FALSE((*tasks)[1].last_updated_time);
  EXPECT_EQ((*tasks)[2].created_time, At(8000000000000));
  EXPECT_FALSE((*tasks)[2].last_updated_time);
}

TEST(WebexModels, TasksWithoutIdAreSkippedAndLogged) {
  LogCapture logs;
  auto tasks = wire::ParseTasksResponse(R"({"data":[{"attributes":{}},{"id":""},"text",7,{"id":"ok"},{"id":42}]})",
                                        logs.MakeLogger());
  ASSERT_TRUE(tasks);
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].id, "ok");
  EXPECT_EQ((*tasks)[1].id, "42");
  EXPECT_TRUE(logs.Contains("data[0]", ccrec::LogLevel::kWarn));
  EXPECT_TRUE(logs.Contains("data[3]", ccrec::LogLevel::kWarn));
}

TEST(WebexModels, MalformedBodiesAreParseErrorsWithAClearMessage) {
  struct Case {
    std::string body;
    std::string expect;
  };
  for (auto const& c : {Case{R"({"data":[{"id":"a","attributes":{"createdTime":15917)", "not valid JSON"},
                        Case{"", "not valid JSON"}, Case{"<html>", "not valid JSON"},
                        Case{R"({"meta":{}})", "no \"data\" array"}, Case{R"({"data":"none"})", "no \"data\" array"},
                        Case{R"({"items":[]})", "items"}, Case{"[1,2]", "not a JSON object"},
                        Case{"null", "not a JSON object"}}) {
    auto tasks = wire::ParseTasksResponse(c.body, {});
    ASSERT_FALSE(tasks) << c.body;
    EXPECT_EQ(tasks.error().code, ErrorCode::kParse) << c.body;
    EXPECT_NE(tasks.error().message.find("Webex GET /v1/tasks response"), std::string::npos);
    EXPECT_NE(tasks.error().message.find(c.expect), std::string::npos) << tasks.error().message;
  }
}

TEST(WebexModels, RecordingsAreLenient) {
  auto captures = wire::ParseCapturesResponse(
      R"({"data":[{"taskId":"t","recording":[
          {"attributes":{"fileName":"no-id.wav"}},
          {"id":"no-path","attributes":{}},
          {"id":"no-attributes"},
          {"id":"bad-types","segment":"yes","attributes":{"fileName":7,"filePath":["x"],"startTime":"soon","stopTime":1e300,
            "participants":"agent","sensitive":1,"callType":{}}},
          {"id":"mixed-participants","attributes":{"participants":["a",5,null,{"x":1},"b"]}},
          "not-an-object",
          {"id":"extra","unknown":1,"attributes":{"fileName":"x.mp3","filePath":"https://m/x","extra":[1]}}
        ]}]})",
      {});
  ASSERT_TRUE(captures) << captures.error().ToString();
  ASSERT_EQ(captures->size(), 1u);
  auto const& recs = (*captures)[0].recordings;
  ASSERT_EQ(recs.size(), 7u);
  EXPECT_EQ(recs[0].id, "");
  EXPECT_EQ(recs[0].attributes.file_name, "no-id.wav");
  EXPECT_EQ(recs[1].id, "no-path");
  EXPECT_FALSE(recs[1].attributes.file_path);
  EXPECT_EQ(recs[2].id, "no-attributes");
  EXPECT_FALSE(recs[3].segment);
  EXPECT_EQ(recs[3].attributes.file_name, "7") << "numbers where strings belong read as their text";
  EXPECT_FALSE(recs[3].attributes.file_path);
  EXPECT_FALSE(recs[3].attributes.start_time);
  EXPECT_FALSE(recs[3].attributes.stop_time);
  EXPECT_TRUE(recs[3].attributes.participants.empty());
  EXPECT_FALSE(recs[3].attributes.sensitive);
  EXPECT_FALSE(recs[3].attributes.call_type);
  EXPECT_EQ(recs[4].attributes.participants, (std::vector<std::string>{"a", "5", "b"}));
  EXPECT_EQ(recs[5].id, "");
  EXPECT_EQ(recs[6].attributes.file_path, "https://m/x");
  EXPECT_NE(recs[6].raw_json.find("\"unknown\":1"), std::string::npos);
}

TEST(WebexModels, CapturesMissingArraysAndWrongTypes) {
  auto captures = wire::ParseCapturesResponse(
      R"({"data":[{"taskId":"a"},{"taskId":"b","recording":null,"transcription":"x"},
                  {"taskId":"c","recording":{"id":"single","attributes":{"filePath":"https://m/c"}}},
                  {"taskId":"d","recording":[],"transcription":[{"Source":5,"startTime":"12x","createTime":1617373127000}]}]})",
      {});
  ASSERT_TRUE(captures) << captures.error().ToString();
  ASSERT_EQ(captures->size(), 4u);
  EXPECT_TRUE((*captures)[0].recordings.empty());
  EXPECT_TRUE((*captures)[1].transcriptions.empty());
  ASSERT_EQ((*captures)[2].recordings.size(), 1u);
  EXPECT_EQ((*captures)[2].recordings[0].id, "single");
  ASSERT_EQ((*captures)[3].transcriptions.size(), 1u);
  EXPECT_FALSE((*captures)[3].transcriptions[0].start_time);
  EXPECT_EQ((*captures)[3].transcriptions[0].create_time, At(1617373127000));
}

// `transcription` given as one object, as `recording` may be: its entry is read, not dropped
// (the task's recordings would be exported and its transcript missing, exit 0).
TEST(WebexModels, CapturesTranscriptionObjectIsOneEntry) {
  LogCapture logs;
  auto captures = wire::ParseCapturesResponse(
      R"({"data":[{"taskId":"v","recording":[{"id":"r1","attributes":{"filePath":"https://m/r1"}}],
                   "transcription":{"Source":"recording","id":"cfg-1","fileName":"voiceTranscript.json",
                                    "filePath":"https://m/t1"}},
                  {"taskId":"w","recording":[],"transcription":7}]})",
      logs.MakeLogger());
  ASSERT_TRUE(captures) << captures.error().ToString();
  ASSERT_EQ(captures->size(), 2u);
  EXPECT_EQ((*captures)[0].recordings.size(), 1u);
  ASSERT_EQ((*captures)[0].transcriptions.size(), 1u);
  EXPECT_EQ((*captures)[0].transcriptions[0].id, "cfg-1");
  EXPECT_EQ((*captures)[0].transcriptions[0].file_path, "https://m/t1");
  EXPECT_TRUE((*captures)[1].transcriptions.empty());
  EXPECT_TRUE(logs.Contains("(task w) has a \"transcription\" that is neither", ccrec::LogLevel::kWarn)) << logs.All();
}

TEST(WebexModels, ContentTypeCheck) {
  EXPECT_TRUE(wire::CheckJsonContentType({}, "x"));
  EXPECT_TRUE(wire::CheckJsonContentType({{"content-type", "application/json"}}, "x"));
  EXPECT_TRUE(wire::CheckJsonContentType({{"Content-Type", "Application/JSON; charset=utf-8"}}, "x"));
  EXPECT_TRUE(wire::CheckJsonContentType({{"Content-Type", "application/problem+json"}}, "x"));
  for (auto const* bad : {"text/html", "text/plain;charset=utf-8", "application/xml", "application/octet-stream"}) {
    auto r = wire::CheckJsonContentType({{"Content-Type", bad}}, "Webex thing");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
    EXPECT_NE(r.error().message.find(bad), std::string::npos);
    EXPECT_NE(r.error().message.find("Webex thing"), std::string::npos);
  }
}

}  // namespace
}  // namespace webex_test
