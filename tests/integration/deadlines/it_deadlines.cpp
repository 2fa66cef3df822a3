// SPDX-License-Identifier: Apache-2.0
// Integration: every control-plane request kind has a total deadline. Each emulator (or the
// loopback http_test_server for S3) trickles the answer of one endpoint at 2 bytes/s (emulib's
// trickle_path / trickle_bytes_per_second knobs); the transport's low-speed floor (1 byte/s for
// 60 s) never fires on that, so only the request's total timeout (set to 1 s here) ends it, with
// kDeadlineExceeded, after about that long.

#include "integration/harness.hpp"

#include <ccrec/core/token_store.hpp>
#include <ccrec/face/client.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr auto kTimeout = 1000ms;
// The deadline must have been what ended the call: not much earlier, and well before anything
// else could have (the trickled bodies would take minutes; the low-speed floor 60 s).
constexpr auto kAtLeast = 900ms;
constexpr auto kAtMost = 6000ms;

std::vector<std::string> Trickle(std::string const& path) {
  return {"--trickle-path", path, "--trickle-bytes-per-second", "2"};
}

std::shared_ptr<ccrec::HttpTransport> Transport(ServerProcess const& server) {
  ccrec::CurlOptions o;
  o.ca_file = server.Get("ca_file");
  return ccrec::MakeCurlTransport(o);
}

template <typename T>
void ExpectDeadline(ccrec::Result<T> const& result, Steady::time_point started, std::string const& what) {
  auto const took = Steady::now() - started;
  ASSERT_FALSE(result) << what << " succeeded against a trickling server";
  EXPECT_EQ(result.error().code, ccrec::ErrorCode::kDeadlineExceeded) << what << ": " << result.error().ToString();
  EXPECT_GE(took, kAtLeast) << what;
  EXPECT_LE(took, kAtMost) << what << " took "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

bool LockIsFree(std::string const& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool const free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (free) ::flock(fd, LOCK_UN);
  ::close(fd);
  return free;
}

ccrec::OAuthToken ExpiredToken(std::string refresh) {
  ccrec::OAuthToken t;
  t.access_token = "expired";
  t.expires_at = std::chrono::system_clock::now() - 1h;
  t.refresh_token = std::move(refresh);
  return t;
}

ccrec::webex::OAuthClientOptions OAuthOptions(ServerProcess const& webex, std::shared_ptr<ccrec::TokenStore> store) {
  ccrec::webex::OAuthClientOptions o;
  o.config.client_id = webex.Get("client_id");
  o.config.client_secret = webex.Get("client_secret");
  o.config.token_url = webex.Get("token_url");
  o.store = std::move(store);
  o.transport = Transport(webex);
  o.request_timeout = kTimeout;
  return o;
}

// One Webex CC emulator for the Webex tests; each sets the path that trickles. A trickled token
// answer still rotates the refresh token server-side, hence the grace period.
class WebexDeadlines : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "6", "--day", "2026-11-01",
                                                    "--refresh-grace-seconds", "3600"}).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static void TrickleOn(std::string const& path) {
    auto [status, text] = ccrec_it::HttpPost(server_->Get("base_url") + "/_emulator/config",
                                             R"({"trickle_path":")" + path + R"(","trickle_bytes_per_second":2})",
                                             "application/json", server_->Get("ca_file"));
    ASSERT_EQ(status, 200) << text;
  }
  static ServerProcess* server_;
};

ServerProcess* WebexDeadlines::server_ = nullptr;

TEST_F(WebexDeadlines, TricklingTokenEndpointTimesOutAndReleasesTheTokenFileLock) {
  TrickleOn("/v1/access_token");
  auto const* webex = server_;
  TempDir dir("ccrec-it-deadline-token");
  auto store = ccrec::MakeJsonFileTokenStore(dir / "token.json");
  ASSERT_TRUE(store->Save(ExpiredToken(webex->Get("refresh_token"))));
  ccrec::webex::OAuthClient oauth(OAuthOptions(*webex, store));
  auto started = Steady::now();
  auto token = oauth.AccessToken({});
  ExpectDeadline(token, started, "token refresh");
  EXPECT_TRUE(LockIsFree(dir / "token.json.lock")) << "the refresh lock must not outlive the timed-out request";
}

TEST_F(WebexDeadlines, CliRequestTimeoutBoundsATricklingTokenEndpoint) {
  TrickleOn("/v1/access_token");
  auto const* webex = server_;
  TempDir dir("ccrec-it-deadline-cli");
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteFile(token_file, R"({"access_token":"","token_type":"Bearer","expires_at":0,"refresh_token":")" +
                                      webex->Get("refresh_token") + "\"}");
  ::chmod(token_file.c_str(), 0600);
  auto started = Steady::now();
  auto run = ccrec_it::RunProgram(
      {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex->Get("base_url"), "--token-url", webex->Get("token_url"),
       "--token-file", token_file, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--dest",
       dir / "archive", "--ca-file", webex->Get("ca_file"), "--request-timeout", "1"},
      {{"CCREC_WEBEX_CLIENT_ID", webex->Get("client_id")}, {"CCREC_WEBEX_CLIENT_SECRET", webex->Get("client_secret")}},
      {}, std::chrono::seconds(60));
  auto const took = Steady::now() - started;
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("timed out"), std::string::npos) << run.err;
  EXPECT_LE(took, 10s) << run.err;
}

TEST_F(WebexDeadlines, TricklingApiPageTimesOut) {
  TrickleOn("/v1/tasks");
  auto const* webex = server_;
  auto oauth = std::make_shared<ccrec::webex::OAuthClient>(
      OAuthOptions(*webex, ccrec::MakeMemoryTokenStore(ExpiredToken(webex->Get("refresh_token")))));
  ccrec::webex::ClientOptions o;
  o.base_url = webex->Get("base_url");
  o.tokens = oauth;
  o.transport = Transport(*webex);
  o.request_timeout = kTimeout;
  ccrec::webex::Client client(o);
  ASSERT_TRUE(oauth->AccessToken({})) << "the token endpoint does not trickle";
  ccrec::webex::TaskQuery q;
  q.from = std::chrono::system_clock::time_point(1793491200000ms);
  q.to = q.from + 24h;
  auto started = Steady::now();
  ExpectDeadline(client.ListTasksPage(q), started, "GET /v1/tasks");
}

TEST(Deadlines, TricklingFaceCommandTimesOut) {
  auto args = Trickle("/Face/audioRecording/details");
  args.insert(args.end(), {"--recordings", "5"});
  auto face = ServerProcess::Start("face_server.py", args);
  ccrec::face::ClientOptions o;
  o.base_url = face->Get("face_url");
  o.user_email = face->Get("user_email");
  o.password = face->Get("password");
  o.transport = Transport(*face);
  o.request_timeout = kTimeout;
  ccrec::face::Client client(o);
  ASSERT_TRUE(client.Login()) << "login does not trickle";
  ccrec::face::SearchCriteria c;
  c.ani = "7777";
  auto started = Steady::now();
  ExpectDeadline(client.SearchRecordings(c), started, "FACE audioRecording/details");
}

TEST(Deadlines, TricklingLegacyV1PageTimesOut) {
  auto args = Trickle("/aws/api/");
  args.insert(args.end(), {"--csrs-per-day", "5", "--burst-size", "5", "--agents", "2"});
  auto legacy = ServerProcess::Start("webex_legacy.py", args);
  ccrec::webex_legacy::ClientOptions o;
  o.base_url = legacy->Get("base_url");
  o.credentials = {legacy->Get("user_id"), legacy->Get("api_key"), legacy->Get("tenant_id"), true};
  o.transport = Transport(*legacy);
  o.request_timeout = kTimeout;
  ccrec::webex_legacy::Client client(o);
  ccrec::webex_legacy::Query q;
  q.date_begin = std::chrono::system_clock::time_point(1793491200000ms);
  q.date_end = q.date_begin + 1h;
  auto started = Steady::now();
  ExpectDeadline(client.QueryPage(ccrec::webex_legacy::RecordType::kCsr, q), started, "v1 CSR page");
}

TEST(Deadlines, TricklingHuaweiSignInTimesOut) {
  auto gateway = ServerProcess::Start("huawei_gateway.py", Trickle("/agentgateway/resource/onlineagent/"));
  ccrec::huawei::AgentSessionOptions o;
  o.gateway_url = gateway->Get("gateway_url");
  o.agent_id = gateway->Get("agent_id");
  o.password = gateway->Get("password");
  o.phone_number = gateway->Get("phone");
  o.transport = Transport(*gateway);
  o.request_timeout = kTimeout;
  ccrec::huawei::AgentSession session(o);
  auto started = Steady::now();
  ExpectDeadline(session.SignIn(), started, "Huawei sign-in");
}

TEST(Deadlines, TricklingS3ControlCallsTimeOut) {
  auto server = ServerProcess::Start("http_test_server.py");
  ccrec::s3::S3SinkOptions o;
  o.bucket = "bkt";
  o.endpoint = server->Get("base_url") + "/trickle/2";  // every S3 call lands on the trickling route
  o.path_style = true;
  o.transport = Transport(*server);
  ccrec::s3::AwsCredentials creds;
  creds.access_key_id = "AKIDTEST";
  creds.secret_access_key = "secret";
  o.credentials = ccrec::s3::MakeStaticCredentialsProvider(creds);
  o.multipart_threshold = 5 * ccrec::s3::kMiB;
  o.part_size = 5 * ccrec::s3::kMiB;
  o.request_timeout = kTimeout;
  auto sink = ccrec::s3::MakeS3Sink(o);
  ASSERT_TRUE(sink) << sink.error().ToString();

  // HeadObject: the status line and headers themselves trickle.
  auto started = Steady::now();
  ExpectDeadline((*sink)->Stat("a.wav"), started, "S3 HeadObject");

  // CreateMultipartUpload: the XML answer trickles.
  auto writer = (*sink)->Open("b.wav", {});
  ASSERT_TRUE(writer) << writer.error().ToString();
  std::string const data(6 * ccrec::s3::kMiB, 'x');
  started = Steady::now();
  auto written = (*writer)->Write(data.data(), data.size());
  ccrec::Result<ccrec::ObjectInfo> finished =
      written ? (*writer)->Finish() : ccrec::Result<ccrec::ObjectInfo>(written.error());
  ExpectDeadline(finished, started, "S3 CreateMultipartUpload");
  (*writer)->Abort();
}

}  // namespace
