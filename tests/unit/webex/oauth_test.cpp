// SPDX-License-Identifier: Apache-2.0
// OAuth2: authorize URL, code exchange, refresh with rotation, refresh-ahead, single-flight,
// 401 handling (reference webex-cc.md §2).

#include "oauth_test_util.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <chrono>
#include <thread>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::OAuthToken;
using ccrec::Result;
using ccrec::testing::MakeResponse;
using namespace std::chrono_literals;

TEST(WebexOAuth, BuildAuthorizeUrlEncodesEverythingAndJoinsScopesWithSpaces) {
  ccrec::webex::OAuthConfig config;
  config.client_id = "C0ffee/id+1";
  config.redirect_uri = "https://app.example.com/cb?x=1&y=2";
  auto url = ccrec::webex::BuildAuthorizeUrl(config, {"cjp:config_read", "spark:people_read"}, "st ate/1");
  EXPECT_EQ(url,
            "https://webexapis.com/v1/authorize?response_type=code&client_id=C0ffee%2Fid%2B1"
            "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1%26y%3D2"
            "&scope=cjp%3Aconfig_read%20spark%3Apeople_read&state=st%20ate%2F1");
  auto q = QueryOf(url);
  EXPECT_EQ(q["scope"], "cjp:config_read spark:people_read");
  EXPECT_EQ(q["redirect_uri"], "https://app.example.com/cb?x=1&y=2");
}

TEST(WebexOAuth, BuildAuthorizeUrlWithoutStateAndCustomEndpoint) {
  ccrec::webex::OAuthConfig config;
  config.client_id = "id";
  config.redirect_uri = "http://localhost:8080/cb";
  config.authorize_url = "https://idp.example.com/authorize";
  auto url = ccrec::webex::BuildAuthorizeUrl(config, {ccrec::webex::kScopeConfigRead}, "");
  EXPECT_EQ(url,
            "https://idp.example.com/authorize?response_type=code&client_id=id"
            "&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcb&scope=cjp%3Aconfig_read");
}

TEST(WebexOAuth, ExchangeAuthorizationCodeStoresTheTokenPair) {
  Env env;
  TokenServer server;
  server.expires_in = 43199;
  server.refresh_expires_in = 5086614;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto store = ccrec::MakeMemoryTokenStore();
  auto oauth = env.MakeOAuth(store);

  auto token = oauth->ExchangeAuthorizationCode("good-code");
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(token->access_token, "at-1");
  EXPECT_EQ(token->refresh_token, "rt-1");
  EXPECT_EQ(token->token_type, "Bearer");
  EXPECT_EQ(token->expires_at, env.clock->Now() + 43199s);
  ASSERT_TRUE(token->refresh_token_expires_at);
  EXPECT_EQ(*token->refresh_token_expires_at, env.clock->Now() + 5086614s);

  auto form = server.Forms().at(0);
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "good-code");
  EXPECT_EQ(form["redirect_uri"], "https://app.example.com/callback");
  EXPECT_EQ(form["client_id"], "client-id-1");
  EXPECT_EQ(form["client_secret"], "client-secret-1");

  auto stored = store->Load();
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->access_token, "at-1");
  EXPECT_EQ((*stored)->refresh_token, "rt-1");

  // The new token is used without another token request.
  auto access = oauth->AccessToken({});
  ASSERT_TRUE(access);
  EXPECT_EQ(*access, "at-1");
  EXPECT_EQ(server.Requests(), 1);
  EXPECT_EQ(env.logs.All().find("good-code"), std::string::npos);
  EXPECT_EQ(env.logs.All().find("client-secret-1"), std::string::npos);
}

TEST(WebexOAuth, ExchangeAuthorizationCodeRejectedCodeIsUnauthenticated) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore());
  auto token = oauth->ExchangeAuthorizationCode("stale-code");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(token.error().vendor_code, "invalid_grant");
  EXPECT_NE(token.error().message.find("authorize again"), std::string::npos) << token.error().message;
  EXPECT_EQ(server.Requests(), 1);  // a 400 is not retried
}

TEST(WebexOAuth, ExchangeAuthorizationCodeValidatesInputs) {
  Env env;
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore());
  auto empty = oauth->ExchangeAuthorizationCode("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexOAuth, WrongClientSecretIsUnauthenticatedWithAHint) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  ccrec::webex::OAuthClientOptions o;
  o.config.client_id = "client-id-1";
  o.config.client_secret = "wrong";
  o.config.token_url = kTokenUrl;
  o.store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s));
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  ccrec::webex::OAuthClient oauth(std::move(o));
  auto token = oauth.AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(token.error().vendor_code, "invalid_client");
  EXPECT_NE(token.error().message.find("client id and client secret"), std::string::npos);
}

TEST(WebexOAuth, RefreshRotatesAndPersistsTheRefreshTokenEveryTime) {
  Env env;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", server.Handler());
  auto store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s));
  auto oauth = env.MakeOAuth(store);

  std::vector<std::string> seen;
  for (int i = 1; i <= 4; ++i) {
    auto access = oauth->AccessToken({});
    ASSERT_TRUE(access) << access.error().ToString();
    EXPECT_EQ(*access, "at-" + std::to_string(i));
    auto stored = store->Load();
    ASSERT_TRUE(stored && stored->has_value());
    EXPECT_EQ((*stored)->refresh_token, "rt-" + std::to_string(i)) << "new refresh token persisted";
    EXPECT_EQ((*stored)->access_token, "at-" + std::to_string(i));
    EXPECT_EQ((*stored)->expires_at, env.clock->Now() + 3600s);
    ASSERT_TRUE((*stored)->refresh_token_expires_at);
    EXPECT_EQ(*(*stored)->refresh_token_expires_at, env.clock->Now() + 7776000s);
    env.clock->Advance(3600s);  // expire the access token
  }
  // Each refresh spent the refresh token of the previous one: none was reused (the server would
  // have answered invalid_grant).
  auto forms = server.Forms();
  ASSERT_EQ(forms.size(), 4u);
  for (std::size_t i = 0; i < forms.size(); ++i) {
    EXPECT_EQ(forms[i]["grant_type"], "refresh_token");
    EXPECT_EQ(forms[i]["refresh_token"], "rt-" + std::to_string(i));
  }
  EXPECT_EQ(env.logs.All().find("rt-"), std::string::npos) << "refresh tokens must never be logged";
  EXPECT_EQ(env.logs.All().find("at-"), std::string::npos) << "access tokens must never be logged";
}

TEST(WebexOAuth, RefreshKeepsTheOldRefreshTokenWhenTheResponseHasNone) {
  Env env;
  TokenServer server("rt-0");
  server.omit_refresh_token = true;
  server.omit_refresh_expiry = true;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto old = StoredToken(env.clock->Now() - 1s);
  old.refresh_token_expires_at = env.clock->Now() + 24h * 60;
  auto store = ccrec::MakeMemoryTokenStore(old);
  auto oauth = env.MakeOAuth(store);
  auto token = oauth->Refresh();
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(token->refresh_token, "rt-0");
  EXPECT_EQ(token->refresh_token_expires_at, old.refresh_token_expires_at);
  EXPECT_EQ((*store->Load())->refresh_token, "rt-0");
}

TEST(WebexOAuth, RefreshAheadUsesTenPercentOfTheLifetimeOrFiveMinutes) {
  Env env;
  TokenServer server;
  server.expires_in = 3600;  // buffer = max(300 s, 360 s) = 360 s
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  env.clock->Advance(3600s - 361s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-1") << "361 s left: still fresh";
  env.clock->Advance(2s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-2") << "359 s left: refreshed ahead of expiry";
  EXPECT_EQ(server.Requests(), 2);

  server.expires_in = 1000;  // 10 % = 100 s < 5 min: buffer 300 s
  env.clock->Advance(3600s);
  ASSERT_EQ(*oauth->AccessToken({}), "at-3");
  env.clock->Advance(1000s - 301s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-3");
  env.clock->Advance(2s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-4");
}

TEST(WebexOAuth, ShortLivedTokensAreRefreshedAtHalfTheirLifetimeNotOnEveryCall) {
  Env env;
  TokenServer server;
  server.expires_in = 60;  // shorter than the 5-minute buffer
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  env.clock->Advance(29s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  env.clock->Advance(2s);
  EXPECT_EQ(*oauth->AccessToken({}), "at-2");
  EXPECT_EQ(server.Requests(), 2);
}

TEST(WebexOAuth, StoredTokenIsUsedWhileFreshAndRefreshedWithinFiveMinutesOfExpiry) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() + 400s)));
  EXPECT_EQ(*oauth->AccessToken({}), "at-old");
  EXPECT_EQ(server.Requests(), 0);
  env.clock->Advance(101s);  // 299 s left (lifetime unknown: 5-minute buffer)
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ(server.Requests(), 1);
}

TEST(WebexOAuth, AnExpiredStoredTokenIsNeverSent) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, R"({"meta":{},"data":[]})", JsonHeaders());
  });
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s, "at-expired")));
  auto client = env.MakeClient(oauth);
  ccrec::webex::TaskQuery q;
  q.from = env.clock->Now() - 1h;
  q.to = env.clock->Now();
  ASSERT_TRUE(client.ListTasksPage(q));
  env.clock->Advance(3600s);  // at-1 expires exactly now
  ASSERT_TRUE(client.ListTasksPage(q));
  for (auto const& r : env.RequestsTo("/v1/tasks")) {
    auto auth = r.Header("Authorization").value_or("");
    EXPECT_NE(auth, "Bearer at-expired");
  }
  auto api = env.RequestsTo("/v1/tasks");
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[0].Header("Authorization"), "Bearer at-1");
  EXPECT_EQ(api[1].Header("Authorization"), "Bearer at-2");
}

TEST(WebexOAuth, TokenFileMarkedExpiredIsRefreshedAndRewrittenWithTheRotatedToken) {
  char dir_template[] = "/tmp/ccrec-webex-oauth-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string const path = std::string(dir_template) + "/token.json";
  auto const now_s = Ms(ManualClock().Now()) / 1000;
  {
    std::ofstream out(path);
    out << R"({"access_token":"at-file-expired","token_type":"Bearer","expires_at":)" << now_s - 60
        << R"(,"refresh_token":"rt-0","refresh_token_expires_at":)" << now_s + 86400 * 30 << "}";
  }
  Env env;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", server.Handler());
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, R"({"data":[]})", JsonHeaders());
  });
  auto client = env.MakeClient(env.MakeOAuth(ccrec::MakeJsonFileTokenStore(path)));
  ccrec::webex::TaskQuery q;
  q.from = env.clock->Now() - 1h;
  q.to = env.clock->Now();
  auto page = client.ListTasksPage(q);
  ASSERT_TRUE(page) << page.error().ToString();
  auto api = env.RequestsTo("/v1/tasks");
  ASSERT_EQ(api.size(), 1u);
  EXPECT_EQ(api[0].Header("Authorization"), "Bearer at-1");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(R"("refresh_token":"rt-1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("access_token":"at-1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("expires_at":)" + std::to_string(now_s + 3600)), std::string::npos) << text;
  std::remove(path.c_str());
  std::remove((path + ".lock").c_str());
  ::rmdir(dir_template);
}

TEST(WebexOAuth, ConcurrentCallersShareOneRefresh) {
  Env env;
  TokenServer server;
  constexpr int kThreads = 16;
  std::atomic<int> arrived{0};
  auto handler = server.Handler();
  env.transport->Route("POST", "/access_token", [&](RecordedRequest const& r) {
    // Hold the refresh until every thread has asked for a token, so that they all wait on it.
    for (int i = 0; i < 2000 && arrived.load() < kThreads; ++i) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return handler(r);
  });
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  std::vector<std::string> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      arrived.fetch_add(1);
      auto token = oauth->AccessToken({});
      results[static_cast<std::size_t>(i)] = token ? *token : "error: " + token.error().ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(server.Requests(), 1) << "exactly one token request";
  for (auto const& r : results) EXPECT_EQ(r, "at-1");
}

TEST(WebexOAuth, ConcurrentCallersAllSeeTheRefreshFailureOnce) {
  Env env;
  std::atomic<int> requests{0};
  std::atomic<int> arrived{0};
  constexpr int kThreads = 8;
  env.transport->Route("POST", "/access_token", [&](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    requests.fetch_add(1);
    for (int i = 0; i < 2000 && arrived.load() < kThreads; ++i) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return MakeResponse(400, R"({"error":"invalid_grant"})", JsonHeaders());
  });
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      arrived.fetch_add(1);
      auto token = oauth->AccessToken({});
      if (!token && token.error().code == ErrorCode::kUnauthenticated) failures.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), kThreads);
  // Threads that waited for the failed refresh do not start their own; a late thread may retry.
  EXPECT_LE(requests.load(), 2);
}

/// A store that, inside Update, first plays "another process" which has just refreshed.
class RacingStore : public ccrec::TokenStore {
 public:
  explicit RacingStore(std::shared_ptr<ccrec::TokenStore> inner, OAuthToken other) : inner_(std::move(inner)), other_(std::move(other)) {}
  Result<std::optional<OAuthToken>> Load() override { return inner_->Load(); }
  Result<void> Save(OAuthToken const& token) override { return inner_->Save(token); }
  Result<OAuthToken> Update(
      std::function<Result<OAuthToken>(std::optional<OAuthToken> const&)> const& update) override {
    if (!raced_) {
      raced_ = true;
      (void)inner_->Save(other_);
    }
    return inner_->Update(update);
  }

 private:
  std::shared_ptr<ccrec::TokenStore> inner_;
  OAuthToken other_;
  bool raced_ = false;
};

TEST(WebexOAuth, AdoptsATokenAnotherProcessRefreshedInsteadOfSpendingTheRefreshTokenAgain) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto other = StoredToken(env.clock->Now() + 3600s, "at-other-process", "rt-other-process");
  auto inner = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s));
  auto oauth = env.MakeOAuth(std::make_shared<RacingStore>(inner, other));
  auto token = oauth->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-other-process");
  EXPECT_EQ(server.Requests(), 0);
  EXPECT_EQ((*inner->Load())->refresh_token, "rt-other-process");
}

TEST(WebexOAuth, RefreshUsesTheRefreshTokenReadInsideTheStoreLock) {
  Env env;
  TokenServer server("rt-other-process");
  env.transport->Route("POST", "/access_token", server.Handler());
  // The other process rotated the refresh token but its access token is already stale for us.
  auto other = StoredToken(env.clock->Now() + 10s, "at-other-process", "rt-other-process");
  auto inner = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s, "at-old", "rt-0"));
  auto oauth = env.MakeOAuth(std::make_shared<RacingStore>(inner, other));
  auto token = oauth->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-1");
  EXPECT_EQ(server.Forms().at(0)["refresh_token"], "rt-other-process");
}

TEST(WebexOAuth, InvalidateForcesARefreshEvenIfTheTokenLooksFresh) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() + 3600s, "at-revoked")));
  EXPECT_EQ(*oauth->AccessToken({}), "at-revoked");
  oauth->Invalidate("at-revoked");
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  oauth->Invalidate("at-revoked");  // stale invalidation: no effect
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ(server.Requests(), 1);
}

TEST(WebexOAuth, RejectedRefreshTokenTellsTheUserToReauthorize) {
  Env env;
  TokenServer server("rt-current");
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s, "at-old", "rt-spent")));
  auto token = oauth->AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(token.error().vendor_code, "invalid_grant");
  EXPECT_EQ(token.error().http_status, 400);
  EXPECT_NE(token.error().message.find("refresh token rejected; an admin must re-authorize"), std::string::npos)
      << token.error().message;
  EXPECT_EQ(token.error().message.find("rt-spent"), std::string::npos);
}

TEST(WebexOAuth, WebexStyleInvalidRefreshTokenBodyIsTreatedAsInvalidGrant) {
  Env env;
  env.transport->Route("POST", "/access_token", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(400, R"({"message":"Invalid refresh token.","errors":[{"description":"Invalid refresh token."}],"trackingId":"ROUTER_1"})",
                        JsonHeaders());
  });
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  auto token = oauth->Refresh();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(token.error().vendor_code, "invalid_grant");
  EXPECT_EQ(token.error().request_id, "ROUTER_1");
}

TEST(WebexOAuth, NothingStoredMeansAuthorizeFirst) {
  Env env;
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore());
  auto token = oauth->AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(token.error().message.find("authorize"), std::string::npos);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexOAuth, MissingStoreIsInvalidArgument) {
  Env env;
  auto oauth = env.MakeOAuth(nullptr);
  auto token = oauth->AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kInvalidArgument);
}

TEST(WebexOAuth, TokenEndpoint429HonoursRetryAfter) {
  Env env;
  TokenServer server;
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "7"}});
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  auto token = oauth->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  ASSERT_EQ(env.sleeper->Sleeps().size(), 1u);
  EXPECT_GE(env.sleeper->Sleeps()[0], 7000ms);
}

TEST(WebexOAuth, MalformedTokenResponsesAreParseErrors) {
  for (std::string body : {R"({"token_type":"Bearer","expires_in":3600})", R"({"access_token":"x"})",
                           R"({"access_token":"x","expires_in":"soon"})", R"({"access_token":"x","expires_in":-5})",
                           R"({"access_token":"x","expires_in":36)", "[]"}) {
    Env env;
    env.transport->EnqueueResponse(200, body, JsonHeaders());
    auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
    auto token = oauth->Refresh();
    ASSERT_FALSE(token) << body;
    EXPECT_EQ(token.error().code, ErrorCode::kParse) << body;
  }
  Env env;
  env.transport->EnqueueResponse(200, "<html>login</html>", {{"Content-Type", "text/html"}});
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  auto token = oauth->Refresh();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kParse);
  EXPECT_NE(token.error().message.find("text/html"), std::string::npos);
}

TEST(WebexOAuth, HugeExpiresInIsClampedNotOverflowed) {
  Env env;
  env.transport->EnqueueResponse(
      200, R"({"access_token":"x","expires_in":9223372036854775807,"refresh_token_expires_in":1e300})", JsonHeaders());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  auto token = oauth->Refresh();
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_GT(token->expires_at, env.clock->Now() + 24h * 365 * 9);
  EXPECT_LE(token->expires_at, env.clock->Now() + 24h * 365 * 10);
}

TEST(WebexOAuth, WarnsWhenTheRefreshTokenExpiresWithinSevenDays) {
  Env env;
  TokenServer server;
  server.refresh_expires_in = 6 * 24 * 3600;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)));
  ASSERT_TRUE(oauth->AccessToken({}));
  EXPECT_TRUE(env.logs.Contains("re-authorize", ccrec::LogLevel::kWarn)) << env.logs.All();
  EXPECT_TRUE(env.logs.Contains("6 days", ccrec::LogLevel::kWarn)) << env.logs.All();

  Env quiet;
  TokenServer long_lived;
  quiet.transport->Route("POST", "/access_token", long_lived.Handler());
  auto oauth2 = quiet.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(quiet.clock->Now() - 1s)));
  ASSERT_TRUE(oauth2->AccessToken({}));
  EXPECT_FALSE(quiet.logs.Contains("re-authorize", ccrec::LogLevel::kWarn)) << quiet.logs.All();
}

TEST(WebexOAuth, FailedRefreshFallsBackToTheStillValidToken) {
  Env env;
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() + 120s, "at-still-valid")));
  // Within the 5-minute buffer: a refresh is attempted and fails (after retries).
  env.transport->Route("POST", "/access_token", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(503, "", {});
  });
  // 120 s < 300 s buffer: a refresh is due, fails after retries, and the stored token (still
  // unexpired) is used meanwhile.
  auto first = oauth->AccessToken({});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(*first, "at-still-valid");
  EXPECT_EQ(env.RequestsTo("/access_token").size(), 4u);
  env.clock->Advance(120s);  // now expired: never handed out again
  auto expired = oauth->AccessToken({});
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnavailable);

  Env env2;
  TokenServer server;
  env2.transport->Route("POST", "/access_token", server.Handler());
  auto oauth2 = env2.MakeOAuth(ccrec::MakeMemoryTokenStore(StoredToken(env2.clock->Now() - 1s)));
  ASSERT_EQ(*oauth2->AccessToken({}), "at-1");
  env2.clock->Advance(3600s - 200s);  // 200 s left: due for refresh
  env2.transport->EnqueueResponse(503, "");
  env2.transport->EnqueueResponse(503, "");
  env2.transport->EnqueueResponse(503, "");
  env2.transport->EnqueueResponse(503, "");
  auto token = oauth2->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-1");
  EXPECT_TRUE(env2.logs.Contains("using the current token", ccrec::LogLevel::kWarn)) << env2.logs.All();
  auto const requests = server.Requests();
  EXPECT_EQ(*oauth2->AccessToken({}), "at-1") << "no new attempt within 30 s";
  EXPECT_EQ(server.Requests(), requests);
  env2.clock->Advance(31s);
  EXPECT_EQ(*oauth2->AccessToken({}), "at-2");
}

TEST(WebexOAuth, StaticTokenSource) {
  auto source = ccrec::webex::MakeStaticAccessTokenSource("fixed");
  EXPECT_EQ(*source->AccessToken({}), "fixed");
  source->Invalidate("other");
  EXPECT_EQ(*source->AccessToken({}), "fixed");
  source->Invalidate("fixed");
  auto after = source->AccessToken({});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace webex_test
