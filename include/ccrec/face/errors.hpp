// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MapFaceError`: the one function that turns a FACE response (HTTP status + result body) into
/// an `Error`, using the FACE return-code table.
///
/// Source: ISR API Guide "REST API Commands" (return codes); ccrec reference `oracle-face.md` §7.

#include <ccrec/core/error.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>

#include <optional>
#include <string_view>

namespace ccrec::face {

/// The documented text of a FACE return code (reference §7), e.g. 19 → "No recording found with
/// supplied criteria"; "unknown return code" for codes outside the table.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string_view DescribeReturnCode(int code) noexcept;

/// True when a FACE answer means the token is missing, unknown or expired: HTTP 401, HTTP 403
/// without a FACE code in the body, code 27 naming the `token` parameter, or code -1 "Invalid or
/// expired token" (reference §8 [U]: which status or code means an expired token is not
/// documented; the client logs in again once on 401/403). A 403 with a FACE code (e.g. 2, host
/// not authorized) is mapped by that code instead.
/// @param http_status the HTTP status.
/// @param code the FACE return code, if the body had one.
/// @param message the FACE message.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT bool IsTokenError(int http_status, std::optional<int> code, std::string_view message);

/// Maps a failed FACE response to an Error.
///
/// The FACE code lives in the body (`<code>` or `"code"`), not in the HTTP status, so the body is
/// parsed whenever it is a JSON (`{"result":{...}}`) or XML (`<result>...`) result, whatever the
/// status. `vendor_code` is the FACE code as text ("19", "2", "-1"); `http_status` the status.
///
/// | code | ErrorCode | meaning |
/// |---|---|---|
/// | token errors (see IsTokenError) | kUnauthenticated | log in again |
/// | 1, 2 | kPermissionDenied | feature not licensed / this host not authorized (configuration) |
/// | -1 (other), 3–9, 12–15, 17, 18, 27 | kInvalidArgument | request rejected |
/// | 10, 16, 20, 21, 24, 25 | kUnavailable | retry later (database, token generation, RSS, in progress, conversion) |
/// | 11, 19, 22, 26 | kNotFound | no such recording / file |
/// | 23 | kInternal | the ISR could not convert the file |
/// | none (no parsable result) | by HTTP status: 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 408 kDeadlineExceeded, 429 kRateLimited, 5xx kUnavailable, other 4xx kInvalidArgument, 2xx kParse, else kInternal | |
///
/// The message names `what`, the HTTP status, the code and its documented meaning, the server's
/// own message when it adds something, and what to do. Secrets (token=, password=) are redacted.
/// `retry_after` comes from a `Retry-After` header.
///
/// @param status HTTP status.
/// @param body the (possibly truncated) response body.
/// @param headers response headers.
/// @param what the operation, e.g. "FACE GET audioRecording/details"; never a URL with its token.
///
/// Source: reference §7, §8.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Error MapFaceError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what);

}  // namespace ccrec::face
