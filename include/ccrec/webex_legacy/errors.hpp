// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MapLegacyError`: the one function that turns a v1 HTTP error response into an `Error`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <string_view>

namespace ccrec::webex_legacy {

/// Maps a non-2xx v1 response to an Error.
///
/// v1 error bodies are undocumented (reference §6); a JSON object's `message`, `error`,
/// `errorMessage` or `description` members are used when present, otherwise the start of the
/// body. Status mapping: 400 (and other 4xx) kInvalidArgument, 401 kUnauthenticated ("the API
/// key, user id or tenant id was rejected", with what to check — never the key or signature),
/// 403 kPermissionDenied (credentials accepted but the API is disabled or the user may not read
/// reports), 404 kNotFound, 408 kDeadlineExceeded, 429 kRateLimited, 5xx kUnavailable, anything
/// else kInternal. `request_id` is the body's `trackingId`, else the `TrackingID` header;
/// `retry_after` comes from `Retry-After` (delta seconds or an HTTP date relative to `now`).
/// The message is passed through RedactSecrets().
///
/// @param status HTTP status.
/// @param body the (possibly truncated) response body.
/// @param headers the response headers.
/// @param what the operation, e.g. "Webex CC v1 GET /aws/api/csrs".
/// @param now reference time for an HTTP-date Retry-After. Default: the system clock.
///
/// Source: reference §6 (401/403: credentials wrong or API disabled, no retry; 429/5xx: backoff).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Error MapLegacyError(int status, std::string_view body, HttpHeaders const& headers,
                                  std::string_view what,
                                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace ccrec::webex_legacy
