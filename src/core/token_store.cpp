#include <ccrec/core/token_store.hpp>

#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

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
  using internal::JsonEscape;
  std::string out = "{\"access_token\":\"" + JsonEscape(t.access_token) + "\",\"token_type\":\"" +
                    JsonEscape(t.token_type) + "\",\"expires_at\":" +
                    std::to_string(internal::ToEpochSeconds(t.expires_at)) + ",\"refresh_token\":\"" +
                    JsonEscape(t.refresh_token) + "\"";
  if (t.refresh_token_expires_at) {
    out += ",\"refresh_token_expires_at\":" + std::to_string(internal::ToEpochSeconds(*t.refresh_token_expires_at));
  }
  out += "}\n";
  return out;
}

class JsonFileTokenStore : public TokenStore {
 public:
  explicit JsonFileTokenStore(std::string path) : path_(std::move(path)) {}

  Result<std::optional<OAuthToken>> Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    return LoadLocked();
  }

  Result<void> Save(OAuthToken const& token) override {
    std::lock_guard<std::mutex> lock(mu_);
    return internal::WriteFileAtomic(path_, Serialize(token), 0600);
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
      if (SameToken(*current, *next)) return next;  // nothing new to store
      auto saved = internal::WriteFileAtomic(path_, Serialize(*next), 0600);
      if (!saved) return std::move(saved).error();
      return next;
    }();
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return result;
  }

 private:
  Result<std::optional<OAuthToken>> LoadLocked() {
    auto text = internal::ReadSmallFile(path_);
    if (!text) {
      if (text.error().code == ErrorCode::kNotFound) return std::optional<OAuthToken>{};
      return std::move(text).error();
    }
    auto doc = internal::ParseJson(*text, "token file " + path_);
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
    t.expires_at = *expires ? internal::FromEpochSeconds(**expires) : std::chrono::system_clock::time_point{};
    if (*refresh_expires) t.refresh_token_expires_at = internal::FromEpochSeconds(**refresh_expires);
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
};

}  // namespace

std::shared_ptr<TokenStore> MakeMemoryTokenStore(std::optional<OAuthToken> initial) {
  return std::make_shared<MemoryTokenStore>(std::move(initial));
}

std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path) {
  return std::make_shared<JsonFileTokenStore>(std::move(path));
}

}  // namespace v1
}  // namespace ccrec
