// SPDX-License-Identifier: Apache-2.0
#include "transport/response_header_parser.hpp"

#include <string>
#include <utility>

namespace ccrec::detail {
namespace {

bool IsSpace(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) noexcept {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view StripLineEnd(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §5.5: CR, LF and NUL inside a field value are replaced by SP, so that a value ccrec
// later sends back (Huawei's Set-GUID, cookies) can never split a request.
// Returns the value trimmed of surrounding blanks.
std::string CleanValue(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return std::string(Trim(out));
}

// A field name is a token: no CR, NUL, blanks or other control characters (the line is dropped).
bool IsValidName(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name) {
    auto const u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

int ParseStatusLine(std::string_view line) noexcept {
  line = StripLineEnd(line);
  if (line.substr(0, 5) != "HTTP/") return 0;
  auto const space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  auto rest = line.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.size() < 3) return 0;
  int code = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    char const c = rest[i];
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  if (rest.size() > 3 && rest[3] != ' ') return 0;
  return code < 100 ? 0 : code;
}

void ResponseHeaderParser::Feed(std::string_view line) {
  if (complete_) return;  // trailers after a chunked body, or anything after the final head
  line = StripLineEnd(line);
  if (line.substr(0, 5) == "HTTP/") {
    status_ = ParseStatusLine(line);
    headers_.clear();
    in_head_ = true;
    return;
  }
  if (!in_head_) return;
  if (line.empty()) {
    in_head_ = false;
    // 1xx heads are informational (100 Continue, 103 Early Hints): another head follows.
    // 101 Switching Protocols is final, but is never requested by this transport.
    if (status_ >= 200 || status_ == 101) complete_ = true;
    return;
  }
  if (IsSpace(line.front())) {  // obsolete line folding (RFC 7230 §3.2.4)
    if (!headers_.empty()) {
      auto const more = CleanValue(line);
      auto& value = headers_.back().second;
      if (!more.empty()) {
        if (!value.empty()) value += ' ';
        value += more;
      }
    }
    return;
  }
  auto const colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  auto const name = Trim(line.substr(0, colon));
  if (!IsValidName(name)) return;
  headers_.emplace_back(std::string(name), CleanValue(line.substr(colon + 1)));
}

}  // namespace ccrec::detail
