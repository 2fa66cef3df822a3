// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Where a Redis server is and how to reach it (ccrec::redis, docs/redis.md).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ccrec::redis {

/// Connection settings of one Redis server (RESP2, plain TCP).
///
/// @par Thread safety
/// A plain value type.
struct RedisOptions {
  /// Host name or address. Default "127.0.0.1".
  std::string host = "127.0.0.1";
  /// TCP port. Default 6379.
  int port = 6379;
  /// ACL user name for AUTH (Redis 6+). Default empty: `AUTH password` alone (the default user).
  std::string username;
  /// Password for AUTH. Default empty: no AUTH. Never logged nor put in an error message.
  std::string password;
  /// Database number selected after connecting (SELECT). Default 0.
  int db = 0;
  /// Time allowed to connect (TCP connect, AUTH and SELECT). Default 2 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(2)};
  /// Time allowed for one command's reply. Default 2 s.
  std::chrono::milliseconds command_timeout{std::chrono::seconds(2)};
};

/// A Redis server plus the prefix of every key ccrec writes there.
struct RedisLocation {
  RedisOptions server;
  /// Prefix of the keys, e.g. "ccrec" (keys are "ccrec:token", "ccrec:ratelimit:CLIENT_ID").
  /// Default "ccrec".
  std::string key_prefix = "ccrec";
};

/// Parses `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][/KEY_PREFIX]`.
///
/// PORT defaults to 6379, DB to 0, KEY_PREFIX to "ccrec". A first path segment made of digits
/// only is the database number; the rest of the path is the key prefix (it may contain `/` and
/// `:`). USER and PASSWORD are percent-decoded. An IPv6 address is written in brackets:
/// `redis://[::1]:6379`.
/// @return kInvalidArgument naming what is wrong (the password is never repeated: the URL is
/// quoted through RedactRedisUrl()) for another scheme (`rediss://`, TLS, is not supported), an
/// empty host, a port outside 1..65535, a database outside 0..1,000,000 or a query string.
CCREC_EXPORT Result<RedisLocation> ParseRedisUrl(std::string_view url);

/// `url` with the password (everything between "//" and the last "@" of the authority) replaced
/// by "***"; use whenever a Redis URL is logged or put in a message.
CCREC_EXPORT std::string RedactRedisUrl(std::string_view url);

/// "HOST:PORT/DB" of `server`, for messages (no user name, no password).
CCREC_EXPORT std::string DescribeRedisServer(RedisOptions const& server);

}  // namespace ccrec::redis
