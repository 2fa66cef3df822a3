// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 4: log records carry a time and structured fields (vendor, task_id,
// recording_id, request_id, ...), as text or JSON lines; redaction applies to fields too.
#include <ccrec/core/log.hpp>

#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace ccrec {
namespace {

struct Captured {
  LogLevel level;
  std::string message;
  LogFields fields;
  std::chrono::system_clock::time_point time;
};

Logger Capturing(std::vector<Captured>& out, LogLevel min = LogLevel::kDebug) {
  return Logger(min, LogRecordCallback([&out](LogRecord const& r) {
                  out.push_back({r.level, std::string(r.message), *r.fields, r.time});
                }));
}

TEST(StructuredLog, ContextFieldsComeFirstThenTheCallsOwn) {
  std::vector<Captured> got;
  auto logger = Capturing(got).With({{"vendor", "webex"}});
  auto before = std::chrono::system_clock::now();
  logger.Warn("failed", {{"task_id", "T1"}, {"recording_id", "R1"}, {"request_id", "trk-9"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].level, LogLevel::kWarn);
  EXPECT_EQ(got[0].message, "failed");
  LogFields const expected = {{"vendor", "webex"}, {"task_id", "T1"}, {"recording_id", "R1"}, {"request_id", "trk-9"}};
  EXPECT_EQ(got[0].fields, expected);
  EXPECT_GE(got[0].time, before);
  // With() on a With() logger keeps both contexts; the original logger is unchanged.
  auto nested = logger.With({{"source", "webex"}});
  nested.Info("x");
  Capturing(got).Info("plain");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].fields, (LogFields{{"vendor", "webex"}, {"source", "webex"}}));
  EXPECT_TRUE(got[2].fields.empty());
}

TEST(StructuredLog, FieldValuesAreRedactedAndEscapedLikeMessages) {
  std::vector<Captured> got;
  auto logger = Capturing(got);
  logger.Error("token refresh failed", {{"detail", "Authorization: Bearer abc.def"}, {"line", "a\nINFO forged"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].fields[0].second.find("abc.def"), std::string::npos) << got[0].fields[0].second;
  EXPECT_EQ(got[0].fields[1].second, "a\\x0aINFO forged");
}

TEST(StructuredLog, LevelFilteringAndTextCallbacksSeeTheMessageOnly) {
  std::vector<Captured> got;
  auto logger = Capturing(got, LogLevel::kWarn);
  logger.Info("dropped", {{"task_id", "T"}});
  EXPECT_TRUE(got.empty());
  std::vector<std::string> lines;
  Logger text(LogLevel::kDebug, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
  text.With({{"vendor", "face"}}).Warn("as before", {{"task_id", "T"}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "as before");
}

LogRecord At(LogFields const& fields, std::string_view message) {
  LogRecord r;
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796545980123));  // 2026-12-06T08:33:00.123Z
  r.level = LogLevel::kWarn;
  r.message = message;
  r.fields = &fields;
  return r;
}

TEST(StructuredLog, TextLinesHaveTimeLevelMessageAndQuotedValuesWhereNeeded) {
  LogFields const fields = {{"task_id", "T1"}, {"error", "HTTP 503 \"busy\""}, {"empty", ""}};
  auto line = FormatLogRecord(At(fields, "failed: webex task T1"), LogFormat::kText);
  EXPECT_EQ(line, "2026-12-06T08:33:00.123Z WARN failed: webex task T1 task_id=T1 error=\"HTTP 503 \\\"busy\\\"\" empty=\"\"");
}

// The time always has its milliseconds, also on a whole second (the CI run that found this wrote
// "2026-12-06T16:26:32Z" for a record at .000).
TEST(StructuredLog, TheTimeAlwaysHasMilliseconds) {
  LogFields const none;
  LogRecord r = At(none, "m");
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796545980000));
  EXPECT_EQ(FormatLogRecord(r, LogFormat::kText), "2026-12-06T08:33:00.000Z WARN m");
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796545980007));
  EXPECT_EQ(FormatLogRecord(r, LogFormat::kJson).substr(0, 34), "{\"time\":\"2026-12-06T08:33:00.007Z\"");
}

TEST(StructuredLog, JsonLinesAreOneObjectWithTheFieldsAsMembers) {
  LogFields const fields = {{"vendor", "webex"}, {"task_id", "T\"1"}, {"msg", "cannot shadow"}};
  auto line = FormatLogRecord(At(fields, "line\\x0a two"), LogFormat::kJson);
  auto doc = detail::ParseJson(line, "log line");
  ASSERT_TRUE(doc) << line;
  ASSERT_TRUE(doc->IsObject());
  EXPECT_STREQ((*doc)["time"].GetString(), "2026-12-06T08:33:00.123Z");
  EXPECT_STREQ((*doc)["level"].GetString(), "warn");
  EXPECT_STREQ((*doc)["msg"].GetString(), "line\\x0a two");
  EXPECT_STREQ((*doc)["vendor"].GetString(), "webex");
  EXPECT_STREQ((*doc)["task_id"].GetString(), "T\"1");
  EXPECT_EQ(line.find("cannot shadow"), std::string::npos) << line;
}

TEST(StructuredLog, ParseLogFormat) {
  LogFormat f = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("JSON", f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", f));
  EXPECT_EQ(f, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("yaml", f));
}

}  // namespace
}  // namespace ccrec
