// SPDX-License-Identifier: Apache-2.0
// ccrec-export's Redis flags: one token store and one rate limit shared by every ccrec-export
// process of an integration (docs/redis.md). Without ccrec::redis the flags do not exist.
#include "cli_redis.hpp"

#if defined(CCREC_EXPORT_HAVE_REDIS)
#include <ccrec/redis/redis_rate_limiter.hpp>
#include <ccrec/redis/redis_sub_window_lease.hpp>
#include <ccrec/redis/redis_token_store.hpp>
#endif

#include <functional>
#include <map>
#include <mutex>

namespace ccrec_cli {

#if defined(CCREC_EXPORT_HAVE_REDIS)
namespace {

/// The URL syntax every Redis flag takes, the start of its help text.
std::string RedisUrlHelp(char const* what) {
  return std::string("redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][/PREFIX]: ") + what;
}

/// --token-store / --rate-limit-store parsed, with --redis-password-file applied.
ccrec::redis::RedisLocation RedisFlag(WebexFlags const& f, std::string const& flag, std::string const& url) {
  auto loc = ccrec::redis::ParseRedisUrl(url);
  if (!loc) throw UsageError{flag + ": " + loc.error().message};
  if (!f.redis_password_file.empty()) {
    if (!loc->server.password.empty()) {
      throw UsageError{flag + " has a password and --redis-password-file was given too; give one"};
    }
    SecretFlag secret;
    secret.file = f.redis_password_file;
    loc->server.password = ResolveSecret(secret, "CCREC_REDIS_PASSWORD", "redis-password");
  }
  if (auto t = RequestTimeout(f.common); t && *t > loc->server.command_timeout) loc->server.command_timeout = *t;
  return *loc;
}

}  // namespace

bool HaveRedis() { return true; }

void AddRedisTokenStoreFlags(CLI::App& app, WebexFlags& f) {
  app.add_option("--token-store", f.token_store,
                 RedisUrlHelp("keep the token in Redis (key PREFIX:token) instead of --token-file, shared by every "
                              "process of the integration, refreshed by one of them at a time (docs/redis.md)"));
  app.add_option("--redis-password-file", f.redis_password_file,
                 "file holding the Redis password of --token-store, --rate-limit-store and --lease (instead of "
                 "the URL)")
      ->check(CLI::ExistingFile);
}

void AddRedisRateLimitFlag(CLI::App& app, WebexFlags& f) {
  app.add_option("--rate-limit-store", f.rate_limit_store,
                 RedisUrlHelp("share --rate-limit and 429 pauses through Redis with every process using the same "
                              "client id (key PREFIX:ratelimit:CLIENT_ID; sliding-window only)"));
}

void AddRedisLeaseFlags(CLI::App& app, WebexFlags& f) {
  app.add_option("--lease", f.lease,
                 RedisUrlHelp("share the window with every instance started with the same job flags by leasing "
                              "--sub-window sub-windows (renewed while they are worked, marked done when every "
                              "recording of them was exported or skipped, else listed again later; a dead instance's sub-window is taken over when "
                              "its lease expires). {shard} in --manifest becomes HOST-PID-RANDOM. Not with --shard, "
                              "--since-last-run, --task-id or --dry-run (docs/scale.md)"));
  app.add_option("--lease-ttl", f.lease_ttl,
                 "lifetime of a --lease lease, renewed every third of it: a killed instance's sub-window is taken "
                 "over this long after its last renewal (at least 1s)")
      ->capture_default_str();
  app.add_option("--lease-wait", f.lease_wait,
                 "with --lease: how long to wait for sub-windows other instances hold once this one has nothing "
                 "left to list; then exit 1 naming them (0 = no limit)")
      ->capture_default_str();
}

void CheckLeaseFlags(WebexFlags const& f) {
  if (f.lease.empty()) return;
  if (ParseDurationFlag("--lease-ttl", f.lease_ttl) < std::chrono::seconds(1)) {
    throw UsageError{"--lease-ttl must be at least 1s"};
  }
  (void)ParseDurationFlag("--lease-wait", f.lease_wait);
  (void)RedisFlag(f, "--lease", f.lease);
}

std::shared_ptr<ccrec::exporter::SubWindowLeaser> MakeSubWindowLeaser(
    WebexFlags const& f, std::string const& job, std::string const& holder,
    std::shared_ptr<ccrec::exporter::Manifest> const& manifest, ccrec::Logger const& logger) {
  auto loc = RedisFlag(f, "--lease", f.lease);
  ccrec::redis::RedisSubWindowLeaseOptions so;
  so.server = loc.server;
  so.key = ccrec::redis::RedisSubWindowLeaseKey(loc.key_prefix, job);
  so.holder = holder;
  ccrec::exporter::SubWindowLeaserOptions o;
  o.store = ccrec::redis::MakeRedisSubWindowLease(so);
  o.ttl = ParseDurationFlag("--lease-ttl", f.lease_ttl);
  o.max_wait = ParseDurationFlag("--lease-wait", f.lease_wait);
  o.logger = logger;
  o.before_done = [manifest] { return manifest->Sync(); };
  logger.Info("sub-windows are leased in " + o.store->Describe() + " as " + holder);
  return std::make_shared<ccrec::exporter::SubWindowLeaser>(o);
}

std::shared_ptr<ccrec::TokenStore> OpenRedisTokenStore(WebexFlags const& f, ccrec::Logger const& logger) {
  if (!f.token_file.empty()) throw UsageError{"--token-file and --token-store were both given; choose one token store"};
  auto loc = RedisFlag(f, "--token-store", f.token_store);
  ccrec::redis::RedisTokenStoreOptions o;
  o.server = loc.server;
  o.key = loc.key_prefix + ":token";
  o.logger = logger;
  // The lock must outlive one token request (--request-timeout, 30 s by default).
  if (auto t = RequestTimeout(f.common); t && *t + std::chrono::seconds(30) > o.lock_ttl) {
    o.lock_ttl = *t + std::chrono::seconds(30);
    o.lock_wait = o.lock_ttl + std::chrono::seconds(30);
  }
  return ccrec::redis::MakeRedisTokenStore(o);
}

#else  // built without ccrec::redis: the flags do not exist, and what would need them is a usage error

namespace {

[[noreturn]] void NeedsRedis(std::string const& flag) {
  throw UsageError{flag + " needs ccrec::redis, which this ccrec-export was built without"};
}

}  // namespace

bool HaveRedis() { return false; }

void AddRedisTokenStoreFlags(CLI::App& /*app*/, WebexFlags& /*f*/) {}

void AddRedisRateLimitFlag(CLI::App& /*app*/, WebexFlags& /*f*/) {}

void AddRedisLeaseFlags(CLI::App& /*app*/, WebexFlags& /*f*/) {}

void CheckLeaseFlags(WebexFlags const& f) {
  if (!f.lease.empty()) NeedsRedis("--lease");
}

std::shared_ptr<ccrec::exporter::SubWindowLeaser> MakeSubWindowLeaser(
    WebexFlags const& /*f*/, std::string const& /*job*/, std::string const& /*holder*/,
    std::shared_ptr<ccrec::exporter::Manifest> const& /*manifest*/, ccrec::Logger const& /*logger*/) {
  NeedsRedis("--lease");
}

std::shared_ptr<ccrec::TokenStore> OpenRedisTokenStore(WebexFlags const& /*f*/, ccrec::Logger const& /*logger*/) {
  NeedsRedis("--token-store");
}

#endif

std::string TokenStoreName(WebexFlags const& f) {
#if defined(CCREC_EXPORT_HAVE_REDIS)
  if (!f.token_store.empty()) return "Redis token store " + ccrec::redis::RedactRedisUrl(f.token_store);
#endif
  return "token file " + f.token_file;
}

namespace {

// The client id of --client-id (flag, file, environment), or "" when none is given (a Service App).
std::string ClientIdOrEmpty(WebexFlags const& f) {
  try {
    return ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id");
  } catch (UsageError const&) {
    return {};
  }
}

// One in-process limiter per client id: the jobs of `ccrec-export run` that share a client id
// share its budget (the first job's --rate-limit and --rate-limiter set it).
std::shared_ptr<ccrec::RateLimiter> SharedLimiter(std::string const& client_id,
                                                  std::function<std::shared_ptr<ccrec::RateLimiter>()> const& make) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<ccrec::RateLimiter>> limiters;
  if (client_id.empty()) return make();
  std::lock_guard<std::mutex> lock(mu);
  auto& limiter = limiters[client_id];
  if (!limiter) limiter = make();
  return limiter;
}

}  // namespace

std::shared_ptr<ccrec::RateLimiter> MakeWebexRateLimiter(WebexFlags& f, ccrec::Logger const& logger) {
  if (f.rate_limiter == "token-bucket") {
    if (!f.rate_limit_store.empty()) {
      throw UsageError{"--rate-limit-store works with --rate-limiter sliding-window only"};
    }
    return SharedLimiter(ClientIdOrEmpty(f), [&] {
      ccrec::TokenBucketOptions rate;
      rate.requests_per_minute = f.rate_limit;
      return ccrec::MakeTokenBucketRateLimiter(rate);
    });
  }
  // sliding-window: at most N in any rolling 60 s (N rounded down, CLI::Range keeps it >= 1)
#if defined(CCREC_EXPORT_HAVE_REDIS)
  if (!f.rate_limit_store.empty()) {
    auto loc = RedisFlag(f, "--rate-limit-store", f.rate_limit_store);
    ccrec::redis::RedisRateLimiterOptions o;
    o.server = loc.server;
    o.key = ccrec::redis::RedisRateLimitKey(loc.key_prefix,
                                            ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id"));
    o.max_requests = static_cast<std::size_t>(f.rate_limit);
    o.logger = logger;
    return ccrec::redis::MakeRedisRateLimiter(o);
  }
#else
  (void)logger;
#endif
  return SharedLimiter(ClientIdOrEmpty(f), [&] {
    ccrec::SlidingWindowOptions rate;
    rate.max_requests = static_cast<std::size_t>(f.rate_limit);
    return ccrec::MakeSlidingWindowRateLimiter(rate);
  });
}

}  // namespace ccrec_cli
