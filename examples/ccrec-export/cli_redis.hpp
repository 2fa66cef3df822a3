// SPDX-License-Identifier: Apache-2.0
#pragma once
// ccrec-export's Redis flags (--token-store, --rate-limit-store, --redis-password-file), present
// when ccrec::redis was built (docs/redis.md), and the token store and rate limiter they select.

#include "cmd_webex.hpp"

#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/sub_window_lease.hpp>

#include <memory>
#include <string>

namespace ccrec_cli {

/// True when this ccrec-export was built with ccrec::redis.
bool HaveRedis();
/// Adds --token-store and --redis-password-file (nothing without ccrec::redis).
void AddRedisTokenStoreFlags(CLI::App& app, WebexFlags& f);
/// Adds --rate-limit-store (nothing without ccrec::redis).
void AddRedisRateLimitFlag(CLI::App& app, WebexFlags& f);
/// Adds --lease, --lease-ttl and --lease-wait (nothing without ccrec::redis).
void AddRedisLeaseFlags(CLI::App& app, WebexFlags& f);
/// --lease-ttl and --lease-wait checked (UsageError); call before anything is written.
void CheckLeaseFlags(WebexFlags const& f);
/// The SubWindowLeaser of --lease (UsageError for a bad URL): leases in the namespace
/// RedisSubWindowLeaseKey(PREFIX, job), held under `holder`; `manifest` is synced before a
/// sub-window is marked done (SubWindowLeaserOptions::before_done).
std::shared_ptr<ccrec::exporter::SubWindowLeaser> MakeSubWindowLeaser(
    WebexFlags const& f, std::string const& job, std::string const& holder,
    std::shared_ptr<ccrec::exporter::Manifest> const& manifest, ccrec::Logger const& logger);
/// "token file PATH" or "Redis token store redis://***@HOST:PORT/PREFIX", for messages.
std::string TokenStoreName(WebexFlags const& f);
/// The --token-store store (UsageError for a bad URL, or with --token-file as well).
std::shared_ptr<ccrec::TokenStore> OpenRedisTokenStore(WebexFlags const& f, ccrec::Logger const& logger);
/// The Webex rate limiter of --rate-limit, --rate-limiter and --rate-limit-store (shared through
/// Redis per client id; sliding-window only).
std::shared_ptr<ccrec::RateLimiter> MakeWebexRateLimiter(WebexFlags& f, ccrec::Logger const& logger);

}  // namespace ccrec_cli
