// SPDX-License-Identifier: Apache-2.0
// Issue 13 items 1 and 6 end to end: `ccrec-export webex login` against the Webex CC emulator's
// authorize and token endpoints, the test playing the browser (it follows the authorize
// redirect to the program's loopback listener), and `webex token refresh`.
#include "integration/harness.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;
using namespace std::chrono_literals;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// A program running in the background with stdout and stderr in files (the test reads the
/// authorize URL from stdout while the program waits for the browser).
class Background {
 public:
  Background(std::vector<std::string> argv, std::map<std::string, std::string> const& env, TempDir const& dir)
      : out_(dir / "stdout.txt"), err_(dir / "stderr.txt") {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (env.count(entry.substr(0, entry.find('='))) == 0) env_strings.push_back(entry);
    }
    for (auto const& [k, v] : env) env_strings.push_back(k + "=" + v);
    pid_ = ::fork();
    if (pid_ == 0) {
      int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = ::open("/dev/null", O_RDONLY);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::dup2(in, 0);
      std::vector<char*> args, envp;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      for (auto& e : env_strings) envp.push_back(e.data());
      envp.push_back(nullptr);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0 && exit_code_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  /// The first stdout line starting with `prefix`, waiting up to 30 s.
  std::string WaitForLine(std::string const& prefix) {
    for (int i = 0; i < 300; ++i) {
      std::string text = Out();
      for (std::size_t start = 0; start < text.size();) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) break;
        std::string line = text.substr(start, end - start);
        if (line.rfind(prefix, 0) == 0) return line;
        start = end + 1;
      }
      if (Exited()) break;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "no line starting with " << prefix << "; stdout: " << Out() << "\nstderr: " << Err();
    return {};
  }
  int Wait(std::chrono::seconds limit = 60s) {
    for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
      if (Exited()) return exit_code_;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the program did not exit";
    return -1;
  }
  std::string Out() const { return Read(out_); }
  std::string Err() const { return Read(err_); }

 private:
  static std::string Read(std::string const& path) {
    try {
      return ccrec_it::ReadFile(path);
    } catch (...) {
      return {};
    }
  }
  bool Exited() {
    if (exit_code_ >= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }
  std::string out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

/// GET without following redirects: status, Location header and body.
struct Page {
  int status = 0;
  std::string location;
  std::string body;
};
Page Browse(std::string const& url, std::string const& ca_file = {}, ccrec::HttpHeaders headers = {}) {
  ccrec::CurlOptions options;
  options.ca_file = ca_file;
  auto transport = ccrec::MakeCurlTransport(options);
  ccrec::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.headers = std::move(headers);
  auto response = transport->Send(request, ccrec::CallContext{});
  Page page;
  if (!response) {
    page.body = "transport error: " + response.error().ToString();
    return page;
  }
  page.status = response->status;
  page.location = ccrec::FindHeader(response->headers, "Location").value_or("");
  auto body = response->ReadAll(1 << 20);
  if (body) page.body = *body;
  return page;
}

std::string Replace(std::string text, std::string const& from, std::string const& to) {
  auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class WebexLoginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = FreePort();
    redirect_ = "http://127.0.0.1:" + std::to_string(port_) + "/callback";
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "2", "--redirect-uri", redirect_}).release();
  }
  static void TearDownTestSuite() { delete webex_; }
  void TearDown() override { Configure(R"({"authorize_decision":"accept","refresh_token_ttl":7776000})"); }

  static void Configure(std::string const& json) {
    auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config", json, "application/json",
                                             webex_->Get("ca_file"));
    ASSERT_EQ(status, 200) << body;
  }
  std::map<std::string, std::string> Env() {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }
  std::vector<std::string> Login(std::string const& token_file, std::string const& redirect_uri,
                                 std::vector<std::string> extra = {}) {
    std::vector<std::string> args{CCREC_EXPORT_BIN, "webex", "login", "--token-file", token_file,
                                  "--token-url", webex_->Get("token_url"), "--authorize-url",
                                  webex_->Get("authorize_url"), "--redirect-uri", redirect_uri, "--ca-file",
                                  webex_->Get("ca_file"), "--timeout", "30s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::vector<std::string> Refresh(std::string const& token_file) {
    return {CCREC_EXPORT_BIN, "webex", "token", "refresh", "--token-file", token_file, "--token-url",
            webex_->Get("token_url"), "--ca-file", webex_->Get("ca_file")};
  }

  static ServerProcess* webex_;
  static int port_;
  static std::string redirect_;
};

ServerProcess* WebexLoginTest::webex_ = nullptr;
int WebexLoginTest::port_ = 0;
std::string WebexLoginTest::redirect_;

TEST_F(WebexLoginTest, TheBrowserRedirectIsExchangedAndTheTokenFileWritten) {
  TempDir dir("ccrec-it-login");
  std::string const token_file = dir / "token.json";
  Background login(Login(token_file, redirect_), Env(), dir);
  std::string const url = login.WaitForLine("https://");
  ASSERT_FALSE(url.empty());
  EXPECT_NE(url.find("state="), std::string::npos) << url;
  EXPECT_NE(url.find("scope=cjp%3Aconfig_read"), std::string::npos) << url;

  auto authorize = Browse(url, webex_->Get("ca_file"));
  ASSERT_EQ(authorize.status, 302) << authorize.body;
  ASSERT_EQ(authorize.location.rfind(redirect_ + "?code=", 0), 0u) << authorize.location;
  EXPECT_EQ(Browse("http://127.0.0.1:" + std::to_string(port_) + "/favicon.ico").status, 404)
      << "another path must not end the login";
  // An oversized request (over 8 KiB of headers) is refused and does not end the login either.
  auto big = Browse(authorize.location, {},
                    {{"X-Padding-1", std::string(5000, 'x')}, {"X-Padding-2", std::string(5000, 'x')}});
  EXPECT_EQ(big.status, 431) << big.body;
  EXPECT_EQ(big.body.find("Authorization received"), std::string::npos) << big.body;
  auto landing = Browse(authorize.location);
  EXPECT_EQ(landing.status, 200) << landing.body;
  EXPECT_NE(landing.body.find("Authorization received"), std::string::npos) << landing.body;
  std::string const code = authorize.location.substr(authorize.location.find("code=") + 5,
                                                     authorize.location.find('&') - authorize.location.find("code=") - 5);
  EXPECT_EQ(landing.body.find(code), std::string::npos) << "the page repeats the code";

  ASSERT_EQ(login.Wait(), 0) << login.Err();
  EXPECT_NE(login.Out().find("wrote " + token_file + " (mode 0600)"), std::string::npos) << login.Out();
  EXPECT_EQ(login.Err().find(code), std::string::npos) << "the code was logged";
  struct stat st {};
  ASSERT_EQ(::stat(token_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto doc = ccrec_it::Json(ccrec_it::ReadFile(token_file));
  ASSERT_TRUE(doc.HasMember("refresh_token_expires_at")) << "the refresh token's expiry is kept";
  std::string const first_refresh = doc["refresh_token"].GetString();

  // Item 6: `webex token refresh` refreshes and persists the rotated token.
  auto refresh = ccrec_it::RunProgram(Refresh(token_file), Env());
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_NE(refresh.out.find("refreshed the Webex token in " + token_file), std::string::npos) << refresh.out;
  auto after = ccrec_it::Json(ccrec_it::ReadFile(token_file));
  EXPECT_NE(std::string(after["refresh_token"].GetString()), first_refresh) << "the rotated token was not persisted";
  EXPECT_EQ(refresh.err.find("refresh token expires"), std::string::npos) << refresh.err;
  EXPECT_EQ(refresh.out.find(after["refresh_token"].GetString()), std::string::npos) << "a token was printed";
}

TEST_F(WebexLoginTest, EveryRunWarnsWhenTheRefreshTokenExpiresWithinSevenDays) {
  Configure(R"({"refresh_token_ttl":259200})");  // 3 days
  TempDir dir("ccrec-it-login-warn");
  std::string const token_file = dir / "token.json";
  Background login(Login(token_file, redirect_), Env(), dir);
  auto authorize = Browse(login.WaitForLine("https://"), webex_->Get("ca_file"));
  ASSERT_EQ(authorize.status, 302) << authorize.body;
  EXPECT_EQ(Browse(authorize.location).status, 200);
  ASSERT_EQ(login.Wait(), 0) << login.Err();
  EXPECT_NE(login.Err().find("refresh token expires at"), std::string::npos) << login.Err();
  auto refresh = ccrec_it::RunProgram(Refresh(token_file), Env());
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_NE(refresh.err.find("refresh token expires at"), std::string::npos) << refresh.err;
  EXPECT_NE(refresh.err.find("re-authorize"), std::string::npos) << refresh.err;

  // An export run with nothing to do (the checkpoint is at the window's end) makes no API call,
  // and warns all the same.
  std::string const manifest = dir / "manifest.jsonl";
  ccrec_it::WriteFile(manifest + ".checkpoint.json",
                      R"({"source":"webex","next_from_ms":1793577600000,"next_from":"2026-11-02T00:00:00Z"})");
  auto idle = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "webex", "--token-file", token_file, "--since-last-run",
                                    "--to", "2026-11-02T00:00:00Z", "--manifest", manifest, "--dest",
                                    dir / "archive", "--api-base-url", webex_->Get("base_url")},
                                   Env());
  ASSERT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_NE(idle.err.find("nothing to do"), std::string::npos) << idle.err;
  EXPECT_NE(idle.err.find("refresh token expires at"), std::string::npos) << idle.err;
}

TEST_F(WebexLoginTest, ADeclinedAuthorizationIsAccessDenied) {
  Configure(R"({"authorize_decision":"deny"})");
  TempDir dir("ccrec-it-login-deny");
  std::string const token_file = dir / "token.json";
  Background login(Login(token_file, redirect_), Env(), dir);
  auto authorize = Browse(login.WaitForLine("https://"), webex_->Get("ca_file"));
  ASSERT_EQ(authorize.status, 302) << authorize.body;
  EXPECT_NE(authorize.location.find("error=access_denied"), std::string::npos) << authorize.location;
  EXPECT_EQ(Browse(authorize.location).status, 403);
  EXPECT_EQ(login.Wait(), 1) << login.Err();
  EXPECT_NE(login.Err().find("authorization declined (access_denied)"), std::string::npos) << login.Err();
  EXPECT_NE(::access(token_file.c_str(), F_OK), 0) << "a token file was written";
}

TEST_F(WebexLoginTest, AStateMismatchIsRefusedAndTheCodeNotUsed) {
  TempDir dir("ccrec-it-login-state");
  std::string const token_file = dir / "token.json";
  Background login(Login(token_file, redirect_), Env(), dir);
  std::string const url = login.WaitForLine("https://");
  std::string const state = url.substr(url.find("state=") + 6);
  auto authorize = Browse(Replace(url, "state=" + state, "state=forged-by-someone"), webex_->Get("ca_file"));
  ASSERT_EQ(authorize.status, 302) << authorize.body;
  EXPECT_EQ(Browse(authorize.location).status, 400);
  EXPECT_EQ(login.Wait(), 1) << login.Err();
  EXPECT_NE(login.Err().find("state mismatch"), std::string::npos) << login.Err();
  EXPECT_NE(::access(token_file.c_str(), F_OK), 0) << "a token file was written";
  // The code was not spent: it still works once (here redeemed with the registered redirect URI).
  std::string const code = authorize.location.substr(authorize.location.find("code=") + 5,
                                                     authorize.location.find('&') - authorize.location.find("code=") - 5);
  auto [status, body] = ccrec_it::HttpPost(webex_->Get("token_url"),
                                           "grant_type=authorization_code&client_id=" + webex_->Get("client_id") +
                                               "&client_secret=" + webex_->Get("client_secret") + "&code=" + code +
                                               "&redirect_uri=http%3A%2F%2F127.0.0.1%3A" + std::to_string(port_) +
                                               "%2Fcallback",
                                           "application/x-www-form-urlencoded", webex_->Get("ca_file"));
  EXPECT_EQ(status, 200) << body;
}

TEST_F(WebexLoginTest, NoRedirectWithinTheTimeoutIsATimeout) {
  TempDir dir("ccrec-it-login-timeout");
  auto started = std::chrono::steady_clock::now();
  auto run = ccrec_it::RunProgram(Login(dir / "token.json", redirect_, {"--timeout", "1s"}), Env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("timeout: no authorization redirect arrived"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("within 1 s"), std::string::npos) << run.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
}

TEST_F(WebexLoginTest, AWrongRedirectUriIsNamed) {
  TempDir dir("ccrec-it-login-redirect");
  std::string const token_file = dir / "token.json";
  // Not one the listener can receive: a usage error before anything happens.
  auto usage = ccrec_it::RunProgram(Login(token_file, "https://app.example.com/callback"), Env());
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_NE(usage.err.find("redirect URI \"https://app.example.com/callback\""), std::string::npos) << usage.err;
  EXPECT_NE(usage.err.find("--no-listen"), std::string::npos) << usage.err;

  // A loopback URI that is not the registered one: the authorization server refuses to redirect
  // (the browser shows its error page) and a code issued for the registered one is refused at the
  // exchange, with the reason named.
  int const other_port = FreePort();
  std::string const wrong = "http://127.0.0.1:" + std::to_string(other_port) + "/callback";
  Background login(Login(token_file, wrong), Env(), dir);
  std::string const url = login.WaitForLine("https://");
  auto refused = Browse(url, webex_->Get("ca_file"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("redirect_uri mismatch"), std::string::npos) << refused.body;
  std::string const encoded_wrong = "http%3A%2F%2F127.0.0.1%3A" + std::to_string(other_port) + "%2Fcallback";
  std::string const encoded_right = "http%3A%2F%2F127.0.0.1%3A" + std::to_string(port_) + "%2Fcallback";
  auto issued = Browse(Replace(url, encoded_wrong, encoded_right), webex_->Get("ca_file"));
  ASSERT_EQ(issued.status, 302) << issued.body;
  EXPECT_EQ(Browse(Replace(issued.location, redirect_, wrong)).status, 200);
  EXPECT_EQ(login.Wait(), 1) << login.Err();
  EXPECT_NE(login.Err().find("is not exactly the redirect URI registered with the integration"), std::string::npos)
      << login.Err();
  EXPECT_NE(::access(token_file.c_str(), F_OK), 0) << "a token file was written";
}

TEST_F(WebexLoginTest, NoListenReadsThePastedCode) {
  TempDir dir("ccrec-it-login-paste");
  std::string const token_file = dir / "token.json";
  // The user's browser: the code from an authorize redirect (any state; a bare code has none).
  auto authorize = Browse(webex_->Get("authorize_url") + "?response_type=code&client_id=" + webex_->Get("client_id") +
                              "&redirect_uri=http%3A%2F%2F127.0.0.1%3A" + std::to_string(port_) +
                              "%2Fcallback&scope=cjp%3Aconfig_read&state=x",
                          webex_->Get("ca_file"));
  ASSERT_EQ(authorize.status, 302) << authorize.body;
  std::string const code = authorize.location.substr(authorize.location.find("code=") + 5,
                                                     authorize.location.find('&') - authorize.location.find("code=") - 5);
  auto run = ccrec_it::RunProgram(Login(token_file, redirect_, {"--no-listen"}), Env(), code + "\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("state cannot be checked"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("wrote " + token_file), std::string::npos) << run.out;

  // A pasted redirect URL with another login's state is refused.
  auto pasted = ccrec_it::RunProgram(Login(dir / "other.json", redirect_, {"--no-listen"}), Env(),
                                     redirect_ + "?code=whatever&state=not-this-login\n");
  EXPECT_EQ(pasted.exit_code, 1) << pasted.err;
  EXPECT_NE(pasted.err.find("state mismatch"), std::string::npos) << pasted.err;
}

}  // namespace
