// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// AWS Signature Version 4 as its own unit: canonical request, string to sign, signature,
/// `Authorization` header (header auth) and presigned URLs (query auth).
///
/// Sources: Amazon S3 API Reference, "Signature Calculations for the Authorization Header"
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html) and
/// "Authenticating Requests: Using Query Parameters"
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html); IAM User Guide,
/// "Create a signed AWS API request" (generic services). Verified against the AWS SigV4 test suite
/// and the S3 documentation examples (tests/unit/s3/).

#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/credentials.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::s3 {

/// The payload-hash value that leaves the body out of the signature.
inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";
/// Hex SHA-256 of the empty string (the payload hash of a request without body).
inline constexpr char kEmptyPayloadSha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// How the canonical URI is derived from the request path.
enum class PathMode {
  /// Amazon S3: the path is used as is — `//`, `.` and `..` segments are kept — and each
  /// segment is URI-encoded once.
  kS3,
  /// Other AWS services (the generic test suite): `.`/`..` segments are resolved and empty
  /// segments dropped (`//example//` → `/example/`), then each segment is URI-encoded once.
  kGeneric,
};

/// A request to sign, in structured form (nothing is parsed from a request line).
struct CCREC_EXPORT SigV4Request {
  /// HTTP method, upper case. Default "GET".
  std::string method = "GET";
  /// Host as sent on the wire, with a non-default port ("examplebucket.s3.amazonaws.com",
  /// "127.0.0.1:9000"). Empty = taken from a `Host` entry of `headers`.
  std::string host;
  /// The path. With `path_is_encoded == false` (default) it is the raw, unencoded path
  /// ("/my key/ü.wav"): the signer encodes each '/'-separated segment. With `true` it is the
  /// path as written in a URL: each segment is percent-decoded and re-encoded canonically.
  /// Empty means "/".
  std::string path = "/";
  bool path_is_encoded = false;
  /// Query parameters, unencoded, in any order; repeated names allowed. A parameter without a
  /// value (`?uploads`) has an empty value and canonicalises as `uploads=`.
  std::vector<std::pair<std::string, std::string>> query;
  /// Headers to sign (all of them are signed; `Host` here is used only when `host` is empty).
  /// Names are case-insensitive; values are trimmed, inner whitespace runs (including folded
  /// line breaks) become one space, and repeated names are joined with ',' in order.
  /// `Authorization`, and `X-Amz-Date` / `X-Amz-Content-Sha256` / `X-Amz-Security-Token` when
  /// the signer sets them, are replaced by the signer's values.
  HttpHeaders headers;
  /// Lower-case hex SHA-256 of the body, or kUnsignedPayload. Empty = kEmptyPayloadSha256.
  /// Ignored by PresignUrl() (always UNSIGNED-PAYLOAD).
  std::string payload_hash;
};

/// Signing parameters for header authentication.
struct CCREC_EXPORT SigV4Options {
  /// Region of the credential scope. Default "us-east-1".
  std::string region = "us-east-1";
  /// Service of the credential scope. Default "s3".
  std::string service = "s3";
  /// Signing time (UTC; sub-second part ignored). Required: the caller's clock, adjusted for
  /// skew when the server reported RequestTimeTooSkewed.
  std::chrono::system_clock::time_point time;
  /// Default PathMode::kS3.
  PathMode path_mode = PathMode::kS3;
  /// Add and sign `x-amz-content-sha256` (required by S3). Default true; the generic test
  /// suite runs with false.
  bool add_content_sha256_header = true;
  /// Sign `x-amz-security-token` (default true). false = the token header is added after
  /// signing and not covered by the signature (services that want it so; the suite's
  /// `post-sts-header-after`).
  bool sign_session_token = true;
};

/// Everything the signer computed, for use and for debugging signature mismatches.
struct CCREC_EXPORT SigV4Signature {
  /// Canonical URI, e.g. "/test%24file.text". In PathMode::kS3 this is also the path to put
  /// on the wire.
  std::string canonical_uri;
  /// Canonical query string, e.g. "max-keys=2&prefix=J" (a valid wire query too).
  std::string canonical_query;
  /// "host;range;x-amz-content-sha256;x-amz-date".
  std::string signed_headers;
  /// The six lines of the canonical request joined by '\n' (no trailing newline).
  std::string canonical_request;
  /// "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256 of canonical request>".
  std::string string_to_sign;
  /// "20130524/us-east-1/s3/aws4_request".
  std::string credential_scope;
  /// "20130524T000000Z".
  std::string amz_date;
  /// Lower-case hex, 64 characters.
  std::string signature;
  /// The `Authorization` header value:
  /// "AWS4-HMAC-SHA256 Credential=<AKID>/<scope>, SignedHeaders=<list>, Signature=<hex>".
  std::string authorization;
  /// Headers the caller must add to the request, in this order: `x-amz-date`,
  /// `x-amz-content-sha256` (unless disabled), `x-amz-security-token` (temporary credentials),
  /// `Authorization`. Contains secrets (the signature, the token): never log it.
  HttpHeaders headers_to_add;
};

/// Signs `request` for header authentication.
/// @return the signature, or kInvalidArgument (no host, empty region/service/method, bad
///         payload hash), or kUnauthenticated (empty access key id or secret).
/// @par Thread safety
/// Thread-safe (pure function).
CCREC_EXPORT Result<SigV4Signature> SignRequest(SigV4Request const& request, AwsCredentials const& credentials,
                                                SigV4Options const& options);

/// Parameters of a presigned URL.
struct CCREC_EXPORT PresignOptions {
  /// Default "us-east-1".
  std::string region = "us-east-1";
  /// Default "s3".
  std::string service = "s3";
  /// Signing time (UTC). Required.
  std::chrono::system_clock::time_point time;
  /// Validity (`X-Amz-Expires`), 1 s to 604800 s (7 days). Default 3600 s.
  std::chrono::seconds expires{3600};
  /// URL scheme, "https" (default) or "http".
  std::string scheme = "https";
  /// Default PathMode::kS3.
  PathMode path_mode = PathMode::kS3;
};

/// A presigned URL and how it was made.
struct CCREC_EXPORT PresignedUrl {
  /// scheme://host/path?<canonical query>&X-Amz-Signature=<hex>. Contains a credential:
  /// log it only through RedactUrl().
  std::string url;
  /// Time after which the URL is refused: signing time + expires, or the credentials'
  /// expiration if that is earlier.
  std::chrono::system_clock::time_point expires_at;
  /// Headers that were signed and must be sent with the URL (beyond Host), e.g. a Content-Type
  /// the uploader promised. Empty when only `host` was signed.
  HttpHeaders signed_headers;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

/// Makes a presigned URL (query authentication): adds `X-Amz-Algorithm`, `X-Amz-Credential`,
/// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` and, with temporary credentials,
/// `X-Amz-Security-Token` to the canonical query; the payload is `UNSIGNED-PAYLOAD`; the
/// signature is appended last as `X-Amz-Signature`. `request.headers` (besides Host) are signed
/// and must be sent by whoever uses the URL.
/// @return the URL, or kInvalidArgument (expires outside 1..604800 s, bad scheme, no host),
///         or kUnauthenticated (empty access key id or secret).
/// @par Thread safety
/// Thread-safe (pure function).
CCREC_EXPORT Result<PresignedUrl> PresignUrl(SigV4Request const& request, AwsCredentials const& credentials,
                                             PresignOptions const& options);

/// URI-encodes `text` the SigV4 way: keeps `A-Z a-z 0-9 - _ . ~` (and '/' when `keep_slash`),
/// every other byte becomes `%XX` with upper-case hex (space → `%20`, never '+').
CCREC_EXPORT std::string UriEncode(std::string_view text, bool keep_slash = false);

/// Canonical URI of `path` (see SigV4Request::path and PathMode).
CCREC_EXPORT std::string CanonicalUri(std::string_view path, bool path_is_encoded, PathMode mode);

/// Canonical query string: names and values URI-encoded, sorted by encoded name then value,
/// joined as `name=value` with '&'.
CCREC_EXPORT std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> const& query);

/// The SigV4 signing key (raw 32 bytes) for `secret`, `yyyymmdd`, region and service.
CCREC_EXPORT std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view yyyymmdd,
                                          std::string_view region, std::string_view service);

}  // namespace ccrec::s3
