#pragma once
// Internal: pieces every vendor's status+body -> Error mapping shares. Not installed.

#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {
namespace detail {

/// The ErrorCode an HTTP status implies before the vendor's body refines it: 401
/// kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 408 kDeadlineExceeded, 429
/// kRateLimited, other 4xx kInvalidArgument, 5xx kUnavailable, anything else kInternal.
CCREC_EXPORT ErrorCode ErrorCodeForHttpStatus(int status) noexcept;

/// The first `max_bytes` bytes of a response body for an error message: control characters
/// become spaces, trailing spaces are dropped, "..." marks a cut, and secrets are redacted.
CCREC_EXPORT std::string BodySnippet(std::string_view body, std::size_t max_bytes = 200);

/// What a vendor's error mapping extracted from a non-2xx response, for FinishHttpError().
struct HttpErrorParts {
  int status = 0;
  /// The response body as received.
  std::string_view body;
  /// True when the body was parsed as the vendor's error document (even if it said little).
  bool body_understood = false;
  /// The human-readable details from the body; when empty and the body was not understood, a
  /// BodySnippet() of the body is used instead.
  std::string details;
  /// Header carrying the vendor's request id, used when `error.request_id` is still empty.
  std::string_view request_id_header;
  /// What was attempted ("Webex CC tasks GET https://..."); starts the message.
  std::string_view what;
  /// What the status usually means and what to do, appended in parentheses.
  std::string_view hint;
};

/// Completes `error` (whose code, vendor_code and request_id the vendor mapping may have set):
/// http_status, the request id from `parts.request_id_header` if still empty, retry_after from a
/// `Retry-After` header (seconds or HTTP date, relative to `now`), and the message
/// "<what> failed with HTTP <status>[: <details>] (<hint>)" with secrets redacted.
CCREC_EXPORT Error FinishHttpError(Error error, HttpErrorParts parts, HttpHeaders const& headers,
                                   std::chrono::system_clock::time_point now);

}  // namespace detail
}  // namespace v1
}  // namespace ccrec
