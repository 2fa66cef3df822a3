// SPDX-License-Identifier: Apache-2.0
// Memory and JSON-file token stores.

#include <ccrec/core/token_store.hpp>

#include "internal/file_util.hpp"
#include "internal/time_util.hpp"
#include "internal/token_file.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace ccrec {
namespace {

using ccrec_test::TempDir;
using std::chrono::seconds;
using std::chrono::system_clock;

OAuthToken Token(std::string access, std::string refresh = "RT", std::int64_t expires = 1793491200) {
  OAuthToken t;
  t.access_token = std::move(access);
  t.refresh_token = std::move(refresh);
  t.expires_at = ::ccrec::detail::FromEpochSeconds(expires);
  return t;
}

void ExpectSame(OAuthToken const& a, OAuthToken const& b) {
  EXPECT_EQ(a.access_token, b.access_token);
  EXPECT_EQ(a.token_type, b.token_type);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.refresh_token, b.refresh_token);
  EXPECT_EQ(a.refresh_token_expires_at, b.refresh_token_expires_at);
}

// Update() callback that increments a counter kept in access_token and rotates the refresh token.
Result<OAuthToken> Increment(std::optional<OAuthToken> const& current) {
  int n = current ? std::stoi(current->access_token) : 0;
  std::this_thread::yield();  // widen the read-modify-write window so that a missing lock shows
  OAuthToken next = current.value_or(OAuthToken{});
  next.access_token = std::to_string(n + 1);
  next.refresh_token = "rt-" + std::to_string(n + 1);
  return next;
}

int Counter(TokenStore& store) {
  auto t = store.Load();
  if (!t || !t->has_value()) return -1;
  return std::stoi((*t)->access_token);
}

// ---------------------------------------------------------------------------------------------
// Memory store

TEST(MemoryTokenStore, EmptyThenSaved) {
  auto store = MakeMemoryTokenStore();
  auto empty = store->Load();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
  ASSERT_TRUE(store->Save(Token("AT")));
  auto loaded = store->Load();
  ASSERT_TRUE(loaded && loaded->has_value());
  ExpectSame(**loaded, Token("AT"));
}

TEST(MemoryTokenStore, InitialToken) {
  auto store = MakeMemoryTokenStore(Token("first"));
  auto loaded = store->Load();
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ((*loaded)->access_token, "first");
}

TEST(MemoryTokenStore, UpdateIsReadModifyWrite) {
  auto store = MakeMemoryTokenStore();
  constexpr int kPerThread = 500;
  auto work = [&] {
    for (int i = 0; i < kPerThread; ++i) ASSERT_TRUE(store->Update(Increment));
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(Counter(*store), 2 * kPerThread);
}

TEST(MemoryTokenStore, UpdateErrorStoresNothing) {
  auto store = MakeMemoryTokenStore(Token("keep"));
  auto r = store->Update([](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    return MakeError(ErrorCode::kUnauthenticated, "refresh token revoked");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ((*store->Load())->access_token, "keep");
}

TEST(MemoryTokenStore, UpdateSeesNulloptWhenEmpty) {
  auto store = MakeMemoryTokenStore();
  bool saw_empty = false;
  auto r = store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
    saw_empty = !current.has_value();
    return Token("new");
  });
  ASSERT_TRUE(r);
  EXPECT_TRUE(saw_empty);
  EXPECT_EQ(r->access_token, "new");
  EXPECT_EQ((*store->Load())->access_token, "new");
}

// ---------------------------------------------------------------------------------------------
// JSON file store

TEST(JsonFileTokenStore, ExactFileFormat) {
  TempDir dir;
  auto path = dir / "tokens.json";
  auto store = MakeJsonFileTokenStore(path);
  OAuthToken t = Token("AT-1", "RT-1", 1793491200);
  t.refresh_token_expires_at = ::ccrec::detail::FromEpochSeconds(1801267200);
  ASSERT_TRUE(store->Save(t));
  EXPECT_EQ(ccrec_test::ReadFile(path),
            "{\"access_token\":\"AT-1\",\"token_type\":\"Bearer\",\"expires_at\":1793491200,"
            "\"refresh_token\":\"RT-1\",\"refresh_token_expires_at\":1801267200}\n");
  auto loaded = store->Load();
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_TRUE(loaded->has_value());
  ExpectSame(**loaded, t);
}

TEST(JsonFileTokenStore, WithoutRefreshExpiry) {
  TempDir dir;
  auto path = dir / "tokens.json";
  auto store = MakeJsonFileTokenStore(path);
  ASSERT_TRUE(store->Save(Token("a", "r", 100)));
  EXPECT_EQ(ccrec_test::ReadFile(path),
            "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_at\":100,\"refresh_token\":\"r\"}\n");
  auto loaded = store->Load();
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_FALSE((*loaded)->refresh_token_expires_at);
}

TEST(JsonFileTokenStore, ReadsHandWrittenFile) {
  TempDir dir;
  auto path = dir / "tokens.json";
  ccrec_test::WriteFile(path,
                        "{\n  \"refresh_token\": \"R\",\n  \"access_token\": \"A\",\n  \"expires_at\": 1793491200,\n"
                        "  \"token_type\": \"bearer\",\n  \"refresh_token_expires_at\": 1801267200\n}\n");
  auto loaded = MakeJsonFileTokenStore(path)->Load();
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->access_token, "A");
  EXPECT_EQ((*loaded)->refresh_token, "R");
  EXPECT_EQ((*loaded)->token_type, "bearer");
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds((*loaded)->expires_at), 1793491200);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(*(*loaded)->refresh_token_expires_at), 1801267200);
}

TEST(JsonFileTokenStore, OnlyRefreshTokenIsEnough) {
  TempDir dir;
  auto path = dir / "tokens.json";
  ccrec_test::WriteFile(path, R"({"refresh_token":"R"})");
  auto loaded = MakeJsonFileTokenStore(path)->Load();
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->access_token, "");
  EXPECT_EQ((*loaded)->token_type, "Bearer");
  EXPECT_EQ((*loaded)->expires_at, system_clock::time_point{}) << "unknown expiry reads as expired";
}

TEST(JsonFileTokenStore, EscapesRoundTrip) {
  TempDir dir;
  auto store = MakeJsonFileTokenStore(dir / "t.json");
  OAuthToken t = Token(std::string("a\"b\\c\nd\x01") + "\xc3\xa9", "r/+=");
  ASSERT_TRUE(store->Save(t));
  auto loaded = store->Load();
  ASSERT_TRUE(loaded && loaded->has_value()) << (loaded ? "" : loaded.error().ToString());
  ExpectSame(**loaded, t);
}

TEST(JsonFileTokenStore, SubSecondExpiryIsTruncated) {
  TempDir dir;
  auto store = MakeJsonFileTokenStore(dir / "t.json");
  OAuthToken t = Token("a");
  t.expires_at += std::chrono::milliseconds(999);
  ASSERT_TRUE(store->Save(t));
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds((*store->Load())->expires_at), 1793491200);
}

TEST(JsonFileTokenStore, NegativeAndHugeExpiries) {
  TempDir dir;
  auto path = dir / "t.json";
  ccrec_test::WriteFile(path, R"({"access_token":"a","expires_at":-5})");
  auto neg = MakeJsonFileTokenStore(path)->Load();
  ASSERT_TRUE(neg && neg->has_value());
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds((*neg)->expires_at), -5);
  // Larger than any time_point can hold: must not overflow (UBSan) and reads as "far future".
  ccrec_test::WriteFile(path, R"({"access_token":"a","expires_at":9223372036854775807})");
  auto huge = MakeJsonFileTokenStore(path)->Load();
  ASSERT_TRUE(huge && huge->has_value()) << (huge ? "" : huge.error().ToString());
  EXPECT_GT((*huge)->expires_at, system_clock::now() + std::chrono::hours(24 * 365 * 100));
}

TEST(JsonFileTokenStore, MissingFileIsNullopt) {
  TempDir dir;
  auto loaded = MakeJsonFileTokenStore(dir / "absent.json")->Load();
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_FALSE(loaded->has_value());
  auto in_missing_dir = MakeJsonFileTokenStore(dir / "no/such/dir/t.json")->Load();
  ASSERT_TRUE(in_missing_dir);
  EXPECT_FALSE(in_missing_dir->has_value());
}

TEST(JsonFileTokenStore, MalformedFilesAreParseErrorsNamingFileAndField) {
  TempDir dir;
  auto path = dir / "tokens.json";
  struct Case {
    char const* content;
    char const* field;  // expected in the message, or "" for a syntax error
  };
  Case const cases[] = {
      {"", ""},
      {"{", ""},
      {"not json", ""},
      {"{\"access_token\":\"a\"", ""},
      {"[]", ""},
      {"\"just a string\"", ""},
      {"{}", "access_token"},
      {R"({"access_token":null,"refresh_token":null})", "access_token"},
      {R"({"access_token":5})", "access_token"},
      {R"({"access_token":"a","refresh_token":["x"]})", "refresh_token"},
      {R"({"access_token":"a","token_type":7})", "token_type"},
      {R"({"access_token":"a","expires_at":"soon"})", "expires_at"},
      {R"({"access_token":"a","expires_at":"1793491200"})", "expires_at"},
      {R"({"access_token":"a","expires_at":1.5})", "expires_at"},
      {R"({"access_token":"a","expires_at":true})", "expires_at"},
      {R"({"access_token":"a","expires_at":1e300})", "expires_at"},
      {R"({"access_token":"a","expires_at":99999999999999999999})", "expires_at"},
      {R"({"access_token":"a","refresh_token_expires_at":{}})", "refresh_token_expires_at"},
  };
  for (auto const& c : cases) {
    ccrec_test::WriteFile(path, c.content);
    auto loaded = MakeJsonFileTokenStore(path)->Load();
    ASSERT_FALSE(loaded) << "accepted: " << c.content;
    EXPECT_EQ(loaded.error().code, ErrorCode::kParse) << c.content;
    EXPECT_NE(loaded.error().message.find(path), std::string::npos) << loaded.error().message;
    EXPECT_NE(loaded.error().message.find(c.field), std::string::npos)
        << "for " << c.content << ": " << loaded.error().message;
  }
}

TEST(JsonFileTokenStore, ParseErrorDoesNotLeakTokens) {
  TempDir dir;
  auto path = dir / "tokens.json";
  ccrec_test::WriteFile(path, R"({"access_token":"SECRET-ACCESS","refresh_token":"SECRET-REFRESH",)");
  auto loaded = MakeJsonFileTokenStore(path)->Load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message.find("SECRET"), std::string::npos) << loaded.error().message;
}

TEST(JsonFileTokenStore, FileModeIs0600EvenWithPermissiveUmask) {
  TempDir dir;
  auto path = dir / "tokens.json";
  {
    ccrec_test::ScopedUmask umask(0);
    ASSERT_TRUE(MakeJsonFileTokenStore(path)->Save(Token("a")));
  }
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u);
  // Replacing a world-readable file also ends up 0600.
  ::chmod(path.c_str(), 0644);
  {
    ccrec_test::ScopedUmask umask(0);
    ASSERT_TRUE(MakeJsonFileTokenStore(path)->Save(Token("b")));
  }
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u);
  // And with a restrictive umask it is not narrowed below 0600.
  {
    ccrec_test::ScopedUmask umask(0277);
    ASSERT_TRUE(MakeJsonFileTokenStore(path)->Save(Token("c")));
  }
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u);
}

TEST(JsonFileTokenStore, SaveLeavesNoTemporaryFiles) {
  TempDir dir;
  auto path = dir / "tokens.json";
  auto store = MakeJsonFileTokenStore(path);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->Save(Token("a" + std::to_string(i))));
  EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"tokens.json"}));
}

TEST(JsonFileTokenStore, SaveIsAtomicReplace) {
  TempDir dir;
  auto path = dir / "tokens.json";
  auto store = MakeJsonFileTokenStore(path);
  ASSERT_TRUE(store->Save(Token("old")));
  auto before = ccrec_test::Inode(path);
  ASSERT_TRUE(store->Save(Token("new")));
  EXPECT_NE(ccrec_test::Inode(path), before) << "Save must rename a new file into place, not rewrite in place";
  EXPECT_EQ((*store->Load())->access_token, "new");
}

TEST(JsonFileTokenStore, SaveIntoMissingDirectoryFailsAndRescuesTheTokenToTheRescueDir) {
  TempDir dir;
  TempDir rescue;
  JsonFileTokenStoreOptions options;
  options.rescue_dir = rescue.Path();
  auto store = MakeJsonFileTokenStore(dir / "missing/tokens.json", options);
  auto saved = store->Save(Token("a", "RT-precious"));
  ASSERT_FALSE(saved);
  EXPECT_NE(saved.error().message.find(dir / "missing"), std::string::npos) << saved.error().message;
  EXPECT_TRUE(ccrec_test::ListTree(dir.Path()).empty());
  // Nothing can be written beside the token file: the rescue file is in rescue_dir.
  auto files = ccrec_test::ListTree(rescue.Path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rfind("tokens.json.rescue-", 0), 0u) << files[0];
  EXPECT_NE(saved.error().message.find(rescue / files[0]), std::string::npos) << saved.error().message;
  EXPECT_EQ(saved.error().message.find("RT-precious"), std::string::npos) << "token value leaked";
  auto kept = MakeJsonFileTokenStore(rescue / files[0])->Load();
  ASSERT_TRUE(kept && kept->has_value());
  ExpectSame(**kept, Token("a", "RT-precious"));
}

// A token-file writer that fails like a full disk (or a read-only file system) when `failing`.
struct FailingDisk {
  int err = ENOSPC;
  bool failing = true;
  int calls = 0;
  ::ccrec::detail::TokenFileWriter Writer() {
    return [this](std::string const& path, std::string const& data, mode_t mode) -> Result<void> {
      ++calls;
      if (!failing) return ::ccrec::detail::WriteFileAtomic(path, data, mode);
      return MakeError(ErrorCode::kInternal, "cannot write " + path + ".tmp-0: " + std::strerror(err));
    };
  }
};

TEST(JsonFileTokenStore, FailedSaveOnAFullDiskRescuesTheTokenBesideTheFileOnceAndKeepsTheOldFile) {
  for (int err : {ENOSPC, EROFS, EFBIG}) {
    SCOPED_TRACE(std::strerror(err));
    TempDir dir;
    TempDir elsewhere;
    auto path = dir / "tokens.json";
    FailingDisk disk;
    disk.err = err;
    disk.failing = false;
    JsonFileTokenStoreOptions options;
    options.rescue_dir = elsewhere.Path();
    auto store = ::ccrec::detail::MakeJsonFileTokenStoreWithWriter(path, options, disk.Writer());
    ASSERT_TRUE(store->Save(Token("old-access", "old-refresh")));
    std::string const before = ccrec_test::ReadFile(path);

    disk.failing = true;
    auto rotated = Token("new-access", "new-refresh");
    auto saved = store->Save(rotated);
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error().code, ErrorCode::kInternal);
    std::string const message = saved.error().message;
    EXPECT_NE(message.find(std::strerror(err)), std::string::npos) << message;
    EXPECT_EQ(message.find("new-refresh"), std::string::npos) << "token value leaked: " << message;
    EXPECT_EQ(message.find("new-access"), std::string::npos) << "token value leaked: " << message;
    EXPECT_EQ(ccrec_test::ReadFile(path), before) << "the old token file must be left intact";
    auto files = ccrec_test::ListTree(dir.Path());
    ASSERT_EQ(files.size(), 2u);
    std::string const rescue = dir / files[1];
    EXPECT_EQ(files[1].rfind("tokens.json.rescue-", 0), 0u) << files[1];
    EXPECT_NE(message.find(rescue), std::string::npos) << message;
    EXPECT_NE(message.find("mv '" + rescue + "' '" + path + "'"), std::string::npos) << message;
    EXPECT_EQ(ccrec_test::FileMode(rescue), 0600u);
    auto kept = MakeJsonFileTokenStore(rescue)->Load();
    ASSERT_TRUE(kept && kept->has_value());
    ExpectSame(**kept, rotated);
    EXPECT_TRUE(ccrec_test::ListTree(elsewhere.Path()).empty());

    // Saving the same token again fails again but writes no second rescue file; Update() too.
    auto again = store->Save(rotated);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find(rescue), std::string::npos) << again.error().message;
    auto updated = store->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> { return rotated; });
    ASSERT_FALSE(updated);
    EXPECT_NE(updated.error().message.find(rescue), std::string::npos) << updated.error().message;
    EXPECT_EQ(ccrec_test::ListTree(dir.Path()).size(), 3u);  // tokens.json, its .lock, one rescue file
    EXPECT_EQ(ccrec_test::ReadFile(path), before);

    // Once the disk recovers, saving the token stores it and removes the redundant rescue file.
    disk.failing = false;
    ASSERT_TRUE(store->Save(rotated));
    ExpectSame(**store->Load(), rotated);
    EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"tokens.json", "tokens.json.lock"}));
  }
}

TEST(JsonFileTokenStore, FailedSaveLeavesOldFileIntact) {
  // Make the write fail part-way with EFBIG (works as root too, unlike a read-only directory).
  TempDir dir;
  TempDir rescue;
  auto path = dir / "tokens.json";
  JsonFileTokenStoreOptions options;
  options.rescue_dir = rescue.Path();
  auto store = MakeJsonFileTokenStore(path, options);
  ASSERT_TRUE(store->Save(Token("old-token")));
  std::string const before = ccrec_test::ReadFile(path);

  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto saved = store->Save(Token(std::string(64 * 1024, 'n')));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(saved);
  EXPECT_EQ(ccrec_test::ReadFile(path), before);
  EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"tokens.json"}));
  EXPECT_EQ((*store->Load())->access_token, "old-token");
  // The rescue files hit the same limit: no partial rescue file is left, and the error says the
  // token now exists only in memory.
  EXPECT_TRUE(ccrec_test::ListTree(rescue.Path()).empty());
  EXPECT_NE(saved.error().message.find("exists only in the caller's memory"), std::string::npos)
      << saved.error().message;
}

TEST(JsonFileTokenStore, FailedSaveInReadOnlyDirectoryLeavesOldFileIntact) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  TempDir rescue;
  auto path = dir / "tokens.json";
  JsonFileTokenStoreOptions options;
  options.rescue_dir = rescue.Path();
  auto store = MakeJsonFileTokenStore(path, options);
  ASSERT_TRUE(store->Save(Token("old-token")));
  ::chmod(dir.Path().c_str(), 0500);
  auto saved = store->Save(Token("new-token"));
  ::chmod(dir.Path().c_str(), 0700);
  ASSERT_FALSE(saved);
  EXPECT_EQ((*store->Load())->access_token, "old-token");
  EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"tokens.json"}));
  auto files = ccrec_test::ListTree(rescue.Path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ((*MakeJsonFileTokenStore(rescue / files[0])->Load())->access_token, "new-token");
}

TEST(JsonFileTokenStore, UpdateOnMissingFileSeesNullopt) {
  TempDir dir;
  auto store = MakeJsonFileTokenStore(dir / "t.json");
  bool saw_empty = false;
  auto r = store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
    saw_empty = !current;
    return Token("first");
  });
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(saw_empty);
  EXPECT_EQ((*store->Load())->access_token, "first");
  EXPECT_EQ(ccrec_test::FileMode(dir / "t.json"), 0600u);
}

TEST(JsonFileTokenStore, UpdateReturningSameTokenWritesNothing) {
  TempDir dir;
  auto path = dir / "t.json";
  auto store = MakeJsonFileTokenStore(path);
  ASSERT_TRUE(store->Save(Token("same")));
  auto before = ccrec_test::Inode(path);
  auto r = store->Update([](std::optional<OAuthToken> const& current) -> Result<OAuthToken> { return *current; });
  ASSERT_TRUE(r);
  EXPECT_EQ(ccrec_test::Inode(path), before);
}

TEST(JsonFileTokenStore, UpdateErrorLeavesFileUntouched) {
  TempDir dir;
  auto path = dir / "t.json";
  auto store = MakeJsonFileTokenStore(path);
  ASSERT_TRUE(store->Save(Token("keep")));
  auto before = ccrec_test::ReadFile(path);
  auto r = store->Update([](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    return MakeError(ErrorCode::kUnauthenticated, "invalid_grant");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ccrec_test::ReadFile(path), before);
}

TEST(JsonFileTokenStore, UpdateOnMalformedFileDoesNotCallBack) {
  TempDir dir;
  auto path = dir / "t.json";
  ccrec_test::WriteFile(path, "{oops");
  bool called = false;
  auto r = MakeJsonFileTokenStore(path)->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    called = true;
    return Token("x");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_FALSE(called);
  EXPECT_EQ(ccrec_test::ReadFile(path), "{oops");
}

constexpr int kIncrements = 200;

TEST(JsonFileTokenStore, UpdateFromTwoThreadsLosesNothing) {
  auto dir = TempDir::InMemory();
  auto path = dir / "t.json";
  // Separate store objects (as two clients would have) and a shared one.
  auto s1 = MakeJsonFileTokenStore(path);
  auto s2 = MakeJsonFileTokenStore(path);
  auto work = [](std::shared_ptr<TokenStore> store) {
    for (int i = 0; i < kIncrements; ++i) {
      auto r = store->Update(Increment);
      ASSERT_TRUE(r) << r.error().ToString();
    }
  };
  std::thread a(work, s1), b(work, s2), c(work, s1);
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(Counter(*s1), 3 * kIncrements);
}

TEST(JsonFileTokenStore, UpdateFromTwoProcessesLosesNothing) {
  auto dir = TempDir::InMemory();
  auto path = dir / "t.json";
  ASSERT_TRUE(MakeJsonFileTokenStore(path)->Save(Token("0")));
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(start[1]);
    char go = 0;
    if (::read(start[0], &go, 1) != 1) ::_exit(2);  // start together with the parent
    auto store = MakeJsonFileTokenStore(path);
    for (int i = 0; i < kIncrements; ++i) {
      if (!store->Update(Increment)) ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(start[0]);
  auto store = MakeJsonFileTokenStore(path);
  ASSERT_EQ(::write(start[1], "g", 1), 1);
  ::close(start[1]);
  for (int i = 0; i < kIncrements; ++i) {
    auto r = store->Update(Increment);
    ASSERT_TRUE(r) << r.error().ToString();
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Counter(*store), 2 * kIncrements);
  // The file was always replaced atomically: no temporary files remain.
  for (auto const& f : ccrec_test::ListTree(dir.Path())) {
    EXPECT_TRUE(f == "t.json" || f == "t.json.lock") << f;
  }
}

}  // namespace
}  // namespace ccrec
