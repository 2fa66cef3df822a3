// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 4: the Subscriptions API client (create/list/delete, HTTPS-only destinations).
#include "webex_test_util.hpp"

#include <ccrec/webex/subscriptions.hpp>

#include "internal/json.hpp"

#include <gtest/gtest.h>

namespace webex_test {
namespace {

ccrec::webex::SubscriptionsClient MakeSubs(Env& env) {
  ccrec::webex::ClientOptions o;
  o.base_url = kBaseUrl;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("static-access-token");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  o.retry = env.Retry();
  return ccrec::webex::SubscriptionsClient(std::move(o));
}

ccrec::webex::SubscriptionRequest Request() {
  ccrec::webex::SubscriptionRequest r;
  r.name = "ccrec recordings";
  r.event_types = {"capture:available"};
  r.destination_url = "https://recorder.example.com/webhooks/webex";
  r.secret = "a-32-plus-character-long-subscription-secret";
  return r;
}

constexpr char kSub[] =
    R"({"id":"41e92806-331d-4802-bc12-674f92d4a6f7","name":"ccrec recordings","eventTypes":["capture:available"],)"
    R"("destinationUrl":"https://recorder.example.com/webhooks/webex","createdTime":1591702170000,)"
    R"("createdBy":"a@example.com","status":"active","lastUpdatedTime":1591702170000,"lastUpdatedBy":"a@example.com"})";

TEST(WebexSubscriptions, RefusesNonHttpsDestinationsBeforeAnyRequest) {
  Env env;
  auto subs = MakeSubs(env);
  for (std::string url : {"http://recorder.example.com/hook", "ftp://x/", "recorder.example.com/hook", ""}) {
    auto r = Request();
    r.destination_url = url;
    auto created = subs.Create(r);
    ASSERT_FALSE(created) << url;
    EXPECT_EQ(created.error().code, ccrec::ErrorCode::kInvalidArgument);
    EXPECT_NE(created.error().message.find("https://"), std::string::npos);
  }
  auto short_secret = Request();
  short_secret.secret = "too-short";
  EXPECT_FALSE(subs.Create(short_secret));
  auto no_events = Request();
  no_events.event_types.clear();
  EXPECT_FALSE(subs.Create(no_events));
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexSubscriptions, CreatePostsTheSpecBodyAndParsesTheAnswer) {
  Env env;
  env.transport->EnqueueResponse(201, std::string(R"({"meta":{"orgId":"o"},"data":)") + kSub + "}", JsonHeaders());
  auto created = MakeSubs(env).Create(Request());
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->id, "41e92806-331d-4802-bc12-674f92d4a6f7");
  EXPECT_EQ(created->status, "active");
  EXPECT_EQ(created->event_types, std::vector<std::string>{"capture:available"});
  EXPECT_EQ(created->api_version, "v1");
  auto req = env.transport->Requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, std::string(kBaseUrl) + "/v1/subscriptions");
  auto body = ccrec::detail::ParseJson(req.body, "request");
  ASSERT_TRUE(body);
  EXPECT_STREQ((*body)["destinationUrl"].GetString(), "https://recorder.example.com/webhooks/webex");
  EXPECT_STREQ((*body)["secret"].GetString(), "a-32-plus-character-long-subscription-secret");
  EXPECT_FALSE(body->HasMember("resourceVersion"));
  // v2 when a resource version is given.
  env.transport->EnqueueResponse(201, std::string(R"({"data":)") + kSub + "}", JsonHeaders());
  auto v2 = Request();
  v2.resource_version = "capture:1.0.0";
  ASSERT_TRUE(MakeSubs(env).Create(v2));
  EXPECT_EQ(env.transport->Requests().at(1).url, std::string(kBaseUrl) + "/v2/subscriptions");
}

TEST(WebexSubscriptions, CreateIsNotRetriedButListAndDeleteAre) {
  Env env;
  env.transport->EnqueueResponse(503, R"({"error":{"message":"busy"}})", JsonHeaders());
  EXPECT_FALSE(MakeSubs(env).Create(Request()));
  EXPECT_EQ(env.transport->RequestCount(), 1u);
  env.transport->EnqueueResponse(503, "{}", JsonHeaders());
  env.transport->EnqueueResponse(200, std::string(R"({"meta":{},"data":[)") + kSub + "]}", JsonHeaders());
  auto list = MakeSubs(env).List("v1", std::string("org 1"));
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(env.transport->Requests().back().url, std::string(kBaseUrl) + "/v1/subscriptions?orgId=org%201");
}

TEST(WebexSubscriptions, DeleteMapsErrorsAndChecksTheVersion) {
  Env env;
  env.transport->EnqueueResponse(204, "");
  EXPECT_TRUE(MakeSubs(env).Delete("abc"));
  EXPECT_EQ(env.transport->Requests().back().method, "DELETE");
  EXPECT_EQ(env.transport->Requests().back().url, std::string(kBaseUrl) + "/v1/subscriptions/abc");
  env.transport->EnqueueResponse(404, R"({"error":{"message":"not found"}})", JsonHeaders());
  auto missing = MakeSubs(env).Delete("nope", "v2");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ccrec::ErrorCode::kNotFound);
  EXPECT_FALSE(MakeSubs(env).Delete("abc", "v3"));
  EXPECT_FALSE(MakeSubs(env).List("v9"));
  // A list answer without a data array is a parse error.
  env.transport->EnqueueResponse(200, R"({"meta":{}})", JsonHeaders());
  auto bad = MakeSubs(env).List();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ccrec::ErrorCode::kParse);
}

}  // namespace
}  // namespace webex_test
