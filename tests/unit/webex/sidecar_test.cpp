// SPDX-License-Identifier: Apache-2.0
// The Webex source's sidecar (issue 12 item 2): the task and recording objects are the server's exact
// bytes (numbers, escapes and whitespace as sent), minus the presigned `filePath`.

#include "unit/exporter/exporter_test_util.hpp"

#include <ccrec/webex/recording_source.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace exporter_test {
namespace {

using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::RecordedRequest;

constexpr std::int64_t kNowMs = 1793491200000;  // ManualClock's start

// What a re-serialisation would change: `1E2`, `1.0`, a number beyond 64 bits, `\u00e9`, whitespace.
constexpr char kTask[] =
    "{\"id\":\"t1\", \"attributes\" : {\"channelType\":\"telephony\",\"createdTime\":1793487600000,\n"
    "  \"captureRequested\":true, \"score\":1E2, \"big\":123456789012345678901234567890,"
    " \"owner\":{\"id\":\"a\",\"name\":\"Ren\\u00e9e\"}, \"weight\" : 1.0 }}";
// The recording without its filePath members (the second one is a duplicate key, which rapidjson's
// RemoveMember would have left in place).
constexpr char kRecordingHead[] = "{\"id\":\"r1\",\"segment\":false, \"attributes\":{\"fileName\":\"caf\\u00e9.wav\", ";
constexpr char kRecordingTail[] = "\"startTime\":1.7934876E12 , \"quality\":1.0, \"extra\":{ \"n\" : 1e-7 } }}";
constexpr char kFilePath[] = "\"filePath\":\"https://media.example.com/rec/r1.wav?X-Amz-Signature=sig1\", ";
constexpr char kFilePath2[] = "\"filePath\" : \"https://media.example.com/rec/r1.wav?X-Amz-Signature=sig2\", ";

TEST(WebexSidecar, TaskAndRecordingAreTheServersBytesWithoutThePresignedUrl) {
  auto clock = std::make_shared<ManualClock>();
  auto transport = std::make_shared<FakeHttpTransport>();
  transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, std::string("{\"data\":[") + kTask + "]}",
                                        {{"Content-Type", "application/json"}});
  });
  transport->Route("POST", "/v1/captures/query", [](RecordedRequest const&) {
    std::string const recording = std::string(kRecordingHead) + kFilePath + kFilePath2 + kRecordingTail;
    return ccrec::testing::MakeResponse(
        200, "{\"data\":[{\"taskId\":\"t1\",\"recording\":[" + recording + "],\"transcription\":[]}]}",
        {{"Content-Type", "application/json"}});
  });
  ccrec::webex::ClientOptions co;
  co.base_url = "https://api.wxcc-test.example.com";
  co.tokens = ccrec::webex::MakeStaticAccessTokenSource("static-access-token");
  co.transport = transport;
  co.clock = clock;
  ccrec::webex::WebexSourceOptions o;
  o.tasks.from = ccrec::detail::FromEpochMs(kNowMs - 3'600'000);
  o.tasks.to = ccrec::detail::FromEpochMs(kNowMs);
  o.clock = clock;
  auto source = ccrec::webex::MakeWebexSource(ccrec::webex::Client(std::move(co)), o);
  std::vector<ExportItem> items;
  auto result = source->Enumerate(
      [&](ExportItem item) {
        items.push_back(std::move(item));
        return true;
      },
      [](PendingItem) {}, CallContext{});
  ASSERT_TRUE(result) << result.error().ToString();
  ASSERT_EQ(items.size(), 1u);
  std::string const& json = items[0].metadata_json;
  EXPECT_EQ(json, std::string("{\"source\":\"webex\",\"task_id\":\"t1\",\"recording_id\":\"r1\",\"task\":") + kTask +
                      ",\"recording\":" + kRecordingHead + kRecordingTail + "}\n");
  EXPECT_EQ(json.find("filePath"), std::string::npos) << json;
  EXPECT_EQ(json.find("X-Amz-Signature"), std::string::npos) << json;
  EXPECT_TRUE(ccrec::detail::ParseJson(json, "sidecar")) << json;
}

}  // namespace
}  // namespace exporter_test
