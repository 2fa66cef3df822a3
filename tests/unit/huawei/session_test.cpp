// SPDX-License-Identifier: Apache-2.0
// AgentSession over FakeHttpTransport: sign-in, Guid rotation, cookies, single-flight re-sign-in,
// event polls, downloads (reference huawei-cc-gateway.md §2–§4, §6–§8).
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/huawei/agent_session.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>

namespace {

using namespace huawei_test;
using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::huawei::AgentSession;
using ccrec::huawei::ForceLogin;
using ccrec::huawei::RecordFileRequest;
using ccrec::testing::FakeHttpTransport;

std::string ReadAll(HttpResponse& r) {
  auto body = r.ReadAll(std::size_t{64} << 20);
  EXPECT_TRUE(body) << body.error().ToString();
  return body ? *body : std::string();
}

class SessionTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeHttpTransport> fake = std::make_shared<FakeHttpTransport>();
  LogCapture log;

  /// A session signed in as "G1" through `o.transport` (a FakeHttpTransport), whose request log is then cleared.
  AgentSession SignedIn(ccrec::huawei::AgentSessionOptions o) {
    auto transport = std::dynamic_pointer_cast<FakeHttpTransport>(o.transport);
    AgentSession s(o);
    transport->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
    auto r = s.SignIn();
    EXPECT_TRUE(r) << r.error().ToString();
    transport->ClearRequests();
    return s;
  }
  AgentSession SignedIn() { return SignedIn(Options(fake, log)); }
};

TEST_F(SessionTest, SignInSendsTheBodyAndTakesGuidAndCookies) {
  AgentSession s(Options(fake, log));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
  auto r = s.SignIn();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->work_no, "20011");
  EXPECT_EQ(r->server_name, "AgentGateway0");
  EXPECT_FALSE(r->forced);
  EXPECT_FALSE(r->password_change_required);
  auto req = fake->Requests().at(0);
  EXPECT_EQ(req.method, "PUT");
  EXPECT_EQ(req.url, std::string(kRoot) + "onlineagent/20011");
  EXPECT_EQ(req.Header("Content-Type").value_or(""), "application/json; charset=UTF-8");
  EXPECT_FALSE(req.Header("Guid"));
  EXPECT_FALSE(req.Header("Cookie"));
  EXPECT_NE(req.body.find(R"("password":"S3cr\"et+pw&#")"), std::string::npos) << req.body;
  EXPECT_NE(req.body.find(R"("phonenum":"70006")"), std::string::npos);
  EXPECT_NE(req.body.find(R"("status":3)"), std::string::npos);
  EXPECT_TRUE(s.SignedIn());
  EXPECT_EQ(s.CurrentGuid(), "G1");
  EXPECT_EQ(s.Stats().sign_ins, 1u);

  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":null)");
  });
  ASSERT_TRUE(s.PollEvents());
  auto poll = fake->Requests().at(1);
  EXPECT_EQ(poll.method, "GET");
  EXPECT_EQ(poll.url, std::string(kRoot) + "agentevent/20011");
  EXPECT_EQ(poll.Header("Guid").value_or(""), "G1");
  EXPECT_EQ(poll.Header("Cookie").value_or(""), "SERVERID=agw1; AGW_SESSION=s1");
  EXPECT_EQ(poll.Header("Content-Type").value_or(""), "application/json; charset=UTF-8");
}

TEST_F(SessionTest, SignInFallsBackToGuidHeaderAndFailsWithoutAny) {
  AgentSession s(Options(fake, log));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("result":{})", {{"Guid", "HG"}});
  });
  ASSERT_TRUE(s.SignIn());
  EXPECT_EQ(s.CurrentGuid(), "HG");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("result":{})"); });
  auto r = s.SignIn();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

TEST_F(SessionTest, WrongPasswordIsNotRetriedAndNeverLeaksThePassword) {
  AgentSession s(Options(fake, log));
  fake->Route("PUT", "onlineagent", [](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("100-004");
  });
  auto r = s.SignIn();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().vendor_code, "100-004");
  EXPECT_NE(r.error().message.find("check the agent id and password"), std::string::npos);
  EXPECT_EQ(fake->RequestCount(), 1u);
  EXPECT_EQ(r.error().ToString().find(kPassword), std::string::npos);
  for (auto const& line : log.Lines()) EXPECT_EQ(line.find(kPassword), std::string::npos) << line;
}

TEST_F(SessionTest, RetryableSignInCodesAreRetried) {
  AgentSession s(Options(fake, log));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("100-003"); });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("000-007"); });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return ccrec::MakeError(ErrorCode::kTransport, "reset");
  });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
  ASSERT_TRUE(s.SignIn());
  EXPECT_EQ(fake->RequestCount(), 4u);
}

TEST_F(SessionTest, AlreadySignedInFollowsTheForceLoginPolicy) {
  for (auto policy : {ForceLogin::kNever, ForceLogin::kOnRecovery, ForceLogin::kAlways}) {
    auto f = std::make_shared<FakeHttpTransport>();
    auto o = Options(f, log);
    o.force_login = policy;
    AgentSession s(o);
    f->Route("PUT", "/forcelogin", [](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("GF"); });
    f->Route("PUT", "onlineagent/20011", [](RecordedRequest const&) -> Result<HttpResponse> {
      return Envelope("100-002");
    });
    auto r = s.SignIn();
    if (policy == ForceLogin::kAlways) {
      ASSERT_TRUE(r) << r.error().ToString();
      EXPECT_TRUE(r->forced);
      EXPECT_EQ(s.CurrentGuid(), "GF");
      EXPECT_EQ(s.Stats().force_logins, 1u);
      auto reqs = f->Requests();
      ASSERT_EQ(reqs.size(), 2u);
      EXPECT_EQ(reqs[1].url, std::string(kRoot) + "onlineagent/20011/forcelogin");
      EXPECT_EQ(reqs[1].body, reqs[0].body);
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
      EXPECT_EQ(r.error().vendor_code, "100-002");
      EXPECT_NE(r.error().message.find("--force-login"), std::string::npos);
      EXPECT_EQ(f->RequestCount(), 1u);
    }
  }
}

TEST_F(SessionTest, RecoveryUsesForceLoginWhenTheGatewayStillHoldsTheOldSession) {
  auto s = SignedIn();  // ForceLogin::kOnRecovery by default
  fake->Route("PUT", "/forcelogin", [](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G2"); });
  fake->Route("PUT", "onlineagent/20011", [](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("100-002");
  });
  fake->Route("GET", "agentevent", [](RecordedRequest const& r) -> Result<HttpResponse> {
    return r.Header("Guid") == std::string("G2") ? Envelope("0", R"("event":null)") : Envelope("000-003");
  });
  auto events = s.PollEvents();
  ASSERT_TRUE(events) << events.error().ToString();
  EXPECT_EQ(s.Stats().re_sign_ins, 1u);
  EXPECT_EQ(s.Stats().force_logins, 1u);
}

TEST_F(SessionTest, GuidRotatesFromAnyResponseIncludingDownloadsAndErrors) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":null)", {{"Set-GUID", "JSESSIONID=G2"}});
  });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(s.CurrentGuid(), "G2");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return File("abc", {{"Set-GUID", "JSESSIONID=G3"}});
  });
  auto file = s.OpenRecordFile({"Y:/a.V3"});
  ASSERT_TRUE(file);
  EXPECT_EQ(ReadAll(*file), "abc");
  EXPECT_EQ(s.CurrentGuid(), "G3");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("104-005", "\"result\":\"\"", {{"Set-GUID", "G4"}});
  });
  auto missing = s.OpenRecordFile({"Y:/b.V3"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.CurrentGuid(), "G4");
  // A Set-GUID naming a Guid this session already replaced is stale: ignored.
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":null)", {{"Set-GUID", "JSESSIONID=G2"}});
  });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(s.CurrentGuid(), "G4");
  EXPECT_EQ(s.Stats().guid_updates, 3u);
  // The next call carries the current Guid.
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("event":null)"); });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(fake->Requests().back().Header("Guid").value_or(""), "G4");
  for (auto const& line : log.Lines()) {
    EXPECT_EQ(line.find("G4"), std::string::npos) << "Guid logged: " << line;
  }
}

TEST_F(SessionTest, StaticModeIgnoresLaterSetGuid) {
  auto o = Options(fake, log);
  o.guid_mode = ccrec::huawei::GuidMode::kStatic;
  auto s = SignedIn(o);
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":null)", {{"Set-GUID", "JSESSIONID=G2"}});
  });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(s.CurrentGuid(), "G1");
  EXPECT_TRUE(log.Contains("static Guid mode"));
}

TEST_F(SessionTest, AnswersOfAnOlderSignInDoNotOverwriteTheGuid) {
  auto s = SignedIn();
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> arrived;
  fake->Route("GET", "agentevent", [&](RecordedRequest const&) -> Result<HttpResponse> {
    arrived.set_value();
    released.wait();
    return Envelope("0", R"("event":null)", {{"Set-GUID", "JSESSIONID=STALE"}});
  });
  fake->Route("PUT", "onlineagent", [](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G9", "9"); });
  auto poll = std::async(std::launch::async, [&] { return s.PollEvents(); });
  arrived.get_future().wait();
  ASSERT_TRUE(s.SignIn());  // generation 2
  release.set_value();
  ASSERT_TRUE(poll.get());
  EXPECT_EQ(s.CurrentGuid(), "G9");
}

TEST_F(SessionTest, CookiesAreReplayedUpdatedAndPerAgent) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":null)",
                    {{"Set-Cookie", "SERVERID=agw7; Path=/"}, {"Set-Cookie", "AGW_SESSION=gone; Max-Age=0"},
                     {"Set-Cookie", "LB=x"}});
  });
  ASSERT_TRUE(s.PollEvents());
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("event":null)"); });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(fake->Requests().back().Header("Cookie").value_or(""), "SERVERID=agw7; LB=x");

  // Another agent on the same transport has its own jar.
  auto o2 = Options(fake, log);
  o2.agent_id = "20012";
  AgentSession other(o2);
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("H1", "2"); });
  ASSERT_TRUE(other.SignIn());
  EXPECT_FALSE(fake->Requests().back().Header("Cookie"));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("event":null)"); });
  ASSERT_TRUE(other.PollEvents());
  EXPECT_EQ(fake->Requests().back().Header("Cookie").value_or(""), "SERVERID=agw2; AGW_SESSION=s2");
  EXPECT_EQ(fake->Requests().back().Header("Guid").value_or(""), "H1");
  // A new sign-in starts the jar afresh.
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G5", "5"); });
  ASSERT_TRUE(s.SignIn());
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("event":null)"); });
  ASSERT_TRUE(s.PollEvents());
  EXPECT_EQ(fake->Requests().back().Header("Cookie").value_or(""), "SERVERID=agw5; AGW_SESSION=s5");
}

/// Eight threads notice the lost session at the same time: exactly one re-sign-in.
TEST_F(SessionTest, SingleFlightReSignInUnderEightThreads) {
  constexpr int kThreads = 8;
  auto o = Options(fake, log);
  o.max_concurrent_downloads = kThreads;
  auto s = SignedIn(o);
  std::atomic<int> sign_ins{0};
  std::mutex mu;
  std::condition_variable cv;
  int stale_arrivals = 0;
  fake->Route("PUT", "onlineagent/20011", [&](RecordedRequest const&) -> Result<HttpResponse> {
    ++sign_ins;
    return SignInOk("G2", "2");
  });
  fake->Route("GET", "recordfile", [&](RecordedRequest const& r) -> Result<HttpResponse> {
    if (r.Header("Guid") == std::string("G2") && r.Header("Cookie") == std::string("SERVERID=agw2; AGW_SESSION=s2")) {
      return File("data:" + QueryValue(r.url, "recordId"));
    }
    // Hold every stale request until all threads have one in flight, so they all fail together.
    std::unique_lock<std::mutex> lock(mu);
    ++stale_arrivals;
    cv.notify_all();
    cv.wait(lock, [&] { return stale_arrivals >= kThreads; });
    return Envelope("100-006");
  });
  std::vector<std::thread> threads;
  std::vector<std::string> bodies(kThreads);
  std::vector<std::string> errors(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = s.OpenRecordFile({"Y:/f" + std::to_string(i) + ".V3"});
      if (!r) {
        errors[i] = r.error().ToString();
        return;
      }
      bodies[i] = ReadAll(*r);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], "") << i;
    EXPECT_EQ(bodies[i], "data:Y:/f" + std::to_string(i) + ".V3");
  }
  EXPECT_EQ(sign_ins.load(), 1);
  EXPECT_EQ(s.Stats().re_sign_ins, 1u);
  EXPECT_EQ(s.Stats().sign_ins, 2u);
  EXPECT_EQ(s.CurrentGuid(), "G2");
}

TEST_F(SessionTest, AFailedReSignInIsNotRepeatedForTheSameLostSession) {
  constexpr int kThreads = 8;
  auto o = Options(fake, log);
  o.max_concurrent_downloads = kThreads;
  auto s = SignedIn(o);
  std::atomic<int> sign_ins{0};
  fake->Route("PUT", "onlineagent/20011", [&](RecordedRequest const&) -> Result<HttpResponse> {
    ++sign_ins;
    return Envelope("100-004");
  });
  fake->Route("GET", "recordfile", [](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("100-006"); });
  std::vector<std::thread> threads;
  std::atomic<int> unauthenticated{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = s.OpenRecordFile({"Y:/x.V3"});
      if (!r && r.error().code == ErrorCode::kUnauthenticated) ++unauthenticated;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unauthenticated.load(), kThreads);
  EXPECT_EQ(sign_ins.load(), 1);
}

TEST_F(SessionTest, ReSignInHappensOnceThenTheCallFails) {
  auto s = SignedIn();
  std::atomic<int> sign_ins{0};
  fake->Route("PUT", "onlineagent/20011", [&](RecordedRequest const&) -> Result<HttpResponse> {
    ++sign_ins;
    return SignInOk("G" + std::to_string(sign_ins.load() + 1));
  });
  fake->Route("GET", "recordfile", [](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("107-000"); });
  auto r = s.OpenRecordFile({"Y:/x.V3"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().vendor_code, "107-000");
  EXPECT_EQ(sign_ins.load(), 1);
  EXPECT_EQ(fake->RequestCount(), 3u);  // download, sign-in, download
}

TEST_F(SessionTest, PollEventsParsesEventsAndIsNotRetried) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("event":{"eventType":"AgentMediaEvent_Record","workNo":"20011","content":{"fileName":"Y:/a.V3"}})");
  });
  auto events = s.PollEvents();
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event_type, "AgentMediaEvent_Record");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return MakeResponse(503, "busy"); });
  auto failed = s.PollEvents();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return MakeResponse(200, R"({"message":"","retcode":"0","event":{"eventTy)", {{"Content-Type", "application/json"}});
  });
  EXPECT_EQ(s.PollEvents().error().code, ErrorCode::kParse);
  EXPECT_EQ(fake->RequestCount(), 3u);
}

TEST_F(SessionTest, DownloadUrlEncodesTheRecordIdExactly) {
  auto s = SignedIn();
  auto url = s.RecordFileUrl({"Y:/1/0/a b&c+d#e%f?g=h;i,j.V3", 2, "256"});
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, std::string(kRoot) +
                      "recordfile/20011?recordId=Y%3A%2F1%2F0%2Fa%20b%26c%2Bd%23e%25f%3Fg%3Dh%3Bi%2Cj.V3&filetype=2"
                      "&locationId=256");
  EXPECT_EQ(*s.RecordFileUrl({"y:\\1\\录.V3"}), std::string(kRoot) + "recordfile/20011?recordId=y%3A%5C1%5C%E5%BD%95.V3&filetype=1");
  EXPECT_EQ(s.RecordFileUrl({""}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.RecordFileUrl({"x", 3}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.RecordFileUrl({"x", 1, "25a"}).error().code, ErrorCode::kInvalidArgument);
  auto bad = s.OpenRecordFile({"x", 0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(fake->RequestCount(), 0u);  // nothing sent for a bad request
}

TEST_F(SessionTest, ContentTypeDecidesBetweenFileAndError) {
  auto s = SignedIn();
  struct Case {
    HttpHeaders headers;
    std::string body;
    std::optional<ErrorCode> error;
    std::string vendor;
  };
  std::vector<Case> cases = {
      {{{"Content-Type", "application/octet-stream;charset=utf-8"}}, "\x01\x02{not json", std::nullopt, ""},
      {{{"Content-Type", "application/json;charset=UTF-8"}}, R"({"message":"x","retcode":"104-001","result":""})",
       ErrorCode::kPermissionDenied, "104-001"},
      {{{"Content-Type", "application/json"}}, R"({"message":"x","retcode":"104-010","result":""})",
       ErrorCode::kInvalidArgument, "104-010"},
      {{{"Content-Type", "application/json"}}, R"({"message":"","retcode":"0","result":""})", ErrorCode::kParse, ""},
      {{{"Content-Type", "application/json"}}, R"({"message":"x","retc)", ErrorCode::kParse, ""},
      {{{"Content-Type", "text/html"}}, "<html>proxy error</html>", ErrorCode::kParse, ""},
      {{}, R"( {"message":"x","retcode":"104-005","result":""})", ErrorCode::kNotFound, "104-005"},
      {{}, "RIFF....WAVEfmt ", std::nullopt, ""},
      {{}, R"({"not":"an envelope"})", std::nullopt, ""},
      {{}, "", ErrorCode::kIntegrity, ""},  // no recording file is 0 bytes (drain_failures_test.cpp)
      {{{"Content-Type", "audio/wav"}}, "RIFF", std::nullopt, ""},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.body);
    fake->Enqueue([&c](RecordedRequest const&) -> Result<HttpResponse> { return MakeResponse(200, c.body, c.headers); });
    auto r = s.OpenRecordFile({"Y:/a.V3"});
    if (c.error) {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, *c.error);
      EXPECT_EQ(r.error().vendor_code, c.vendor);
      EXPECT_EQ(r.error().http_status, 200);
    } else {
      ASSERT_TRUE(r) << r.error().ToString();
      EXPECT_EQ(ReadAll(*r), c.body);  // sniffed bytes are replayed
    }
  }
}

TEST_F(SessionTest, RetryableDownloadErrorsAreRetriedOthersAreNot) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("000-007"); });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return MakeResponse(502, "bad gateway"); });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("000-004"); });
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return File("ok"); });
  auto r = s.OpenRecordFile({"Y:/a.V3"});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(ReadAll(*r), "ok");
  EXPECT_EQ(fake->RequestCount(), 4u);
  fake->ClearRequests();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("104-005"); });
  EXPECT_EQ(s.OpenRecordFile({"Y:/a.V3"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(fake->RequestCount(), 1u);
}

TEST_F(SessionTest, ConversionFailureIsRetriedOnce) {
  auto s = SignedIn();
  fake->Route("GET", "recordfile", [](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("104-009"); });
  auto r = s.OpenRecordFile({"Y:/a.V3"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().vendor_code, "104-009");
  EXPECT_EQ(fake->RequestCount(), 2u);
  auto f2 = std::make_shared<FakeHttpTransport>();
  auto s2 = SignedIn(Options(f2, log));
  f2->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("104-009"); });
  f2->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return File("converted"); });
  auto ok = s2.OpenRecordFile({"Y:/a.V3"});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ReadAll(*ok), "converted");
}

TEST_F(SessionTest, LargeFilesWarnAndTheHardLimitFails) {
  auto o = Options(fake, log);
  o.max_file_bytes = 50'000'000;
  auto s = SignedIn(o);
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return File("abc", {{"Content-Length", "36000000"}});
  });
  auto r = s.OpenRecordFile({"Y:/big.V3"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(log.Contains("36000000 bytes; Huawei advises against downloading files over 30 MB"));
  r->body.reset();  // frees the download slot
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return File("abc", {{"Content-Length", "60000000"}});
  });
  auto too_big = s.OpenRecordFile({"Y:/huge.V3"});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidArgument);
  // Without Content-Length the limit applies while streaming.
  auto o2 = Options(fake, log);
  o2.max_file_bytes = 10;
  o2.large_file_warning_bytes = 5;
  auto s2 = SignedIn(o2);
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    HttpResponse resp;
    resp.status = 200;
    resp.headers = {{"Content-Type", "application/octet-stream"}};
    resp.body = ccrec::testing::MakeStringBodyReader(std::string(64, 'x'), 4);
    return resp;
  });
  auto streamed = s2.OpenRecordFile({"Y:/s.V3"});
  ASSERT_TRUE(streamed);
  auto body = streamed->ReadAll();
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(log.Contains("larger than 5 bytes"));
}

TEST_F(SessionTest, DownloadSlotsLimitConcurrentDownloadsPerAgent) {
  auto s = SignedIn();  // max_concurrent_downloads = 1
  fake->Route("GET", "recordfile", [](RecordedRequest const&) -> Result<HttpResponse> { return File("x"); });
  auto first = s.OpenRecordFile({"Y:/a.V3"});
  ASSERT_TRUE(first);
  ccrec::CallContext cancelled;
  cancelled.cancel.Cancel();
  auto second = s.OpenRecordFile({"Y:/b.V3"}, cancelled);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(fake->RequestCount(), 1u);
  EXPECT_EQ(ReadAll(*first), "x");  // the end of the body frees the slot
  auto third = s.OpenRecordFile({"Y:/c.V3"});
  ASSERT_TRUE(third);
  third->body.reset();  // so does dropping it
  ASSERT_TRUE(s.OpenRecordFile({"Y:/d.V3"}));
}

TEST_F(SessionTest, SignOutDeletesForgetsAndStopsRecovery) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return MakeResponse(200, R"({"retcode":"0","msg":"","result":null})", {{"Content-Type", "application/json"}});
  });
  ASSERT_TRUE(s.SignOut());
  auto req = fake->Requests().at(0);
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.url, std::string(kRoot) + "onlineagent/20011/logout");
  EXPECT_EQ(req.Header("Guid").value_or(""), "G1");
  EXPECT_FALSE(s.SignedIn());
  EXPECT_EQ(s.CurrentGuid(), "");
  auto after = s.OpenRecordFile({"Y:/a.V3"});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(fake->RequestCount(), 1u);
  EXPECT_TRUE(s.SignOut());  // idempotent, no request
  EXPECT_EQ(fake->RequestCount(), 1u);
}

TEST_F(SessionTest, SignOutOfALostSessionSucceeds) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("100-006"); });
  EXPECT_TRUE(s.SignOut());
  EXPECT_EQ(fake->RequestCount(), 1u);  // no re-sign-in just to sign out
  EXPECT_FALSE(s.SignedIn());
}

TEST_F(SessionTest, HeartbeatAndUpdateGuid) {
  auto s = SignedIn();
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", "\"result\":null"); });
  ASSERT_TRUE(s.Heartbeat());
  EXPECT_EQ(fake->Requests().back().method, "POST");
  EXPECT_EQ(fake->Requests().back().url, std::string(kRoot) + "onlineagent/20011/handshake");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return Envelope("0", R"("result":{"guid":"NEWG"})");
  });
  ASSERT_TRUE(s.UpdateGuid());
  EXPECT_EQ(fake->Requests().back().method, "PUT");
  EXPECT_EQ(fake->Requests().back().url, std::string(kRoot) + "onlineagent/20011/updateGuid");
  EXPECT_EQ(s.CurrentGuid(), "NEWG");
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("0", R"("result":{})"); });
  EXPECT_EQ(s.UpdateGuid().error().code, ErrorCode::kParse);
}

TEST_F(SessionTest, BadOptionsFailBeforeSending) {
  auto o = Options(fake, log);
  o.gateway_url = "not a url";
  EXPECT_EQ(AgentSession(o).SignIn().error().code, ErrorCode::kInvalidArgument);
  o = Options(fake, log);
  o.agent_id = "20011/../x";
  EXPECT_EQ(AgentSession(o).SignIn().error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fake->RequestCount(), 0u);
  AgentSession not_signed_in(Options(fake, log));
  EXPECT_EQ(not_signed_in.PollEvents().error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(fake->RequestCount(), 0u);
}

TEST_F(SessionTest, PasswordOnlyInTheSignInBody) {
  auto s = SignedIn();
  fake->Route("", "", [](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("100-006"); });
  (void)s.OpenRecordFile({"Y:/a.V3"});
  (void)s.PollEvents();
  (void)s.SignOut();
  auto o = Options(fake, log);
  AgentSession fresh(o);
  (void)fresh.SignIn();
  for (auto const& r : fake->Requests()) {
    EXPECT_EQ(r.url.find("S3cr"), std::string::npos) << r.url;
    for (auto const& [k, v] : r.headers) EXPECT_EQ(v.find("S3cr"), std::string::npos) << k;
    if (r.url.find("onlineagent/20011") == std::string::npos || r.method != "PUT") {
      EXPECT_EQ(r.body.find("S3cr"), std::string::npos);
    }
  }
  for (auto const& line : log.Lines()) EXPECT_EQ(line.find("S3cr"), std::string::npos) << line;
}

}  // namespace
