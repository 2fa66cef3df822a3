// SPDX-License-Identifier: Apache-2.0
// Authentication (reference webex-legacy-v1.md §3) and the q= query (§4).
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/webex_legacy/auth.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/query.hpp>
#include <ccrec/webex_legacy/regions.hpp>

#include <gtest/gtest.h>

#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "unit/webex_legacy/fake_v1_server.hpp"

#include <rapidjson/document.h>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;
using ccrec::testing::FakeHttpTransport;

// Vectors computed independently with Python:
//   base64.b64encode(hmac.new(key.encode(), user.encode(), hashlib.sha1).digest())
constexpr char kLabSignature[] = "yDkJq/aXwm9YYs2xgyWRqRnqgfQ=";
constexpr char kUtf8Signature[] = "0KBW+SmNW+PiqDsc646t6bbqh/Q=";  // key "s3cr3t-K€y", user "José.Núñez@example.com"

ClientOptions Options(std::shared_ptr<FakeHttpTransport> transport, std::string tenant = "11894") {
  ClientOptions o;
  o.base_url = "https://rest.example.test/";
  o.credentials.user_id = "userID@portal-controlhub.com";
  o.credentials.api_key = "myRandomApiKeY";
  o.credentials.tenant_id = std::move(tenant);
  o.transport = std::move(transport);
  o.clock = std::make_shared<ccrec::testing::ManualClock>();
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  return o;
}

Query Window(std::int64_t begin_ms, std::int64_t end_ms) {
  Query q;
  q.date_begin = FromEpochMs(begin_ms);
  q.date_end = FromEpochMs(end_ms);
  return q;
}

TEST(Auth, LabVector) {
  EXPECT_EQ(ComputeApiKeySignature("myRandomApiKeY", "userID@portal-controlhub.com"), kLabSignature);
}

TEST(Auth, Utf8BytesNoTrimmingOrCaseFolding) {
  EXPECT_EQ(ComputeApiKeySignature("s3cr3t-K\xE2\x82\xACy", "Jos\xC3\xA9.N\xC3\xBA\xC3\xB1" "ez@example.com"),
            kUtf8Signature);
  EXPECT_NE(ComputeApiKeySignature("myRandomApiKeY", "userid@portal-controlhub.com"), kLabSignature);
  EXPECT_NE(ComputeApiKeySignature("myRandomApiKeY ", "userID@portal-controlhub.com"), kLabSignature);
}

TEST(Auth, HeaderValueWithAndWithoutTenant) {
  ApiKeyCredentials c{"userID@portal-controlhub.com", "myRandomApiKeY", "11894", true};
  EXPECT_EQ(AuthorizationHeaderValue(c), std::string(kLabSignature) + ";tenantId=11894");
  c.tenant_suffix = false;
  EXPECT_EQ(AuthorizationHeaderValue(c), kLabSignature);
  c.tenant_suffix = true;
  c.tenant_id.clear();
  EXPECT_EQ(AuthorizationHeaderValue(c), kLabSignature);
}

TEST(Auth, ClientSendsExactlyTheDocumentedHeaders) {
  auto transport = std::make_shared<FakeHttpTransport>();
  transport->EnqueueResponse(200, "[]", {{"Content-Type", "application/json"}});
  Client client(Options(transport));
  auto page = client.QueryPage(RecordType::kCsr, Window(legacy_test::kDay, legacy_test::kDay + 1000));
  ASSERT_TRUE(page) << page.error().ToString();
  auto requests = transport->Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto const& r = requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.Header("Authorization").value_or(""), std::string(kLabSignature) + ";tenantId=11894");
  EXPECT_EQ(r.Header("From").value_or(""), "userID@portal-controlhub.com");
  EXPECT_EQ(r.Header("Accept").value_or(""), "application/json");
  EXPECT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.url.rfind("https://rest.example.test/aws/api/csrs?q=", 0), 0u) << r.url;
}

TEST(Auth, WrongKeyIsAClearUnauthenticatedErrorWithoutSecrets) {
  auto transport = std::make_shared<FakeHttpTransport>();
  // A server that echoes the header back must not leak it either.
  transport->EnqueueResponse(401,
                             std::string("{\"error\":\"Unauthorized\",\"message\":\"Invalid API key signature for ") +
                                 kLabSignature + " / myRandomApiKeY\"}",
                             {{"Content-Type", "application/json"}, {"TrackingID", "T-1"}});
  Client client(Options(transport));
  auto page = client.QueryPage(RecordType::kCsr, Window(legacy_test::kDay, legacy_test::kDay + 1000));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_EQ(page.error().request_id, "T-1");
  std::string text = page.error().ToString();
  EXPECT_NE(text.find("API key"), std::string::npos) << text;
  EXPECT_NE(text.find("user id"), std::string::npos) << text;
  EXPECT_EQ(text.find("myRandomApiKeY"), std::string::npos) << text;
  EXPECT_EQ(text.find(kLabSignature), std::string::npos) << text;
  EXPECT_EQ(transport->RequestCount(), 1u) << "401 must not be retried";
  EXPECT_TRUE(IsFatalForRun(page.error()));
}

TEST(Auth, MissingCredentialsFailLocally) {
  auto transport = std::make_shared<FakeHttpTransport>();
  auto o = Options(transport);
  o.credentials.api_key.clear();
  Client client(o);
  auto page = client.QueryPage(RecordType::kCsr, Window(legacy_test::kDay, legacy_test::kDay + 1000));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport->RequestCount(), 0u);
}

TEST(Auth, PlainHttpBaseUrlOnlyOnLoopback) {
  // The Authorization value is a fixed HMAC of the API key: sent in clear, it can be replayed.
  auto transport = std::make_shared<FakeHttpTransport>();
  auto o = Options(transport);
  o.base_url = "http://rest.wxcc-us1.example.com/";
  Client client(o);
  auto refused = client.QueryPage(RecordType::kCsr, Window(legacy_test::kDay, legacy_test::kDay + 1000));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find(
                "base_url http://rest.wxcc-us1.example.com is plain http on a non-loopback host: credentials would "
                "cross the network unencrypted (use https)"),
            std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(IsFatalForRun(refused.error()));
  EXPECT_FALSE(client.GetRecordJson(RecordType::kCsr, "sid-1"));
  EXPECT_EQ(transport->RequestCount(), 0u) << "the API key signature must not be sent";

  // Loopback (the emulators) stays allowed over plain http.
  for (std::string url : {"http://127.0.0.1:8443", "http://localhost:9", "http://[::1]:8443"}) {
    transport->EnqueueResponse(200, "[]", {{"Content-Type", "application/json"}});
    o.base_url = url;
    auto page = Client(o).QueryPage(RecordType::kCsr, Window(legacy_test::kDay, legacy_test::kDay + 1000));
    EXPECT_TRUE(page) << url << ": " << page.error().ToString();
  }
  EXPECT_EQ(transport->RequestCount(), 3u);
}

TEST(Regions, BaseUrls) {
  EXPECT_EQ(*BaseUrlForRegion("us1"), "https://rest.wxcc-us1.cisco.com");
  EXPECT_EQ(*BaseUrlForRegion("EU1"), "https://rest.wxcc-eu1.cisco.com");
  auto bad = BaseUrlForRegion("mars1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("us1"), std::string::npos);
}

TEST(Query, TypedBuilderMatchesTheLabShape) {
  Query q = Window(1612155600000, 1612328400000);
  q.anchor_id = "11894";
  q.timezone = "America/New_York";
  auto json = BuildQueryJson(q);
  ASSERT_TRUE(json) << json.error().ToString();
  EXPECT_EQ(*json,
            "{\"anchorId\":\"11894\",\"dateBegin\":[1612155600000],\"dateEnd\":[1612328400000],"
            "\"timezone\":\"America/New_York\",\"numberOfRecords\":1000,\"lastNRecords\":false,"
            "\"activityType\":\"INTERACTION\",\"aggregateQueryProperties\":{\"computeInterval\":0,"
            "\"computeIntervalUnit\":\"NONE\",\"lookbackCount\":0,\"frequency\":0,\"movingWindow\":false,"
            "\"cumulative\":false,\"rowSegmentSet\":[],\"columnSegmentSet\":[],\"queryType\":\"TEMPORAL\","
            "\"requestType\":\"PROFILE\",\"intervalAxis\":\"ROW\",\"computeSummaries\":true},"
            "\"aggregations\":[{\"id\":0,\"filterGroups\":[{\"operator\":\"AND\",\"valueFilters\":[]}],"
            "\"aggregationType\":\"VALUE\",\"computeColumnName\":\"sid\"}]}");
}

TEST(Query, FilterGroupsAndValueFiltersAreEmbedded) {
  Query q = Window(1000, 2000);
  q.aggregate_query_properties.reset();
  q.activity_type.clear();
  Aggregation a;
  a.id = 3;
  a.filter_groups = {FilterGroup{"OR", {"{\"field\":\"queueName\",\"value\":\"Sales\"}", "{\"x\":[1,2]}"}}};
  q.aggregations = {a};
  auto json = BuildQueryJson(q);
  ASSERT_TRUE(json);
  EXPECT_NE(json->find("\"filterGroups\":[{\"operator\":\"OR\",\"valueFilters\":[{\"field\":\"queueName\","
                       "\"value\":\"Sales\"},{\"x\":[1,2]}]}]"),
            std::string::npos)
      << *json;
  EXPECT_EQ(json->find("activityType"), std::string::npos);
  EXPECT_EQ(json->find("aggregateQueryProperties"), std::string::npos);
  q.aggregations[0].filter_groups[0].value_filters_json = {"{not json"};
  auto bad = BuildQueryJson(q);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Query, RawPassthroughSubstitutesOnlyTheWindowCapAndTimezone) {
  Query q = Window(1000, 2000);
  q.raw_json = R"({"anchorId":"42","dateBegin":[1],"dateEnd":[2],"timezone":"Europe/Paris",
                   "numberOfRecords":1000000,"custom":{"keep":true}})";
  q.number_of_records = 500;
  auto json = BuildQueryJson(q);
  ASSERT_TRUE(json) << json.error().ToString();
  rapidjson::Document d;
  d.Parse(json->c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(d["dateBegin"][0].GetInt64(), 1000);
  EXPECT_EQ(d["dateEnd"][0].GetInt64(), 2000);
  EXPECT_EQ(d["numberOfRecords"].GetInt(), 500) << "the lab's 1000000 is never sent";
  EXPECT_STREQ(d["timezone"].GetString(), "Europe/Paris");
  EXPECT_STREQ(d["anchorId"].GetString(), "42");
  EXPECT_TRUE(d["custom"]["keep"].GetBool());
  EXPECT_EQ(json->find(' '), std::string::npos) << "compact";
  q.timezone = "UTC";
  d.Parse(BuildQueryJson(q)->c_str());
  EXPECT_STREQ(d["timezone"].GetString(), "UTC");
  q.raw_json = "[1]";
  EXPECT_EQ(BuildQueryJson(q).error().code, ErrorCode::kInvalidArgument);
  q.raw_json = "{\"a\":";
  EXPECT_EQ(BuildQueryJson(q).error().code, ErrorCode::kInvalidArgument);
}

TEST(Query, InvalidWindowsAndCaps) {
  EXPECT_EQ(BuildQueryJson(Window(2000, 2000)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(BuildQueryJson(Window(2000, 1000)).error().code, ErrorCode::kInvalidArgument);
  Query q = Window(1000, 2000);
  q.number_of_records = 0;
  EXPECT_EQ(BuildQueryJson(q).error().code, ErrorCode::kInvalidArgument);
}

TEST(Query, PercentEncodedExactlyOnce) {
  Query q = Window(1612155600000, 1612328400000);
  q.anchor_id = "11894";
  q.timezone = "America/New_York";
  auto encoded = EncodeQueryParameter(q);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->rfind("%7B%22anchorId%22%3A%2211894%22%2C%22dateBegin%22%3A%5B1612155600000%5D", 0), 0u)
      << *encoded;
  EXPECT_EQ(encoded->find_first_of("{}\"[]:,/ +"), std::string::npos) << *encoded;
  EXPECT_EQ(encoded->find("%25"), std::string::npos) << "double encoding";
  EXPECT_EQ(ccrec::detail::PercentDecode(*encoded), *BuildQueryJson(q));
}

TEST(Query, ClientPutsTheEncodedQueryInTheUrlOnceAndNeverSendsOverTheCap) {
  auto transport = std::make_shared<FakeHttpTransport>();
  legacy_test::FakeV1Server server({}, 1000);
  server.Install(*transport);
  Client client(Options(transport));
  Query q = Window(legacy_test::kDay, legacy_test::kDay + 60000);
  q.raw_json = R"({"dateBegin":[0],"dateEnd":[1],"numberOfRecords":1000000,"weird":"a b+c/d?e&f=g"})";
  auto page = client.QueryPage(RecordType::kCar, q);
  ASSERT_TRUE(page) << page.error().ToString();
  auto requests = transport->Requests();
  ASSERT_EQ(requests.size(), 1u);
  std::string const& url = requests[0].url;
  EXPECT_EQ(url.rfind("https://rest.example.test/aws/api/cars?q=", 0), 0u) << url;
  EXPECT_EQ(url.find_first_of("{}\"[] "), std::string::npos) << url;
  EXPECT_EQ(url.find('&'), std::string::npos) << "a & inside the JSON must be encoded";
  EXPECT_FALSE(server.SawRawJsonCharacters());
  EXPECT_EQ(server.Queries().at(0).number_of_records, 1000);
  EXPECT_NE(server.Queries().at(0).json.find("\"weird\":\"a b+c/d?e&f=g\""), std::string::npos);

  q.number_of_records = 1001;  // typed form over the cap: rejected locally
  auto over = client.QueryPage(RecordType::kCsr, q);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport->RequestCount(), 1u);
}

}  // namespace
