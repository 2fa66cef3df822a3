// SPDX-License-Identifier: Apache-2.0
// Where a presigned recording URL, the API base URL and the token URL may point (hostile servers).
// A Captures answer is server-provided: it must not make ccrec fetch an internal endpoint or
// move personal data over plain http.

#include "webex_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ::testing::HasSubstr;

constexpr char kQuery[] = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=SIGSECRET";

TEST(WebexMediaUrl, LinkLocalAndMetadataAddressesAreRefusedWithoutARequest) {
  for (std::string host : {"169.254.169.254", "2852039166", "[fd00:ec2::254]", "[fe80::1]", "metadata.google.internal",
                           "[::ffff:169.254.169.254]"}) {
    Env env;
    auto response = env.MakeClient().OpenRecording("https://" + host + "/latest/meta-data/iam" + kQuery);
    ASSERT_FALSE(response) << host;
    EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument) << host;
    EXPECT_THAT(response.error().message, HasSubstr("link-local or cloud-metadata")) << host;
    EXPECT_THAT(response.error().message, ::testing::Not(HasSubstr("SIGSECRET")));
    EXPECT_TRUE(env.transport->Requests().empty()) << host << ": nothing may be sent";
  }
}

TEST(WebexMediaUrl, PlainHttpIsRefusedUnlessAllowed) {
  std::string const url = std::string("http://media.example.com/rec.wav") + kQuery;
  Env env;
  auto refused = env.MakeClient().OpenRecording(url);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("plain http"));
  EXPECT_THAT(refused.error().message, HasSubstr("--allow-http-media"));
  EXPECT_TRUE(env.transport->Requests().empty());

  Env allowed_env;
  allowed_env.transport->EnqueueResponse(200, "RIFF", {{"Content-Type", "audio/wav"}});
  ccrec::webex::ClientOptions o;
  o.base_url = kBaseUrl;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = allowed_env.transport;
  o.clock = allowed_env.clock;
  o.sleeper = allowed_env.sleeper;
  o.allow_http_media = true;
  auto ok = ccrec::webex::Client(o).OpenRecording(url);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(allowed_env.transport->Requests().size(), 1u);

  // Even when http is allowed, a metadata address is not.
  o.transport = allowed_env.transport;
  auto metadata = ccrec::webex::Client(o).OpenRecording(std::string("http://169.254.169.254/x") + kQuery);
  ASSERT_FALSE(metadata);
  EXPECT_THAT(metadata.error().message, HasSubstr("link-local"));
}

TEST(WebexApiBaseUrl, PlainHttpOnlyOnLoopback) {
  Env env;
  ccrec::webex::ClientOptions o;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  o.base_url = "http://api.wxcc-us1.example.com";
  ccrec::webex::TaskQuery q;
  q.from = std::chrono::system_clock::time_point(std::chrono::hours(490000));
  q.to = q.from + std::chrono::hours(1);
  auto refused = ccrec::webex::Client(o).ListTasksPage(q);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("plain http on a non-loopback host"));
  EXPECT_TRUE(env.transport->Requests().empty()) << "the access token must not be sent";

  env.transport->EnqueueResponse(200, R"({"data":[],"meta":{"orgId":"o"}})", {{"Content-Type", "application/json"}});
  o.base_url = "http://127.0.0.1:8443";
  auto loopback = ccrec::webex::Client(o).ListTasksPage(q);
  EXPECT_TRUE(loopback) << loopback.error().ToString();
}

TEST(WebexTokenUrl, PlainHttpOnlyOnLoopback) {
  Env env;
  ccrec::OAuthToken stored;
  stored.access_token = "old-access";
  stored.refresh_token = "RT-SECRET";
  auto store = ccrec::MakeMemoryTokenStore(stored);
  ccrec::webex::OAuthClientOptions o;
  o.config.client_id = "client-id-1";
  o.config.client_secret = "CS-SECRET";
  o.config.token_url = "http://idp.example.com/v1/access_token";
  o.store = store;
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  auto refused = ccrec::webex::OAuthClient(o).Refresh();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("token_url http://idp.example.com is plain http"));
  EXPECT_TRUE(env.transport->Requests().empty()) << "the client secret and refresh token must not be sent";

  env.transport->EnqueueResponse(
      200, R"({"access_token":"new-access","expires_in":3600,"refresh_token":"RT-2","refresh_token_expires_in":7776000})",
      {{"Content-Type", "application/json"}});
  o.config.token_url = "http://127.0.0.1:9/v1/access_token";
  auto loopback = ccrec::webex::OAuthClient(o).Refresh();
  EXPECT_TRUE(loopback) << loopback.error().ToString();
}

}  // namespace
}  // namespace webex_test
