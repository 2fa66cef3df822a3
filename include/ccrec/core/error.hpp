// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Error model shared by every ccrec operation (STYLE.md §3).

#include <ccrec/core/export.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {

/// Classification of a failure. Callers branch on this, never on message text.
enum class ErrorCode {
  kCancelled,         ///< The caller's cancellation token fired.
  kDeadlineExceeded,  ///< The call's deadline passed (or a timeout elapsed).
  kUnauthenticated,   ///< Credentials missing, wrong or expired (HTTP 401, bad HMAC, bad Guid...).
  kPermissionDenied,  ///< Authenticated but not allowed (HTTP 403, missing scope, AccessDenied).
  kNotFound,          ///< The resource does not exist (HTTP 404, NoSuchKey, FACE code 19...).
  kInvalidArgument,   ///< The request was rejected as malformed (HTTP 400) or a local argument is invalid.
  kRateLimited,       ///< The server throttled us (HTTP 429, S3 SlowDown). See Error::retry_after.
  kUnavailable,       ///< Temporary server failure (HTTP 500/502/503/504).
  kTransport,         ///< Network/TLS failure before or while talking to the server.
  kParse,             ///< The response could not be understood (malformed JSON/XML/CSV, wrong content type).
  kIntegrity,         ///< Data did not match its declared size or checksum.
  kInternal,          ///< A bug or an unexpected state inside ccrec.
};

/// Error::vendor_code of a kTransport error raised because the server's TLS certificate could not
/// be verified. Not retried (retrying cannot make an untrusted certificate trusted).
inline constexpr char kTlsVerificationFailed[] = "TlsVerificationFailed";

/// Returns the enumerator name without the `k` prefix, e.g. "RateLimited".
CCREC_EXPORT std::string_view ToString(ErrorCode code) noexcept;

/// Why an operation failed.
///
/// @par Thread safety
/// A plain value type; distinct objects may be used from distinct threads.
struct CCREC_EXPORT Error {
  ErrorCode code = ErrorCode::kInternal;
  /// HTTP status of the response that caused the error; 0 when there was no response.
  int http_status = 0;
  /// The vendor's own error code when it has one, e.g. Huawei "104-001", FACE "19", S3 "SlowDown".
  std::string vendor_code;
  /// What failed, with what input, and what to do. Never contains secrets.
  std::string message;
  /// Server correlation id (Webex trackingId, S3 x-amz-request-id) when known.
  std::string request_id;
  /// Server-requested delay before retrying (HTTP Retry-After), when given.
  std::optional<std::chrono::milliseconds> retry_after;

  /// One-line human-readable form: "RateLimited (HTTP 429, vendor SlowDown): message [request id X]".
  std::string ToString() const;
};

/// Builds an Error with just a code and a message.
CCREC_EXPORT Error MakeError(ErrorCode code, std::string message);

/// Thrown by Result<T>::value() when the result holds an error. Network and vendor
/// failures never throw by themselves; only this accessor does.
class CCREC_EXPORT Exception : public std::runtime_error {
 public:
  explicit Exception(Error error);
  Error const& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace v1
}  // namespace ccrec
