// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Checking the http(s) URLs an integrator configures (API base URLs, S3 endpoints, gateway
/// addresses) before handing them to a client, with the same parser the clients use.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {

/// The parts of an absolute http or https URL, as ParseHttpUrl() split them.
///
/// @par Thread safety
/// A plain value type; distinct objects may be used from distinct threads.
struct CCREC_EXPORT HttpUrl {
  std::string scheme;  ///< "http" or "https", lower-cased
  std::string host;    ///< "api.example.com", "127.0.0.1" or "::1" (IPv6 without brackets); as written
  int port = 0;        ///< the explicit port 1..65535, or 0 when the URL has none (80/443 implied)
  std::string path;    ///< "/v1/tasks" as written (still percent-encoded); "/" when the URL has none
  std::string query;   ///< "a=1&b=2" as written, without '?'; empty when none. A fragment is dropped.

  /// host[:port] as it goes in the Host header: brackets around an IPv6 host, the port only when
  /// the URL gave one. E.g. "api.example.com", "127.0.0.1:9000", "[::1]:8443".
  std::string Authority() const;
  /// scheme://Authority(), without path or trailing slash. E.g. "https://10.1.2.3:8043".
  std::string Origin() const;
};

/// Parses an absolute `http://` or `https://` URL: `scheme://host[:port][/path][?query][#fragment]`.
///
/// Nothing is resolved or fetched, and neither https nor a particular host is required here: the
/// clients add their own rules (for example https for URLs that carry credentials).
///
/// @param url the URL, without surrounding spaces.
/// @return its parts. kInvalidArgument when `url` has no `scheme://`, a scheme other than http or
/// https, user information (`user:password@`), an empty host, spaces or control characters in
/// the host, an unbracketed IPv6 address, or a port that is not a number in 1..65535. The message
/// quotes the URL with secrets in its query masked (RedactUrl, core/log.hpp) and says what was
/// wrong, e.g. `"ftp://h/x" is not an http(s) URL: the scheme is not http or https`.
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT Result<HttpUrl> ParseHttpUrl(std::string_view url);

/// Decodes RFC 3986 percent-escapes: each `%XX` (hex digits, either case) becomes the byte 0xXX.
///
/// `+` stays `+` (this is not form decoding). A `%` not followed by two hex digits is kept
/// verbatim, so the function never fails; callers that must refuse some bytes (such as `%00` in a
/// file path) check the result.
///
/// @param text e.g. the path of a `file:///` URL, "/data/call%20recordings".
/// @return the decoded bytes, e.g. "/data/call recordings".
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT std::string PercentDecode(std::string_view text);

}  // namespace v1
}  // namespace ccrec
