// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MakeRedisSubWindowLease`: the sub-window leases of exporter::SubWindowLeaser kept in Redis, so
/// that several instances of one export job (processes, hosts, pods) share a window's
/// sub-windows dynamically (`ccrec-export --lease`, docs/redis.md, docs/scale.md).

#include <ccrec/core/export.hpp>
#include <ccrec/exporter/sub_window_lease.hpp>
#include <ccrec/redis/redis_options.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec::redis {

/// Options of MakeRedisSubWindowLease().
///
/// @par Thread safety
/// A plain value type.
struct RedisSubWindowLeaseOptions {
  /// The server (see ParseRedisUrl()).
  RedisOptions server;
  /// Namespace of the job's keys: sub-window `w` is leased at "KEY:INDEX:FROM_MS-TO_MS" (INDEX =
  /// SubWindow::index, FROM_MS/TO_MS its clipped bounds in epoch milliseconds) and marked done
  /// at that key + ":done". Instances share sub-windows only when they use the same namespace:
  /// build it with RedisSubWindowLeaseKey() from everything that makes two runs the same job.
  /// Default "ccrec:lease".
  std::string key = "ccrec:lease";
  /// This instance's lease value. Default empty: "HOSTNAME:PID:" plus 16 random hex digits
  /// (unique per store object). Never reuse one value in two live instances.
  std::string holder;
  /// How long a done mark is kept (PX). Within this time an instance of the same job (same
  /// namespace) skips the sub-window without listing it. Default 24 h. Values below 1 s are
  /// raised to 1 s.
  std::chrono::milliseconds done_ttl{std::chrono::hours(24)};
};

/// "PREFIX:lease:HASH", HASH being the first 16 hex digits of SHA-256(`job`). `job` should hold
/// everything that makes two instances the same job and two jobs different: destination,
/// integration (client id, org), listing options (channel types, filters, sub-window length)
/// and a run name when one range is exported more than once (ccrec-export builds it from its
/// flags; docs/redis.md). The text is hashed because it may hold names the key should not show.
CCREC_EXPORT std::string RedisSubWindowLeaseKey(std::string_view key_prefix, std::string_view job);

/// An exporter::SubWindowLeaseStore in Redis. Each operation is one Lua script (EVALSHA,
/// falling back to EVAL on NOSCRIPT), atomic on the server:
///  - TryTake: kDone when the done mark exists; else `SET lease HOLDER NX PX ttl` (kTaken), or,
///    when the lease already holds HOLDER, a PEXPIRE (kTaken); else kHeldByOther.
///  - Renew: PEXPIRE only while the lease holds HOLDER (false otherwise).
///  - MarkDone: `SET done HOLDER PX done_ttl`, then DEL of the lease if it holds HOLDER.
///  - Release: DEL of the lease only if it holds HOLDER.
/// Lease times run on the Redis server's clock (PX), so instances with skewed clocks agree.
/// The connection is opened on first use and again after a failure.
///
/// Errors: kUnavailable when Redis cannot be reached or answers with an error (the message
/// names the server, never the password).
///
/// @par Thread safety
/// Thread-safe (one connection, used under a mutex).
CCREC_EXPORT std::shared_ptr<exporter::SubWindowLeaseStore> MakeRedisSubWindowLease(RedisSubWindowLeaseOptions options);

}  // namespace ccrec::redis
