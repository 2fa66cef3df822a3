// SPDX-License-Identifier: Apache-2.0
#pragma once
// A real redis-server on 127.0.0.1 and a free port, started for one test and stopped (SIGTERM,
// then SIGKILL) by the destructor. Defaults: no persistence (--save '' --appendonly no), data
// and log in a temporary directory.

#include "integration/harness.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec_it {

class RedisServer {
 public:
  /// Starts CCREC_REDIS_SERVER with `extra` arguments appended (e.g. {"--requirepass", "pw"}).
  /// Throws std::runtime_error when it does not come up within 20 s.
  static std::unique_ptr<RedisServer> Start(std::vector<std::string> const& extra = {});
  ~RedisServer();
  RedisServer(RedisServer const&) = delete;
  RedisServer& operator=(RedisServer const&) = delete;

  int Port() const { return port_; }
  /// "redis://127.0.0.1:PORT/PREFIX".
  std::string Url(std::string const& prefix = "ccrec") const;
  /// Runs one command on a fresh connection (AUTH with `password` first when set); the reply as
  /// text (integers in decimal, nil as nullopt, arrays joined with '\n'). Throws on errors.
  std::optional<std::string> Command(std::vector<std::string> const& argv, std::string const& password = {}) const;

 private:
  RedisServer() = default;
  int pid_ = -1;
  int port_ = 0;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace ccrec_it
