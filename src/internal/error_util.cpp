#include "internal/error_util.hpp"

#include <ccrec/core/log.hpp>

namespace ccrec {
inline namespace v1 {
namespace internal {

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

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
