// SPDX-License-Identifier: Apache-2.0
#include "internal/ascii.hpp"
#include "internal/url.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace ccrec {
inline namespace v1 {
namespace detail {

namespace {
bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string PercentEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      AppendHexByte(out, c, /*upper=*/true);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::string BuildQuery(QueryParams const& params) {
  std::string out;
  for (auto const& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += PercentEncode(k);
    out += '=';
    out += PercentEncode(v);
  }
  return out;
}

QueryParams ParseQuery(std::string_view query, bool plus_is_space) {
  QueryParams out;
  std::size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    auto amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    auto part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(PercentDecode(part, plus_is_space), std::string());
      } else {
        out.emplace_back(PercentDecode(part.substr(0, eq), plus_is_space),
                         PercentDecode(part.substr(eq + 1), plus_is_space));
      }
    }
    pos = amp + 1;
    if (amp == query.size()) break;
  }
  return out;
}

std::optional<ParsedUrl> ParseUrl(std::string_view url, std::string* problem) {
  auto fail = [problem](char const* why) -> std::optional<ParsedUrl> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  ParsedUrl out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return fail("it has no scheme:// (give http:// or https://)");
  out.scheme = ToLowerAscii(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return fail("the scheme is not http or https");
  auto rest = url.substr(scheme_end + 3);
  auto auth_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, auth_end);
  if (authority.find('@') != std::string_view::npos) return fail("user information (user@) is not supported");
  if (authority.empty()) return fail("the host is empty");
  for (char c : authority) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail("the host or port has a space or a control character");  // CR/LF, NUL
    }
  }
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("the IPv6 address has no closing ']'");
    out.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("the IPv6 address in [] is followed by something other than :PORT");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    // More than one ':' is an IPv6 literal without brackets: ambiguous, refuse it.
    if (colon != std::string_view::npos && authority.find(':') != colon) {
      return fail("an IPv6 address must be in brackets, e.g. http://[::1]:8080");
    }
    if (colon != std::string_view::npos) {
      out.host = std::string(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
    } else {
      out.host = std::string(authority);
    }
  }
  if (out.host.empty()) return fail("the host is empty");
  if (!port_text.empty()) {
    if (port_text.size() > 5) return fail("the port is not a number in 1..65535");
    int p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return fail("the port is not a number in 1..65535");
      p = p * 10 + (c - '0');
    }
    if (p <= 0 || p > 65535) return fail("the port is not a number in 1..65535");
    out.port = p;
  }
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  auto hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);
  auto q = tail.find('?');
  out.path = std::string(tail.substr(0, q));
  if (out.path.empty()) out.path = "/";
  if (q != std::string_view::npos) out.query = std::string(tail.substr(q + 1));
  return out;
}

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string JoinUrl(std::string_view base, std::string_view path) {
  std::string out = TrimTrailingSlashes(std::string(base));
  if (!path.empty() && path.front() != '/') out += '/';
  out += path;
  return out;
}

bool IsIpOrLocalhost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  if (host.find(':') != std::string_view::npos) return true;  // IPv6 literal
  // Dotted-quad IPv4: four decimal octets of 1-3 digits, each <= 255.
  int dots = 0;
  int digits = 0;
  int value = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
      value = 0;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

namespace {
// The IPv4 address (host byte order) the resolver would use for `host`, or nullopt. inet_aton
// takes every form getaddrinfo takes for numeric IPv4: dotted, decimal, hex and octal parts;
// an IPv4-mapped IPv6 literal (::ffff:a.b.c.d) counts too.
std::optional<std::uint32_t> NumericIpv4(std::string const& host) {
  in_addr v4{};
  if (inet_aton(host.c_str(), &v4) != 0) return ntohl(v4.s_addr);
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.s6_addr, kMapped, sizeof kMapped) == 0) {
      return (std::uint32_t{v6.s6_addr[12]} << 24) | (std::uint32_t{v6.s6_addr[13]} << 16) |
             (std::uint32_t{v6.s6_addr[14]} << 8) | std::uint32_t{v6.s6_addr[15]};
    }
  }
  return std::nullopt;
}

std::optional<in6_addr> NumericIpv6(std::string const& host) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return v6;
  return std::nullopt;
}

std::string StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}
}  // namespace

bool IsLoopbackHost(std::string_view host_in) {
  std::string const host = ToLowerAscii(StripBrackets(host_in));
  if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) return true;
  if (auto v4 = NumericIpv4(host)) return (*v4 >> 24) == 127;
  if (auto v6 = NumericIpv6(host)) {
    static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(v6->s6_addr, kLoopback, sizeof kLoopback) == 0;
  }
  return false;
}

bool IsLinkLocalOrMetadataHost(std::string_view host_in) {
  std::string host = ToLowerAscii(StripBrackets(host_in));
  while (!host.empty() && host.back() == '.') host.pop_back();  // "metadata.google.internal."
  if (host == "metadata.google.internal" || host == "metadata.goog") return true;
  if (auto v4 = NumericIpv4(host)) return (*v4 >> 16) == 0xA9FE;  // 169.254.0.0/16
  if (auto v6 = NumericIpv6(host)) {
    auto const* b = v6->s6_addr;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
    static constexpr unsigned char kAwsMetadata[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    return std::memcmp(b, kAwsMetadata, sizeof kAwsMetadata) == 0;
  }
  return false;
}

std::string InsecureCredentialUrlProblem(ParsedUrl const& url, std::string_view what) {
  if (url.scheme == "https" || IsLoopbackHost(url.host)) return {};
  return std::string(what) + " " + url.Origin() +
         " is plain http on a non-loopback host: credentials would cross the network unencrypted (use https)";
}

}  // namespace detail

std::string HttpUrl::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0) h += ":" + std::to_string(port);
  return h;
}

std::string HttpUrl::Origin() const { return scheme + "://" + Authority(); }

}  // namespace v1
}  // namespace ccrec
