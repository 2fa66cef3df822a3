// SPDX-License-Identifier: Apache-2.0
// redis:// URLs (redis_options.hpp). No hiredis here: unit-tested on its own.

#include <ccrec/redis/redis_options.hpp>

#include "internal/url.hpp"

#include <cctype>

namespace ccrec::redis {

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

/// Parses a decimal number in [lo, hi]; false when not digits only or out of range.
bool ParseBounded(std::string_view s, long lo, long hi, long& out) {
  if (!AllDigits(s) || s.size() > 9) return false;
  long v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  if (v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

std::string RedactRedisUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto authority_begin = scheme_end + 3;
  auto authority_end = url.find('/', authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  auto at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at == std::string_view::npos || at < authority_begin) return std::string(url);
  return std::string(url.substr(0, authority_begin)) + "***" + std::string(url.substr(at));
}

std::string DescribeRedisServer(RedisOptions const& server) {
  std::string host = server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
  return host + ":" + std::to_string(server.port) + "/" + std::to_string(server.db);
}

Result<RedisLocation> ParseRedisUrl(std::string_view url) {
  std::string const shown = "Redis URL \"" + RedactRedisUrl(url) + "\"";
  auto bad = [&](std::string const& why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     shown + " " + why + " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][/KEY_PREFIX])");
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) {
    if (url.substr(0, 9) == "rediss://") return bad("uses TLS (rediss://), which is not supported");
    return bad("does not start with redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('?') != std::string_view::npos || rest.find('#') != std::string_view::npos) {
    return bad("has a query string or fragment, which is not supported");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  RedisLocation loc;
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // redis://PASSWORD@host, as redis-cli -u accepts.
      loc.server.password = ::ccrec::detail::PercentDecode(userinfo);
    } else {
      loc.server.username = ::ccrec::detail::PercentDecode(userinfo.substr(0, colon));
      loc.server.password = ::ccrec::detail::PercentDecode(userinfo.substr(colon + 1));
    }
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an IPv6 address without a closing ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return bad("has an empty port");
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("has an empty port");
    }
  }
  if (host.empty()) return bad("has no host");
  loc.server.host = std::string(host);
  if (!port.empty()) {
    long p = 0;
    if (!ParseBounded(port, 1, 65535, p)) return bad("has port \"" + std::string(port) + "\", not a number in 1..65535");
    loc.server.port = static_cast<int>(p);
  }
  if (!path.empty()) {
    auto seg_end = path.find('/');
    std::string_view first = path.substr(0, seg_end);
    if (AllDigits(first)) {
      long db = 0;
      if (!ParseBounded(first, 0, 1000000, db)) return bad("has database \"" + std::string(first) + "\", out of range");
      loc.server.db = static_cast<int>(db);
      path = seg_end == std::string_view::npos ? std::string_view() : path.substr(seg_end + 1);
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (!path.empty()) loc.key_prefix = std::string(path);
  }
  return loc;
}

}  // namespace ccrec::redis
