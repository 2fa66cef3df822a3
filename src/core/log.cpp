// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/log.hpp>

#include "internal/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

namespace ccrec {
inline namespace v1 {

bool ParseLogLevel(std::string_view text, LogLevel& out) noexcept {
  std::string t = detail::ToLowerAscii(text);
  if (t == "debug") out = LogLevel::kDebug;
  else if (t == "info") out = LogLevel::kInfo;
  else if (t == "warn" || t == "warning") out = LogLevel::kWarn;
  else if (t == "error") out = LogLevel::kError;
  else if (t == "off" || t == "none") out = LogLevel::kOff;
  else return false;
  return true;
}

std::string_view ToString(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "?";
}

namespace {

// Redaction is a hand-written single pass (no std::regex: libstdc++'s regex executor recurses
// once per matched character and overflowed the stack on log lines of a few tens of KB).

// Names whose values are secrets in query strings, form bodies, JSON and XML (case-insensitive).
constexpr std::string_view kSecretNames[] = {
    "access_token", "refresh_token", "id_token", "client_secret", "password", "passwd", "token", "code",
    "api_key", "apikey", "api-key", "secret_access_key", "aws_secret_access_key", "secretaccesskey",
    "session_token", "aws_session_token", "sessiontoken", "x-amz-signature", "x-amz-credential",
    "x-amz-security-token", "signature", "guid", "jsessionid", "authorization", "cookie",
    // Azure SAS signature (`&sig=`); a whole name only (signal=, config= are other names).
    "sig",
    // camelCase spellings (matching is case-insensitive, so these cover accessToken, clientSecret, ...)
    "accesstoken", "refreshtoken", "idtoken", "clientsecret", "authtoken", "x-aws-ec2-metadata-token"};

// XML elements whose text is secret (STS/IMDS credentials). Narrower than kSecretNames so that
// S3 error bodies keep their <Code>.
constexpr std::string_view kSecretXmlElements[] = {
    "secretaccesskey", "sessiontoken", "password",    "access_token", "refresh_token", "client_secret",
    "token",  // FACE login answer: <token>...</token>
    "accesstoken",     "refreshtoken", "clientsecret"};

// Header names whose whole value (to the end of the line) is secret.
constexpr std::string_view kSecretHeaders[] = {"authorization", "proxy-authorization", "cookie", "set-cookie",
                                               "guid", "set-guid", "x-amz-security-token",
                                               "x-aws-ec2-metadata-token"};

// Header names too common in prose ("no access token: ...") to mask anywhere: only at the start
// of a line, where a header stands.
constexpr std::string_view kSecretLineStartHeaders[] = {"token"};

// Auth schemes whose following credential is secret wherever they appear.
constexpr std::string_view kAuthSchemes[] = {"bearer", "basic"};

constexpr std::string_view kMask = "***";

bool IsWordChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_';
}
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Case-insensitive: does `text` continue with `name` at `pos`?
bool MatchesAt(std::string_view text, std::size_t pos, std::string_view name) {
  if (text.size() - pos < name.size()) return false;
  return detail::EqualsIgnoreCase(text.substr(pos, name.size()), name);
}

// Length of the secret name at `pos` that is followed by `next` (a name must be whole: the
// character after it is `next`), or 0.
template <std::size_t N>
std::size_t NameAt(std::string_view text, std::size_t pos, std::string_view const (&names)[N], char next) {
  for (auto name : names) {
    std::size_t end = pos + name.size();
    if (end < text.size() && text[end] == next && MatchesAt(text, pos, name)) return name.size();
  }
  return 0;
}

// "name" : "value"  ->  "name" : "***"   (pos is at the opening quote of the name)
bool TryJson(std::string_view text, std::size_t& pos, std::string& out) {
  std::size_t n = NameAt(text, pos + 1, kSecretNames, '"');
  if (n == 0) return false;
  std::size_t i = pos + 1 + n + 1;
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i >= text.size() || text[i] != ':') return false;
  ++i;
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i >= text.size() || text[i] != '"') return false;
  out.append(text.substr(pos, i + 1 - pos));
  out.append(kMask);
  ++i;
  while (i < text.size() && text[i] != '"') i += (text[i] == '\\') ? 2 : 1;
  // Resume AT the closing quote (an unterminated value is masked to the end): when the value was
  // cut off, that quote may open the next member's name, which must get its own chance to match.
  pos = std::min(i, text.size());
  return true;
}

// <Name>value</Name>  ->  <Name>***</Name>   (pos is at '<')
bool TryXml(std::string_view text, std::size_t& pos, std::string& out) {
  std::size_t n = NameAt(text, pos + 1, kSecretXmlElements, '>');
  if (n == 0) return false;
  std::size_t i = pos + 1 + n + 1;
  out.append(text.substr(pos, i - pos));
  out.append(kMask);
  while (i < text.size() && text[i] != '<') ++i;
  pos = i;
  return true;
}

// Header-Name: value  ->  Header-Name: ***   (to the end of the line)
bool TryHeader(std::string_view text, std::size_t& pos, std::string& out) {
  bool const line_start = pos == 0 || text[pos - 1] == '\n';
  auto const& names = kSecretHeaders;
  auto const& line_start_names = kSecretLineStartHeaders;
  std::vector<std::string_view> candidates(std::begin(names), std::end(names));
  if (line_start) candidates.insert(candidates.end(), std::begin(line_start_names), std::end(line_start_names));
  for (auto name : candidates) {
    if (!MatchesAt(text, pos, name)) continue;
    std::size_t i = pos + name.size();
    while (i < text.size() && IsBlank(text[i])) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && IsBlank(text[i])) ++i;
    out.append(text.substr(pos, i - pos));
    out.append(kMask);
    while (i < text.size() && text[i] != '\r' && text[i] != '\n') ++i;
    pos = i;
    return true;
  }
  return false;
}

// name=value  ->  name=***   (query strings, form bodies, "key=value" prose)
bool TryKeyValue(std::string_view text, std::size_t& pos, std::string& out) {
  std::size_t n = NameAt(text, pos, kSecretNames, '=');
  if (n == 0) return false;
  std::size_t i = pos + n + 1;
  out.append(text.substr(pos, i - pos));
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
    char quote = text[i++];
    out += quote;
    out.append(kMask);
    while (i < text.size() && text[i] != quote) i += (text[i] == '\\') ? 2 : 1;
    i = std::min(i, text.size());  // resume at the closing quote, as TryJson does
  } else {
    out.append(kMask);
    while (i < text.size() && !IsSpace(text[i]) && text[i] != '&' && text[i] != '"' && text[i] != '\'' &&
           text[i] != ';' && text[i] != ',') {
      ++i;
    }
  }
  pos = i;
  return true;
}

bool IsSchemeWord(std::string_view word) {
  return std::any_of(std::begin(kAuthSchemes), std::end(kAuthSchemes),
                     [&](std::string_view s) { return word.size() == s.size() && MatchesAt(word, 0, s); });
}

// Bearer <token>  ->  Bearer ***   (the credential is the next word on the same line)
bool TryAuthScheme(std::string_view text, std::size_t& pos, std::string& out) {
  auto is_token_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '~' || c == '+' ||
           c == '/' || c == '=' || c == '-';
  };
  for (auto scheme : kAuthSchemes) {
    if (!MatchesAt(text, pos, scheme)) continue;
    std::size_t i = pos + scheme.size();
    std::size_t blanks = i;
    while (i < text.size() && IsBlank(text[i])) ++i;
    if (i == blanks || i >= text.size() || !is_token_char(text[i])) continue;
    // "Bearer Bearer <token>" (a token stored with its scheme): the credential is the last word.
    for (;;) {
      std::size_t end = i;
      while (end < text.size() && is_token_char(text[end])) ++end;
      std::size_t next = end;
      while (next < text.size() && IsBlank(text[next])) ++next;
      if (!IsSchemeWord(text.substr(i, end - i)) || next == end || next >= text.size() ||
          !is_token_char(text[next])) {
        break;
      }
      i = next;
    }
    out.append(text.substr(pos, i - pos));
    // "Bearer password=x" / "Bearer Cookie: x": what follows is another documented shape; the
    // main loop masks it with that shape's rules (quoted values, to the end of the line).
    if (NameAt(text, i, kSecretNames, '=') != 0 || std::any_of(std::begin(kSecretHeaders), std::end(kSecretHeaders),
                                                               [&](std::string_view h) { return MatchesAt(text, i, h); })) {
      std::string probe;
      std::size_t p = i;
      if (TryHeader(text, p, probe) || TryKeyValue(text, p, probe)) {
        pos = i;
        return true;
      }
    }
    out.append(kMask);
    while (i < text.size() && is_token_char(text[i])) ++i;
    // "Bearer Some-Header: value": the word was a header name, so its value may be secret too;
    // mask to the end of the line (over-redaction is the safe side).
    std::size_t after = i;
    while (after < text.size() && IsBlank(text[after])) ++after;
    if (after < text.size() && text[after] == ':') {
      while (i < text.size() && text[i] != '\r' && text[i] != '\n') ++i;
    }
    pos = i;
    return true;
  }
  return false;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    bool const boundary = pos == 0 || !IsWordChar(text[pos - 1]);
    if (c == '"' && TryJson(text, pos, out)) continue;
    if (c == '<' && TryXml(text, pos, out)) continue;
    if (boundary && IsWordChar(c)) {
      if (TryHeader(text, pos, out) || TryKeyValue(text, pos, out) || TryAuthScheme(text, pos, out)) continue;
    }
    out += c;
    ++pos;
  }
  return out;
}

namespace {

// Query parameters whose presence marks a presigned (capability) URL: S3 SigV4/SigV2,
// CloudFront, Azure SAS, GCS.
constexpr std::string_view kPresignedParams[] = {"x-amz-signature", "x-amz-credential", "x-amz-security-token",
                                                 "signature",       "sig",              "x-goog-signature",
                                                 "x-goog-credential", "key-pair-id"};

bool IsPresignedQuery(std::string_view query) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    auto part = query.substr(pos, amp - pos);
    auto name = part.substr(0, part.find('='));
    for (auto p : kPresignedParams) {
      if (detail::EqualsIgnoreCase(name, p)) return true;
    }
    pos = amp + 1;
  }
  return false;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string_view fragment;
  if (auto hash = url.find('#'); hash != std::string_view::npos) {
    fragment = url.substr(hash);
    url = url.substr(0, hash);
  }
  std::string base(url.substr(0, url.find('?')));
  // userinfo ("https://user:password@host/") never appears in logs.
  if (auto scheme = base.find("://"); scheme != std::string::npos) {
    auto authority_end = base.find('/', scheme + 3);
    auto at = base.rfind('@', authority_end);
    if (at != std::string::npos && at > scheme) base.replace(scheme + 3, at - (scheme + 3), kMask);
  }
  // A fragment can carry credentials too (OAuth implicit grant: "#access_token=...").
  std::string const safe_fragment = RedactSecrets(fragment);
  auto q = url.find('?');
  if (q == std::string_view::npos) return base + safe_fragment;
  std::string_view query = url.substr(q + 1);
  // A presigned URL is a bearer credential as a whole: keep only where it points.
  if (IsPresignedQuery(query)) return base + "?<presigned query redacted>";
  return base + "?" + RedactSecrets(query) + safe_fragment;
}

std::string EscapeControlCharacters(std::string_view text) {
  return detail::EscapeBytes(text, [](unsigned char c) { return (c >= 0x20 || c == '\t') && c != 0x7f; });
}

}  // namespace v1
}  // namespace ccrec
