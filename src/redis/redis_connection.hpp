// SPDX-License-Identifier: Apache-2.0
#pragma once
// One synchronous hiredis connection, used under a mutex, opened on first use and again after
// an I/O error (ccrec::redis; hiredis stays in src/redis).

#include <ccrec/core/result.hpp>
#include <ccrec/redis/redis_options.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct redisContext;

namespace ccrec::redis::detail {

/// A RESP2 reply. Error replies are returned as errors, not as replies.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  std::int64_t integer = 0;
  std::string str;  // kString, kStatus
  std::vector<Reply> elements;
};

/// A Lua script with its SHA-1 (for EVALSHA).
struct Script {
  explicit Script(std::string text);
  std::string text;
  std::string sha1;  // lower-case hex
};

/// KEYS[1] lock or lease; ARGV[1] the owner's value. Deletes the key only while it still holds
/// ARGV[1], so an owner whose key expired and was taken over never deletes the new owner's;
/// returns 1 when deleted, else 0.
Script const& DeleteIfHeldScript();

class Connection {
 public:
  explicit Connection(RedisOptions options);
  ~Connection();
  Connection(Connection const&) = delete;
  Connection& operator=(Connection const&) = delete;

  /// Runs one command. kUnavailable when the server cannot be reached or the connection broke
  /// (the next call reconnects), kInternal for an error reply (its text, prefixed by `what`).
  /// `fresh` is set to true when this call opened a new connection.
  Result<Reply> Command(std::vector<std::string> const& argv, std::string const& what, bool* fresh = nullptr);
  /// EVALSHA, then EVAL when the server does not know the script (NOSCRIPT).
  Result<Reply> Eval(Script const& script, std::vector<std::string> const& keys, std::vector<std::string> const& args,
                     std::string const& what, bool* fresh = nullptr);
  /// "HOST:PORT/DB" for messages.
  std::string const& Describe() const { return describe_; }

 private:
  Result<void> ConnectLocked(std::string const& what);
  Result<Reply> CommandLocked(std::vector<std::string> const& argv, std::string const& what, bool* fresh);

  RedisOptions options_;
  std::string describe_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;  // guarded by mu_
};

}  // namespace ccrec::redis::detail
