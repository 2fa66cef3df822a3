// SPDX-License-Identifier: Apache-2.0
// MapFaceError: the one FACE status + body -> Error mapping (reference oracle-face.md §7, §8).

#include <ccrec/face/errors.hpp>

#include <ccrec/core/log.hpp>

#include "face/parse.hpp"
#include "internal/ascii.hpp"
#include "internal/error_util.hpp"
#include "internal/time_util.hpp"

#include <cctype>
#include <string>

namespace ccrec::face {

namespace {

struct CodeInfo {
  ErrorCode code;
  char const* hint;
};

CodeInfo InfoFor(int code) {
  switch (code) {
    case 1: return {ErrorCode::kPermissionDenied, "the FACE feature is not licensed on this ISR; ask the ISR administrator"};
    case 2:
      return {ErrorCode::kPermissionDenied,
              "this client's host is not authorized to use FACE; add its address to the FACE authorized hosts in the "
              "ISR admin UI"};
    case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 18: case 27:
      return {ErrorCode::kInvalidArgument, "FACE rejected the request as incomplete or invalid"};
    case 10: return {ErrorCode::kUnavailable, "the ISR database is unreachable; retry later"};
    case 11:
      return {ErrorCode::kNotFound,
              "FACE could not retrieve the file (missing, archived, or still being recorded)"};
    case 12: case 13: case 14: case 15:
      return {ErrorCode::kInvalidArgument, "the recording control command does not apply to the recording's state"};
    case 16: return {ErrorCode::kUnavailable, "FACE could not generate a token; retry later"};
    case 17: return {ErrorCode::kInvalidArgument, "route configuration problem on the ISR; ask the ISR administrator"};
    case 19: return {ErrorCode::kNotFound, "no recording matches the criteria"};
    case 20: return {ErrorCode::kUnavailable, "the RSS could not perform the operation; retry later"};
    case 21: return {ErrorCode::kUnavailable, "the recording is in progress; retry after it has ended"};
    case 22: return {ErrorCode::kNotFound, "the file is set to be deleted"};
    case 23: return {ErrorCode::kInternal, "the ISR could not convert the file to a playable format"};
    case 24: case 25: return {ErrorCode::kUnavailable, "the file is being converted to a playable format; retry later"};
    case 26: return {ErrorCode::kNotFound, "no session or file matches the UCID"};
    case -1: return {ErrorCode::kInvalidArgument, "FACE refused the request"};
    default: return {ErrorCode::kInternal, "unknown FACE return code"};
  }
}

ErrorCode CodeForStatus(int status) {
  // A 2xx without a FACE result is a body we could not read; everything else as for any HTTP API.
  if (status >= 200 && status <= 299) return ErrorCode::kParse;
  return ::ccrec::detail::ErrorCodeForHttpStatus(status);
}

}  // namespace

std::string_view DescribeReturnCode(int code) noexcept {
  switch (code) {
    case 0: return "ACK";
    case -1: return "NACK";
    case 1: return "Feature Not Licensed";
    case 2: return "Host Not Authorized";
    case 3: return "Parameter Missing";
    case 4: return "Missing Command - command parameter is required";
    case 5: return "Invalid Command";
    case 6: return "Missing Parameter - ANI parameter is required";
    case 7: return "Missing Parameter - DNIS parameter is required";
    case 8: return "Missing Parameter - channelId parameter is required";
    case 9: return "Missing Parameter - fileId parameter is required";
    case 10: return "Error establishing database connection";
    case 11: return "Error retrieving file with supplied criteria";
    case 12: return "Recording already started, not paused, already paused or started by another session";
    case 13: return "Recording is started by another session or not started, cannot end recording";
    case 14: return "Invalid Parameter for RecordEnd - fileId not found from recording index";
    case 15: return "Error Indexing for RecordEnd";
    case 16: return "Error Generating Token";
    case 17: return "Couldn't find route information";
    case 18: return "ANI and DNIS are required for command SaveRecording";
    case 19: return "No recording found with supplied criteria";
    case 20: return "RSS could not successfully perform the operation";
    case 21: return "Cannot change name of file while recording is in progress";
    case 22: return "Cannot rename a file that is set to be deleted";
    case 23: return "Could not convert file to playable format";
    case 24: return "Timed out waiting for file conversion";
    case 25: return "Conversion already initiated by another user, please try again later";
    case 26: return "No session or file was found matching the provided UCID";
    case 27: return "Missing Parameter - %parameter% is required";
    default: return "unknown return code";
  }
}

bool IsTokenError(int http_status, std::optional<int> code, std::string_view message) {
  if (http_status == 401) return true;
  // Reference §8 [U]: log in again on HTTP 403 too — unless the body carries a FACE code, which says
  // what was refused (e.g. 2, host not authorized) better than the status does.
  if (http_status == 403 && !code) return true;
  if (code && *code == 27 && ::ccrec::detail::ContainsIgnoreCase(message, "token")) return true;
  if (code && *code == -1 && ::ccrec::detail::ContainsIgnoreCase(message, "token") &&
      (::ccrec::detail::ContainsIgnoreCase(message, "invalid") || ::ccrec::detail::ContainsIgnoreCase(message, "expired"))) {
    return true;
  }
  return false;
}

Error MapFaceError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what) {
  auto header = detail::ReadResultHeader(headers, body);
  Error e;
  e.http_status = status;
  std::string message = std::string(what) + " failed (HTTP " + std::to_string(status);
  if (auto retry_after = FindHeader(headers, "Retry-After")) {
    e.retry_after = ::ccrec::detail::ParseRetryAfter(*retry_after, std::chrono::system_clock::now());
  }
  if (IsTokenError(status, header.code, header.message)) {
    e.code = ErrorCode::kUnauthenticated;
    if (header.code) e.vendor_code = std::to_string(*header.code);
    message += header.code ? ", FACE return code " + e.vendor_code : std::string();
    message += header.message.empty() ? std::string() : ": \"" + header.message + "\"";
    message += status == 403 ? "): FACE refused access: the token may be invalid or expired (log in again), or "
                               "this client may not be allowed (check the ISR's authorized hosts and the account)"
                             : "): the FACE token is missing, invalid or expired; log in again";
    e.message = RedactSecrets(message);
    return e;
  }
  if (header.code) {
    int code = *header.code;
    auto info = InfoFor(code);
    e.code = info.code;
    e.vendor_code = std::to_string(code);
    // An HTTP 5xx with a code FACE does not document as transient still means "try again".
    if (status >= 500 && status <= 599 && code == -1) e.code = ErrorCode::kUnavailable;
    std::string_view documented = DescribeReturnCode(code);
    message += ", FACE return code " + e.vendor_code + " \"" + std::string(documented) + "\"";
    if (!header.message.empty() && header.message != documented) message += ": server says \"" + header.message + "\"";
    message += "): " + std::string(info.hint);
    e.message = RedactSecrets(message);
    return e;
  }
  e.code = CodeForStatus(status);
  if (header.kind == detail::BodyKind::kEmpty) {
    message += ", empty body)";
  } else {
    message += ", no FACE result in the body: \"" + detail::Snippet(body) + "\")";
  }
  if (status >= 300 && status <= 399) message += ": unexpected redirect; check the FACE URL";
  else if (e.code == ErrorCode::kUnavailable) message += ": temporary server failure; retry later";
  else if (e.code == ErrorCode::kParse) message += ": the answer could not be understood";
  e.message = RedactSecrets(message);
  return e;
}

}  // namespace ccrec::face
