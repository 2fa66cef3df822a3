// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 2: ServiceAppTokenSource — the Service App token endpoint
// (POST /applications/{applicationId}/token, Webex Admin spec) and refreshes with the stored,
// rotating refresh token.

#include "oauth_test_util.hpp"

#include <ccrec/webex/service_app.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <utility>
#include <vector>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using namespace std::chrono_literals;

constexpr char kWebexApis[] = "https://webexapis.example.com/v1";

/// The Service App token endpoint: checks the request per the spec, answers `status`.
struct AppEndpoint {
  int status = 200;
  int calls = 0;
  std::string refresh_token = "rt-0";  // what TokenServer accepts first

  FakeHttpTransport::Handler Handler() {
    return [this](RecordedRequest const& r) -> ccrec::Result<ccrec::HttpResponse> {
      ++calls;
      EXPECT_EQ(r.url, std::string(kWebexApis) + "/applications/app%2B1/token");
      EXPECT_EQ(r.Header("Authorization"), "Bearer apps-token");
      EXPECT_EQ(r.Header("Content-Type"), "application/json");
      rapidjson::Document body;
      body.Parse(r.body.c_str());
      EXPECT_TRUE(body.IsObject()) << r.body;
      if (body.IsObject()) {
        EXPECT_EQ(std::string(body["clientId"].GetString()), "client-id-1");
        EXPECT_EQ(std::string(body["clientSecret"].GetString()), "client-secret-1");
        EXPECT_EQ(std::string(body["targetOrgId"].GetString()), "org-1");
      }
      if (status != 200) {
        return ccrec::testing::MakeResponse(
            status, R"({"message":"Forbidden","trackingId":"ROUTER_1","errors":[{"description":"nope"}]})",
            JsonHeaders());
      }
      return ccrec::testing::MakeResponse(200,
                                          R"({"access_token":"sa-at-)" + std::to_string(calls) +
                                              R"(","expires_in":3600,"refresh_token":")" + refresh_token +
                                              R"(","refresh_token_expires_in":7776000,"token_type":"Bearer"})",
                                          JsonHeaders());
    };
  }
};

/// The Service App endpoint and the token endpoint, routed on `env`'s transport. The token
/// endpoint accepts `refresh_token` first (then rotates); the Service App issues it.
struct Endpoints {
  explicit Endpoints(Env& env, std::string const& refresh_token = "rt-0") : server(refresh_token) {
    app.refresh_token = refresh_token;
    env.transport->Route("POST", "/applications/", app.Handler());
    env.transport->Route("POST", "/access_token", server.Handler());
  }
  AppEndpoint app;
  TokenServer server;
};

std::unique_ptr<ccrec::webex::ServiceAppTokenSource> MakeSource(Env& env, std::shared_ptr<ccrec::TokenStore> store,
                                                                bool with_applications_token = true) {
  ccrec::webex::ServiceAppOptions o;
  o.application_id = "app+1";
  o.target_org_id = "org-1";
  o.config.client_id = "client-id-1";
  o.config.client_secret = "client-secret-1";
  o.config.token_url = kTokenUrl;
  o.webexapis_url = kWebexApis;
  if (with_applications_token) o.applications_token = ccrec::webex::MakeStaticAccessTokenSource("apps-token");
  o.store = std::move(store);
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  o.retry = env.Retry();
  o.logger = env.logs.MakeLogger();
  return std::make_unique<ccrec::webex::ServiceAppTokenSource>(std::move(o));
}

TEST(WebexServiceApp, FetchesWhenNothingIsStoredThenRefreshesAndPersistsTheRotation) {
  Env env;
  Endpoints endpoints(env);
  auto& [app, server] = endpoints;
  auto store = ccrec::MakeMemoryTokenStore();
  auto source = MakeSource(env, store);

  auto first = source->AccessToken({});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(*first, "sa-at-1");
  EXPECT_EQ(app.calls, 1);
  auto stored = store->Load();
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->refresh_token, "rt-0");
  ASSERT_TRUE((*stored)->refresh_token_expires_at);

  env.clock->Advance(3600s);  // expired: refreshed with the stored refresh token, not fetched again
  auto second = source->AccessToken({});
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(*second, "at-1");
  EXPECT_EQ(app.calls, 1);
  auto forms = server.Forms();
  ASSERT_EQ(forms.size(), 1u);
  EXPECT_EQ(forms[0]["grant_type"], "refresh_token");
  EXPECT_EQ(forms[0]["client_id"], "client-id-1");
  EXPECT_EQ(forms[0]["refresh_token"], "rt-0");
  EXPECT_EQ((*store->Load())->refresh_token, "rt-1") << "the rotated refresh token was not persisted";

  auto third = source->Refresh();  // `ccrec-export webex token refresh --auth service-app`
  ASSERT_TRUE(third) << third.error().ToString();
  EXPECT_EQ((*store->Load())->refresh_token, "rt-2");
  EXPECT_EQ(app.calls, 1);
}

TEST(WebexServiceApp, ARejectedRefreshTokenFetchesANewPair) {
  Env env;
  Endpoints endpoints(env, "rt-valid");
  auto& [app, server] = endpoints;
  auto store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s, "sa-old", "rt-dead"));
  auto source = MakeSource(env, store);
  auto token = source->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "sa-at-1");
  EXPECT_EQ(app.calls, 1);
  EXPECT_TRUE(env.logs.Contains("fetching one from the Service App token endpoint", ccrec::LogLevel::kWarn))
      << env.logs.All();
}

TEST(WebexServiceApp, EndpointErrorsSayWhatToDoAndNeverQuoteSecrets) {
  struct Case {
    int status;
    ErrorCode code;
    char const* hint;
  };
  for (auto const& c : {Case{403, ErrorCode::kPermissionDenied, "Full Admin"},
                        Case{404, ErrorCode::kNotFound, "application id"},
                        Case{401, ErrorCode::kUnauthenticated, "spark:applications_token"},
                        Case{400, ErrorCode::kInvalidArgument, "HTTP 400"}}) {
    Env env;
    AppEndpoint app;
    app.status = c.status;
    env.transport->Route("POST", "/applications/", app.Handler());
    auto source = MakeSource(env, ccrec::MakeMemoryTokenStore());
    auto fetched = source->FetchToken();
    ASSERT_FALSE(fetched) << c.status;
    EXPECT_EQ(fetched.error().code, c.code) << fetched.error().ToString();
    EXPECT_NE(fetched.error().message.find(c.hint), std::string::npos) << fetched.error().message;
    EXPECT_EQ(fetched.error().message.find("client-secret-1"), std::string::npos);
    EXPECT_EQ(fetched.error().message.find("apps-token"), std::string::npos);
    EXPECT_EQ(app.calls, 1) << "a refused fetch is not repeated";
  }
}

TEST(WebexServiceApp, WithoutAnApplicationsTokenOnlyTheStoredPairIsUsed) {
  Env env;
  auto source = MakeSource(env, ccrec::MakeMemoryTokenStore(), /*with_applications_token=*/false);
  auto token = source->AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(env.transport->Requests().empty());
  auto fetched = source->FetchToken();
  ASSERT_FALSE(fetched);
  EXPECT_NE(fetched.error().message.find("spark:applications_token"), std::string::npos) << fetched.error().message;
}

TEST(WebexServiceApp, MissingIdsAreInvalidArgumentsBeforeAnyRequest) {
  Env env;
  ccrec::webex::ServiceAppOptions o;
  o.config.client_id = "client-id-1";
  o.config.client_secret = "client-secret-1";
  o.applications_token = ccrec::webex::MakeStaticAccessTokenSource("apps-token");
  o.store = ccrec::MakeMemoryTokenStore();
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  ccrec::webex::ServiceAppTokenSource source(std::move(o));
  auto fetched = source.FetchToken();
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(fetched.error().message.find("application id"), std::string::npos);
  EXPECT_TRUE(env.transport->Requests().empty());
}

}  // namespace
}  // namespace webex_test

namespace webex_test {
namespace {

// Issue 17: both auth modes are one StoredTokenSource, so a program refreshes and saves the same
// way whichever it was given (`ccrec-export webex token refresh`, the exit-time Flush()).
TEST(WebexStoredTokenSource, IntegrationAndServiceAppRefreshAndFlushThroughTheInterface) {
  Env env;
  Endpoints endpoints(env);
  auto& [app, server] = endpoints;
  auto oauth_store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() + 3600s));
  auto app_store = ccrec::MakeMemoryTokenStore();
  std::vector<std::pair<std::shared_ptr<ccrec::webex::StoredTokenSource>, std::shared_ptr<ccrec::TokenStore>>> sources{
      {env.MakeOAuth(oauth_store), oauth_store}, {MakeSource(env, app_store), app_store}};
  ccrec::CallContext ctx;
  for (auto& [source, store] : sources) {
    auto refreshed = source->Refresh(ctx);
    ASSERT_TRUE(refreshed) << refreshed.error().ToString();
    auto stored = store->Load();
    ASSERT_TRUE(stored && stored->has_value());
    EXPECT_EQ((*stored)->access_token, refreshed->access_token);
    EXPECT_EQ((*stored)->refresh_token, refreshed->refresh_token);
    EXPECT_TRUE(source->Flush(ctx)) << "the store holds the current token: nothing to save";
    auto token = source->AccessToken(ctx);
    ASSERT_TRUE(token) << token.error().ToString();
    EXPECT_EQ(*token, refreshed->access_token);
  }
  EXPECT_EQ(server.Requests(), 1) << "the integration refreshed once with the stored refresh token";
  EXPECT_EQ(app.calls, 1) << "the Service App, with nothing stored, fetched its first pair once";
}

}  // namespace
}  // namespace webex_test
