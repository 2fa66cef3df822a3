// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 4 end to end: `ccrec-export webex serve` receives webhook deliveries that the
// Webex CC emulator posts (signed, unsigned, badly signed, stale, oversize, replayed, out of order,
// flooded), spools them, and exports every recording of every announced task exactly once into a
// directory; a restart replays the spool; SIGTERM stops it cleanly.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;
using namespace std::chrono_literals;

constexpr char kDay[] = "2026-11-01";
constexpr char kSecret[] = "emulator-subscription-secret-0123456789";

/// `ccrec-export webex serve` in the background, stdout/stderr in files.
class Serve {
 public:
  Serve(std::vector<std::string> argv, std::map<std::string, std::string> const& env, std::string const& dir)
      : out_(dir + "/serve.out"), err_(dir + "/serve.err") {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
    for (auto const& [k, v] : env) env_strings.push_back(k + "=" + v);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
      ::dup2(::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
      std::vector<char*> args, envp;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      for (auto& e : env_strings) envp.push_back(e.data());
      envp.push_back(nullptr);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
  }
  ~Serve() {
    if (pid_ > 0 && code_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool WaitListening() {
    for (int i = 0; i < 300; ++i) {
      if (Out().find("listening on http") != std::string::npos) return true;
      if (Exited()) return false;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  /// SIGTERM, then the exit code (128 + 15 for a clean stop); -1 when it did not stop within 20 s.
  int Terminate() {
    ::kill(pid_, SIGTERM);
    for (auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
      if (Exited()) return code_;
      std::this_thread::sleep_for(50ms);
    }
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
    if (code_ >= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }
  std::string out_, err_;
  pid_t pid_ = -1;
  int code_ = -1;
};

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class WebexServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "40", "--day", kDay});
    dir_ = std::make_unique<TempDir>("ccrec-it-serve");
    token_file_ = *dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
    port_ = FreePort();
  }

  std::unique_ptr<Serve> StartServe(std::vector<std::string> const& extra = {}) {
    std::vector<std::string> argv{CCREC_EXPORT_BIN,     "webex", "serve", "--api-base-url", webex_->Get("base_url"),
                                  "--token-url",        webex_->Get("token_url"), "--token-file", token_file_,
                                  "--ca-file",          webex_->Get("ca_file"), "--dest", *dir_ / "dest",
                                  "--manifest",         *dir_ / "manifest.jsonl", "--spool-dir", *dir_ / "spool",
                                  "--listen",           "127.0.0.1:" + std::to_string(port_), "--retry-interval", "2s",
                                  "--log-level",        "info"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> env{{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                           {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")},
                                           {"CCREC_WEBEX_WEBHOOK_SECRET", kSecret}};
    auto serve = std::make_unique<Serve>(argv, env, dir_->Path());
    EXPECT_TRUE(serve->WaitListening()) << serve->Out() << serve->Err();
    return serve;
  }

  /// Telephony tasks with at least one stitched recording: task -> recording ids, most recordings first.
  std::vector<std::pair<std::string, std::vector<std::string>>> TasksWithRecordings() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/tasks?channelTypes=telephony",
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    auto doc = Json(body);
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (auto const& t : doc["tasks"].GetArray()) {
      std::vector<std::string> recs;
      for (auto const& r : t["recordings"]["stitched"].GetArray()) recs.push_back(r["recordingId"].GetString());
      if (!recs.empty()) out.push_back({t["id"].GetString(), recs});
    }
    std::stable_sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.second.size() > b.second.size(); });
    return out;
  }

  /// Asks the emulator to deliver; returns the HTTP statuses the receiver answered.
  std::vector<int> Deliver(std::string const& mode, std::vector<std::string> const& tasks, std::string extra = {},
                           std::string const& scheme = "http") {
    std::string ids;
    for (auto const& t : tasks) ids += (ids.empty() ? "\"" : ",\"") + t + "\"";
    std::string body = "{\"url\":\"" + scheme + "://127.0.0.1:" + std::to_string(port_) + "/webhooks/webex\",\"secret\":\"" +
                       kSecret + "\",\"mode\":\"" + mode + "\",\"taskIds\":[" + ids + "]" + extra + "}";
    auto [status, text] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/webhooks/deliver", body,
                                             "application/json", webex_->Get("ca_file"));
    EXPECT_EQ(status, 200) << text;
    std::vector<int> out;
    auto doc = Json(text);
    if (!doc.IsObject() || !doc.HasMember("deliveries")) return out;
    for (auto const& d : doc["deliveries"].GetArray()) out.push_back(d["status"].GetInt());
    return out;
  }

  /// (task, recording) -> number of "exported" manifest lines.
  std::map<std::pair<std::string, std::string>, int> Exported() {
    std::map<std::pair<std::string, std::string>, int> out;
    for (auto const& line : ccrec_it::ManifestRecordLines(*dir_ / "manifest.jsonl")) {
      auto doc = Json(line);
      if (doc.IsObject() && doc.HasMember("status") && std::string(doc["status"].GetString()) == "exported") {
        ++out[{doc["task_id"].GetString(), doc["recording_id"].GetString()}];
      }
    }
    return out;
  }

  bool WaitForExported(std::size_t n) {
    for (int i = 0; i < 600; ++i) {
      if (Exported().size() >= n) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::unique_ptr<ServerProcess> webex_;
  std::unique_ptr<TempDir> dir_;
  std::string token_file_;
  int port_ = 0;
};

TEST_F(WebexServeTest, ExportsEveryAnnouncedRecordingOnceAndRejectsBadDeliveries) {
  auto tasks = TasksWithRecordings();
  ASSERT_GE(tasks.size(), 6u);
  ASSERT_GE(tasks[0].second.size(), 2u) << "a task with several recordings (every one must land, not the last)";
  auto serve = StartServe();

  // Refused, and nothing spooled: unsigned, wrong secret, stale, oversize.
  for (int s : Deliver("unsigned", {tasks[5].first})) EXPECT_EQ(s, 401);
  for (int s : Deliver("bad-signature", {tasks[5].first})) EXPECT_EQ(s, 401);
  for (int s : Deliver("stale", {tasks[5].first})) EXPECT_EQ(s, 400);
  for (int s : Deliver("oversize", {tasks[5].first}, ",\"paddingBytes\":300000")) EXPECT_EQ(s, 413);

  // Accepted: signed, replayed, out of order (task events after capture events), flooded.
  for (int s : Deliver("signed", {tasks[0].first})) EXPECT_EQ(s, 200);
  for (int s : Deliver("replay", {tasks[1].first})) EXPECT_EQ(s, 200);
  for (int s : Deliver("out-of-order", {tasks[2].first, tasks[3].first})) EXPECT_EQ(s, 200);
  for (int s : Deliver("flood", {tasks[4].first}, ",\"count\":25")) EXPECT_EQ(s, 200);

  std::set<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 5; ++i) {
    for (auto const& r : tasks[i].second) expected.insert({tasks[i].first, r});
  }
  ASSERT_TRUE(WaitForExported(expected.size())) << serve->Err();
  std::this_thread::sleep_for(1s);  // a duplicate export would show up now
  auto exported = Exported();
  for (auto const& key : expected) EXPECT_EQ(exported[key], 1) << key.first << "/" << key.second;
  for (auto const& [key, n] : exported) {
    EXPECT_TRUE(expected.count(key)) << "not announced (or refused delivery exported): " << key.first;
    (void)n;
  }
  // Every recording of the task with the most recordings, byte-exact.
  for (auto const& r : tasks[0].second) {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/expected?task_id=" + tasks[0].first +
                                                "&recording_id=" + r,
                                            webex_->Get("ca_file"));
    ASSERT_EQ(status, 200);
    auto want = Json(body);
    std::string file = want["fileName"].GetString();
    auto data = ccrec_it::ReadFile(*dir_ / ("dest/call-detail/" + tasks[0].first + "/" + r + file.substr(file.rfind('.'))));
    EXPECT_EQ(ccrec_it::Sha256Hex(data), want["sha256"].GetString());
  }
  auto err = serve->Err();
  EXPECT_EQ(err.find(kSecret), std::string::npos) << "the secret must never be logged";
  EXPECT_EQ(serve->Terminate(), 128 + SIGTERM) << err;
  EXPECT_NE(serve->Err().find("webex serve: stopped"), std::string::npos);
}

TEST_F(WebexServeTest, ReplaysTheSpoolAfterARestart) {
  auto tasks = TasksWithRecordings();
  ASSERT_FALSE(tasks.empty());
  // An event accepted by a previous process that stopped before exporting it.
  ::mkdir((*dir_ / "spool").c_str(), 0700);
  std::string const id = "evt-left-by-a-crash";
  ccrec_it::WriteFile(*dir_ / ("spool/" + ccrec_it::Sha256Hex(id) + ".json"),
                      "{\"id\":\"" + id + "\",\"type\":\"capture:available\",\"data\":{\"taskId\":\"" +
                          tasks[0].first + "\"}}");
  auto serve = StartServe();
  ASSERT_TRUE(WaitForExported(tasks[0].second.size())) << serve->Err();
  for (int i = 0; i < 100 && ::access((*dir_ / ("spool/" + ccrec_it::Sha256Hex(id) + ".json")).c_str(), F_OK) == 0; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(::access((*dir_ / ("spool/" + ccrec_it::Sha256Hex(id) + ".json")).c_str(), F_OK), 0)
      << "the spooled event is removed once its task is exported";
  EXPECT_EQ(serve->Terminate(), 128 + SIGTERM);
}

TEST_F(WebexServeTest, TerminatesTlsWithTlsCertAndTlsKey) {
  auto tasks = TasksWithRecordings();
  ASSERT_FALSE(tasks.empty());
  auto serve = StartServe({"--tls-cert", webex_->StateDir() + "/server.pem", "--tls-key",
                           webex_->StateDir() + "/server.key"});
  EXPECT_NE(serve->Out().find("listening on https://"), std::string::npos) << serve->Out();
  for (int s : Deliver("signed", {tasks[0].first}, ",\"caFile\":\"" + webex_->Get("ca_file") + "\"", "https")) {
    EXPECT_EQ(s, 200);
  }
  EXPECT_TRUE(WaitForExported(tasks[0].second.size())) << serve->Err();
  EXPECT_EQ(serve->Terminate(), 128 + SIGTERM);
}

TEST_F(WebexServeTest, SubscriptionsCreateListDeleteAndRefuseHttp) {
  std::vector<std::string> common{"--api-base-url", webex_->Get("base_url"), "--token-url", webex_->Get("token_url"),
                                  "--token-file",   token_file_,             "--ca-file",   webex_->Get("ca_file")};
  std::map<std::string, std::string> env{{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                         {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")},
                                         {"CCREC_WEBEX_WEBHOOK_SECRET", kSecret}};
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{CCREC_EXPORT_BIN, "webex", "subscriptions"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), common.begin(), common.end());
    return ccrec_it::RunProgram(argv, env);
  };
  auto refused = run({"create", "--destination-url", "http://recorder.example.com/webhooks/webex"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("https://"), std::string::npos) << refused.err;

  auto created = run({"create", "--destination-url", "https://recorder.example.com/webhooks/webex"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto id = created.out.substr(0, created.out.find('\t'));
  EXPECT_NE(created.out.find("\tactive\tv1\tcapture:available\thttps://recorder.example.com/webhooks/webex"),
            std::string::npos)
      << created.out;
  EXPECT_EQ(created.out.find(kSecret), std::string::npos);
  auto listed = run({"list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos);
  auto deleted = run({"delete", id});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(run({"list"}).out.find(id), std::string::npos);
  auto again = run({"delete", id});
  EXPECT_EQ(again.exit_code, 1);
}

}  // namespace
