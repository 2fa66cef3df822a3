// SPDX-License-Identifier: Apache-2.0
// Issue 17: the Subscriptions client and the API client share one 401 path (webex/http_util.hpp,
// WithAccessToken): a 401 invalidates the token and retries once with a refreshed one; a second
// 401 says that an admin must re-authorize.

#include "oauth_test_util.hpp"

#include <ccrec/webex/subscriptions.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace webex_test {
namespace {

using namespace std::chrono_literals;

constexpr char kListAnswer[] = R"({"meta":{},"data":[{"id":"s-1","name":"n","eventTypes":["capture:available"],)"
                               R"("destinationUrl":"https://r.example.com/h","status":"active"}]})";
constexpr char k401[] = R"({"error":{"key":"401","message":[{"description":"token expired"}]}})";

/// A subscriptions client whose token comes from the rotating TokenServer through OAuthClient.
struct AuthFixture {
  Env env;
  TokenServer server;
  std::shared_ptr<ccrec::TokenStore> store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() + 1h));

  AuthFixture() { env.transport->Route("POST", "/access_token", server.Handler()); }

  ccrec::webex::SubscriptionsClient Client() {
    ccrec::webex::ClientOptions o;
    o.base_url = kBaseUrl;
    o.tokens = env.MakeOAuth(store);
    o.transport = env.transport;
    o.clock = env.clock;
    o.sleeper = env.sleeper;
    o.retry = env.Retry();
    o.logger = env.logs.MakeLogger();
    return ccrec::webex::SubscriptionsClient(std::move(o));
  }
};

TEST(WebexSubscriptionsAuth, A401RefreshesTheTokenAndRetriesOnce) {
  AuthFixture f;
  auto sent = std::make_shared<std::vector<std::string>>();  // the Authorization of each call
  f.env.transport->Route("GET", "/v1/subscriptions", [sent](RecordedRequest const& r) {
    sent->push_back(r.Header("Authorization").value_or(""));
    return sent->size() == 1 ? MakeResponse(401, k401, JsonHeaders()) : MakeResponse(200, kListAnswer, JsonHeaders());
  });
  auto client = f.Client();
  int const refreshes_before = f.server.Requests();
  auto list = client.List();
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_NE((*sent)[0], (*sent)[1]) << "the retry must carry a refreshed token";
  EXPECT_EQ(f.server.Requests(), refreshes_before + 1) << "one refresh for the 401";
}

TEST(WebexSubscriptionsAuth, A401AfterTheRefreshSaysToReauthorize) {
  AuthFixture f;
  f.env.transport->Route("DELETE", "/v1/subscriptions/", [](RecordedRequest const&) {
    return MakeResponse(401, k401, JsonHeaders());
  });
  auto deleted = f.Client().Delete("s-1");
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ccrec::ErrorCode::kUnauthenticated);
  EXPECT_EQ(deleted.error().http_status, 401);
  EXPECT_NE(deleted.error().message.find("rejected again after a refresh: an admin must re-authorize"),
            std::string::npos)
      << deleted.error().message;
  EXPECT_EQ(f.env.RequestsTo("/v1/subscriptions/").size(), 2u) << "one retry, not a loop";
}

}  // namespace
}  // namespace webex_test
