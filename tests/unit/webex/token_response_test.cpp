// SPDX-License-Identifier: Apache-2.0
// ReadTokenResponse: the token endpoint's answer shared by OAuthClient and ServiceAppTokenSource
// (issue 17): defaults, clamps and bad input.

#include "webex/parse.hpp"

#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using std::chrono::seconds;
namespace wire = ccrec::webex::detail;

ccrec::Result<wire::TokenResponse> ReadTokenAnswer(std::string const& body, wire::SysTime now) {
  auto doc = ccrec::detail::ParseJson(body, "test token answer");
  if (!doc) return std::move(doc).error();
  return wire::ReadTokenResponse(*doc, "Webex token endpoint", now);
}

wire::SysTime const kReceivedAt = wire::SysTime{} + seconds(1'700'000'000);

TEST(WebexTokenResponse, ReadsEveryFieldRelativeToReceipt) {
  auto read = ReadTokenAnswer(R"({"access_token":"A","expires_in":3600,"token_type":"Bearer",)"
                              R"("refresh_token":"R","refresh_token_expires_in":7776000})",
                              kReceivedAt);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->token.access_token, "A");
  EXPECT_EQ(read->token.token_type, "Bearer");
  EXPECT_EQ(read->lifetime, seconds(3600));
  EXPECT_EQ(read->token.expires_at, kReceivedAt + seconds(3600));
  EXPECT_EQ(read->token.refresh_token, "R");
  ASSERT_TRUE(read->token.refresh_token_expires_at);
  EXPECT_EQ(*read->token.refresh_token_expires_at, kReceivedAt + seconds(7776000));
}

TEST(WebexTokenResponse, DefaultsTheTypeAndLeavesAbsentRefreshFieldsEmpty) {
  for (char const* body : {R"({"access_token":"A","expires_in":60})",
                           R"({"access_token":"A","expires_in":60,"token_type":"","refresh_token_expires_in":0})",
                           R"({"access_token":"A","expires_in":60,"refresh_token_expires_in":-5})"}) {
    auto read = ReadTokenAnswer(body, kReceivedAt);
    ASSERT_TRUE(read) << body << ": " << read.error().ToString();
    EXPECT_EQ(read->token.token_type, "Bearer") << body;
    EXPECT_EQ(read->token.refresh_token, "") << body;
    EXPECT_FALSE(read->token.refresh_token_expires_at) << body;
  }
}

TEST(WebexTokenResponse, ClampsHugeLifetimesToTenYears) {
  auto read = ReadTokenAnswer(R"({"access_token":"A","expires_in":9223372036854775807,)"
                              R"("refresh_token":"R","refresh_token_expires_in":9223372036854775807})",
                              kReceivedAt);
  ASSERT_TRUE(read) << read.error().ToString();
  seconds const ten_years(std::int64_t{10} * 365 * 24 * 3600);
  EXPECT_EQ(read->lifetime, ten_years);
  EXPECT_EQ(read->token.expires_at, kReceivedAt + ten_years);
  ASSERT_TRUE(read->token.refresh_token_expires_at);
  EXPECT_EQ(*read->token.refresh_token_expires_at, kReceivedAt + ten_years);
}

TEST(WebexTokenResponse, BadAnswersAreParseErrorsNamingWhatIsMissing) {
  struct Case {
    char const* body;
    char const* says;
  };
  for (auto const& c : {Case{R"([1,2])", "is not a JSON object"},
                        Case{R"({"expires_in":60})", "no \"access_token\" string"},
                        Case{R"({"access_token":"","expires_in":60})", "no \"access_token\" string"},
                        Case{R"({"access_token":null,"expires_in":60})", "no \"access_token\" string"},
                        Case{R"({"access_token":"A"})", "no positive integer \"expires_in\""},
                        Case{R"({"access_token":"A","expires_in":0})", "no positive integer \"expires_in\""},
                        Case{R"({"access_token":"A","expires_in":"soon"})", "no positive integer \"expires_in\""}}) {
    auto read = ReadTokenAnswer(c.body, kReceivedAt);
    ASSERT_FALSE(read) << c.body;
    EXPECT_EQ(read.error().code, ErrorCode::kParse) << c.body;
    EXPECT_NE(read.error().message.find("Webex token endpoint response"), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find(c.says), std::string::npos) << read.error().message;
  }
}

}  // namespace
}  // namespace webex_test
