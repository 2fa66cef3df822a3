// SPDX-License-Identifier: Apache-2.0
// internal/error_util.hpp: the pieces every vendor's status + body -> Error mapping shares
// (HttpStatusHint, MapJsonHttpError, AppendDetail) and ::ccrec::detail::ParseJsonObject under them.

#include "internal/error_util.hpp"
#include "internal/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ccrec {
namespace {

using ::ccrec::detail::AppendDetail;
using ::ccrec::detail::HttpStatusHint;
using ::ccrec::detail::MapJsonHttpError;
using ::ccrec::detail::ParseJsonObject;
using ::testing::HasSubstr;

constexpr std::chrono::system_clock::time_point kNow{std::chrono::seconds(1700000000)};

TEST(HttpStatusHint, TableFirstThenTheCommonFallbacks) {
  auto hint = [](int status) {
    return std::string(HttpStatusHint(status, {{404, "not here"}, {503, "maintenance"}}, "check the URL"));
  };
  EXPECT_EQ(hint(404), "not here");
  EXPECT_EQ(hint(503), "maintenance");  // the table wins over the 5xx fallback
  EXPECT_EQ(hint(500), "temporary server failure; retry later");
  EXPECT_EQ(hint(599), "temporary server failure; retry later");
  EXPECT_EQ(hint(301), "check the URL");
  EXPECT_EQ(hint(399), "check the URL");
  EXPECT_EQ(hint(400), "unexpected response");
  EXPECT_EQ(hint(200), "unexpected response");
  EXPECT_EQ(hint(600), "unexpected response");
}

TEST(AppendDetail, JoinsWithSemicolons) {
  std::string details;
  AppendDetail(details, "a");
  EXPECT_EQ(details, "a");
  AppendDetail(details, "b");
  EXPECT_EQ(details, "a; b");
}

TEST(ParseJsonObject, OnlyAJsonObjectIsADocument) {
  EXPECT_FALSE(ParseJsonObject("", "body"));
  EXPECT_FALSE(ParseJsonObject("{", "body"));
  EXPECT_FALSE(ParseJsonObject("[1]", "body"));
  EXPECT_FALSE(ParseJsonObject("\"text\"", "body"));
  EXPECT_FALSE(ParseJsonObject("<html>", "body"));
  auto doc = ParseJsonObject(R"({"a":1})", "body");
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->IsObject());
}

TEST(MapJsonHttpError, ReaderSeesAnObjectBodyAndTheMessageIsFinished) {
  int calls = 0;
  auto read = [&](rapidjson::Value const& doc, Error& error, std::string& details) {
    ++calls;
    error.vendor_code = ::ccrec::detail::OptString(doc, "code").value_or("");
    AppendDetail(details, ::ccrec::detail::OptString(doc, "msg").value_or(""));
  };
  HttpHeaders headers{{"X-Req", "req-1"}, {"Retry-After", "7"}};
  Error e = MapJsonHttpError(429, R"({"code":"E1","msg":"slow down"})", headers, "Vendor GET /x", "rate limited",
                             "X-Req", read, kNow);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(e.code, ErrorCode::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.vendor_code, "E1");
  EXPECT_EQ(e.request_id, "req-1");
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(e.message, "Vendor GET /x failed with HTTP 429: slow down (rate limited)");
}

TEST(MapJsonHttpError, OtherBodiesAreQuotedAndNotRead) {
  int calls = 0;
  auto read = [&](rapidjson::Value const&, Error&, std::string&) { ++calls; };
  Error html = MapJsonHttpError(502, "<html>bad gateway</html>", {}, "Vendor GET /x", "retry", "X-Req", read, kNow);
  EXPECT_EQ(html.code, ErrorCode::kUnavailable);
  EXPECT_EQ(html.message, "Vendor GET /x failed with HTTP 502: <html>bad gateway</html> (retry)");
  Error array = MapJsonHttpError(404, "[1]", {}, "Vendor GET /x", "missing", "X-Req", read, kNow);
  EXPECT_THAT(array.message, HasSubstr(": [1] (missing)"));
  Error empty = MapJsonHttpError(401, "", {}, "Vendor GET /x", "log in", "X-Req", read, kNow);
  EXPECT_EQ(empty.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(empty.message, "Vendor GET /x failed with HTTP 401 (log in)");
  EXPECT_EQ(calls, 0);
}

TEST(MapJsonHttpError, AnUnderstoodObjectWithoutDetailsIsNotQuoted) {
  auto read = [](rapidjson::Value const&, Error&, std::string&) {};
  Error e = MapJsonHttpError(400, R"({"unrelated":true})", {}, "Vendor POST /y", "malformed", "X-Req", read, kNow);
  EXPECT_EQ(e.message, "Vendor POST /y failed with HTTP 400 (malformed)");
}

}  // namespace
}  // namespace ccrec
