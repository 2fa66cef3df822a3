// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MapWebexError`: the one function that turns a Webex HTTP error response into an `Error`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <string_view>

namespace ccrec::webex {

/// Maps a non-2xx Webex response (Contact Center API, admin API or token endpoint) to an Error.
///
/// Understands the three error bodies Webex uses, leniently (any of them may be absent or not
/// JSON at all):
/// - WxCC `ApiErrorResponse`: `{"trackingId":"..","error":{"key":"401","message":[{"description":".."}]}}`
/// - admin API: `{"message":"..","trackingId":"..","errors":[{"description":".."}]}`
/// - OAuth2: `{"error":"invalid_grant","error_description":".."}`
///
/// Status mapping: 400/409/413/422 (and other 4xx) kInvalidArgument, 401 kUnauthenticated,
/// 403 kPermissionDenied, 404 kNotFound, 408 kDeadlineExceeded, 429 kRateLimited, 5xx
/// kUnavailable, anything else kInternal. `vendor_code` is `error.key` or the OAuth `error`;
/// `request_id` is the body's `trackingId`, else the `TrackingID` response header;
/// `retry_after` comes from `Retry-After` (delta seconds or an HTTP date relative to `now`).
/// The message names `what`, the status, the server's descriptions (secrets redacted) and
/// what to do (e.g. for 403: the token needs scope cjp:config_read and an administrator or
/// supervisor role).
///
/// @param status HTTP status code.
/// @param body the (possibly truncated) response body.
/// @param headers the response headers.
/// @param what the operation, e.g. "Webex GET /v1/tasks".
/// @param now reference time for an HTTP-date Retry-After. Default: the system clock.
///
/// Source: Webex CC API schema `ApiErrorResponse`; reference §7 (rate limits, errors, TrackingId).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Error MapWebexError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
                                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace ccrec::webex
