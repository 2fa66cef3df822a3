// SPDX-License-Identifier: Apache-2.0
// Several processes (redis_driver) sharing one Webex integration through one redis-server,
// against the Webex CC emulator (issue 15 item 3):
//  - tokens: 8 processes x 16 threads, 4 s access tokens with rotating refresh tokens: one token
//    request per expiry, zero invalid_grant (refresh token reuse), zero 401;
//  - rate limit: 4 processes x 8 workers against the emulator enforcing N requests per window:
//    zero 429, and at most N requests in any window in the emulator's request log. The window is
//    scaled down from Webex's 300 per 60 s to 20 per 3 s (the emulator and the limiter both take
//    the window as a parameter) so that the test crosses three windows in about 12 s.

#include "integration/redis/redis_server.hpp"

#include <ccrec/redis/redis_token_store.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using ccrec_it::ServerProcess;

/// Starts `count` drivers at once (fork + exec, output to files), waits for all; returns their
/// exit codes and output.
std::vector<std::pair<int, std::string>> RunDrivers(int count, std::vector<std::string> const& args,
                                                    ccrec_it::TempDir const& dir) {
  std::vector<pid_t> pids;
  for (int i = 0; i < count; ++i) {
    std::string out = dir / ("driver-" + std::to_string(i) + ".out");
    std::vector<std::string> argv = {CCREC_REDIS_DRIVER};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (auto& s : argv) c_argv.push_back(s.data());
    c_argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
      execv(c_argv[0], c_argv.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  std::vector<std::pair<int, std::string>> results;
  for (int i = 0; i < count; ++i) {
    int status = 0;
    waitpid(pids[static_cast<std::size_t>(i)], &status, 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    results.emplace_back(code, ccrec_it::ReadFile(dir / ("driver-" + std::to_string(i) + ".out")));
  }
  return results;
}

std::int64_t Counter(rapidjson::Document const& stats, char const* name) {
  auto it = stats.FindMember(name);
  return it != stats.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::int64_t Responses(rapidjson::Document const& stats, char const* endpoint, char const* status) {
  auto r = stats.FindMember("responses");
  if (r == stats.MemberEnd() || !r->value.IsObject()) return 0;
  auto e = r->value.FindMember(endpoint);
  if (e == r->value.MemberEnd() || !e->value.IsObject()) return 0;
  auto s = e->value.FindMember(status);
  return s != e->value.MemberEnd() && s->value.IsInt64() ? s->value.GetInt64() : 0;
}

class RedisMultiProcess : public ::testing::Test {
 protected:
  void Seed(std::vector<std::string> const& emulator_args) {
    redis_ = ccrec_it::RedisServer::Start();
    std::vector<std::string> args = {"--plain-http", "--tasks-per-day", "24", "--day", "2026-11-01"};
    args.insert(args.end(), emulator_args.begin(), emulator_args.end());
    webex_ = ServerProcess::Start("webex_cc.py", args);
    // The stored token: an expired access token and the emulator's refresh token.
    auto loc = ccrec::redis::ParseRedisUrl(redis_->Url("mp"));
    ASSERT_TRUE(loc);
    ccrec::redis::RedisTokenStoreOptions o;
    o.server = loc->server;
    o.key = "mp:token";
    ccrec::OAuthToken t;
    t.access_token = "expired";
    t.expires_at = std::chrono::system_clock::now() - 1s;
    t.refresh_token = webex_->Get("refresh_token");
    ASSERT_TRUE(ccrec::redis::MakeRedisTokenStore(o)->Save(t));
  }

  std::vector<std::string> DriverArgs(std::string const& mode, int threads) const {
    return {"--mode",         mode,
            "--redis",        redis_->Url("mp"),
            "--api-base-url", webex_->Get("base_url"),
            "--token-url",    webex_->Get("token_url"),
            "--client-id",    webex_->Get("client_id"),
            "--client-secret", webex_->Get("client_secret"),
            "--threads",      std::to_string(threads)};
  }

  rapidjson::Document Get(std::string const& path) const {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + path);
    EXPECT_EQ(status, 200) << body;
    return ccrec_it::Json(body);
  }

  std::unique_ptr<ccrec_it::RedisServer> redis_;
  std::unique_ptr<ServerProcess> webex_;
  ccrec_it::TempDir dir_{"ccrec-redis-mp"};
};

TEST_F(RedisMultiProcess, EightProcessesRefreshOncePerExpiryWithoutInvalidGrant) {
  Seed({"--access-token-ttl", "4"});
  constexpr int kSeconds = 10;
  auto args = DriverArgs("tokens", 16);
  args.insert(args.end(), {"--seconds", std::to_string(kSeconds)});
  auto results = RunDrivers(8, args, dir_);
  for (auto const& [code, out] : results) EXPECT_EQ(code, 0) << out;
  auto stats = Get("/_emulator/stats");
  // 4 s tokens refreshed with 1 s left: one refresh at the start and one every 3 s, so 4 in
  // 10 s (5 when the last falls due just before the drivers stop). Processes refreshing on their
  // own would make about 8 per expiry.
  EXPECT_GE(Counter(stats, "token_refreshes"), 3);
  EXPECT_LE(Counter(stats, "token_refreshes"), 5);
  EXPECT_EQ(Counter(stats, "refresh_token_reuse"), 0);
  EXPECT_EQ(Counter(stats, "token_errors"), 0);
  EXPECT_EQ(Counter(stats, "status_401"), 0);
  EXPECT_EQ(Counter(stats, "expired_token_calls"), 0);
  // Every process used its tokens (thread 0 lists tasks twice a second; half of that under load).
  EXPECT_GE(Responses(stats, "tasks", "200"), 8 * kSeconds);
}

TEST_F(RedisMultiProcess, FourProcessesStayWithinTheEmulatorsRateLimit) {
  constexpr int kLimit = 20;
  constexpr int kWindowMs = 3000;
  Seed({"--rate-limit-per-minute", std::to_string(kLimit), "--rate-limit-window-seconds", "3"});
  auto args = DriverArgs("limit", 8);
  // 4 x 8 x 2 = 64 requests: three full windows and a bit (about 12 s with the 1 s margin).
  args.insert(args.end(), {"--requests-per-thread", "2", "--limit", std::to_string(kLimit), "--window-ms",
                           std::to_string(kWindowMs), "--margin-ms", "1000"});
  auto results = RunDrivers(4, args, dir_);
  for (auto const& [code, out] : results) EXPECT_EQ(code, 0) << out;
  auto stats = Get("/_emulator/stats");
  EXPECT_EQ(Counter(stats, "status_429"), 0);
  EXPECT_EQ(Responses(stats, "tasks", "200"), 64);
  // The emulator's own log: any kLimit + 1 consecutive task requests span more than the window.
  auto log = Get("/_emulator/requests");
  std::vector<double> times;
  for (auto const& r : log["requests"].GetArray()) {
    if (std::string(r["endpoint"].GetString()) == "tasks") times.push_back(r["time"].GetDouble());
  }
  std::sort(times.begin(), times.end());
  ASSERT_EQ(times.size(), 64u);
  for (std::size_t i = 0; i + kLimit < times.size(); ++i) {
    EXPECT_GE(times[i + kLimit] - times[i], kWindowMs / 1000.0) << "requests " << i << " and " << i + kLimit;
  }
}

}  // namespace
