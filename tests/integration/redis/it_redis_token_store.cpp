// SPDX-License-Identifier: Apache-2.0
// MakeRedisTokenStore against a real redis-server: storage, the lock with its fencing value and
// expiry, the compare-and-set, the persistence warning, AUTH; and webex::OAuthClient instances
// with their own stores (as separate processes would have) refreshing a rotating token once.

#include "integration/redis/redis_server.hpp"

#include <ccrec/redis/redis_token_store.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/webex/oauth.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using ccrec::ErrorCode;
using ccrec::OAuthToken;
using ccrec::Result;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using SysClock = std::chrono::system_clock;

struct Logged {
  std::mutex mu;
  std::vector<std::pair<ccrec::LogLevel, std::string>> lines;
  ccrec::Logger Logger() {
    return ccrec::Logger(ccrec::LogLevel::kDebug, [this](ccrec::LogLevel level, std::string_view m) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(level, std::string(m));
    });
  }
  std::string All() {
    std::lock_guard<std::mutex> lock(mu);
    std::string out;
    for (auto const& l : lines) out += l.second + "\n";
    return out;
  }
};

ccrec::redis::RedisTokenStoreOptions Options(ccrec_it::RedisServer const& redis, std::string const& password = {}) {
  auto loc = ccrec::redis::ParseRedisUrl(redis.Url());
  EXPECT_TRUE(loc);
  ccrec::redis::RedisTokenStoreOptions o;
  o.server = loc->server;
  o.server.password = password;
  o.key = "t:token";
  return o;
}

OAuthToken Token(std::string access, std::string refresh) {
  OAuthToken t;
  t.access_token = std::move(access);
  t.refresh_token = std::move(refresh);
  t.expires_at = SysClock::time_point(std::chrono::milliseconds(1'900'000'000'123));
  t.refresh_token_expires_at = SysClock::time_point(std::chrono::milliseconds(1'990'000'000'456));
  return t;
}

TEST(RedisTokenStore, LoadSaveRoundTripWithMilliseconds) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  auto empty = store->Load();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_FALSE(*empty);
  ASSERT_TRUE(store->Save(Token("at-1", "rt-1")));
  auto other = ccrec::redis::MakeRedisTokenStore(Options(*redis));  // another connection
  auto loaded = other->Load();
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->access_token, "at-1");
  EXPECT_EQ((*loaded)->refresh_token, "rt-1");
  EXPECT_EQ((*loaded)->token_type, "Bearer");
  EXPECT_EQ((*loaded)->expires_at, Token("", "").expires_at);
  EXPECT_EQ((*loaded)->refresh_token_expires_at, Token("", "").refresh_token_expires_at);
  EXPECT_EQ(redis->Command({"HGET", "t:token", "version"}).value_or(""), "1");
}

TEST(RedisTokenStore, UpdateBumpsVersionRecordsFenceAndReleasesTheLock) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  ASSERT_TRUE(store->Save(Token("at-1", "rt-1")));
  auto r = store->Update([](std::optional<OAuthToken> const& cur) -> Result<OAuthToken> {
    EXPECT_TRUE(cur && cur->refresh_token == "rt-1");
    return Token("at-2", "rt-2");
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(redis->Command({"HGET", "t:token", "version"}).value_or(""), "2");
  EXPECT_EQ(redis->Command({"HGET", "t:token", "fence"}).value_or(""), "1");
  EXPECT_FALSE(redis->Command({"GET", "t:token:lock"}));
  // Returning the same token stores nothing.
  ASSERT_TRUE(store->Update([](std::optional<OAuthToken> const& cur) -> Result<OAuthToken> { return *cur; }));
  EXPECT_EQ(redis->Command({"HGET", "t:token", "version"}).value_or(""), "2");
  // A failing callback stores nothing and releases the lock.
  auto failed = store->Update([](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    return ccrec::MakeError(ErrorCode::kUnavailable, "token endpoint down");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "token endpoint down");
  EXPECT_FALSE(redis->Command({"GET", "t:token:lock"}));
  EXPECT_EQ(redis->Command({"HGET", "t:token", "fence"}).value_or(""), "1");
}

TEST(RedisTokenStore, CrashedHoldersLockExpires) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  // A holder that died without releasing: its lock expires after its PX.
  redis->Command({"SET", "t:token:lock", "7:dead", "PX", "600"});
  auto t0 = Steady::now();
  auto r = store->Update([](std::optional<OAuthToken> const&) -> Result<OAuthToken> { return Token("at-1", "rt-1"); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(Steady::now() - t0, 500ms);
}

TEST(RedisTokenStore, LockHeldLongerThanLockWaitIsUnavailable) {
  auto redis = ccrec_it::RedisServer::Start();
  auto o = Options(*redis);
  o.lock_wait = 200ms;
  auto store = ccrec::redis::MakeRedisTokenStore(o);
  redis->Command({"SET", "t:token:lock", "7:other", "PX", "60000"});
  bool called = false;
  auto r = store->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    called = true;
    return Token("at-1", "rt-1");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("t:token:lock"), std::string::npos) << r.error().message;
  EXPECT_FALSE(called);
}

TEST(RedisTokenStore, ExpiredLockTakenOverRefusesTheStaleHoldersWrite) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  ASSERT_TRUE(store->Save(Token("at-1", "rt-1")));
  auto r = store->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    // Our lock expired and another instance took it (its fencing value differs).
    redis->Command({"SET", "t:token:lock", "99:other", "PX", "60000"});
    return Token("at-2", "rt-2");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("lock expired"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("rt-2"), std::string::npos);
  EXPECT_EQ(store->Load().value()->refresh_token, "rt-1");
  EXPECT_EQ(redis->Command({"GET", "t:token:lock"}).value_or(""), "99:other");  // not ours: left alone
}

TEST(RedisTokenStore, VersionMovedRefusesTheWrite) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  auto other = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  ASSERT_TRUE(store->Save(Token("at-1", "rt-1")));
  auto r = store->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    EXPECT_TRUE(other->Save(Token("at-x", "rt-x")));  // a lock-less writer
    return Token("at-2", "rt-2");
  });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("another writer"), std::string::npos) << r.error().message;
  EXPECT_EQ(store->Load().value()->refresh_token, "rt-x");
}

TEST(RedisTokenStore, MalformedStoredTokenIsParseError) {
  auto redis = ccrec_it::RedisServer::Start();
  auto store = ccrec::redis::MakeRedisTokenStore(Options(*redis));
  redis->Command({"HSET", "t:token", "token", "{\"access_token\":\"SECRET-AT\"", "version", "1"});
  auto r = store->Load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().message.find("SECRET-AT"), std::string::npos) << r.error().message;
  redis->Command({"HSET", "t:token", "token", "{\"access_token\":7}"});
  auto wrong = store->Load();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kParse);
}

TEST(RedisTokenStore, RedisWithoutPersistenceGetsALoudWarning) {
  auto redis = ccrec_it::RedisServer::Start();  // --save '' --appendonly no
  Logged log;
  auto o = Options(*redis);
  o.logger = log.Logger();
  auto store = ccrec::redis::MakeRedisTokenStore(o);
  ASSERT_TRUE(store->Save(Token("at-SECRET", "rt-SECRET")));
  ASSERT_TRUE(store->Load());
  std::lock_guard<std::mutex> lock(log.mu);
  int errors = 0;
  for (auto const& [level, line] : log.lines) {
    EXPECT_EQ(line.find("SECRET"), std::string::npos) << line;
    if (level == ccrec::LogLevel::kError && line.find("persists nothing") != std::string::npos) ++errors;
  }
  EXPECT_EQ(errors, 1);  // once per store
}

TEST(RedisTokenStore, RedisWithAppendOnlyGetsNoWarning) {
  auto redis = ccrec_it::RedisServer::Start({"--appendonly", "yes"});
  Logged log;
  auto o = Options(*redis);
  o.logger = log.Logger();
  auto store = ccrec::redis::MakeRedisTokenStore(o);
  ASSERT_TRUE(store->Load());
  EXPECT_EQ(log.All(), "");
}

TEST(RedisTokenStore, PasswordIsUsedAndNeverShown) {
  auto redis = ccrec_it::RedisServer::Start({"--requirepass", "s3cr3t-pw"});
  auto good = ccrec::redis::MakeRedisTokenStore(Options(*redis, "s3cr3t-pw"));
  ASSERT_TRUE(good->Save(Token("at-1", "rt-1")));
  auto bad = ccrec::redis::MakeRedisTokenStore(Options(*redis, "wrong-pw"));
  auto r = bad->Load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("AUTH"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("wrong-pw"), std::string::npos) << r.error().message;
}

// ---- OAuthClient instances sharing the store -----------------------------------------------

/// A token endpoint with rotating refresh tokens: a reused refresh token gets 400 invalid_grant.
class RotatingTokenEndpoint {
 public:
  explicit RotatingTokenEndpoint(int expires_in) : expires_in_(expires_in) {}
  ccrec::testing::FakeHttpTransport::Handler Handler() {
    return [this](ccrec::testing::RecordedRequest const& r) -> Result<ccrec::HttpResponse> {
      // The POST takes a while, as a real one does: a window for a second refresher to sneak in.
      std::this_thread::sleep_for(50ms);
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      ccrec::HttpHeaders json = {{"Content-Type", "application/json"}};
      if (("&" + r.body + "&").find("&refresh_token=" + valid_ + "&") == std::string::npos) {
        ++invalid_grant_;
        return ccrec::testing::MakeResponse(400, R"({"error":"invalid_grant","error_description":"reused"})", json);
      }
      ++issued_;
      valid_ = "rt-" + std::to_string(issued_);
      return ccrec::testing::MakeResponse(
          200,
          R"({"access_token":"at-)" + std::to_string(issued_) + R"(","token_type":"Bearer","expires_in":)" +
              std::to_string(expires_in_) + R"(,"refresh_token":")" + valid_ + R"("})",
          json);
    };
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int invalid_grant() {
    std::lock_guard<std::mutex> lock(mu_);
    return invalid_grant_;
  }

 private:
  int expires_in_;
  std::mutex mu_;
  int requests_ = 0;
  int invalid_grant_ = 0;
  int issued_ = 0;
  std::string valid_ = "rt-0";
};

TEST(RedisTokenStore, OAuthClientsWithTheirOwnStoresRefreshOncePerExpiry) {
  auto redis = ccrec_it::RedisServer::Start();
  RotatingTokenEndpoint endpoint(/*expires_in=*/2);
  auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
  transport->Route("POST", "/v1/access_token", endpoint.Handler());
  {
    auto seed = ccrec::redis::MakeRedisTokenStore(Options(*redis));
    OAuthToken t = Token("at-0", "rt-0");
    t.expires_at = SysClock::now() - 1s;  // expired: the first call refreshes
    ASSERT_TRUE(seed->Save(t));
  }
  constexpr int kInstances = 4;
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<ccrec::webex::OAuthClient>> clients;
  for (int i = 0; i < kInstances; ++i) {
    ccrec::webex::OAuthClientOptions o;
    o.config.client_id = "client-id";
    o.config.client_secret = "client-secret";
    o.config.min_refresh_buffer = 1s;  // 2 s tokens: refreshed once they have 1 s left
    o.store = ccrec::redis::MakeRedisTokenStore(Options(*redis));  // one connection each, like a process
    o.transport = transport;
    clients.push_back(std::make_unique<ccrec::webex::OAuthClient>(std::move(o)));
  }
  std::atomic<int> failures{0};
  std::mutex mu;
  std::string first_failure;
  auto const until = Steady::now() + 3500ms;
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances * kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (Steady::now() < until) {
        auto token = clients[i % kInstances]->AccessToken({});
        if (!token) {
          std::lock_guard<std::mutex> lock(mu);
          if (failures++ == 0) first_failure = token.error().message;
        }
        std::this_thread::sleep_for(5ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(endpoint.invalid_grant(), 0);
  // One refresh per second of token life (2 s tokens, refreshed with 1 s left) in 3.5 s: 4, one
  // more if a refresh lands at the edge. Every instance refreshing on its own would make ~16.
  EXPECT_GE(endpoint.requests(), 3);
  EXPECT_LE(endpoint.requests(), 5);
}

}  // namespace
