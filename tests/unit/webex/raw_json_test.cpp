// SPDX-License-Identifier: Apache-2.0
// raw_json of tasks, recordings and transcriptions is the server's exact bytes (issue 12 item 2):
// not a re-serialisation, which rewrote `1E2` as `100.0`, dropped `\u00e9` escapes and whitespace,
// and cut digits off numbers beyond 64 bits.

#include "webex/parse.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace wire = ccrec::webex::detail;

// Each record carries what a re-serialisation would change.
constexpr char kTask[] = "{ \"id\" : \"t1\",\n  \"attributes\": {\"score\": 1.0, \"weight\":1E2, "
                         "\"big\":12345678901234567890, \"huge\": 123456789012345678901234567890,\n"
                         "\t\"owner\":{\"id\":\"a\",\"name\":\"Ren\\u00e9e caf\\u00e9\"}, \"captureRequested\" : true,"
                         " \"x\":[ 1.50 , {\"y\":-0.0e0} ] } }";
constexpr char kRecording[] = "{\"id\":\"r1\" , \"segment\":false,\"attributes\":{\"fileName\":\"caf\\u00e9.wav\","
                              "\"startTime\":1.6e12, \"stopTime\":1617373127000.0, \"filePath\":\"https://m/r1\"}}";
constexpr char kTranscription[] = "{ \"id\":\"tr1\",\"Source\":\"x\\/y\", \"confidence\" : 0.950 }";

TEST(WebexRawJson, TaskRawJsonIsTheExactBytes) {
  std::string const body = std::string("{\"meta\":{\"orgId\":\"o\"},\"data\":[ ") + kTask + " ,{\"id\":\"t2\"}]}";
  auto tasks = wire::ParseTasksResponse(body, {});
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].raw_json, kTask);
  EXPECT_EQ((*tasks)[0].owner->name, "Ren\xC3\xA9" "e caf\xC3\xA9");
  EXPECT_EQ((*tasks)[0].capture_requested, true);
  EXPECT_EQ((*tasks)[1].raw_json, R"({"id":"t2"})");
}

TEST(WebexRawJson, CaptureRawJsonIsTheExactBytes) {
  std::string const body = std::string("{\"data\":[{\"taskId\":\"t1\",\"recording\":[") + kRecording +
                           "],\"transcription\":[\n" + kTranscription + "\n]},{\"taskId\":\"t2\",\"recording\": " +
                           kRecording + "}]}";
  auto captures = wire::ParseCapturesResponse(body, {});
  ASSERT_TRUE(captures) << captures.error().ToString();
  ASSERT_EQ(captures->size(), 2u);
  ASSERT_EQ((*captures)[0].recordings.size(), 1u);
  EXPECT_EQ((*captures)[0].recordings[0].raw_json, kRecording);
  EXPECT_EQ((*captures)[0].recordings[0].attributes.file_name, "caf\xC3\xA9.wav");
  ASSERT_EQ((*captures)[0].transcriptions.size(), 1u);
  EXPECT_EQ((*captures)[0].transcriptions[0].raw_json, kTranscription);
  ASSERT_EQ((*captures)[1].recordings.size(), 1u);  // an object where the array belongs
  EXPECT_EQ((*captures)[1].recordings[0].raw_json, kRecording);
}

TEST(WebexRawJson, NonObjectRecordsKeepTheirText) {
  auto captures = wire::ParseCapturesResponse(R"({"data":[{"taskId":"t","recording":[ 1E2 ,"x\u0041"],
    "transcription":[ null ]}]})", {});
  ASSERT_TRUE(captures) << captures.error().ToString();
  ASSERT_EQ((*captures)[0].recordings.size(), 2u);
  EXPECT_EQ((*captures)[0].recordings[0].raw_json, "1E2");
  EXPECT_EQ((*captures)[0].recordings[1].raw_json, R"("x\u0041")");
  EXPECT_EQ((*captures)[0].transcriptions[0].raw_json, "null");
}

}  // namespace
