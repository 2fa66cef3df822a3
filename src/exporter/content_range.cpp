#include "exporter/content_range.hpp"

namespace ccrec {
inline namespace v1 {
namespace exporter {
namespace internal {

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

}  // namespace internal
}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
