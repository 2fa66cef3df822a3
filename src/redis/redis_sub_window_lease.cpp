// SPDX-License-Identifier: Apache-2.0
// MakeRedisSubWindowLease(): sub-window leases and done marks as Redis strings, each operation
// one Lua script that compares the lease value first (redis_sub_window_lease.hpp).

#include <ccrec/redis/redis_sub_window_lease.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "redis/redis_connection.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace ccrec::redis {

namespace {

using std::chrono::milliseconds;

// Lua: renews the lease KEYS[1] for ARGV[2] ms when holder ARGV[1] holds it; true when it did.
constexpr char kRenewIfHeld[] = R"lua(
local function renew_if_held()
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return true
end
)lua";

// KEYS[1] lease, KEYS[2] done; ARGV[1] holder, ARGV[2] ttl ms. 0 taken, 1 held by another, 2 done.
detail::Script const& TakeScript() {
  static detail::Script const script(std::string(kRenewIfHeld) + R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) or renew_if_held() then return 0 end
return 1
)lua");
  return script;
}

// KEYS[1] lease; ARGV[1] holder, ARGV[2] ttl ms. 1 renewed, 0 not ours.
detail::Script const& RenewScript() {
  static detail::Script const script(std::string(kRenewIfHeld) + R"lua(
if renew_if_held() then return 1 end
return 0
)lua");
  return script;
}

// KEYS[1] lease, KEYS[2] done; ARGV[1] holder, ARGV[2] done ttl ms.
detail::Script const& DoneScript() {
  static detail::Script const script(R"lua(
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)lua");
  return script;
}

std::string DefaultHolder() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "host");
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" +
         ::ccrec::detail::HexEncode(::ccrec::detail::RandomBytes(8));
}

class RedisSubWindowLease : public exporter::SubWindowLeaseStore {
 public:
  explicit RedisSubWindowLease(RedisSubWindowLeaseOptions o)
      : conn_(o.server),
        key_(std::move(o.key)),
        holder_(o.holder.empty() ? DefaultHolder() : std::move(o.holder)),
        done_ttl_(std::max(o.done_ttl, milliseconds(1000))) {}

  Result<exporter::LeaseTake> TryTake(exporter::SubWindow const& w, milliseconds ttl) override {
    auto key = LeaseKey(w);
    auto r = Run(TakeScript(), {key, key + ":done"}, {holder_, Ms(ttl)}, "lease " + key);
    if (!r) return std::move(r).error();
    switch (*r) {
      case 0:
        return exporter::LeaseTake::kTaken;
      case 2:
        return exporter::LeaseTake::kDone;
      default:
        return exporter::LeaseTake::kHeldByOther;
    }
  }

  Result<bool> Renew(exporter::SubWindow const& w, milliseconds ttl) override {
    auto key = LeaseKey(w);
    auto r = Run(RenewScript(), {key}, {holder_, Ms(ttl)}, "renew " + key);
    if (!r) return std::move(r).error();
    return *r == 1;
  }

  Result<void> MarkDone(exporter::SubWindow const& w) override {
    auto key = LeaseKey(w);
    auto r = Run(DoneScript(), {key, key + ":done"}, {holder_, Ms(done_ttl_)}, "mark done " + key);
    if (!r) return std::move(r).error();
    return {};
  }

  Result<void> Release(exporter::SubWindow const& w) override {
    auto key = LeaseKey(w);
    auto r = Run(detail::DeleteIfHeldScript(), {key}, {holder_}, "release " + key);
    if (!r) return std::move(r).error();
    return {};
  }

  std::string Describe() const override { return "Redis " + conn_.Describe() + " " + key_; }

 private:
  static std::string Ms(milliseconds d) { return std::to_string(std::max<std::int64_t>(d.count(), 1)); }

  std::string LeaseKey(exporter::SubWindow const& w) const {
    return key_ + ":" + std::to_string(w.index) + ":" + std::to_string(::ccrec::detail::ToEpochMs(w.from)) + "-" +
           std::to_string(::ccrec::detail::ToEpochMs(w.to));
  }

  Result<std::int64_t> Run(detail::Script const& script, std::vector<std::string> const& keys,
                           std::vector<std::string> const& args, std::string const& what) {
    auto r = conn_.Eval(script, keys, args, "sub-window " + what);
    if (!r) {
      Error e = std::move(r).error();
      e.code = ErrorCode::kUnavailable;
      return e;
    }
    if (r->type != detail::Reply::Type::kInteger) {
      return MakeError(ErrorCode::kUnavailable, "sub-window " + what + ": unexpected reply from the lease script");
    }
    return r->integer;
  }

  detail::Connection conn_;
  std::string key_;
  std::string holder_;
  milliseconds done_ttl_;
};

}  // namespace

std::string RedisSubWindowLeaseKey(std::string_view key_prefix, std::string_view job) {
  return std::string(key_prefix) + ":lease:" + ::ccrec::detail::Sha256Hex(job).substr(0, 16);
}

std::shared_ptr<exporter::SubWindowLeaseStore> MakeRedisSubWindowLease(RedisSubWindowLeaseOptions options) {
  return std::make_shared<RedisSubWindowLease>(std::move(options));
}

}  // namespace ccrec::redis
