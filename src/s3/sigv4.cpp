// SPDX-License-Identifier: Apache-2.0
// SigV4 signer: canonical request, string to sign, signature; header and query authentication.
#include <ccrec/s3/sigv4.hpp>

#include "internal/ascii.hpp"
#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace ccrec::s3 {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Trims and collapses every run of whitespace (including folded line breaks) into one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> SplitSlash(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = path.find('/', start);
    if (pos == std::string_view::npos) {
      parts.emplace_back(path.substr(start));
      break;
    }
    parts.emplace_back(path.substr(start, pos - start));
    start = pos + 1;
  }
  return parts;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

struct CanonicalHeaders {
  std::string text;            // "name:value\n" lines
  std::string signed_headers;  // "a;b;c"
};

// Lower-cases, trims and groups `headers` (plus host); values of repeated names joined by ','.
CanonicalHeaders Canonicalize(std::string const& host, HttpHeaders const& headers) {
  std::map<std::string, std::string> grouped;
  grouped["host"] = TrimAll(host);
  for (auto const& [name, value] : headers) {
    auto lname = ::ccrec::detail::ToLowerAscii(TrimAll(name));
    if (lname == "host") continue;
    auto v = TrimAll(value);
    auto it = grouped.find(lname);
    if (it == grouped.end()) {
      grouped.emplace(lname, std::move(v));
    } else {
      it->second += ',';
      it->second += v;
    }
  }
  CanonicalHeaders out;
  for (auto const& [name, value] : grouped) {
    out.text += name;
    out.text += ':';
    out.text += value;
    out.text += '\n';
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += name;
  }
  return out;
}

std::optional<Error> CheckCredentials(AwsCredentials const& credentials) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return MakeError(ErrorCode::kUnauthenticated,
                     "SigV4: the access key id or secret access key is empty; configure AWS credentials");
  }
  return std::nullopt;
}

std::string HostOf(SigV4Request const& request) {
  if (!request.host.empty()) return request.host;
  if (auto h = FindHeader(request.headers, "host")) return *h;
  return {};
}

struct Core {
  std::string canonical_uri;
  std::string canonical_query;
  std::string signed_headers;
  std::string canonical_request;
  std::string string_to_sign;
  std::string scope;
  std::string amz_date;
  std::string signature;
};

Core Compute(std::string const& method, std::string const& host, SigV4Request const& request,
             std::vector<std::pair<std::string, std::string>> const& query, HttpHeaders const& headers,
             std::string const& payload_hash, AwsCredentials const& credentials, std::string const& region,
             std::string const& service, std::chrono::system_clock::time_point time, PathMode mode) {
  Core c;
  c.amz_date = ::ccrec::detail::FormatAmzDate(time);
  auto const ymd = ::ccrec::detail::FormatYmd(time);
  c.scope = ymd + "/" + region + "/" + service + "/aws4_request";
  c.canonical_uri = CanonicalUri(request.path, request.path_is_encoded, mode);
  c.canonical_query = CanonicalQuery(query);
  auto ch = Canonicalize(host, headers);
  c.signed_headers = ch.signed_headers;
  c.canonical_request = method + "\n" + c.canonical_uri + "\n" + c.canonical_query + "\n" + ch.text + "\n" +
                        ch.signed_headers + "\n" + payload_hash;
  c.string_to_sign = std::string(kAlgorithm) + "\n" + c.amz_date + "\n" + c.scope + "\n" +
                     ::ccrec::detail::Sha256Hex(c.canonical_request);
  auto key = DeriveSigningKey(credentials.secret_access_key, ymd, region, service);
  c.signature = ::ccrec::detail::HexEncode(::ccrec::detail::HmacSha256Raw(key, c.string_to_sign));
  return c;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) { return ::ccrec::detail::PercentEncode(text, keep_slash); }

std::string CanonicalUri(std::string_view path, bool path_is_encoded, PathMode mode) {
  if (path.empty()) return "/";
  std::string_view p = path;
  bool leading_slash = p.front() == '/';
  if (leading_slash) p.remove_prefix(1);
  auto segments = SplitSlash(p);
  if (path_is_encoded) {
    for (auto& s : segments) s = ::ccrec::detail::PercentDecode(s);
  }
  if (mode == PathMode::kGeneric) {
    bool const trailing_slash = !path.empty() && path.back() == '/';
    std::vector<std::string> stack;
    for (auto& s : segments) {
      if (s.empty() || s == ".") continue;
      if (s == "..") {
        if (!stack.empty()) stack.pop_back();
        continue;
      }
      stack.push_back(std::move(s));
    }
    std::string out = "/";
    for (std::size_t i = 0; i < stack.size(); ++i) {
      if (i) out += '/';
      out += UriEncode(stack[i]);
    }
    if (trailing_slash && out.size() > 1) out += '/';
    return out;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += UriEncode(segments[i]);
  }
  return out;
}

std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> const& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (auto const& [name, value] : query) encoded.emplace_back(UriEncode(name), UriEncode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (auto const& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view yyyymmdd, std::string_view region,
                             std::string_view service) {
  std::string k = "AWS4";
  k.append(secret_access_key);
  auto k_date = ::ccrec::detail::HmacSha256Raw(k, yyyymmdd);
  auto k_region = ::ccrec::detail::HmacSha256Raw(k_date, region);
  auto k_service = ::ccrec::detail::HmacSha256Raw(k_region, service);
  return ::ccrec::detail::HmacSha256Raw(k_service, "aws4_request");
}

Result<SigV4Signature> SignRequest(SigV4Request const& request, AwsCredentials const& credentials,
                                   SigV4Options const& options) {
  if (auto e = CheckCredentials(credentials)) return *e;
  auto host = HostOf(request);
  if (host.empty()) return MakeError(ErrorCode::kInvalidArgument, "SigV4: the request has no host");
  if (request.method.empty() || options.region.empty() || options.service.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "SigV4: method, region and service must not be empty");
  }
  std::string payload_hash = request.payload_hash.empty() ? std::string(kEmptyPayloadSha256) : request.payload_hash;
  if (payload_hash != kUnsignedPayload && !IsHex64(payload_hash) &&
      payload_hash.rfind("STREAMING-", 0) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "SigV4: payload hash must be lower-case hex SHA-256 or UNSIGNED-PAYLOAD");
  }
  bool const has_token = !credentials.session_token.empty();

  // Headers to sign: the caller's, minus those the signer owns, plus the signer's.
  HttpHeaders headers;
  for (auto const& h : request.headers) {
    if (HeaderNameEquals(h.first, "authorization") || HeaderNameEquals(h.first, "x-amz-date") ||
        HeaderNameEquals(h.first, "host"))
      continue;
    if (options.add_content_sha256_header && HeaderNameEquals(h.first, "x-amz-content-sha256")) continue;
    if (has_token && HeaderNameEquals(h.first, "x-amz-security-token")) continue;
    headers.push_back(h);
  }
  auto const amz_date = ::ccrec::detail::FormatAmzDate(options.time);
  HttpHeaders added;
  added.emplace_back("x-amz-date", amz_date);
  if (options.add_content_sha256_header) added.emplace_back("x-amz-content-sha256", payload_hash);
  if (has_token) added.emplace_back("x-amz-security-token", credentials.session_token);
  for (auto const& h : added) {
    if (!options.sign_session_token && h.first == "x-amz-security-token") continue;
    headers.push_back(h);
  }

  auto c = Compute(request.method, host, request, request.query, headers, payload_hash, credentials, options.region,
                   options.service, options.time, options.path_mode);
  SigV4Signature out;
  out.canonical_uri = std::move(c.canonical_uri);
  out.canonical_query = std::move(c.canonical_query);
  out.signed_headers = std::move(c.signed_headers);
  out.canonical_request = std::move(c.canonical_request);
  out.string_to_sign = std::move(c.string_to_sign);
  out.credential_scope = std::move(c.scope);
  out.amz_date = std::move(c.amz_date);
  out.signature = std::move(c.signature);
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      out.credential_scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  out.headers_to_add = std::move(added);
  out.headers_to_add.emplace_back("Authorization", out.authorization);
  return out;
}

Result<PresignedUrl> PresignUrl(SigV4Request const& request, AwsCredentials const& credentials,
                                PresignOptions const& options) {
  if (auto e = CheckCredentials(credentials)) return *e;
  auto host = HostOf(request);
  if (host.empty()) return MakeError(ErrorCode::kInvalidArgument, "SigV4 presign: the request has no host");
  if (options.expires.count() < 1 || options.expires.count() > 604800) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "SigV4 presign: expiry must be between 1 and 604800 seconds (7 days), got " +
                         std::to_string(options.expires.count()));
  }
  if (options.scheme != "https" && options.scheme != "http") {
    return MakeError(ErrorCode::kInvalidArgument, "SigV4 presign: scheme must be http or https");
  }
  if (request.method.empty() || options.region.empty() || options.service.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "SigV4 presign: method, region and service must not be empty");
  }
  HttpHeaders headers;
  for (auto const& h : request.headers) {
    if (HeaderNameEquals(h.first, "host") || HeaderNameEquals(h.first, "authorization")) continue;
    headers.push_back(h);
  }
  // Signed header list is needed for the query, before the canonical request is built.
  auto const ch = Canonicalize(host, headers);
  auto const amz_date = ::ccrec::detail::FormatAmzDate(options.time);
  auto const scope = ::ccrec::detail::FormatYmd(options.time) + "/" + options.region + "/" + options.service + "/aws4_request";
  auto query = request.query;
  for (auto const& q : request.query) {
    if (q.first.rfind("X-Amz-", 0) == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "SigV4 presign: the request already has query parameter " +
                                                        q.first);
    }
  }
  query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  query.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + scope);
  query.emplace_back("X-Amz-Date", amz_date);
  query.emplace_back("X-Amz-Expires", std::to_string(options.expires.count()));
  if (!credentials.session_token.empty()) query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  query.emplace_back("X-Amz-SignedHeaders", ch.signed_headers);

  auto c = Compute(request.method, host, request, query, headers, kUnsignedPayload, credentials, options.region,
                   options.service, options.time, options.path_mode);
  PresignedUrl out;
  // In S3 mode the canonical URI is the wire path; in generic mode keep the caller's path shape.
  std::string wire_path = c.canonical_uri;
  if (options.path_mode == PathMode::kGeneric) {
    wire_path = request.path_is_encoded ? request.path : UriEncode(request.path.empty() ? "/" : request.path, true);
  }
  out.url = options.scheme + "://" + host + wire_path + "?" + c.canonical_query + "&X-Amz-Signature=" + c.signature;
  out.expires_at = options.time + options.expires;
  if (credentials.expiration && *credentials.expiration < out.expires_at) out.expires_at = *credentials.expiration;
  out.signed_headers = std::move(headers);
  out.canonical_request = std::move(c.canonical_request);
  out.string_to_sign = std::move(c.string_to_sign);
  out.signature = std::move(c.signature);
  return out;
}

}  // namespace ccrec::s3
