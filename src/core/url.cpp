// SPDX-License-Identifier: Apache-2.0
// The public URL helpers (include/ccrec/core/url.hpp): thin wrappers over the internal parser
// (src/internal/url.cpp, the single implementation) that turn its reasons into Errors.
#include <ccrec/core/url.hpp>

#include <ccrec/core/log.hpp>

#include "internal/url.hpp"

namespace ccrec {
inline namespace v1 {

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  std::string problem;
  auto parsed = detail::ParseUrl(url, &problem);
  if (!parsed) {
    // Quoted with its query's secrets masked and control characters escaped, cut to 200 bytes.
    std::string shown = EscapeControlCharacters(RedactUrl(url));
    if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
    return MakeError(ErrorCode::kInvalidArgument, "\"" + shown + "\" is not an http(s) URL: " + problem);
  }
  return std::move(*parsed);
}

std::string PercentDecode(std::string_view text) { return detail::PercentDecode(text, false); }

}  // namespace v1
}  // namespace ccrec
