// SPDX-License-Identifier: Apache-2.0
// POST /v1/captures/query: request body, batching, validation, response shaping
// (reference webex-cc.md §5).

#include "webex_test_util.hpp"

#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <set>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;

/// Answers a captures query with one stitched recording per requested task, except tasks whose
/// id starts with "unknown" (empty lists, as the API does).
Result<ccrec::HttpResponse> CapturesHandler(RecordedRequest const& r) {
  auto doc = ccrec::detail::ParseJson(r.body, "request");
  if (!doc) return MakeResponse(400, "{}", JsonHeaders());
  auto const& query = (*doc)["query"];
  std::string body = R"({"meta":{"orgId":"org-1","urlExpiration":30},"data":[)";
  bool first = true;
  for (auto const& id : query["taskIds"].GetArray()) {
    std::string task = id.GetString();
    if (!first) body += ',';
    first = false;
    body += R"({"taskId":")" + ccrec::detail::JsonEscape(task) + R"(","recording":[)";
    if (task.rfind("unknown", 0) != 0) {
      body += R"({"id":"rec-)" + ccrec::detail::JsonEscape(task) + R"(","segment":false,"attributes":{"fileName":"recording-1.wav","filePath":"https://media.example.com/)" +
              ccrec::detail::PercentEncode(task) + R"(.wav?X-Amz-Date=20261101T000000Z&X-Amz-Expires=1800","callType":"main"}})";
    }
    body += R"(],"transcription":[]})";
  }
  body += "]}";
  return MakeResponse(200, body, JsonHeaders());
}

TEST(WebexCaptures, RequestBodyIsWrappedInQueryWithMinutes) {
  Env env;
  env.transport->Route("POST", "/v1/captures/query", CapturesHandler);
  auto client = env.MakeClient();
  ccrec::webex::CaptureQuery q;
  q.task_ids = {"t1", "t2", "t1"};
  auto result = client.QueryCaptures(q);
  ASSERT_TRUE(result) << result.error().ToString();
  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, std::string(kBaseUrl) + "/v1/captures/query");
  EXPECT_EQ(requests[0].body,
            R"({"query":{"taskIds":["t1","t2"],"urlExpiration":30,"includeSegments":false,"includeVARecordings":false}})");
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].Header("Accept"), "application/json");
  EXPECT_EQ(requests[0].Header("Authorization"), "Bearer static-access-token");
  EXPECT_EQ(requests[0].Header("TrackingId").value_or("").rfind("CCREC_", 0), 0u);

  q.task_ids = {"t\"3"};
  q.url_expiration = std::chrono::minutes(60);
  q.include_segments = true;
  q.include_va_recordings = true;
  q.org_id = "org-9";
  ASSERT_TRUE(client.QueryCaptures(q));
  EXPECT_EQ(env.transport->Requests().at(1).body,
            R"({"query":{"taskIds":["t\"3"],"urlExpiration":60,"includeSegments":true,"includeVARecordings":true,"orgId":"org-9"}})");
}

TEST(WebexCaptures, ValidatesLocallyBeforeSending) {
  Env env;
  auto client = env.MakeClient();
  ccrec::webex::CaptureQuery q;
  EXPECT_EQ(client.QueryCaptures(q).error().code, ErrorCode::kInvalidArgument) << "no ids";
  q.task_ids = {"a", ""};
  EXPECT_EQ(client.QueryCaptures(q).error().code, ErrorCode::kInvalidArgument) << "empty id";
  q.task_ids = {};
  for (int i = 0; i < 11; ++i) q.task_ids.push_back("id" + std::to_string(i));
  auto eleven = client.QueryCaptures(q);
  ASSERT_FALSE(eleven);
  EXPECT_EQ(eleven.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(eleven.error().message.find("at most 10"), std::string::npos);
  q.task_ids.resize(10);
  q.task_ids.push_back("id0");  // 11 ids, 10 unique: fine
  q.url_expiration = std::chrono::minutes(0);
  auto zero = client.QueryCaptures(q);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(zero.error().message.find("1..60"), std::string::npos);
  q.url_expiration = std::chrono::minutes(61);
  EXPECT_EQ(client.QueryCaptures(q).error().code, ErrorCode::kInvalidArgument);
  q.url_expiration = std::chrono::minutes(-1);
  EXPECT_EQ(client.QueryCaptures(q).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
  q.url_expiration = std::chrono::minutes(1);
  env.transport->Route("POST", "/v1/captures/query", CapturesHandler);
  EXPECT_TRUE(client.QueryCaptures(q));
}

TEST(WebexCaptures, BatchesOfAtMostTenUniqueIds) {
  Env env;
  env.transport->Route("POST", "/v1/captures/query", CapturesHandler);
  auto client = env.MakeClient();
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back("task-" + std::to_string(i % 22));  // 22 unique, 3 duplicates
  ids.push_back("unknown-1");
  auto result = client.QueryCapturesBatched(ids, ccrec::webex::CaptureQuery{});
  ASSERT_TRUE(result) << result.error().ToString();
  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 3u);
  std::set<std::string> sent;
  std::vector<std::size_t> sizes;
  for (auto const& r : requests) {
    auto doc = ccrec::detail::ParseJson(r.body, "request");
    ASSERT_TRUE(doc);
    std::set<std::string> batch;
    for (auto const& id : (*doc)["query"]["taskIds"].GetArray()) {
      EXPECT_TRUE(batch.insert(id.GetString()).second) << "duplicate inside a batch";
      EXPECT_TRUE(sent.insert(id.GetString()).second) << "id sent twice";
    }
    sizes.push_back(batch.size());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 3}));
  ASSERT_EQ(result->size(), 23u);
  EXPECT_EQ((*result)[0].task_id, "task-0");
  EXPECT_EQ((*result)[21].task_id, "task-21");
  EXPECT_EQ((*result)[22].task_id, "unknown-1");
  EXPECT_TRUE((*result)[22].recordings.empty());
  EXPECT_EQ((*result)[5].recordings.at(0).id, "rec-task-5");
}

TEST(WebexCaptures, BatchedWithNoIdsSendsNothing) {
  Env env;
  auto result = env.MakeClient().QueryCapturesBatched({}, ccrec::webex::CaptureQuery{});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexCaptures, BatchErrorIsReturned) {
  Env env;
  env.transport->EnqueueResponse(200, R"({"meta":{},"data":[]})", JsonHeaders());
  env.transport->EnqueueResponse(403, R"({"trackingId":"X","error":{"key":"403","message":[{"description":"no"}]}})",
                                 JsonHeaders());
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) ids.push_back("t" + std::to_string(i));
  auto result = env.MakeClient().QueryCapturesBatched(ids, ccrec::webex::CaptureQuery{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(result.error().request_id, "X");
}

TEST(WebexCaptures, EveryRecordingOfEveryTaskInRequestOrder) {
  Env env;
  env.transport->EnqueueResponse(200, R"({
    "meta": {"orgId": "org-1", "urlExpiration": 30},
    "data": [
      {"taskId": "t2", "recording": [], "transcription": []},
      {"taskId": "t1",
       "recording": [
         {"id": "r1", "segment": true, "attributes": {"fileName": "seg-1.wav", "filePath": "https://m/1", "callType": "main",
          "startTime": 1617373126000, "stopTime": 1617373136000, "participants": ["agent-uuid", "+121****1219"],
          "channel1": "Caller", "channel2": "Agent"}},
         {"id": "r2", "segment": true, "attributes": {"fileName": "seg-2.wav", "filePath": "https://m/2", "callType": "main"}},
         {"id": "r3", "segment": false, "attributes": {"fileName": "consult.wav", "filePath": "https://m/3", "callType": "consult"}},
         {"id": "r4", "attributes": {"fileName": "va.wav", "filePath": "https://m/4", "callType": "va-main", "sensitive": true}}
       ],
       "transcription": [{"Source": "recording", "Provider": "CISCO", "id": "cfg-1", "fileName": "voiceTranscript.json",
                          "filePath": "https://m/t", "startTime": "1617373126000", "languageCode": "en-US",
                          "createTime": "1617373127000"}]},
      {"taskId": "t1", "recording": [{"id": "r5", "attributes": {"filePath": "https://m/5"}}], "transcription": []},
      {"taskId": "surprise", "recording": [], "transcription": []},
      {"recording": [{"id": "orphan"}], "transcription": []}
    ]})",
                                 JsonHeaders());
  ccrec::webex::CaptureQuery q;
  q.task_ids = {"t1", "t2", "t3"};
  q.include_segments = true;
  q.include_va_recordings = true;
  auto result = env.MakeClient().QueryCaptures(q);
  ASSERT_TRUE(result) << result.error().ToString();
  ASSERT_EQ(result->size(), 4u);
  auto const& t1 = (*result)[0];
  EXPECT_EQ(t1.task_id, "t1");
  ASSERT_EQ(t1.recordings.size(), 5u);
  EXPECT_EQ(t1.recordings[0].id, "r1");
  EXPECT_EQ(t1.recordings[0].segment, true);
  EXPECT_EQ(t1.recordings[0].attributes.start_time, At(1617373126000));
  EXPECT_EQ(t1.recordings[0].attributes.stop_time, At(1617373136000));
  EXPECT_EQ(t1.recordings[0].attributes.participants, (std::vector<std::string>{"agent-uuid", "+121****1219"}));
  EXPECT_EQ(t1.recordings[0].attributes.channel1, "Caller");
  EXPECT_EQ(t1.recordings[0].attributes.channel2, "Agent");
  EXPECT_EQ(t1.recordings[2].attributes.call_type, "consult");
  EXPECT_EQ(t1.recordings[3].attributes.sensitive, true);
  EXPECT_FALSE(t1.recordings[3].segment);
  EXPECT_EQ(t1.recordings[4].id, "r5");
  ASSERT_EQ(t1.transcriptions.size(), 1u);
  EXPECT_EQ(t1.transcriptions[0].source, "recording");
  EXPECT_EQ(t1.transcriptions[0].provider, "CISCO");
  EXPECT_EQ(t1.transcriptions[0].start_time, At(1617373126000));
  EXPECT_EQ(t1.transcriptions[0].create_time, At(1617373127000));
  EXPECT_EQ(t1.transcriptions[0].language_code, "en-US");
  EXPECT_EQ((*result)[1].task_id, "t2");
  EXPECT_TRUE((*result)[1].recordings.empty());
  EXPECT_EQ((*result)[2].task_id, "t3") << "a task the server left out still gets an (empty) entry";
  EXPECT_TRUE((*result)[2].recordings.empty());
  EXPECT_EQ((*result)[3].task_id, "surprise");
  EXPECT_TRUE(env.logs.Contains("taskId", ccrec::LogLevel::kWarn));
}

TEST(WebexCaptures, ResponseWithoutDataOrNotJsonIsAParseError) {
  for (std::string body : {R"({"meta":{}})", R"({"data":{}})", R"({"data":null})", "[]", R"({"data":[)", "",
                           "<Error/>"}) {
    Env env;
    env.transport->EnqueueResponse(200, body, JsonHeaders());
    ccrec::webex::CaptureQuery q;
    q.task_ids = {"t1"};
    auto result = env.MakeClient().QueryCaptures(q);
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error().code, ErrorCode::kParse) << body;
    EXPECT_NE(result.error().message.find("captures/query"), std::string::npos) << result.error().message;
  }
}

TEST(WebexCaptures, RetriedOn429And5xxNotOn400) {
  Env env;
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "2"}});
  env.transport->EnqueueResponse(500, "");
  env.transport->Route("POST", "/v1/captures/query", CapturesHandler);
  ccrec::webex::CaptureQuery q;
  q.task_ids = {"t1"};
  auto client = env.MakeClient();
  ASSERT_TRUE(client.QueryCaptures(q));
  EXPECT_EQ(env.transport->RequestCount(), 3u);
  EXPECT_GE(env.sleeper->Sleeps().at(0), std::chrono::milliseconds(2000));

  Env env2;
  env2.transport->EnqueueResponse(
      400, R"({"error":{"key":"400","message":[{"description":"urlExpiration should be greater than 0."}]}})",
      JsonHeaders());
  auto bad = env2.MakeClient().QueryCaptures(q);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(env2.transport->RequestCount(), 1u);
}

}  // namespace
}  // namespace webex_test
