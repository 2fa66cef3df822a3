// SPDX-License-Identifier: Apache-2.0
// OAuth: a credential is never destroyed. A rotated token the store cannot save is kept, used,
// saved again and reported; a refresh POST is never repeated without re-reading the store
// (reference webex-cc.md §2.4).

#include "oauth_test_util.hpp"

#include "internal/file_util.hpp"
#include "internal/token_file.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::LogLevel;
using ccrec::OAuthToken;
using ccrec::Result;
using namespace std::chrono_literals;

/// One ordered list of what happened: "load", "save", "post".
class Events {
 public:
  void Add(std::string e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
  }
  std::vector<std::string> All() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  int Count(std::string const& e) const {
    int n = 0;
    for (auto const& x : All()) n += x == e ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

/// A TokenStore whose Save() fails like a full disk (ENOSPC) or a read-only file system while
/// `failing`. Update() is the base-class one: Load(), the callback, Save().
class FaultyStore : public ccrec::TokenStore {
 public:
  FaultyStore(OAuthToken initial, Events& events)
      : inner_(ccrec::MakeMemoryTokenStore(std::move(initial))), events_(events) {}
  Result<std::optional<OAuthToken>> Load() override {
    events_.Add("load");
    return inner_->Load();
  }
  Result<void> Save(OAuthToken const& token) override {
    events_.Add("save");
    if (failing && fail_only != 0) {
      if (fail_only > 0) --fail_only;
      return ccrec::MakeError(ErrorCode::kInternal, std::string("cannot write /var/lib/ccrec/token.json.tmp-1: ") +
                                                        std::strerror(err));
    }
    return inner_->Save(token);
  }
  OAuthToken Stored() { return **inner_->Load(); }
  /// Another writer (an admin re-authorizing, another tool) replaces the token.
  void WriteBehindOurBack(OAuthToken const& t) { (void)inner_->Save(t); }

  std::atomic<bool> failing{false};
  std::atomic<int> fail_only{-1};  // while failing: fail this many saves (-1: all)
  int err = ENOSPC;

 private:
  std::shared_ptr<ccrec::TokenStore> inner_;
  Events& events_;
};

FakeHttpTransport::Handler Counting(TokenServer& server, Events& events) {
  auto handler = server.Handler();
  return [handler, &events](RecordedRequest const& r) {
    events.Add("post");
    return handler(r);
  };
}

void ExpectNoTokenValues(LogCapture const& logs) {
  for (auto const& [level, line] : logs.Lines()) {
    for (char const* secret : {"at-1", "rt-1", "at-2", "rt-2"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << "token value logged: " << line;
    }
  }
}

TEST(WebexOAuthSave, RotatedTokenSurvivesAFailingStoreIsUsedAndSavedOnceTheDiskRecovers) {
  for (int err : {ENOSPC, EROFS, EFBIG}) {
    SCOPED_TRACE(std::strerror(err));
    Env env;
    Events events;
    TokenServer server("rt-0");
    env.transport->Route("POST", "/access_token", Counting(server, events));
    auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0"), events);
    store->err = err;
    auto oauth = env.MakeOAuth(store);

    // The refresh spends rt-0; the server issues at-1/rt-1; the disk refuses it.
    store->failing = true;
    auto token = oauth->AccessToken({});
    ASSERT_TRUE(token) << token.error().ToString();
    EXPECT_EQ(*token, "at-1") << "the new token is used although it could not be saved";
    EXPECT_EQ(server.Requests(), 1);
    EXPECT_EQ(events.Count("save"), 3) << "one save and two immediate retries";
    EXPECT_EQ(env.sleeper->Sleeps(), (std::vector<std::chrono::milliseconds>{1000ms, 1000ms}));
    EXPECT_EQ(store->Stored().refresh_token, "rt-0");
    EXPECT_TRUE(env.logs.Contains("could not save it", LogLevel::kError)) << env.logs.All();
    EXPECT_TRUE(env.logs.Contains(std::strerror(err), LogLevel::kError)) << env.logs.All();

    // Within 30 s: the in-memory token, no POST, no save attempt.
    EXPECT_EQ(*oauth->AccessToken({}), "at-1");
    EXPECT_EQ(events.Count("save"), 3);
    // Later calls retry the save (still failing: the token stays in use).
    env.clock->Advance(31s);
    EXPECT_EQ(*oauth->AccessToken({}), "at-1");
    EXPECT_EQ(events.Count("save"), 4);
    EXPECT_TRUE(env.logs.Contains("still cannot save", LogLevel::kWarn)) << env.logs.All();
    auto flushed = oauth->Flush();
    ASSERT_FALSE(flushed);
    EXPECT_NE(flushed.error().message.find(std::strerror(err)), std::string::npos);

    // The next refresh spends the in-memory rt-1, not the stored (spent) rt-0.
    env.clock->Advance(3600s);
    token = oauth->AccessToken({});
    ASSERT_TRUE(token) << token.error().ToString();
    EXPECT_EQ(*token, "at-2");
    ASSERT_EQ(server.Requests(), 2);
    EXPECT_EQ(server.Forms().at(1)["refresh_token"], "rt-1");

    // The disk recovers: the next due call stores the current token.
    store->failing = false;
    env.clock->Advance(31s);
    EXPECT_EQ(*oauth->AccessToken({}), "at-2");
    EXPECT_EQ(store->Stored().refresh_token, "rt-2");
    EXPECT_EQ(store->Stored().access_token, "at-2");
    EXPECT_TRUE(env.logs.Contains("now in the token store", LogLevel::kWarn)) << env.logs.All();
    EXPECT_TRUE(oauth->Flush());
    EXPECT_EQ(server.Requests(), 2) << "never invalid_grant, never an extra refresh";
    ExpectNoTokenValues(env.logs);
  }
}

TEST(WebexOAuthSave, ASaveThatSucceedsOnTheImmediateRetryStoresTheToken) {
  Env env;
  Events events;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", Counting(server, events));
  auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0"), events);
  auto oauth = env.MakeOAuth(store);
  store->failing = true;
  store->fail_only = 1;
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ(store->Stored().refresh_token, "rt-1");
  EXPECT_EQ(events.Count("save"), 2);
  EXPECT_TRUE(env.logs.Contains("could not save it", LogLevel::kError)) << env.logs.All();
  EXPECT_TRUE(env.logs.Contains("now in the token store", LogLevel::kWarn)) << env.logs.All();
  EXPECT_TRUE(oauth->Flush());
}

TEST(WebexOAuthSave, TheDestructorMakesALastSaveAttempt) {
  Env env;
  Events events;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", Counting(server, events));
  auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0"), events);
  {
    auto oauth = env.MakeOAuth(store);
    store->failing = true;
    ASSERT_EQ(*oauth->AccessToken({}), "at-1");
    store->failing = false;
  }
  EXPECT_EQ(store->Stored().refresh_token, "rt-1");

  Env env2;
  TokenServer server2("rt-0");
  env2.transport->Route("POST", "/access_token", Counting(server2, events));
  auto store2 = std::make_shared<FaultyStore>(StoredToken(env2.clock->Now() - 1s, "at-0", "rt-0"), events);
  store2->failing = true;
  {
    auto oauth = env2.MakeOAuth(store2);
    ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  }
  EXPECT_TRUE(env2.logs.Contains("OAuthClient is destroyed", LogLevel::kError)) << env2.logs.All();
  EXPECT_EQ(store2->Stored().refresh_token, "rt-0");
}

TEST(WebexOAuthSave, ATokenAnotherWriterStoredMeanwhileIsNeverOverwritten) {
  Env env;
  Events events;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", Counting(server, events));
  auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0"), events);
  auto oauth = env.MakeOAuth(store);
  store->failing = true;
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  // An administrator re-authorizes while this process holds the unsaved at-1/rt-1.
  store->failing = false;
  store->WriteBehindOurBack(StoredToken(env.clock->Now() + 3600s, "at-admin", "rt-admin"));
  EXPECT_TRUE(oauth->Flush());
  EXPECT_EQ(store->Stored().refresh_token, "rt-admin");
  EXPECT_TRUE(env.logs.Contains("another writer", LogLevel::kWarn)) << env.logs.All();
}

TEST(WebexOAuthSave, AnAmbiguousRefreshFailureReReadsTheStoreBeforeAnySecondPost) {
  // The first POST gets no answer (it may have reached the server); meanwhile another process
  // stored a fresh token. The retry re-reads the store and adopts it instead of POSTing again.
  Env env;
  Events events;
  TokenServer server("rt-0");
  auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0"), events);
  env.transport->Enqueue([&](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    events.Add("post");
    store->WriteBehindOurBack(StoredToken(env.clock->Now() + 3600s, "at-other", "rt-other"));
    return ccrec::MakeError(ErrorCode::kTransport, "connection reset by peer after the request was sent");
  });
  env.transport->Route("POST", "/access_token", Counting(server, events));
  auto oauth = env.MakeOAuth(store);
  auto token = oauth->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-other");
  EXPECT_EQ(events.Count("post"), 1) << "no second POST with the possibly spent refresh token";
  EXPECT_EQ(store->Stored().refresh_token, "rt-other");

  // Nobody else wrote: the retry still re-reads the store before its POST.
  Env env2;
  Events events2;
  TokenServer server2("rt-0");
  env2.transport->EnqueueError(ccrec::MakeError(ErrorCode::kTransport, "timeout after the request was sent"));
  env2.transport->Route("POST", "/access_token", Counting(server2, events2));
  auto store2 = std::make_shared<FaultyStore>(StoredToken(env2.clock->Now() - 1s, "at-0", "rt-0"), events2);
  auto oauth2 = env2.MakeOAuth(store2);
  ASSERT_EQ(*oauth2->AccessToken({}), "at-1");
  EXPECT_EQ(env2.RequestsTo("/access_token").size(), 2u);
  auto all = events2.All();
  // load (RefreshFlow), load (Update 1), [failed POST not seen by the route], load (Update 2), post, save
  EXPECT_EQ(all, (std::vector<std::string>{"load", "load", "load", "post", "save"}));
}

TEST(WebexOAuthSave, AMislabelledTokenResponseIsStillUsed) {
  Env env;
  env.transport->EnqueueResponse(200, R"({"access_token":"at-x","expires_in":3600,"refresh_token":"rt-x"})",
                                 {{"Content-Type", "text/plain"}});
  auto store = ccrec::MakeMemoryTokenStore(StoredToken(env.clock->Now() - 1s));
  auto oauth = env.MakeOAuth(store);
  auto token = oauth->AccessToken({});
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(*token, "at-x");
  EXPECT_EQ((*store->Load())->refresh_token, "rt-x");
  EXPECT_TRUE(env.logs.Contains("text/plain", LogLevel::kWarn)) << env.logs.All();
}

TEST(WebexOAuthSave, AnUnreadableTokenFileFailsTheCodeExchangeBeforeTheCodeIsSpent) {
  ccrec_test::TempDir dir;
  ccrec_test::WriteFile(dir / "token.json", "{oops");
  Env env;
  TokenServer server;
  env.transport->Route("POST", "/access_token", server.Handler());
  auto oauth = env.MakeOAuth(ccrec::MakeJsonFileTokenStore(dir / "token.json"));
  auto token = oauth->ExchangeAuthorizationCode("good-code");
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kParse);
  EXPECT_EQ(server.Requests(), 0) << "the single-use code must not be redeemed";
}

TEST(WebexOAuthSave, AnExchangedTokenTheStoreRefusesIsKeptAndUsed) {
  Env env;
  Events events;
  TokenServer server;
  env.transport->Route("POST", "/access_token", Counting(server, events));
  auto store = std::make_shared<FaultyStore>(StoredToken(env.clock->Now() - 1s, "at-0", "rt-old"), events);
  store->failing = true;
  auto oauth = env.MakeOAuth(store);
  auto exchanged = oauth->ExchangeAuthorizationCode("good-code");
  ASSERT_FALSE(exchanged);
  EXPECT_NE(exchanged.error().message.find("No space left"), std::string::npos) << exchanged.error().message;
  EXPECT_TRUE(env.logs.Contains("grant_type=authorization_code", LogLevel::kError)) << env.logs.All();
  EXPECT_EQ(*oauth->AccessToken({}), "at-1");
  store->failing = false;
  EXPECT_TRUE(oauth->Flush());
  EXPECT_EQ(store->Stored().refresh_token, "rt-1");
  EXPECT_EQ(server.Requests(), 1);
}

TEST(WebexOAuthSave, WithTheJsonFileStoreTheRotatedTokenIsRescuedToAFileTheErrorNames) {
  ccrec_test::TempDir dir;
  ccrec_test::TempDir elsewhere;
  std::string const path = dir / "token.json";
  bool disk_full = false;
  ccrec::JsonFileTokenStoreOptions options;
  options.rescue_dir = elsewhere.Path();
  auto store = ccrec::detail::MakeJsonFileTokenStoreWithWriter(
      path, options, [&](std::string const& p, std::string const& data, mode_t mode) -> Result<void> {
        if (disk_full && p == path) {
          return ccrec::MakeError(ErrorCode::kInternal, "cannot write " + p + ".tmp-0: No space left on device");
        }
        return ccrec::detail::WriteFileAtomic(p, data, mode);
      });
  Env env;
  TokenServer server("rt-0");
  env.transport->Route("POST", "/access_token", server.Handler());
  ASSERT_TRUE(store->Save(StoredToken(env.clock->Now() - 1s, "at-0", "rt-0")));
  std::string const before = ccrec_test::ReadFile(path);
  auto oauth = env.MakeOAuth(store);

  disk_full = true;
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ(ccrec_test::ReadFile(path), before) << "the old token file is left intact";
  std::string rescue;
  for (auto const& f : ccrec_test::ListTree(dir.Path())) {
    if (f.find(".rescue-") != std::string::npos) rescue = dir / f;
  }
  ASSERT_FALSE(rescue.empty()) << "no rescue file beside the token file";
  EXPECT_EQ(ccrec_test::FileMode(rescue), 0600u);
  EXPECT_EQ((*ccrec::MakeJsonFileTokenStore(rescue)->Load())->refresh_token, "rt-1");
  EXPECT_TRUE(env.logs.Contains(rescue, LogLevel::kError)) << env.logs.All();
  EXPECT_TRUE(env.logs.Contains("mv '" + rescue + "' '" + path + "'", LogLevel::kError)) << env.logs.All();
  ExpectNoTokenValues(env.logs);

  disk_full = false;
  env.clock->Advance(31s);
  ASSERT_EQ(*oauth->AccessToken({}), "at-1");
  EXPECT_EQ((*ccrec::MakeJsonFileTokenStore(path)->Load())->refresh_token, "rt-1");
  EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"token.json", "token.json.lock"}))
      << "the rescue file is removed once the token file holds the token";
}

}  // namespace
}  // namespace webex_test
