// SPDX-License-Identifier: Apache-2.0
// MapHuaweiError: the one CC-Gateway status + body -> Error mapping (reference huawei-cc-gateway.md §1, §8).

#include <ccrec/huawei/errors.hpp>

#include <ccrec/core/log.hpp>

#include "internal/error_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <chrono>
#include <string>

namespace ccrec::huawei {

namespace {

namespace util = ::ccrec::detail;

using A = RetcodeAction;
using E = ErrorCode;

std::vector<RetcodeInfo> const& Table() {
  static std::vector<RetcodeInfo> const table = {
      {"000-000", "unknown error", E::kUnavailable, A::kRetry, "a temporary gateway failure; ccrec retries with backoff"},
      {"000-001", "wrong method for getting agent events", E::kInternal, A::kFail,
       "the gateway rejected the event poll's method; this is a bug in the client"},
      {"000-002", "URL parameter or address wrong, or interface parameter invalid", E::kInvalidArgument, A::kFail,
       "check the gateway URL, the agent id, and for downloads the recordId (the exact fileName from "
       "AgentMediaEvent_Record), filetype and locationId"},
      {"000-003", "no permission; agent authentication may have expired", E::kUnauthenticated, A::kSignInAgain,
       "the Guid or session is no longer valid; ccrec signs in again once"},
      {"000-004", "agent is being switched over", E::kUnavailable, A::kRetry, "ccrec retries after a delay"},
      {"000-006", "message parameter error", E::kInvalidArgument, A::kFail, "the gateway rejected a parameter"},
      {"000-007", "interface repeatedly invoked", E::kRateLimited, A::kRetry,
       "a call of the same interface was still running; ccrec backs off and retries"},
      {"100-001", "sign-in parameter empty or invalid", E::kInvalidArgument, A::kConfiguration,
       "check the phone number and the sign-in fields"},
      {"100-002", "agent already signed in", E::kPermissionDenied, A::kForceLogin,
       "the agent is signed in elsewhere; allow force login (--force-login) to take the session over"},
      {"100-003", "resource or provider unavailable at sign-in", E::kUnavailable, A::kRetry,
       "ccrec retries with backoff"},
      {"100-004", "wrong user name or password", E::kUnauthenticated, A::kConfiguration,
       "check the agent id and password"},
      {"100-006", "agent not signed in", E::kUnauthenticated, A::kSignInAgain,
       "the session was lost (no poll for 2 minutes, signed out elsewhere, or missing cookies); ccrec signs in "
       "again once"},
      {"100-007", "exception during the operation", E::kUnavailable, A::kRetry,
       "an internal gateway error; ccrec retries with backoff"},
      {"100-008", "agent already signed out", E::kUnauthenticated, A::kSignInAgain, "ccrec signs in again once"},
      {"104-001", "recording download function not enabled", E::kPermissionDenied, A::kConfiguration,
       "enable the recording download function on the CC-Gateway (file server mounted, download enabled)"},
      {"104-002", "no recording inspection or playback right", E::kPermissionDenied, A::kConfiguration,
       "give the agent account the recording playback right"},
      {"104-004", "no drive mapping configured", E::kPermissionDenied, A::kConfiguration,
       "configure the drive mapping and mount directory on the CC-Gateway"},
      {"104-005", "recording file does not exist", E::kNotFound, A::kFail,
       "check the recordId (the exact fileName of the record event) and, in CTI pool mode, the locationId"},
      {"104-007", "recording file format not supported", E::kInvalidArgument, A::kFail,
       "the gateway cannot serve this file's format"},
      {"104-008", "recording format not configured", E::kPermissionDenied, A::kConfiguration,
       "configure the recording format (RECORD_AUDIOENCODING) on the CC-Gateway"},
      {"104-009", "recording file conversion failed", E::kInvalidArgument, A::kRetryOnce,
       "the gateway could not convert the file; it was retried once"},
      {"104-010", "recording node ID not configured", E::kInvalidArgument, A::kConfiguration,
       "CTI pool mode: pass the locationId from the record event (--location-id)"},
      {"107-000", "cached login information invalid; sign in again", E::kUnauthenticated, A::kSignInAgain,
       "ccrec signs in again once"},
  };
  return table;
}

}  // namespace

std::optional<RetcodeInfo> LookupRetcode(std::string_view retcode) noexcept {
  auto const& table = Table();
  auto it = std::find_if(table.begin(), table.end(), [&](RetcodeInfo const& r) { return r.code == retcode; });
  if (it == table.end()) return std::nullopt;
  return *it;
}

std::vector<RetcodeInfo> const& KnownRetcodes() { return Table(); }

bool IsSessionLost(Error const& error) noexcept {
  auto info = LookupRetcode(error.vendor_code);
  return info && info->action == RetcodeAction::kSignInAgain;
}

Error MapHuaweiError(int http_status, std::string_view body, HttpHeaders const& headers, std::string_view what) {
  Error error;
  error.http_status = http_status;
  std::optional<std::string> retcode;
  std::string server_message;
  auto doc = util::ParseJsonObject(body, "CC-Gateway answer");
  bool const is_json_object = doc.has_value();
  if (doc) {
    retcode = util::OptString(*doc, "retcode");  // numbers are accepted as text
    server_message = util::OptString(*doc, "message").value_or(util::OptString(*doc, "msg").value_or(""));
  }
  std::string message;
  if (retcode && !retcode->empty() && *retcode != "0") {
    error.vendor_code = *retcode;
    auto info = LookupRetcode(*retcode);
    error.code = info ? info->error_code : ErrorCode::kInternal;
    message = std::string(what) + " failed: CC-Gateway retcode " + *retcode + " (" +
              (info ? std::string(info->meaning) : std::string("not a documented code")) + ")";
    if (!server_message.empty() && (!info || server_message != info->meaning)) {
      message += ": \"" + ::ccrec::detail::BodySnippet(server_message) + "\"";
    }
    if (info) message += "; " + std::string(info->hint);
    if (http_status != 0 && (http_status < 200 || http_status > 299)) {
      message += " (HTTP " + std::to_string(http_status) + ")";
    }
  } else if (http_status >= 200 && http_status <= 299) {
    error.code = ErrorCode::kParse;
    if (retcode && *retcode == "0") {
      message = std::string(what) + ": the gateway answered retcode 0 where a file or an error was expected";
    } else if (is_json_object) {
      message = std::string(what) + ": the gateway's answer has no retcode: " + ::ccrec::detail::BodySnippet(body);
    } else if (body.empty()) {
      message = std::string(what) + ": the gateway's answer is empty";
    } else {
      message = std::string(what) + ": the gateway's answer is not a JSON envelope (truncated or not JSON): " +
                ::ccrec::detail::BodySnippet(body);
    }
  } else {
    error.code = ::ccrec::detail::ErrorCodeForHttpStatus(http_status);
    message = std::string(what) + " failed with HTTP " + std::to_string(http_status);
    if (!body.empty()) message += ": " + ::ccrec::detail::BodySnippet(body);
    if (http_status == 404) message += " (check the gateway URL: the resource root is /agentgateway/resource/)";
    if (http_status >= 500) message += " (temporary gateway failure)";
  }
  if (auto retry_after = FindHeader(headers, "Retry-After")) {
    error.retry_after = util::ParseRetryAfter(*retry_after, std::chrono::system_clock::now());
  }
  error.message = RedactSecrets(message);
  return error;
}

}  // namespace ccrec::huawei
