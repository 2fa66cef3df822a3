// SPDX-License-Identifier: Apache-2.0
#include "integration/redis/redis_server.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace ccrec_it {

namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReplyText(redisReply const* r) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (std::size_t i = 0; i < r->elements; ++i) {
        if (i > 0) out += '\n';
        out += ReplyText(r->element[i]);
      }
      return out;
    }
    default:
      return std::string(r->str != nullptr ? r->str : "", r->len);
  }
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start(std::vector<std::string> const& extra) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::unique_ptr<RedisServer> s(new RedisServer);
    s->dir_ = std::make_unique<TempDir>("ccrec-redis");
    s->port_ = FreePort();
    std::vector<std::string> args = {CCREC_REDIS_SERVER, "--port", std::to_string(s->port_), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--dir", s->dir_->Path(),
                                     "--logfile", (*s->dir_) / "redis.log", "--daemonize", "no"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      execv(argv[0], argv.data());
      _exit(127);
    }
    s->pid_ = pid;
    auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool exited = false;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        s->pid_ = -1;
        break;
      }
      timeval tv{1, 0};
      redisContext* c = redisConnectWithTimeout("127.0.0.1", s->port_, tv);
      bool up = c != nullptr && c->err == 0;
      if (up) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
        up = r != nullptr && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR);  // NOAUTH is up too
        if (r != nullptr) freeReplyObject(r);
      }
      if (c != nullptr) redisFree(c);
      if (up) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) throw std::runtime_error("redis-server did not come up on port " + std::to_string(s->port_));
    // The port was taken between FreePort() and bind: try another one.
  }
  throw std::runtime_error("redis-server exited at start five times (see its log)");
}

RedisServer::~RedisServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
}

std::string RedisServer::Url(std::string const& prefix) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" + prefix;
}

std::optional<std::string> RedisServer::Command(std::vector<std::string> const& argv,
                                                std::string const& password) const {
  timeval tv{5, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr || c->err != 0) {
    if (c != nullptr) redisFree(c);
    throw std::runtime_error("cannot connect to the test redis-server");
  }
  if (!password.empty()) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password.c_str()));
    if (r != nullptr) freeReplyObject(r);
  }
  std::vector<char const*> args;
  std::vector<std::size_t> lens;
  for (auto const& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()));
  if (r == nullptr) {
    redisFree(c);
    throw std::runtime_error("test redis-server did not answer");
  }
  std::optional<std::string> out;
  if (r->type == REDIS_REPLY_ERROR) {
    std::string e(r->str, r->len);
    freeReplyObject(r);
    redisFree(c);
    throw std::runtime_error("redis error: " + e);
  }
  if (r->type != REDIS_REPLY_NIL) out = ReplyText(r);
  freeReplyObject(r);
  redisFree(c);
  return out;
}

}  // namespace ccrec_it
