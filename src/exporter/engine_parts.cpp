#include "exporter/engine_parts.hpp"

namespace ccrec {
inline namespace v1 {
namespace exporter {
namespace detail {

namespace {

/// "bytes START-END/TOTAL" -> START.
std::optional<std::uint64_t> ContentRangeStart(std::string const& value) {
  std::size_t pos = 0;
  while (pos < value.size() && value[pos] == ' ') ++pos;
  if (value.compare(pos, 6, "bytes ") != 0) return std::nullopt;
  pos += 6;
  std::uint64_t start = 0;
  std::size_t digits = 0;
  for (; pos < value.size() && value[pos] >= '0' && value[pos] <= '9' && digits < 19; ++pos, ++digits) {
    start = start * 10 + static_cast<std::uint64_t>(value[pos] - '0');
  }
  if (digits == 0 || pos >= value.size() || value[pos] != '-') return std::nullopt;
  return start;
}

}  // namespace

std::optional<Error> CheckMediaResponse(HttpResponse const& response, std::uint64_t offset) {
  if (!response.body) return MakeError(ErrorCode::kInternal, "the media source returned a response without a body");
  int const status = response.status;
  if (status < 200 || status > 299) {
    ErrorCode code = ErrorCode::kInternal;  // 1xx, 3xx: not a media body either
    if (status == 401) code = ErrorCode::kUnauthenticated;
    else if (status == 403) code = ErrorCode::kPermissionDenied;
    else if (status == 404) code = ErrorCode::kNotFound;
    else if (status == 408) code = ErrorCode::kDeadlineExceeded;
    else if (status == 429) code = ErrorCode::kRateLimited;
    else if (status >= 400 && status <= 499) code = ErrorCode::kInvalidArgument;
    else if (status >= 500 && status <= 599) code = ErrorCode::kUnavailable;
    Error e = MakeError(code, "media download answered HTTP " + std::to_string(status));
    e.http_status = status;
    return e;
  }
  if (status == 206) {
    if (auto range = response.Header("Content-Range")) {
      auto start = ContentRangeStart(*range);
      if (!start || *start != offset) {
        return MakeError(ErrorCode::kIntegrity, "media download asked for bytes from " + std::to_string(offset) +
                                                    " but the partial response is \"Content-Range: " + *range + "\"");
      }
    }
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
