// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Huawei CC-Gateway retcodes and the one function that maps a gateway answer to `ccrec::Error`.
///
/// Source: ccrec reference `huawei-cc-gateway.md` §1 (envelope, HTTP 200 for business failures) and
/// §8 (error codes: Huawei "Agent error codes" and "Error codes returned by the CC-Gateway").

#include <ccrec/core/error.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace ccrec::huawei {

/// What ccrec does about a retcode (reference §8, column "ccrec action").
enum class RetcodeAction {
  kFail,           ///< Fail the call (the item, for downloads).
  kRetry,          ///< Retry with backoff (ccrec's RetryPolicy), then fail.
  kRetryOnce,      ///< Retry once, then fail (104-009 conversion failed).
  kSignInAgain,    ///< The session is gone: sign in again once (single-flight) and retry the call once.
  kForceLogin,     ///< Sign-in only: the agent is already signed in; use forcelogin when allowed.
  kConfiguration,  ///< A configuration problem (credentials, gateway settings): fail, do not retry.
};

/// One known retcode.
struct CCREC_EXPORT RetcodeInfo {
  /// The code, e.g. "104-005".
  std::string_view code;
  /// Huawei's meaning, e.g. "recording file does not exist".
  std::string_view meaning;
  /// The ccrec classification used in Error::code.
  ErrorCode error_code = ErrorCode::kInternal;
  /// What ccrec does about it.
  RetcodeAction action = RetcodeAction::kFail;
  /// What the user should do, e.g. "pass the locationId from the record event (--location-id)".
  std::string_view hint;
};

/// Looks up a retcode of the reference's §8 table.
///
/// Mapping: 000-000 kUnavailable (retry), 000-001 kInternal, 000-002 kInvalidArgument,
/// 000-003 kUnauthenticated (sign in again), 000-004 kUnavailable (retry), 000-006 kInvalidArgument,
/// 000-007 kRateLimited (back off, retry), 100-001 kInvalidArgument, 100-002 kPermissionDenied
/// (forcelogin when allowed), 100-003 kUnavailable (retry), 100-004 kUnauthenticated (no retry),
/// 100-006 kUnauthenticated (sign in again), 100-007 kUnavailable (retry), 100-008 kUnauthenticated
/// (sign in again), 104-001/104-002/104-004/104-008 kPermissionDenied (gateway configuration or rights),
/// 104-005 kNotFound, 104-007 kInvalidArgument, 104-009 kInvalidArgument (retried once by the download
/// itself), 104-010 kInvalidArgument (send the locationId), 107-000 kUnauthenticated (sign in again).
///
/// @param retcode the `retcode` string as sent ("100-006"); surrounding spaces are not accepted.
/// @return the entry, or nullopt for "0" and for codes not in the table.
/// @par Thread safety
/// Thread-safe (static data).
CCREC_EXPORT std::optional<RetcodeInfo> LookupRetcode(std::string_view retcode) noexcept;

/// Every retcode of the table, in code order (for documentation and tests).
/// @par Thread safety
/// Thread-safe (static data).
CCREC_EXPORT std::vector<RetcodeInfo> const& KnownRetcodes();

/// Maps a gateway answer to an Error — the one place where HTTP status and body become an Error.
///
/// A JSON envelope `{"retcode": "...", "message"|"msg": "...", "result": ...}` with a retcode other than
/// "0" is judged by the retcode whatever the HTTP status (the gateway sends business failures with
/// HTTP 200): Error::code from LookupRetcode() (kInternal for an unknown retcode), Error::vendor_code the
/// retcode, Error::message "WHAT failed: CC-Gateway retcode C (meaning): \"server message\". hint".
/// Without an envelope, a non-2xx status maps like HTTP (401 kUnauthenticated, 403 kPermissionDenied,
/// 404 kNotFound, 408 kDeadlineExceeded, 429 kRateLimited, 5xx kUnavailable, other 4xx
/// kInvalidArgument) with a snippet of the body; a 2xx answer without a usable envelope (not JSON,
/// truncated, no retcode, or retcode "0" where an error was expected) is kParse.
/// `Retry-After` fills Error::retry_after. The message is passed through RedactSecrets().
///
/// @param http_status the response status (0 when unknown).
/// @param body the (possibly truncated) response body.
/// @param headers the response headers (Retry-After).
/// @param what the operation, e.g. "Huawei download of \"Y:/1/0/x.V3\"".
/// @return the error; never a success.
/// Source: reference §1 (envelope), §6 (download error body), §8 (codes).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Error MapHuaweiError(int http_status, std::string_view body, HttpHeaders const& headers,
                                  std::string_view what);

/// True when `error` says the agent's session is gone: its vendor code is a retcode whose
/// RetcodeAction is kSignInAgain (000-003, 100-006, 100-008, 107-000). The AgentSession then signs
/// in again once and retries.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT bool IsSessionLost(Error const& error) noexcept;

}  // namespace ccrec::huawei
