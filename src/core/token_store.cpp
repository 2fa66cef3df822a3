// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/token_store.hpp>

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/token_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace ccrec {
inline namespace v1 {

namespace {
// Serialises the default Update() within a process. One mutex per store object would need
// state in the interface; a process-wide one is fine for this rare operation.
std::mutex& DefaultUpdateMutex() {
  static std::mutex mu;
  return mu;
}

bool SameToken(std::optional<OAuthToken> const& a, OAuthToken const& b) {
  return a.has_value() && a->access_token == b.access_token && a->token_type == b.token_type &&
         a->expires_at == b.expires_at && a->refresh_token == b.refresh_token &&
         a->refresh_token_expires_at == b.refresh_token_expires_at;
}

}  // namespace

Result<OAuthToken> TokenStore::Update(
    std::function<Result<OAuthToken>(std::optional<OAuthToken> const& current)> const& update) {
  std::lock_guard<std::mutex> lock(DefaultUpdateMutex());
  auto current = Load();
  if (!current) return std::move(current).error();
  auto next = update(*current);
  if (!next) return next;
  if (!SameToken(*current, *next)) {
    auto saved = Save(*next);
    if (!saved) return std::move(saved).error();
  }
  return next;
}

namespace {

class MemoryTokenStore : public TokenStore {
 public:
  explicit MemoryTokenStore(std::optional<OAuthToken> initial) : token_(std::move(initial)) {}
  Result<std::optional<OAuthToken>> Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    return token_;
  }
  Result<void> Save(OAuthToken const& token) override {
    std::lock_guard<std::mutex> lock(mu_);
    token_ = token;
    return {};
  }

 private:
  std::mutex mu_;
  std::optional<OAuthToken> token_;
};

std::string Serialize(OAuthToken const& t) {
  using detail::JsonEscape;
  std::string out = "{\"access_token\":\"" + JsonEscape(t.access_token) + "\",\"token_type\":\"" +
                    JsonEscape(t.token_type) + "\",\"expires_at\":" +
                    std::to_string(detail::ToEpochSeconds(t.expires_at)) + ",\"refresh_token\":\"" +
                    JsonEscape(t.refresh_token) + "\"";
  if (t.refresh_token_expires_at) {
    out += ",\"refresh_token_expires_at\":" + std::to_string(detail::ToEpochSeconds(*t.refresh_token_expires_at));
  }
  out += "}\n";
  return out;
}

// Identity of a token for rescue bookkeeping (kept in memory only).
std::string RescueKey(OAuthToken const& t) {
  return t.access_token + '\n' + t.refresh_token + '\n' + std::to_string(detail::ToEpochSeconds(t.expires_at));
}

// Writes `data` to a new file `dir/name.rescue-TIME-RANDOM` (mode 0600, O_EXCL: never replaces
// anything, never follows a symlink) and returns its path.
Result<std::string> WriteRescueFile(std::string const& dir, std::string const& name, std::string const& data) {
  std::string path = (dir == "/" ? std::string() : dir) + "/" + name + ".rescue-" +
                     detail::FormatAmzDate(std::chrono::system_clock::now()) + "-" +
                     detail::HexEncode(detail::RandomBytes(3));
  auto fail = [&](std::string const& what) {
    return MakeError(ErrorCode::kInternal, what + " " + path + ": " + std::strerror(errno));
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create");
  ::fchmod(fd, 0600);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      auto e = fail("cannot write");
      ::close(fd);
      ::unlink(path.c_str());
      return e;
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto e = fail("cannot fsync");
    ::close(fd);
    ::unlink(path.c_str());
    return e;
  }
  (void)detail::SyncDir(dir);  // the file is complete; a failed directory fsync does not undo it
  return path;
}

std::string DefaultRescueDir() {
  char const* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

class JsonFileTokenStore : public TokenStore {
 public:
  JsonFileTokenStore(std::string path, JsonFileTokenStoreOptions options, detail::TokenFileWriter writer)
      : path_(std::move(path)), options_(std::move(options)), writer_(std::move(writer)) {
    if (!writer_) writer_ = detail::WriteFileAtomic;
  }

  Result<std::optional<OAuthToken>> Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    return LoadLocked();
  }

  Result<void> Save(OAuthToken const& token) override {
    std::lock_guard<std::mutex> lock(mu_);
    return WriteLocked(token);
  }

  Result<OAuthToken> Update(
      std::function<Result<OAuthToken>(std::optional<OAuthToken> const& current)> const& update) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string lock_path = path_ + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return MakeError(ErrorCode::kInternal, "cannot open token lock file " + lock_path + ": " + std::strerror(errno));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd);
        return MakeError(ErrorCode::kInternal, "cannot lock " + lock_path + ": " + std::strerror(err));
      }
    }
    auto result = [&]() -> Result<OAuthToken> {
      auto current = LoadLocked();
      if (!current) return std::move(current).error();
      auto next = update(*current);
      if (!next) return next;
      if (SameToken(*current, *next)) {  // nothing new to store
        ForgetRescue(*next);
        return next;
      }
      auto saved = WriteLocked(*next);
      if (!saved) return std::move(saved).error();
      return next;
    }();
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return result;
  }

 private:
  // Replaces the token file; on failure writes a rescue file (once per token) and names it in
  // the error. Requires mu_.
  Result<void> WriteLocked(OAuthToken const& token) {
    std::string data = Serialize(token);
    auto written = writer_(path_, data, 0600);
    if (written) {
      ForgetRescue(token);
      return {};
    }
    Error e = std::move(written).error();
    std::string what = "cannot save the token to " + path_ + " (" + e.message + ")";
    std::string key = RescueKey(token);
    auto known = rescued_.find(key);
    struct stat st {};
    if (known != rescued_.end() && ::lstat(known->second.c_str(), &st) == 0) {
      e.message = what + RescuedAdvice(known->second);
      return e;
    }
    std::string name = path_.substr(path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/') + 1);
    std::vector<std::string> dirs{detail::DirName(path_)};
    std::string second = options_.rescue_dir.empty() ? DefaultRescueDir() : options_.rescue_dir;
    if (second != dirs.front()) dirs.push_back(second);
    std::string reasons;
    for (auto const& dir : dirs) {
      auto rescue = WriteRescueFile(dir, name, data);
      if (rescue) {
        rescued_[key] = *rescue;
        e.message = what + RescuedAdvice(*rescue);
        return e;
      }
      reasons += (reasons.empty() ? "" : "; ") + rescue.error().message;
    }
    e.message = what + "; no rescue file could be written either (" + reasons +
                "): the token exists only in the caller's memory";
    return e;
  }

  std::string RescuedAdvice(std::string const& rescue) const {
    return "; the token is not lost: it was written to " + rescue +
           " (mode 0600, token-file format). If that file still exists once the cause is fixed, move it over "
           "the token file: mv '" + rescue + "' '" + path_ + "'";
  }

  // After `token` reached the token file, its rescue file is redundant. Requires mu_.
  void ForgetRescue(OAuthToken const& token) {
    if (rescued_.empty()) return;
    auto it = rescued_.find(RescueKey(token));
    if (it == rescued_.end()) return;
    ::unlink(it->second.c_str());
    rescued_.erase(it);
  }

  Result<std::optional<OAuthToken>> LoadLocked() {
    auto text = detail::ReadSmallFile(path_);
    if (!text) {
      if (text.error().code == ErrorCode::kNotFound) return std::optional<OAuthToken>{};
      return std::move(text).error();
    }
    auto doc = detail::ParseJson(*text, "token file " + path_);
    if (!doc) return std::move(doc).error();
    if (!doc->IsObject()) return MakeError(ErrorCode::kParse, "token file " + path_ + " is not a JSON object");
    // Strict about types: this is our own format, and a mistyped field must not silently turn
    // into an empty token or an unknown expiry.
    OAuthToken t;
    auto access = StringField(*doc, "access_token");
    if (!access) return std::move(access).error();
    auto refresh = StringField(*doc, "refresh_token");
    if (!refresh) return std::move(refresh).error();
    auto type = StringField(*doc, "token_type");
    if (!type) return std::move(type).error();
    auto expires = EpochField(*doc, "expires_at");
    if (!expires) return std::move(expires).error();
    auto refresh_expires = EpochField(*doc, "refresh_token_expires_at");
    if (!refresh_expires) return std::move(refresh_expires).error();
    if (!*access && !*refresh) {
      return MakeError(ErrorCode::kParse, "token file " + path_ +
                                              " has neither \"access_token\" nor \"refresh_token\" (string)");
    }
    t.access_token = access->value_or("");
    t.refresh_token = refresh->value_or("");
    t.token_type = type->value_or("Bearer");
    // A missing expiry reads as expired (epoch): the token is refreshed before use.
    t.expires_at = *expires ? detail::FromEpochSeconds(**expires) : std::chrono::system_clock::time_point{};
    if (*refresh_expires) t.refresh_token_expires_at = detail::FromEpochSeconds(**refresh_expires);
    return std::optional<OAuthToken>(std::move(t));
  }

  // A string member; absent or null -> nullopt; any other type -> kParse naming file and field.
  Result<std::optional<std::string>> StringField(rapidjson::Value const& doc, char const* key) const {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || it->value.IsNull()) return std::optional<std::string>{};
    if (!it->value.IsString()) {
      return MakeError(ErrorCode::kParse, "token file " + path_ + ": \"" + key + "\" must be a string");
    }
    return std::optional<std::string>(std::string(it->value.GetString(), it->value.GetStringLength()));
  }

  // Integer epoch seconds; absent or null -> nullopt; anything else -> kParse naming file and field.
  Result<std::optional<std::int64_t>> EpochField(rapidjson::Value const& doc, char const* key) const {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || it->value.IsNull()) return std::optional<std::int64_t>{};
    if (!it->value.IsInt64()) {
      return MakeError(ErrorCode::kParse, "token file " + path_ + ": \"" + key +
                                              "\" must be an integer number of seconds since the epoch");
    }
    return std::optional<std::int64_t>(it->value.GetInt64());
  }

  std::mutex mu_;
  std::string path_;
  JsonFileTokenStoreOptions options_;
  detail::TokenFileWriter writer_;
  std::map<std::string, std::string> rescued_;  // RescueKey -> rescue file; guarded by mu_
};

}  // namespace

std::shared_ptr<TokenStore> MakeMemoryTokenStore(std::optional<OAuthToken> initial) {
  return std::make_shared<MemoryTokenStore>(std::move(initial));
}

std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path) {
  return std::make_shared<JsonFileTokenStore>(std::move(path), JsonFileTokenStoreOptions{}, nullptr);
}

std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path, JsonFileTokenStoreOptions options) {
  return std::make_shared<JsonFileTokenStore>(std::move(path), std::move(options), nullptr);
}

namespace detail {
std::shared_ptr<TokenStore> MakeJsonFileTokenStoreWithWriter(std::string path, JsonFileTokenStoreOptions options,
                                                             TokenFileWriter writer) {
  return std::make_shared<JsonFileTokenStore>(std::move(path), std::move(options), std::move(writer));
}
}  // namespace detail

}  // namespace v1
}  // namespace ccrec
