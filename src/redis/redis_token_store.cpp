// SPDX-License-Identifier: Apache-2.0
// MakeRedisTokenStore(): a token in a Redis hash, updated under a lock with a fencing value and
// stored by a Lua compare-and-set on the token's version (redis_token_store.hpp).

#include <ccrec/redis/redis_token_store.hpp>

#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "redis/redis_connection.hpp"

#include <algorithm>
#include <atomic>

namespace ccrec::redis {

namespace {

using std::chrono::milliseconds;
namespace util = ::ccrec::detail;

// KEYS[1] token hash, KEYS[2] lock; ARGV[1] lock value, ARGV[2] version read, ARGV[3] token JSON,
// ARGV[4] fence. Returns the new version, -1 when the lock is not ours, -2 when the version moved.
detail::Script const& CasScript() {
  static detail::Script const script(R"lua(
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[2]) then return -2 end
redis.call('HSET', KEYS[1], 'token', ARGV[3], 'version', v + 1, 'fence', ARGV[4])
return v + 1
)lua");
  return script;
}

// KEYS[1] token hash; ARGV[1] token JSON. Unconditional write (Save()).
detail::Script const& SaveScript() {
  static detail::Script const script(R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') + 1
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'version', v)
return v
)lua");
  return script;
}

std::string Serialize(OAuthToken const& t) {
  std::string out = "{\"access_token\":\"" + util::JsonEscape(t.access_token) + "\",\"token_type\":\"" +
                    util::JsonEscape(t.token_type) + "\",\"expires_at_ms\":" +
                    std::to_string(util::ToEpochMs(t.expires_at)) + ",\"refresh_token\":\"" +
                    util::JsonEscape(t.refresh_token) + "\"";
  if (t.refresh_token_expires_at) {
    out += ",\"refresh_token_expires_at_ms\":" + std::to_string(util::ToEpochMs(*t.refresh_token_expires_at));
  }
  out += "}";
  return out;
}

bool SameToken(std::optional<OAuthToken> const& a, OAuthToken const& b) {
  return a && a->access_token == b.access_token && a->token_type == b.token_type && a->expires_at == b.expires_at &&
         a->refresh_token == b.refresh_token && a->refresh_token_expires_at == b.refresh_token_expires_at;
}

/// The stored token and its version.
struct Stored {
  std::optional<OAuthToken> token;
  std::int64_t version = 0;
};

class RedisTokenStore : public TokenStore {
 public:
  explicit RedisTokenStore(RedisTokenStoreOptions o)
      : conn_(o.server),
        key_(o.key),
        lock_key_(o.key + ":lock"),
        fence_key_(o.key + ":fence"),
        lock_ttl_(std::max(o.lock_ttl, milliseconds(1000))),
        lock_wait_(std::max(o.lock_wait, milliseconds(0))),
        lock_poll_(std::clamp(o.lock_poll, milliseconds(1), milliseconds(1000))),
        logger_(std::move(o.logger)),
        sleeper_(o.sleeper ? std::move(o.sleeper) : MakeRealSleeper()) {}

  Result<std::optional<OAuthToken>> Load() override {
    auto s = Read();
    if (!s) return std::move(s).error();
    return std::move(s->token);
  }

  Result<void> Save(OAuthToken const& token) override {
    auto r = Run([&](bool* fresh) { return conn_.Eval(SaveScript(), {key_}, {Serialize(token)}, What(), fresh); });
    if (!r) return std::move(r).error();
    return {};
  }

  Result<OAuthToken> Update(std::function<Result<OAuthToken>(std::optional<OAuthToken> const& current)> const& update)
      override {
    auto fence = Run([&](bool* fresh) { return conn_.Command({"INCR", fence_key_}, What(), fresh); });
    if (!fence) return std::move(fence).error();
    std::string const fence_text = std::to_string(fence->integer);
    std::string const lock_value = fence_text + ":" + util::HexEncode(util::RandomBytes(16));
    if (auto locked = Lock(lock_value); !locked) return std::move(locked).error();
    auto result = UpdateLocked(update, lock_value, fence_text);
    auto unlocked = conn_.Eval(detail::DeleteIfHeldScript(), {lock_key_}, {lock_value}, What());
    if (!unlocked) {
      logger_.Warn(unlocked.error().message + "; the token lock expires by itself within " +
                   std::to_string(lock_ttl_.count()) + " ms");
    }
    return result;
  }

 private:
  std::string What() const { return "Redis token store (key " + key_ + " on " + conn_.Describe() + ")"; }

  /// Runs `command` and, once per store, checks persistence after the first connection.
  template <typename F>
  Result<detail::Reply> Run(F&& command) {
    bool fresh = false;
    auto r = command(&fresh);
    if (fresh && !checked_.exchange(true)) CheckPersistence();
    return r;
  }

  void CheckPersistence() {
    auto aof = conn_.Command({"CONFIG", "GET", "appendonly"}, What());
    auto save = conn_.Command({"CONFIG", "GET", "save"}, What());
    auto value = [](Result<detail::Reply> const& r) -> std::optional<std::string> {
      if (!r || r->type != detail::Reply::Type::kArray || r->elements.size() < 2) return std::nullopt;
      return r->elements[1].str;
    };
    auto aof_value = value(aof);
    auto save_value = value(save);
    if (!aof_value || !save_value) {
      logger_.Warn(What() + ": could not check whether Redis persists data (CONFIG GET is not allowed); make sure "
                            "it does (appendonly yes, or save points): a restart that loses the stored token loses "
                            "its rotated refresh token, and an admin must then re-authorize the integration");
      return;
    }
    if (*aof_value != "yes" && save_value->find_first_not_of(' ') == std::string::npos) {
      logger_.Error(What() + ": Redis persists nothing (appendonly no and no save points): a Redis restart loses "
                             "the stored token, whose refresh token is rotated on every refresh and exists nowhere "
                             "else; an admin must then re-authorize the integration. Turn on appendonly (or save "
                             "points) on this server");
    }
  }

  Result<Stored> Read() {
    auto r = Run([&](bool* fresh) { return conn_.Command({"HMGET", key_, "token", "version"}, What(), fresh); });
    if (!r) return std::move(r).error();
    if (r->type != detail::Reply::Type::kArray || r->elements.size() != 2) {
      return MakeError(ErrorCode::kInternal, What() + ": unexpected reply to HMGET");
    }
    Stored out;
    auto const& version = r->elements[1];
    if (version.type == detail::Reply::Type::kString) {
      try {
        out.version = std::stoll(version.str);
      } catch (...) {
        return MakeError(ErrorCode::kParse, What() + ": field \"version\" is not an integer");
      }
    }
    auto const& token = r->elements[0];
    if (token.type != detail::Reply::Type::kString) return out;
    auto parsed = Parse(token.str);
    if (!parsed) return std::move(parsed).error();
    out.token = std::move(*parsed);
    return out;
  }

  Result<OAuthToken> Parse(std::string const& text) const {
    std::string const what = What() + ": field \"token\"";
    auto doc = util::ParseJson(text, what);  // the message quotes no token value
    if (!doc) return MakeError(ErrorCode::kParse, what + " is not valid JSON");
    if (!doc->IsObject()) return MakeError(ErrorCode::kParse, what + " is not a JSON object");
    OAuthToken t;
    auto access = util::OptString(*doc, "access_token");
    auto expires = util::OptInt64(*doc, "expires_at_ms");
    if (!access || !expires) {
      return MakeError(ErrorCode::kParse, what + " needs a string \"access_token\" and an integer \"expires_at_ms\"");
    }
    t.access_token = std::move(*access);
    t.expires_at = util::FromEpochMs(*expires);
    t.token_type = util::OptString(*doc, "token_type").value_or("Bearer");
    t.refresh_token = util::OptString(*doc, "refresh_token").value_or("");
    if (auto rt = util::OptInt64(*doc, "refresh_token_expires_at_ms")) t.refresh_token_expires_at = util::FromEpochMs(*rt);
    return t;
  }

  Result<void> Lock(std::string const& lock_value) {
    milliseconds waited{0};
    for (;;) {
      auto r = Run([&](bool* fresh) {
        return conn_.Command({"SET", lock_key_, lock_value, "NX", "PX", std::to_string(lock_ttl_.count())}, What(),
                             fresh);
      });
      if (!r) return std::move(r).error();
      if (r->type == detail::Reply::Type::kStatus) return {};  // "OK"; nil when held
      if (waited >= lock_wait_) {
        return MakeError(ErrorCode::kUnavailable,
                         What() + ": another process has held the refresh lock (" + lock_key_ + ") for more than " +
                             std::to_string(lock_wait_.count()) + " ms; try again later");
      }
      sleeper_->SleepFor(lock_poll_, CancellationToken());
      waited += lock_poll_;
    }
  }

  Result<OAuthToken> UpdateLocked(
      std::function<Result<OAuthToken>(std::optional<OAuthToken> const& current)> const& update,
      std::string const& lock_value, std::string const& fence) {
    auto stored = Read();
    if (!stored) return std::move(stored).error();
    auto next = update(stored->token);
    if (!next) return next;
    if (SameToken(stored->token, *next)) return next;
    auto r = conn_.Eval(CasScript(), {key_, lock_key_},
                        {lock_value, std::to_string(stored->version), Serialize(*next), fence}, What());
    if (!r) return std::move(r).error();
    if (r->integer == -1 || r->integer == -2) {
      return MakeError(ErrorCode::kUnavailable,
                       What() + ": the new token was not stored: " +
                           (r->integer == -1 ? "the refresh lock expired (the update took longer than lock_ttl, " +
                                                   std::to_string(lock_ttl_.count()) + " ms) and was taken over"
                                             : std::string("another writer stored a token meanwhile")) +
                           "; raise lock_ttl above the token request's timeout");
    }
    return next;
  }

  detail::Connection conn_;
  std::string key_;
  std::string lock_key_;
  std::string fence_key_;
  milliseconds lock_ttl_;
  milliseconds lock_wait_;
  milliseconds lock_poll_;
  Logger logger_;
  std::shared_ptr<Sleeper> sleeper_;
  std::atomic<bool> checked_{false};
};

}  // namespace

std::shared_ptr<TokenStore> MakeRedisTokenStore(RedisTokenStoreOptions options) {
  return std::make_shared<RedisTokenStore>(std::move(options));
}

}  // namespace ccrec::redis
