// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 6: every run warns when the refresh token expires within 7 days
// (RefreshTokenExpiryWarning, and OAuthClient using a stored token without refreshing it).

#include "oauth_test_util.hpp"

#include <gtest/gtest.h>

namespace webex_test {
namespace {

using namespace std::chrono_literals;
using ccrec::webex::RefreshTokenExpiryWarning;

ccrec::OAuthToken WithRefreshExpiry(ccrec::OAuthToken t, std::optional<std::chrono::system_clock::time_point> at) {
  t.refresh_token_expires_at = at;
  return t;
}

TEST(WebexRefreshTokenExpiry, WarnsWithinSevenDaysOnly) {
  ManualClock clock;
  auto const now = clock.Now();
  auto const token = StoredToken(now + 1h, "at-1", "rt-secret-value");
  EXPECT_FALSE(RefreshTokenExpiryWarning(WithRefreshExpiry(token, std::nullopt), now));
  EXPECT_FALSE(RefreshTokenExpiryWarning(WithRefreshExpiry(token, now + 7 * 24h), now));
  EXPECT_FALSE(RefreshTokenExpiryWarning(WithRefreshExpiry(token, now + 30 * 24h), now));

  auto soon = RefreshTokenExpiryWarning(WithRefreshExpiry(token, now + 7 * 24h - 1s), now);
  ASSERT_TRUE(soon);
  EXPECT_NE(soon->find("in 6 days"), std::string::npos) << *soon;
  EXPECT_NE(soon->find("re-authorize"), std::string::npos) << *soon;
  EXPECT_EQ(soon->find("rt-secret-value"), std::string::npos) << "the refresh token was in the warning";

  auto hours = RefreshTokenExpiryWarning(WithRefreshExpiry(token, now + 30h), now);
  ASSERT_TRUE(hours);
  EXPECT_NE(hours->find("in 30 hours"), std::string::npos) << *hours;

  auto expired = RefreshTokenExpiryWarning(WithRefreshExpiry(token, now - 1s), now);
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->find("expired at"), std::string::npos) << *expired;

  auto none = WithRefreshExpiry(token, now + 1h);
  none.refresh_token.clear();
  EXPECT_FALSE(RefreshTokenExpiryWarning(none, now)) << "no refresh token, nothing to warn about";
}

TEST(WebexRefreshTokenExpiry, ARunThatUsesAStoredTokenWarnsWithoutRefreshing) {
  // A fresh access token from the token file, but its refresh token has 3 days left: the run
  // makes no token request and still warns (ManualClock: days pass without sleeping).
  Env env;
  auto stored = WithRefreshExpiry(StoredToken(env.clock->Now() + 10h, "at-fresh"), env.clock->Now() + 10 * 24h);
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(stored));
  ASSERT_TRUE(oauth->AccessToken({}));
  EXPECT_FALSE(env.logs.Contains("refresh token expires", ccrec::LogLevel::kWarn)) << env.logs.All();

  env.clock->Advance(7 * 24h);  // 3 days left; a new process (client) reads the file again
  stored.expires_at = env.clock->Now() + 10h;
  auto next_run = env.MakeOAuth(ccrec::MakeMemoryTokenStore(stored));
  auto token = next_run->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-fresh");
  EXPECT_TRUE(env.transport->Requests().empty()) << "no refresh was needed";
  EXPECT_TRUE(env.logs.Contains("refresh token expires at", ccrec::LogLevel::kWarn)) << env.logs.All();
  EXPECT_TRUE(env.logs.Contains("in 3 days", ccrec::LogLevel::kWarn)) << env.logs.All();
}

}  // namespace
}  // namespace webex_test
