// SPDX-License-Identifier: Apache-2.0
// Total per-attempt timeouts of Webex control-plane requests (token endpoint, Tasks, Captures),
// none on presigned recording downloads; the token file's cross-process lock is released when a
// token request times out.

#include "oauth_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;
using namespace std::chrono_literals;

ccrec::webex::Client MakeClient(Env& env, std::optional<std::chrono::milliseconds> timeout) {
  ccrec::webex::ClientOptions o;
  o.base_url = kBaseUrl;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("static-access-token");
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  if (timeout) o.request_timeout = *timeout;
  return ccrec::webex::Client(std::move(o));
}

std::shared_ptr<ccrec::webex::OAuthClient> MakeOAuth(Env& env, std::shared_ptr<ccrec::TokenStore> store,
                                                     std::optional<std::chrono::milliseconds> timeout) {
  ccrec::webex::OAuthClientOptions o;
  o.config.client_id = "client-id-1";
  o.config.client_secret = "client-secret-1";
  o.config.token_url = kTokenUrl;
  o.store = std::move(store);
  o.transport = env.transport;
  o.clock = env.clock;
  o.sleeper = env.sleeper;
  if (timeout) o.request_timeout = *timeout;
  return std::make_shared<ccrec::webex::OAuthClient>(std::move(o));
}

TEST(WebexTimeouts, TokenRequestsCarryTheOAuthRequestTimeout) {
  for (auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional<std::chrono::milliseconds>{1500ms}}) {
    Env env;
    TokenServer server;
    env.transport->Route("POST", "/access_token", server.Handler());
    auto oauth = MakeOAuth(env, ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)), timeout);
    ASSERT_TRUE(oauth->AccessToken({}));
    auto requests = env.RequestsTo("/access_token");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].timeout, timeout.value_or(30s)) << "default 30 s";
  }
}

TEST(WebexTimeouts, ZeroLeavesTheTransportsOwnTimeout) {
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(200, kEmptyTasks, JsonHeaders());
  });
  auto oauth = MakeOAuth(env, ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s)), 0ms);
  ASSERT_TRUE(oauth->AccessToken({}));
  ASSERT_TRUE(MakeClient(env, 0ms).ListTasksPage(OneDay()));
  for (auto const& r : env.transport->Requests()) EXPECT_FALSE(r.timeout) << r.url;
}

TEST(WebexTimeouts, ApiCallsCarryTheClientRequestTimeoutAndDownloadsNone) {
  for (auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional<std::chrono::milliseconds>{2500ms}}) {
    Env env;
    env.transport->Route("GET", "/v1/tasks", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
      return MakeResponse(200, kEmptyTasks, JsonHeaders());
    });
    env.transport->Route("POST", "/v1/captures/query", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
      return MakeResponse(200, R"({"meta":{"orgId":"org-1"},"data":[]})", JsonHeaders());
    });
    env.transport->Route("GET", "media.example.com", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
      return MakeResponse(200, "RIFF....WAVE", {{"Content-Type", "audio/wav"}});
    });
    auto client = MakeClient(env, timeout);
    ASSERT_TRUE(client.ListTasksPage(OneDay()));
    ccrec::webex::CaptureQuery q;
    q.task_ids = {"t1"};
    auto captures = client.QueryCaptures(q);
    ASSERT_TRUE(captures) << captures.error().ToString();
    ASSERT_TRUE(client.OpenRecording("https://media.example.com/rec.wav?X-Amz-Signature=x"));
    ASSERT_EQ(env.RequestsTo("/v1/tasks").size(), 1u);
    EXPECT_EQ(env.RequestsTo("/v1/tasks")[0].timeout, timeout.value_or(60s)) << "default 60 s";
    ASSERT_EQ(env.RequestsTo("/v1/captures/query").size(), 1u);
    EXPECT_EQ(env.RequestsTo("/v1/captures/query")[0].timeout, timeout.value_or(60s));
    ASSERT_EQ(env.RequestsTo("media.example.com").size(), 1u);
    EXPECT_FALSE(env.RequestsTo("media.example.com")[0].timeout) << "media keeps the low-speed floor only";
  }
}

// flock(LOCK_NB) through a second open file description: fails while anyone (this process
// included) holds the lock.
bool LockIsFree(std::string const& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool const free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (free) ::flock(fd, LOCK_UN);
  ::close(fd);
  return free;
}

TEST(WebexTimeouts, ATimedOutRefreshReleasesTheTokenFilesCrossProcessLock) {
  ccrec_test::TempDir dir;
  auto store = ccrec::MakeJsonFileTokenStore(dir / "token.json");
  Env env;
  ASSERT_TRUE(store->Save(StoredToken(env.clock->Now() - 1s)));
  std::string const lock_path = dir / "token.json.lock";
  int requests = 0;
  bool held_during_request = false;
  env.transport->Route("POST", "/access_token", [&](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    ++requests;
    held_during_request = !LockIsFree(lock_path);
    return ccrec::MakeError(ErrorCode::kDeadlineExceeded, "timed out (limits: total timeout 1000 ms)");
  });
  auto oauth = MakeOAuth(env, store, 1s);
  auto token = oauth->AccessToken({});
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kDeadlineExceeded) << token.error().ToString();
  EXPECT_EQ(requests, 1) << "a timed-out token request is not retried";
  EXPECT_TRUE(held_during_request) << "the refresh runs under the token file's lock";
  EXPECT_TRUE(LockIsFree(lock_path)) << "the lock must be released when the token request times out";
}

}  // namespace
}  // namespace webex_test
