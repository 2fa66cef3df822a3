// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MakeRedisTokenStore`: an OAuth token store shared by every process and host that reaches one
/// Redis server, with one token refresh at a time across all of them (docs/redis.md).

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/token_store.hpp>
#include <ccrec/redis/redis_options.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ccrec::redis {

/// Options of MakeRedisTokenStore().
///
/// @par Thread safety
/// A plain value type.
struct RedisTokenStoreOptions {
  /// The server (see ParseRedisUrl()).
  RedisOptions server;
  /// Key of the token: a hash with fields `token` (JSON), `version` (incremented by every write)
  /// and `fence` (fencing value of the last Update() that wrote it). The lock is `key + ":lock"`,
  /// the fencing counter `key + ":fence"`. Default "ccrec:token". Use one key per integration
  /// (client id).
  std::string key = "ccrec:token";
  /// Lifetime of the refresh lock (`SET key:lock VALUE NX PX lock_ttl`). A holder that crashes
  /// blocks the others for at most this long. It must exceed the longest time Update()'s
  /// callback can take (for webex::OAuthClient: one token request, OAuthClientOptions::
  /// request_timeout, 30 s by default): a holder whose lock expired cannot store its result
  /// (the fencing check refuses it). Default 60 s. Values below 1 s are raised to 1 s.
  std::chrono::milliseconds lock_ttl{std::chrono::seconds(60)};
  /// How long Update() waits for a lock another process holds before it fails with
  /// kUnavailable. Default 90 s (more than `lock_ttl`, so a crashed holder's lock expires first).
  std::chrono::milliseconds lock_wait{std::chrono::seconds(90)};
  /// Pause between two attempts to take a held lock. Default 25 ms.
  std::chrono::milliseconds lock_poll{std::chrono::milliseconds(25)};
  /// Receives the persistence warning (see MakeRedisTokenStore()) and lock diagnostics. Token
  /// values are never logged. Default: logs nothing.
  Logger logger;
  /// Sleeps between lock attempts. Default: real sleeper.
  std::shared_ptr<Sleeper> sleeper;
};

/// A TokenStore kept in Redis, for several processes (or hosts) that share one integration.
///
/// Update() is the cross-process single flight that webex::OAuthClient relies on (it refreshes
/// inside Update(), re-reading the stored token first, so an instance that waited for the lock
/// adopts the token another instance stored instead of spending a rotated-out refresh token):
///  1. take a fencing value (`INCR key:fence`) and the lock `SET key:lock FENCE:RANDOM NX PX
///     lock_ttl`, polling every `lock_poll` for at most `lock_wait`;
///  2. read the token and its version, and run the callback;
///  3. store its result with a Lua compare-and-set that succeeds only while the lock still holds
///     this caller's value and the version is still the one read in step 2 (then version + 1);
///  4. release the lock (a Lua compare-and-delete: never someone else's lock).
/// A crashed holder's lock expires after `lock_ttl`. Save() writes unconditionally (version + 1).
/// The token is stored as JSON (`access_token`, `token_type`, `expires_at_ms`,
/// `refresh_token`, `refresh_token_expires_at_ms`, epoch milliseconds).
///
/// The connection is opened on first use (and again after a failure). On the first successful
/// connection the store reads `CONFIG GET appendonly` and `CONFIG GET save`: a server with
/// neither AOF nor RDB save points logs an error-level warning, since a restart then loses the
/// rotated refresh token and an admin must re-authorize the integration. Where CONFIG is not
/// allowed (managed Redis), a warning says persistence could not be checked.
///
/// Errors: kUnavailable when Redis cannot be reached or answers with an error, when the lock
/// stays held for `lock_wait`, and when the compare-and-set is refused (the lock expired and the
/// token was written by someone else meanwhile: webex::OAuthClient then keeps its new token in
/// memory and saves it again later); kParse when the stored token is not valid JSON of the shape
/// above; any error the callback returns (the lock is released, nothing is stored).
///
/// @par Thread safety
/// Thread-safe (one connection, used under a mutex; lock waits happen outside it).
CCREC_EXPORT std::shared_ptr<TokenStore> MakeRedisTokenStore(RedisTokenStoreOptions options);

}  // namespace ccrec::redis
