// SPDX-License-Identifier: Apache-2.0
#include "internal/error_util.hpp"

#include <ccrec/core/log.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <utility>

namespace ccrec::detail {

ErrorCode ErrorCodeForHttpStatus(int status) noexcept {
  switch (status) {
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 408: return ErrorCode::kDeadlineExceeded;
    case 429: return ErrorCode::kRateLimited;
    default: break;
  }
  if (status >= 500 && status <= 599) return ErrorCode::kUnavailable;
  if (status >= 400 && status <= 499) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

std::string BodySnippet(std::string_view body, std::size_t max_bytes) {
  std::string s(body.substr(0, max_bytes));
  for (auto& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (body.size() > max_bytes) s += "...";
  return RedactSecrets(s);
}

Error FinishHttpError(Error error, HttpErrorParts parts, HttpHeaders const& headers,
                      std::chrono::system_clock::time_point now) {
  error.http_status = parts.status;
  if (!parts.body_understood && !parts.body.empty() && parts.details.empty()) parts.details = BodySnippet(parts.body);
  if (error.request_id.empty() && !parts.request_id_header.empty()) {
    if (auto id = FindHeader(headers, parts.request_id_header)) error.request_id = *id;
  }
  if (auto retry_after = FindHeader(headers, "Retry-After")) error.retry_after = ParseRetryAfter(*retry_after, now);
  std::string message = std::string(parts.what) + " failed with HTTP " + std::to_string(parts.status);
  if (!parts.details.empty()) message += ": " + parts.details;
  message += " (" + std::string(parts.hint) + ")";
  error.message = RedactSecrets(message);
  return error;
}

std::string_view HttpStatusHint(int status, std::initializer_list<StatusHint> table, std::string_view redirect_hint) {
  for (auto const& entry : table) {
    if (entry.status == status) return entry.hint;
  }
  if (status >= 500 && status <= 599) return "temporary server failure; retry later";
  if (status >= 300 && status <= 399) return redirect_hint;
  return "unexpected response";
}

Error MapJsonHttpError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
                       std::string_view hint, std::string_view request_id_header, JsonErrorReader const& read,
                       std::chrono::system_clock::time_point now) {
  Error error;
  error.code = ErrorCodeForHttpStatus(status);
  std::string details;
  auto doc = ParseJsonObject(body, "error body");
  if (doc) read(*doc, error, details);
  return FinishHttpError(std::move(error), {status, body, doc.has_value(), std::move(details), request_id_header, what, hint},
                         headers, now);
}

void AppendDetail(std::string& details, std::string_view piece) {
  if (!details.empty()) details += "; ";
  details += piece;
}

Error WithContext(Error error, std::string_view context) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

}  // namespace ccrec::detail
