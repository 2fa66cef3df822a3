// SPDX-License-Identifier: Apache-2.0
// webex::Client request shape, retries, 401 handling, error mapping, regions.

#include "webex_test_util.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;
using namespace std::chrono_literals;

ccrec::webex::TaskQuery Window(Env const& env) {
  ccrec::webex::TaskQuery q;
  q.from = At(1793404800000);  // 2026-10-31T00:00:00Z
  q.to = At(1793491200000);    // 2026-11-01T00:00:00Z
  (void)env;
  return q;
}

TEST(WebexRegions, KnownRegionsMapToTheirBaseUrls) {
  for (auto const& dc : {"us1", "eu1", "eu2", "anz1", "ca1", "jp1", "sg1"}) {
    auto url = ccrec::webex::BaseUrlForRegion(dc);
    ASSERT_TRUE(url) << dc;
    EXPECT_EQ(*url, std::string("https://api.wxcc-") + dc + ".cisco.com");
  }
  EXPECT_EQ(*ccrec::webex::BaseUrlForRegion("EU2"), "https://api.wxcc-eu2.cisco.com");
  EXPECT_EQ(ccrec::webex::KnownRegions().size(), 7u);
}

TEST(WebexRegions, UnknownRegionListsTheValidOnes) {
  for (auto const& dc : {"", "us2", "us1 ", "api.wxcc-us1.cisco.com"}) {
    auto url = ccrec::webex::BaseUrlForRegion(dc);
    ASSERT_FALSE(url) << dc;
    EXPECT_EQ(url.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(url.error().message.find("us1, eu1, eu2, anz1, ca1, jp1, sg1"), std::string::npos);
  }
}

TEST(WebexClient, ListTasksPageSendsOnlySpecParametersAndHeaders) {
  Env env;
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, kEmptyTasks, {{"Content-Type", "application/json;charset=UTF-8"}});
  });
  auto client = env.MakeClient();
  auto q = Window(env);
  q.channel_types = {"telephony", "chat"};
  q.page_size = 250;
  ASSERT_TRUE(client.ListTasksPage(q));
  q.channel_types = {};
  q.org_id = "org 1/x";
  ASSERT_TRUE(client.ListTasksPage(q));

  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].url, std::string(kBaseUrl) +
                                 "/v1/tasks?from=1793404800000&to=1793491200000&channelTypes=telephony,chat&pageSize=250");
  EXPECT_EQ(requests[1].url,
            std::string(kBaseUrl) + "/v1/tasks?from=1793404800000&to=1793491200000&pageSize=250&orgId=org%201%2Fx");
  std::set<std::string> tracking;
  std::regex const uuid("CCREC_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (auto const& r : requests) {
    EXPECT_EQ(r.Header("Authorization"), "Bearer static-access-token");
    EXPECT_EQ(r.Header("Accept"), "application/json");
    auto id = r.Header("TrackingId").value_or("");
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    tracking.insert(id);
    EXPECT_TRUE(r.body.empty());
  }
  EXPECT_EQ(tracking.size(), 2u) << "a unique TrackingId per request";
}

TEST(WebexClient, ExtraHeadersAreAddedAndACallerTrackingIdWins) {
  Env env;
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto client = env.MakeClient();
  ccrec::CallContext ctx;
  ctx.extra_headers = {{"TrackingId", "MYAPP_123"}, {"X-Extra", "1"}};
  ASSERT_TRUE(client.ListTasksPage(Window(env), ctx));
  auto r = env.transport->Requests().at(0);
  EXPECT_EQ(r.Header("TrackingId"), "MYAPP_123");
  EXPECT_EQ(r.Header("X-Extra"), "1");
  int tracking_headers = 0;
  for (auto const& [name, value] : r.headers) tracking_headers += ccrec::HeaderNameEquals(name, "TrackingId") ? 1 : 0;
  EXPECT_EQ(tracking_headers, 1);
}

// ListTasks(q, {}) names one overload (a second ListTasks taking a callback made it ambiguous);
// malformed elements go to TaskQuery::on_malformed.
TEST(WebexClient, ListTasksTakesABracedCallContext) {
  Env env;
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto client = env.MakeClient();
  int tasks = 0;
  for (auto& task : client.ListTasks(Window(env), {})) {
    ASSERT_TRUE(task) << task.error().ToString();
    ++tasks;
  }
  EXPECT_EQ(tasks, 0);
  EXPECT_EQ(env.transport->Requests().size(), 1u);
}

TEST(WebexClient, TaskQueryValidation) {
  Env env;
  auto client = env.MakeClient();
  auto q = Window(env);
  auto bad = q;
  bad.to = bad.from;
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  bad = q;
  bad.page_size = 0;
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  bad.page_size = 1001;
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  bad = q;
  bad.channel_types = {"Telephony"};
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  bad.channel_types = {"telephony,chat"};
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  bad.channel_types = {""};
  EXPECT_EQ(client.ListTasksPage(bad).error().code, ErrorCode::kInvalidArgument);
  // ListTasks yields the same error once.
  auto pager = client.ListTasks(bad);
  int n = 0;
  for (auto& item : pager) {
    ASSERT_FALSE(item);
    EXPECT_EQ(item.error().code, ErrorCode::kInvalidArgument);
    ++n;
  }
  EXPECT_EQ(n, 1);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexClient, MissingConfigurationIsInvalidArgument) {
  Env env;
  ccrec::webex::ClientOptions o;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = env.transport;
  ccrec::webex::Client no_url(o);
  EXPECT_EQ(no_url.ListTasksPage(Window(env)).error().code, ErrorCode::kInvalidArgument);
  o.base_url = "ftp://example.com";
  EXPECT_EQ(ccrec::webex::Client(o).ListTasksPage(Window(env)).error().code, ErrorCode::kInvalidArgument);
  o.base_url = std::string(kBaseUrl) + "/";
  o.tokens = nullptr;
  EXPECT_EQ(ccrec::webex::Client(o).ListTasksPage(Window(env)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexClient, TrailingSlashOfTheBaseUrlIsIgnored) {
  Env env;
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  ccrec::webex::ClientOptions o;
  o.base_url = std::string(kBaseUrl) + "/";
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  ASSERT_TRUE(ccrec::webex::Client(o).ListTasksPage(Window(env)));
  EXPECT_EQ(env.transport->Requests().at(0).url.rfind(std::string(kBaseUrl) + "/v1/tasks?", 0), 0u);
}

TEST(WebexClient, Unauthorized401RefreshesOnceAndRetries) {
  Env env;
  int token_requests = 0;
  env.transport->Route("POST", "/access_token", [&](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    ++token_requests;
    return MakeResponse(200, R"({"access_token":"at-new","expires_in":3600,"refresh_token":"rt-new"})", JsonHeaders());
  });
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const& r) -> Result<ccrec::HttpResponse> {
    if (r.Header("Authorization") != "Bearer at-new") {
      return MakeResponse(401, R"({"trackingId":"T1","error":{"key":"401","message":[{"description":"Incorrect Credentials."}]}})",
                          JsonHeaders());
    }
    return MakeResponse(200, kEmptyTasks, JsonHeaders());
  });
  ccrec::OAuthToken revoked;
  revoked.access_token = "at-revoked";
  revoked.refresh_token = "rt-0";
  revoked.expires_at = env.clock->Now() + 10h;
  auto oauth = env.MakeOAuth(ccrec::MakeMemoryTokenStore(revoked));
  auto client = env.MakeClient(oauth);
  auto page = client.ListTasksPage(Window(env));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(token_requests, 1);
  auto api = env.RequestsTo("/v1/tasks");
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[0].Header("Authorization"), "Bearer at-revoked");
  EXPECT_EQ(api[1].Header("Authorization"), "Bearer at-new");
}

TEST(WebexClient, Second401FailsWithReauthorizeMessage) {
  Env env;
  int token_requests = 0;
  env.transport->Route("POST", "/access_token", [&](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    ++token_requests;
    return MakeResponse(200, R"({"access_token":"at-)" + std::to_string(token_requests) + R"(","expires_in":3600})",
                        JsonHeaders());
  });
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(401, R"({"trackingId":"T2","error":{"key":"401","message":[{"description":"Incorrect Credentials."}]}})",
                        JsonHeaders());
  });
  ccrec::OAuthToken stored;
  stored.access_token = "at-0";
  stored.refresh_token = "rt-0";
  stored.expires_at = env.clock->Now() + 10h;
  auto client = env.MakeClient(env.MakeOAuth(ccrec::MakeMemoryTokenStore(stored)));
  auto page = client.ListTasksPage(Window(env));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_EQ(page.error().request_id, "T2");
  EXPECT_NE(page.error().message.find("re-authorize"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("Incorrect Credentials."), std::string::npos);
  EXPECT_EQ(env.RequestsTo("/v1/tasks").size(), 2u) << "one retry after one refresh, no more";
  EXPECT_EQ(token_requests, 1);
}

TEST(WebexClient, RateLimited429HonoursRetryAfterSeconds) {
  Env env;
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "5"}});
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto client = env.MakeClient();
  auto start = env.clock->Now();
  ASSERT_TRUE(client.ListTasksPage(Window(env)));
  ASSERT_EQ(env.sleeper->Sleeps().size(), 1u);
  EXPECT_GE(env.sleeper->Sleeps()[0], 5000ms);
  EXPECT_GE(env.clock->Now() - start, 5s);
  EXPECT_EQ(env.transport->RequestCount(), 2u);
}

TEST(WebexClient, RateLimited429HonoursRetryAfterHttpDate) {
  Env env;
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "Sun, 01 Nov 2026 00:00:42 GMT"}});  // clock + 42 s
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto client = env.MakeClient();
  ASSERT_TRUE(client.ListTasksPage(Window(env)));
  ASSERT_EQ(env.sleeper->Sleeps().size(), 1u);
  EXPECT_GE(env.sleeper->Sleeps()[0], 42000ms);
}

TEST(WebexClient, ServerErrorsAndTransportErrorsAreRetried) {
  Env env;
  env.transport->EnqueueResponse(503, "");
  env.transport->EnqueueError(ccrec::MakeError(ErrorCode::kTransport, "connection reset"));
  env.transport->EnqueueResponse(500, R"({"trackingId":"x","error":{"key":"500","message":[]}})", JsonHeaders());
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto client = env.MakeClient();
  auto page = client.ListTasksPage(Window(env));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(env.transport->RequestCount(), 4u);
  auto requests = env.transport->Requests();
  std::set<std::string> ids;
  for (auto const& r : requests) ids.insert(r.Header("TrackingId").value_or(""));
  EXPECT_EQ(ids.size(), 4u);
}

TEST(WebexClient, RetriesStopAtMaxAttempts) {
  Env env;
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(503, "");
  });
  auto page = env.MakeClient().ListTasksPage(Window(env));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(env.transport->RequestCount(), 4u);
}

TEST(WebexClient, ClientErrorsAreNotRetriedAndMapped) {
  struct Case {
    int status;
    ErrorCode code;
  };
  for (auto c : {Case{400, ErrorCode::kInvalidArgument}, Case{403, ErrorCode::kPermissionDenied},
                 Case{404, ErrorCode::kNotFound}, Case{413, ErrorCode::kInvalidArgument},
                 Case{422, ErrorCode::kInvalidArgument}}) {
    Env env;
    env.transport->EnqueueResponse(
        c.status,
        R"({"trackingId":"TRK-)" + std::to_string(c.status) + R"(","error":{"key":")" + std::to_string(c.status) +
            R"(","message":[{"description":"first"},{"description":"second"}]}})",
        JsonHeaders());
    auto page = env.MakeClient().ListTasksPage(Window(env));
    ASSERT_FALSE(page) << c.status;
    EXPECT_EQ(page.error().code, c.code) << c.status;
    EXPECT_EQ(page.error().http_status, c.status);
    EXPECT_EQ(page.error().vendor_code, std::to_string(c.status));
    EXPECT_EQ(page.error().request_id, "TRK-" + std::to_string(c.status));
    EXPECT_NE(page.error().message.find("Webex GET /v1/tasks"), std::string::npos);
    EXPECT_NE(page.error().message.find("first; second"), std::string::npos) << page.error().message;
    EXPECT_EQ(env.transport->RequestCount(), 1u) << c.status;
  }
}

TEST(WebexClient, ErrorWithoutTrackingIdInBodyUsesTheOneSent) {
  Env env;
  env.transport->EnqueueResponse(403, "Forbidden", {{"Content-Type", "text/plain"}});
  auto page = env.MakeClient().ListTasksPage(Window(env));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(page.error().request_id, env.transport->Requests().at(0).Header("TrackingId").value_or("?"));
  EXPECT_NE(page.error().message.find("cjp:config_read"), std::string::npos);
}

TEST(WebexClient, WrongContentTypeIsAParseErrorNamingIt) {
  Env env;
  env.transport->EnqueueResponse(200, "<html><body>Proxy login</body></html>", {{"Content-Type", "text/html"}});
  auto page = env.MakeClient().ListTasksPage(Window(env));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kParse);
  EXPECT_NE(page.error().message.find("text/html"), std::string::npos) << page.error().message;
  EXPECT_EQ(env.transport->RequestCount(), 1u);
}

TEST(WebexClient, BodyCutShortIsATransportErrorAndRetried) {
  Env env;
  env.transport->Enqueue([](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    ccrec::HttpResponse r;
    r.status = 200;
    r.headers = JsonHeaders();
    r.body = ccrec::testing::MakeStringBodyReader(R"({"meta":{},"da)", 4,
                                                  ccrec::MakeError(ErrorCode::kTransport, "connection reset"));
    return r;
  });
  env.transport->EnqueueResponse(200, kEmptyTasks, JsonHeaders());
  auto page = env.MakeClient().ListTasksPage(Window(env));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(env.transport->RequestCount(), 2u);
}

TEST(WebexClient, CancelledContextStopsBeforeSending) {
  Env env;
  auto client = env.MakeClient();
  ccrec::CallContext ctx;
  ctx.cancel.Cancel();
  auto page = client.ListTasksPage(Window(env), ctx);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexClient, SharedRateLimiterSpacesRequestsAndIsPausedByRetryAfter) {
  Env env;
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, kEmptyTasks, JsonHeaders());
  });
  ccrec::TokenBucketOptions bucket;
  bucket.requests_per_minute = 60;  // one per second
  bucket.clock = env.clock;
  bucket.sleeper = env.sleeper;
  ccrec::webex::ClientOptions o;
  o.base_url = kBaseUrl;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  o.rate_limiter = ccrec::MakeTokenBucketRateLimiter(bucket);
  ccrec::webex::Client client(o);
  auto start = env.clock->Now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.ListTasksPage(Window(env)));
  EXPECT_GE(env.clock->Now() - start, 2s);
  EXPECT_LT(env.clock->Now() - start, 3s);

  // A 429 pauses the limiter (for every client sharing it) until Retry-After has passed.
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "20"}});
  env.clock->Advance(5s);
  auto before = env.clock->Now();
  ASSERT_TRUE(client.ListTasksPage(Window(env)));
  EXPECT_GE(env.clock->Now() - before, 20s);
}

// Issue 11 item 7: "Retry-After: 999999999" used to be recorded in the shared limiter as is,
// stalling every later call for 31 years. The call fails at once (kRateLimited, the message says
// why) and the shared pause is cut to the policy's max_retry_after.
TEST(WebexClient, HugeRetryAfterFailsTheCallAndPausesOthersOnlyUpToMaxRetryAfter) {
  Env env;
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, kEmptyTasks, JsonHeaders());
  });
  ccrec::TokenBucketOptions bucket;
  bucket.requests_per_minute = 6000;
  bucket.max_pause = std::chrono::hours(24 * 365 * 100);  // the limiter's own cap is not what saves us
  bucket.clock = env.clock;
  bucket.sleeper = env.sleeper;
  ccrec::webex::ClientOptions o;
  o.base_url = kBaseUrl;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  o.retry.max_retry_after = 30s;
  o.rate_limiter = ccrec::MakeTokenBucketRateLimiter(bucket);
  ccrec::webex::Client client(o);
  env.transport->EnqueueResponse(429, "", {{"Retry-After", "999999999"}});
  auto before = env.clock->Now();
  auto limited = client.ListTasksPage(Window(env));
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_NE(limited.error().message.find("max_retry_after (30 s)"), std::string::npos) << limited.error().message;
  EXPECT_LT(env.clock->Now() - before, 1s) << "the call itself does not wait";
  ASSERT_TRUE(client.ListTasksPage(Window(env)));
  EXPECT_GE(env.clock->Now() - before, 30s);
  EXPECT_LE(env.clock->Now() - before, 31s) << "the shared pause must be cut to max_retry_after";
}

TEST(WebexMapError, UnderstandsTheThreeWebexErrorBodies) {
  auto now = At(1793491200000);
  auto wxcc = ccrec::webex::MapWebexError(
      400, R"({"trackingId":"T","error":{"key":"400","message":[{"description":"urlExpiration should be greater than 0."}]}})",
      {}, "op", now);
  EXPECT_EQ(wxcc.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wxcc.vendor_code, "400");
  EXPECT_EQ(wxcc.request_id, "T");
  EXPECT_NE(wxcc.message.find("urlExpiration should be greater than 0."), std::string::npos);

  auto admin = ccrec::webex::MapWebexError(
      403, R"({"message":"App not authorized","errors":[{"description":"ask a full admin"}],"trackingId":"A"})", {},
      "op", now);
  EXPECT_EQ(admin.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(admin.request_id, "A");
  EXPECT_NE(admin.message.find("App not authorized; ask a full admin"), std::string::npos) << admin.message;

  auto oauth = ccrec::webex::MapWebexError(400, R"({"error":"invalid_grant","error_description":"expired"})", {}, "op",
                                           now);
  EXPECT_EQ(oauth.vendor_code, "invalid_grant");
  EXPECT_NE(oauth.message.find("expired"), std::string::npos);
}

TEST(WebexMapError, StatusCodesHeadersAndOddBodies) {
  auto now = At(1793491200000);
  using ccrec::webex::MapWebexError;
  EXPECT_EQ(MapWebexError(401, "", {}, "op", now).code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(MapWebexError(404, "", {}, "op", now).code, ErrorCode::kNotFound);
  EXPECT_EQ(MapWebexError(408, "", {}, "op", now).code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(MapWebexError(409, "", {}, "op", now).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(MapWebexError(502, "", {}, "op", now).code, ErrorCode::kUnavailable);
  EXPECT_EQ(MapWebexError(504, "<html>", {}, "op", now).code, ErrorCode::kUnavailable);
  EXPECT_EQ(MapWebexError(302, "", {}, "op", now).code, ErrorCode::kInternal);
  auto limited = MapWebexError(429, "{", {{"retry-after", "12"}, {"TrackingID", "HDR"}}, "op", now);
  EXPECT_EQ(limited.code, ErrorCode::kRateLimited);
  ASSERT_TRUE(limited.retry_after);
  EXPECT_EQ(*limited.retry_after, 12000ms);
  EXPECT_EQ(limited.request_id, "HDR");
  // Wrong-typed members are ignored, not fatal.
  auto odd = MapWebexError(500, R"({"trackingId":5,"error":{"key":{},"message":"plain"}})", {}, "op", now);
  EXPECT_EQ(odd.code, ErrorCode::kUnavailable);
  EXPECT_EQ(odd.request_id, "5");
  EXPECT_NE(odd.message.find("plain"), std::string::npos);
  // Secrets echoed by a server are redacted.
  auto echoed = MapWebexError(400, R"({"error":"invalid_request","error_description":"bad refresh_token=abc123"})", {},
                              "op", now);
  EXPECT_EQ(echoed.message.find("abc123"), std::string::npos) << echoed.message;
}

}  // namespace
}  // namespace webex_test
