// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: pieces every vendor's status+body -> Error mapping shares. Not installed.

#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>

#include <rapidjson/fwd.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace ccrec::detail {

/// The ErrorCode an HTTP status implies before the vendor's body refines it: 401
/// kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 408 kDeadlineExceeded, 429
/// kRateLimited, other 4xx kInvalidArgument, 5xx kUnavailable, anything else kInternal.
ErrorCode ErrorCodeForHttpStatus(int status) noexcept;

/// The first `max_bytes` bytes of a response body for an error message: control characters
/// become spaces, trailing spaces are dropped, "..." marks a cut, and secrets are redacted.
std::string BodySnippet(std::string_view body, std::size_t max_bytes = 200);

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
Error FinishHttpError(Error error, HttpErrorParts parts, HttpHeaders const& headers,
                                   std::chrono::system_clock::time_point now);

/// One entry of a vendor's hint table: what an HTTP status usually means there and what to do.
struct StatusHint {
  int status = 0;
  std::string_view hint;
};

/// The hint for `status` from a vendor's `table` of specific statuses; otherwise "temporary server
/// failure; retry later" for 5xx, `redirect_hint` for 3xx and "unexpected response" for the rest.
std::string_view HttpStatusHint(int status, std::initializer_list<StatusHint> table,
                                             std::string_view redirect_hint);

/// Reads a vendor's JSON error document: may set `error.vendor_code` and `error.request_id`
/// and append to `details`.
using JsonErrorReader = std::function<void(rapidjson::Value const& doc, Error& error, std::string& details)>;

/// Maps a non-2xx response whose body may be a JSON error document: the code from
/// ErrorCodeForHttpStatus(), then, when the body is a JSON object, `read` (and the body counts as
/// understood), then FinishHttpError() with `request_id_header`, `what` and `hint`.
Error MapJsonHttpError(int status, std::string_view body, HttpHeaders const& headers,
                                    std::string_view what, std::string_view hint,
                                    std::string_view request_id_header, JsonErrorReader const& read,
                                    std::chrono::system_clock::time_point now);

/// Appends `piece` to `details`, separated by "; " from what is there already.
void AppendDetail(std::string& details, std::string_view piece);

/// `error` with `context` (what was being done, e.g. "Webex GET /v1/tasks") in front of its
/// message: "<context>: <message>". Everything else is kept.
Error WithContext(Error error, std::string_view context);

}  // namespace ccrec::detail
