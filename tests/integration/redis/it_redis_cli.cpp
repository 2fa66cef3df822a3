// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex --token-store / --rate-limit-store against a real redis-server and the
// Webex CC emulator: the token lives (and rotates) in Redis, the window is shared there, the
// Redis password never shows, and the flags are checked.

#include "integration/redis/redis_server.hpp"

#include <ccrec/redis/redis_token_store.hpp>

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using ccrec_it::ServerProcess;

class RedisCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = ccrec_it::RedisServer::Start({"--requirepass", "redis-pw-123"});
    webex_ = ServerProcess::Start("webex_cc.py", {"--plain-http", "--tasks-per-day", "12", "--day", "2026-11-01"});
    auto loc = ccrec::redis::ParseRedisUrl(UrlWithPassword());
    ASSERT_TRUE(loc);
    ccrec::redis::RedisTokenStoreOptions o;
    o.server = loc->server;
    o.key = "wx:token";
    ccrec::OAuthToken t;
    t.expires_at = std::chrono::system_clock::now() - 1s;
    t.refresh_token = webex_->Get("refresh_token");
    ASSERT_TRUE(ccrec::redis::MakeRedisTokenStore(o)->Save(t));
  }

  std::string UrlWithPassword() const {
    return "redis://:redis-pw-123@127.0.0.1:" + std::to_string(redis_->Port()) + "/wx";
  }

  ccrec_it::ProgramResult Export(std::vector<std::string> extra) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
                                     "--token-url",    webex_->Get("token_url"),
                                     "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
                                     "--dest",         "file://" + dir_ / "out", "--pending-max-age", "0",
                                     "--allow-http-media"};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  ccrec_it::TempDir dir_{"ccrec-it-redis-cli"};
  std::unique_ptr<ccrec_it::RedisServer> redis_;
  std::unique_ptr<ServerProcess> webex_;
};

TEST_F(RedisCliTest, ExportKeepsTheTokenAndTheWindowInRedis) {
  auto run = Export({"--token-store", UrlWithPassword(), "--rate-limit-store", UrlWithPassword()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("failed=0"), std::string::npos) << run.out;
  // The refresh token rotated and the new one is in Redis.
  auto stored = redis_->Command({"HGET", "wx:token", "token"}, "redis-pw-123").value_or("");
  EXPECT_EQ(stored.find(webex_->Get("refresh_token")), std::string::npos) << "the refresh token was rotated";
  EXPECT_NE(stored.find("\"refresh_token\":\""), std::string::npos);
  EXPECT_EQ(redis_->Command({"HGET", "wx:token", "version"}, "redis-pw-123").value_or(""), "2");
  // Every API call went through the shared window (key per client id).
  auto admitted = redis_->Command({"ZCARD", "wx:ratelimit:" + webex_->Get("client_id")}, "redis-pw-123");
  EXPECT_GE(std::stoi(admitted.value_or("0")), 2);
  // The test server persists nothing: the loud warning. The password never shows.
  EXPECT_NE(run.err.find("persists nothing"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("redis-pw-123"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("redis-pw-123"), std::string::npos) << run.out;
}

TEST_F(RedisCliTest, PasswordFromFile) {
  auto pw = dir_ / "redis-password";
  ccrec_it::WriteFile(pw, "redis-pw-123\n");
  ::chmod(pw.c_str(), 0600);
  std::string url = "redis://127.0.0.1:" + std::to_string(redis_->Port()) + "/wx";
  auto run = Export({"--token-store", url, "--redis-password-file", pw});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST_F(RedisCliTest, BadFlagsAreUsageErrorsWithoutThePassword) {
  auto both = Export({"--token-store", UrlWithPassword(), "--token-file", dir_ / "token.json"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_NE(both.err.find("--token-file and --token-store"), std::string::npos) << both.err;
  auto bad = Export({"--token-store", "redis://:redis-pw-123@127.0.0.1:99999/wx"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--token-store"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("redis-pw-123"), std::string::npos) << bad.err;
  auto bucket = Export({"--token-store", UrlWithPassword(), "--rate-limit-store", UrlWithPassword(),
                        "--rate-limiter", "token-bucket"});
  EXPECT_EQ(bucket.exit_code, 2) << bucket.err;
  EXPECT_NE(bucket.err.find("sliding-window only"), std::string::npos) << bucket.err;
  auto wrong = Export({"--token-store", "redis://:wrong-pw@127.0.0.1:" + std::to_string(redis_->Port()) + "/wx"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("AUTH"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("wrong-pw"), std::string::npos) << wrong.err;
}

// A Redis that cannot be reached is the environment, not the command line: exit 1 (fatal), not 2
// (usage), naming the flag and what failed. The port is bound without listening, so connect() is
// refused for the whole test.
TEST_F(RedisCliTest, UnreachableTokenStoreIsFatalNotUsage) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto run = Export({"--token-store", "redis://:redis-pw-123@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/wx"});
  ::close(fd);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("ccrec-export: fatal: --token-store: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("cannot connect to Redis"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("redis-pw-123"), std::string::npos) << run.err;
}

}  // namespace
