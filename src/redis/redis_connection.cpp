// SPDX-License-Identifier: Apache-2.0
// A hiredis connection (see redis_connection.hpp).

#include "redis/redis_connection.hpp"

#include "internal/crypto.hpp"

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <utility>

namespace ccrec::redis {
namespace detail {

namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  if (d.count() <= 0) d = std::chrono::milliseconds(1);
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
  return tv;
}

Reply Convert(redisReply const* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = static_cast<std::int64_t>(r->integer);
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

Script::Script(std::string t) : text(std::move(t)) {
  ::ccrec::detail::Hasher hasher(::ccrec::detail::Hasher::Algorithm::kSha1);
  hasher.Update(text);
  sha1 = hasher.FinalHex();
}

Script const& DeleteIfHeldScript() {
  static Script const script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  return script;
}

Connection::Connection(RedisOptions options)
    : options_(std::move(options)), describe_(DescribeRedisServer(options_)) {}

Connection::~Connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

Result<void> Connection::ConnectLocked(std::string const& what) {
  if (ctx_ != nullptr) return {};
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(options_.connect_timeout));
  if (c == nullptr || c->err != 0) {
    std::string reason = c != nullptr ? std::string(c->errstr) : std::string("out of memory");
    if (c != nullptr) redisFree(c);
    return MakeError(ErrorCode::kUnavailable, what + ": cannot connect to Redis at " + describe_ + ": " + reason +
                                                  " (is redis-server running and reachable?)");
  }
  redisSetTimeout(c, ToTimeval(options_.connect_timeout));
  auto fail = [&](std::string const& step, redisReply const* r) -> Error {
    std::string reason = r != nullptr && r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len)
                                                                        : std::string(c->errstr);
    redisFree(c);
    return MakeError(ErrorCode::kUnavailable, what + ": Redis at " + describe_ + " refused " + step + ": " + reason);
  };
  if (!options_.password.empty()) {
    ReplyPtr r;
    if (options_.username.empty()) {
      r.reset(static_cast<redisReply*>(redisCommand(c, "AUTH %b", options_.password.data(), options_.password.size())));
    } else {
      r.reset(static_cast<redisReply*>(redisCommand(c, "AUTH %b %b", options_.username.data(), options_.username.size(),
                                                    options_.password.data(), options_.password.size())));
    }
    if (!r || r->type == REDIS_REPLY_ERROR) return fail("AUTH (check the user name and password)", r.get());
  }
  if (options_.db != 0) {
    ReplyPtr r(static_cast<redisReply*>(redisCommand(c, "SELECT %d", options_.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) return fail("SELECT " + std::to_string(options_.db), r.get());
  }
  redisSetTimeout(c, ToTimeval(options_.command_timeout));
  ctx_ = c;
  return {};
}

Result<Reply> Connection::CommandLocked(std::vector<std::string> const& argv, std::string const& what, bool* fresh) {
  bool const was_connected = ctx_ != nullptr;
  if (auto c = ConnectLocked(what); !c) return std::move(c).error();
  if (fresh != nullptr && !was_connected) *fresh = true;
  std::vector<char const*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (auto const& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr r(static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data())));
  if (!r) {
    std::string reason = ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    return MakeError(ErrorCode::kUnavailable,
                     what + ": Redis at " + describe_ + " did not answer " + argv.front() + ": " + reason);
  }
  if (r->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kInternal,
                     what + ": Redis at " + describe_ + " answered " + argv.front() + " with: " + std::string(r->str, r->len));
  }
  return Convert(r.get());
}

Result<Reply> Connection::Command(std::vector<std::string> const& argv, std::string const& what, bool* fresh) {
  std::lock_guard<std::mutex> lock(mu_);
  return CommandLocked(argv, what, fresh);
}

Result<Reply> Connection::Eval(Script const& script, std::vector<std::string> const& keys,
                               std::vector<std::string> const& args, std::string const& what, bool* fresh) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::lock_guard<std::mutex> lock(mu_);
  auto r = CommandLocked(argv, what, fresh);
  if (!r && r.error().code == ErrorCode::kInternal && r.error().message.find("NOSCRIPT") != std::string::npos) {
    argv[0] = "EVAL";
    argv[1] = script.text;
    return CommandLocked(argv, what, fresh);
  }
  return r;
}

}  // namespace detail

}  // namespace ccrec::redis
