// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: URL parsing and percent-encoding. Not installed.

#include <ccrec/core/url.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::detail {

/// RFC 3986 percent-encoding: keeps A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), encodes every
/// other byte of the UTF-8 input as %XX with upper-case hex. Space becomes %20, '+' becomes %2B.
std::string PercentEncode(std::string_view text, bool keep_slash = false);
/// Decodes %XX sequences (and '+' as space when plus_is_space). Malformed escapes are kept as-is.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
/// "a=1&b=x%20y" from unencoded pairs, encoding names and values with PercentEncode.
std::string BuildQuery(QueryParams const& params);
/// application/x-www-form-urlencoded body (same encoding as BuildQuery).
inline std::string FormEncode(QueryParams const& params) { return BuildQuery(params); }
/// Splits and decodes a query string (without '?').
QueryParams ParseQuery(std::string_view query, bool plus_is_space = false);

/// Parts of an absolute http(s) URL: the public ccrec::HttpUrl (core/url.hpp).
using ParsedUrl = ::ccrec::HttpUrl;
/// Parses "scheme://host[:port][/path][?query][#fragment]"; nullopt when not http(s) or malformed,
/// then `*problem` (when given) says what was wrong. The implementation of the public
/// ccrec::ParseHttpUrl (core/url.hpp).
std::optional<ParsedUrl> ParseUrl(std::string_view url, std::string* problem = nullptr);
/// `url` without its trailing slashes (a base URL as configured: "https://h/v1/" -> "https://h/v1").
std::string TrimTrailingSlashes(std::string url);
/// Joins a base URL (no trailing slash needed) and a path starting with '/'.
std::string JoinUrl(std::string_view base, std::string_view path);
/// True for dotted IPv4 literals, IPv6 literals, and "localhost".
bool IsIpOrLocalhost(std::string_view host);

/// True for "localhost", 127.0.0.0/8 and ::1 (in any spelling the resolver accepts).
bool IsLoopbackHost(std::string_view host);
/// True for hosts no vendor-provided URL may point at: link-local 169.254.0.0/16 (which holds
/// the AWS/GCP/Azure instance metadata endpoint 169.254.169.254) and fe80::/10, AWS's IPv6
/// metadata address fd00:ec2::254, "metadata.google.internal", and IPv4 in the forms
/// inet_aton accepts ("2852039166", "0xa9.0xfe.0xa9.0xfe") or mapped into IPv6.
bool IsLinkLocalOrMetadataHost(std::string_view host);

/// Checks a URL that will carry credentials (a token endpoint, an API base URL): https, or
/// http on a loopback host only. Returns a kInvalidArgument message naming `what`, or "".
std::string InsecureCredentialUrlProblem(ParsedUrl const& url, std::string_view what);

}  // namespace ccrec::detail
