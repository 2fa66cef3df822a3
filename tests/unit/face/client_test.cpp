// SPDX-License-Identifier: Apache-2.0
// face::Client: login token (form, JSON, lenient parsing, renewal, single-flight, failures) and
// token only in the URL. Searches, downloads, redirects and control commands: client_calls_test.cpp.

#include "face_test_util.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::Client;
using ccrec::face::SearchCriteria;

Result<HttpResponse> NoMatch(RecordedRequest const&) {
  return MakeResponse(200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})",
                      JsonHeaders());
}

std::vector<RecordedRequest> Logins(FakeHttpTransport const& t) {
  std::vector<RecordedRequest> out;
  for (auto& r : t.Requests()) {
    if (r.url.find("/Face/login") != std::string::npos) out.push_back(r);
  }
  return out;
}

TEST(FaceClient, LoginFormAcceptAndTokenOnlyInTheUrl) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("tok+/=1"); });
  env.transport->Route("GET", "/Face/audioRecording/details", NoMatch);
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "7777";
  auto r = client.SearchRecordings(c);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->code, 19);
  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 2u);
  auto const& login = requests[0];
  EXPECT_EQ(login.method, "POST");
  EXPECT_EQ(login.url, std::string(kBaseUrl) + "/Face/login");
  EXPECT_EQ(login.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(login.Header("Accept"), "application/json");
  EXPECT_EQ(login.body, "userEmail=israpi%40acmepacket.com&password=S3cret%2BPass%26word&expirationSeconds=3600");
  auto const& search = requests[1];
  EXPECT_EQ(search.method, "GET");
  EXPECT_EQ(search.url, std::string(kBaseUrl) + "/Face/audioRecording/details?token=tok%2B%2F%3D1&ani=7777");
  EXPECT_EQ(search.Header("Accept"), "application/json");
  EXPECT_TRUE(search.body.empty()) << "never a body to details";
  EXPECT_FALSE(search.Header("Authorization"));
  EXPECT_FALSE(search.Header("Cookie"));
  // Nothing secret in the logs.
  std::string logs = env.AllLogs();
  EXPECT_EQ(logs.find("S3cret"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("tok+/=1"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("tok%2B"), std::string::npos) << logs;
}

TEST(FaceClient, BaseUrlForms) {
  for (std::string base : {"https://face.example.com:8443/", "https://face.example.com:8443/Face",
                           "https://face.example.com:8443/Face/"}) {
    Env env;
    env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
    auto o = env.Options();
    o.base_url = base;
    Client client(o);
    ASSERT_TRUE(client.Login()) << base;
    EXPECT_EQ(env.transport->Requests()[0].url, std::string(kBaseUrl) + "/Face/login") << base;
  }
  for (std::string bad : {"", "face.example.com:8443", "ftp://x", "https://x/Face/login", "https://x?token=1"}) {
    Env env;
    auto o = env.Options();
    o.base_url = bad;
    auto r = Client(o).Login();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(env.transport->RequestCount(), 0u);
  }
  Env env;
  auto o = env.Options();
  o.password = "";
  EXPECT_EQ(Client(o).Login().error().code, ErrorCode::kInvalidArgument);
}

TEST(FaceClient, LoginAnswerParsedLeniently) {
  struct Case {
    std::string body;
    HttpHeaders headers;
    long long lifetime;
  };
  std::vector<Case> cases = {
      {Result0(R"("token":"a","expiration":"3600seconds")"), JsonHeaders(), 3600},
      {Result0(R"("token":"a","expiration":120)"), JsonHeaders(), 120},
      {Result0(R"("token":"a")"), JsonHeaders(), 3600},                 // no expiration: what was asked
      {Result0(R"("token":"a","expiration":"86400seconds")"), JsonHeaders(), 3600},  // never more than asked
      {Result0(R"("token":"a","expiration":"whenever")"), JsonHeaders(), 3600},
      {"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>0</code><message>ACK</message><token>a</token>"
       "<expiration>1800seconds</expiration></result>",
       {}, 1800},
  };
  for (auto const& c : cases) {
    Env env;
    env.transport->Route("POST", "/Face/login",
                         [&](RecordedRequest const&) { return Result<HttpResponse>(MakeResponse(200, c.body, c.headers)); });
    auto info = env.MakeClient().Login();
    ASSERT_TRUE(info) << c.body << " -> " << info.error().ToString();
    EXPECT_EQ(info->lifetime.count(), c.lifetime) << c.body;
    EXPECT_EQ(info->expires_at, env.clock->Now() + info->lifetime);
  }
}

TEST(FaceClient, LoginWithoutTokenIsAParseError) {
  Env env;
  env.transport->Route("POST", "/Face/login",
                       [](RecordedRequest const&) { return Result<HttpResponse>(MakeResponse(200, Result0(""), JsonHeaders())); });
  auto r = env.MakeClient().Login();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  Env html;
  html.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, "<html>Welcome</html>", {{"Content-Type", "text/html"}}));
  });
  EXPECT_EQ(html.MakeClient().Login().error().code, ErrorCode::kParse);
}

TEST(FaceClient, RejectedLoginIsClearAndNeverRetried) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(
        MakeResponse(200, R"({"result":{"code":-1,"message":"Unable to authenticate."}})", JsonHeaders()));
  });
  auto client = env.MakeClient();
  auto r = client.Login();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().vendor_code, "-1");
  EXPECT_NE(r.error().message.find("wrong e-mail or password, or the account is locked"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find("S3cret"), std::string::npos);
  // Later calls get the same error without asking the server again (no lockout by retries).
  SearchCriteria c;
  c.ani = "1";
  auto s = client.SearchRecordings(c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(Logins(*env.transport).size(), 1u);
  EXPECT_EQ(env.transport->RequestCount(), 1u);
}

TEST(FaceClient, ExpiredPasswordHasItsOwnMessage) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200,
        "<result><code>-1</code><message>The password for this user has expired. Please change it.</message></result>",
        XmlHeaders()));
  });
  auto r = env.MakeClient().Login();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("the password has expired"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("locked"), std::string::npos) << r.error().message;
  EXPECT_EQ(Logins(*env.transport).size(), 1u);
}

TEST(FaceClient, TransientLoginFailuresAreTriedAtMostTwice) {
  for (int variant = 0; variant < 3; ++variant) {
    Env env;
    env.transport->Route("POST", "/Face/login", [variant](RecordedRequest const&) -> Result<HttpResponse> {
      if (variant == 0) {
        return MakeResponse(200, R"({"result":{"code":16,"message":"Error Generating Token"}})", JsonHeaders());
      }
      if (variant == 1) return MakeResponse(503, "", {});
      return ccrec::MakeError(ErrorCode::kTransport, "connection reset");
    });
    auto o = env.Options();
    o.retry.max_attempts = 10;  // the login keeps its own limit
    Client client(o);
    ccrec::CallContext ctx;
    ctx.retry = ccrec::RetryPolicy{};
    ctx.retry->max_attempts = 10;
    auto r = client.Login(ctx);
    ASSERT_FALSE(r) << variant;
    EXPECT_NE(r.error().code, ErrorCode::kUnauthenticated) << variant;
    EXPECT_EQ(Logins(*env.transport).size(), 2u) << variant;
    if (variant == 0) {
      EXPECT_EQ(r.error().vendor_code, "16");
      EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    }
    // A transient failure is not sticky: the next call tries again.
    env.transport->ClearRequests();
    (void)client.Login();
    EXPECT_EQ(Logins(*env.transport).size(), 2u);
  }
}

TEST(FaceClient, SecondLoginAttemptSucceeds) {
  Env env;
  int n = 0;
  env.transport->Route("POST", "/Face/login", [&n](RecordedRequest const&) -> Result<HttpResponse> {
    if (++n == 1) return MakeResponse(200, R"({"result":{"code":16,"message":"Error Generating Token"}})", JsonHeaders());
    return LoginOk("t2");
  });
  auto client = env.MakeClient();
  ASSERT_TRUE(client.Login());
  EXPECT_EQ(client.LoginCount(), 1u);
  EXPECT_EQ(env.sleeper->Sleeps().size(), 1u);
}

TEST(FaceClient, RenewsBeforeExpiryOnly) {
  Env env;
  FakeFace face(env.transport);
  face.SetTtl(600);
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "1";
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(face.Logins(), 1);
  env.clock->Advance(std::chrono::seconds(600 - 61));  // margin min(60 s, 600/4 s) not reached yet
  ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(face.Logins(), 1);
  env.clock->Advance(std::chrono::seconds(2));  // now within 60 s of expiry
  ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(face.Logins(), 2);
  EXPECT_EQ(client.LoginCount(), 2u);
}

TEST(FaceClient, ShortTokensDoNotCauseALoginPerCall) {
  Env env;
  FakeFace face(env.transport);
  face.SetTtl(8);  // shorter than the 60 s renew margin
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "1";
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(face.Logins(), 1);
}

TEST(FaceClient, ReloginOnceOnTokenErrors) {
  // Both documented token errors: 401 + code 27 (missing) and 401 + code -1 (invalid/expired),
  // plus a server that sends them with HTTP 200.
  std::vector<std::pair<int, std::string>> errors = {
      {401, R"({"result":{"code":-1,"message":"Invalid or expired token"}})"},
      {401, R"({"result":{"code":27,"message":"Missing Parameter - token is required"}})"},
      {200, R"({"result":{"code":-1,"message":"Invalid or expired token"}})"},
      {401, ""},
      // HTTP 403 without a FACE code (reference §8: log in again on 401/403).
      {403, ""},
      {403, "<html><body>Forbidden</body></html>"}};
  for (auto const& [status, body] : errors) {
    Env env;
    int logins = 0;
    env.RouteNumberedLogins(logins);
    env.transport->Route("GET", "token=t1", [&, status = status, body = body](RecordedRequest const&) {
      return Result<HttpResponse>(MakeResponse(status, body, JsonHeaders()));
    });
    env.transport->Route("GET", "token=t2", NoMatch);
    auto client = env.MakeClient();
    SearchCriteria c;
    c.ani = "1";
    auto r = client.SearchRecordings(c);
    ASSERT_TRUE(r) << status << body << " " << r.error().ToString();
    EXPECT_EQ(logins, 2) << body;
  }
}

// A 403 whose body names a FACE code is that code's error: no second login.
TEST(FaceClient, A403WithAFaceCodeIsNotATokenError) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  env.transport->Route("GET", "/Face/", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(403, R"({"result":{"code":2,"message":"host not authorized"}})",
                                             JsonHeaders()));
  });
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "1";
  auto r = client.SearchRecordings(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied) << r.error().ToString();
  EXPECT_EQ(logins, 1);
}

TEST(FaceClient, TokenRejectedTwiceFails) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  env.transport->Route("GET", "/Face/", [](RecordedRequest const&) {
    return Result<HttpResponse>(
        MakeResponse(401, R"({"result":{"code":-1,"message":"Invalid or expired token"}})", JsonHeaders()));
  });
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "1";
  auto r = client.SearchRecordings(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("rejected again"), std::string::npos);
  EXPECT_EQ(logins, 2);
}

TEST(FaceClient, SingleFlightLoginAcrossThreads) {
  Env env;
  std::atomic<int> logins{0};
  env.transport->Route("POST", "/Face/login", [&logins](RecordedRequest const&) {
    ++logins;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others must wait, not log in
    return LoginOk("shared");
  });
  env.transport->Route("GET", "/Face/", NoMatch);
  auto client = env.MakeClient();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      SearchCriteria c;
      c.ani = "1";
      if (client.SearchRecordings(c)) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(logins.load(), 1);
}

TEST(FaceClient, ReloginWhenTheServerForgetsTheToken) {
  Env env;
  FakeFace face(env.transport);
  auto client = env.MakeClient();
  ASSERT_TRUE(client.Login());
  // The server forgot the token (e.g. it restarted) although it has not expired by our clock.
  env.transport->Enqueue([](RecordedRequest const&) {
    return Result<HttpResponse>(
        MakeResponse(401, R"({"result":{"code":-1,"message":"Invalid or expired token"}})", JsonHeaders()));
  });
  SearchCriteria c;
  c.ani = "1";
  ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(face.Logins(), 2);
}

}  // namespace
}  // namespace face_test
