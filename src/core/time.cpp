// SPDX-License-Identifier: Apache-2.0
// The public time parsers (include/ccrec/core/time.hpp): thin wrappers that turn the internal
// parsers' reasons (src/internal/time_util.cpp, the single implementation) into Errors.
#include <ccrec/core/time.hpp>

#include <ccrec/core/log.hpp>

#include "internal/time_util.hpp"

namespace ccrec {
inline namespace v1 {

namespace {
// `text` quoted for a message, cut so that a pasted file cannot flood it, control characters escaped.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out = "\"" + EscapeControlCharacters(text.substr(0, kMax));
  if (text.size() > kMax) out += "...";
  return out + "\"";
}
}  // namespace

Result<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text) {
  std::string problem;
  auto t = detail::ParseTimeArg(text, &problem);
  if (!t) {
    return MakeError(ErrorCode::kInvalidArgument,
                     Quote(text) + " is not a time: " + problem +
                         " (give ISO-8601 like 2026-11-01T00:00:00Z or epoch milliseconds)");
  }
  return *t;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string problem;
  auto d = detail::ParseDuration(text, &problem);
  if (!d) {
    return MakeError(ErrorCode::kInvalidArgument,
                     Quote(text) + " is not a duration: " + problem + " (give e.g. 1500ms, 30s, 15m, 2h, 3d)");
  }
  return *d;
}

std::string FormatIso8601(std::chrono::system_clock::time_point t, bool with_milliseconds) {
  return detail::FormatIso8601(t, with_milliseconds);
}

}  // namespace v1
}  // namespace ccrec
