// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/error.hpp>

#include <utility>

namespace ccrec {
inline namespace v1 {

std::string_view ToString(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kCancelled: return "Cancelled";
    case ErrorCode::kDeadlineExceeded: return "DeadlineExceeded";
    case ErrorCode::kUnauthenticated: return "Unauthenticated";
    case ErrorCode::kPermissionDenied: return "PermissionDenied";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kRateLimited: return "RateLimited";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kTransport: return "Transport";
    case ErrorCode::kParse: return "Parse";
    case ErrorCode::kIntegrity: return "Integrity";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Error::ToString() const {
  std::string out(ccrec::ToString(code));
  if (http_status != 0 || !vendor_code.empty()) {
    out += " (";
    if (http_status != 0) out += "HTTP " + std::to_string(http_status);
    if (!vendor_code.empty()) {
      if (http_status != 0) out += ", ";
      out += "vendor " + vendor_code;
    }
    out += ")";
  }
  out += ": " + message;
  if (!request_id.empty()) out += " [request id " + request_id + "]";
  return out;
}

Error MakeError(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

Exception::Exception(Error error) : std::runtime_error(error.ToString()), error_(std::move(error)) {}

}  // namespace v1
}  // namespace ccrec
