// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the fuzz targets (header-only; each target is one executable).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ccrec_fuzz {

/// A property violation: print what and abort (libFuzzer and the replay driver both report it).
/// Non-printable bytes of `detail` are shown as \xHH.
[[noreturn]] inline void Fail(char const* what, std::string_view detail = {}) {
  std::fprintf(stderr, "FUZZ PROPERTY VIOLATED: %s\n", what);
  for (char c : detail) {
    auto const u = static_cast<unsigned char>(c);
    if (c == '\n' || (u >= 0x20 && u < 0x7f)) std::fputc(c, stderr);
    else std::fprintf(stderr, "\\x%02x", u);
  }
  std::fputc('\n', stderr);
  std::abort();
}

#define CCREC_FUZZ_CHECK(cond, detail) \
  do {                                 \
    if (!(cond)) ::ccrec_fuzz::Fail(#cond, (detail)); \
  } while (0)

/// Reads the input front to back: small integers first, then the rest as text.
class Input {
 public:
  Input(std::uint8_t const* data, std::size_t size)
      : text_(size == 0 ? std::string_view{} : std::string_view(reinterpret_cast<char const*>(data), size)) {}
  /// One byte (0 when exhausted).
  std::uint8_t Byte() {
    if (text_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(text_.front());
    text_.remove_prefix(1);
    return b;
  }
  /// Text up to (not including) `sep`, consumed with the separator; the rest when absent.
  std::string_view Until(char sep) {
    auto pos = text_.find(sep);
    std::string_view out = text_.substr(0, pos);
    text_.remove_prefix(pos == std::string_view::npos ? text_.size() : pos + 1);
    return out;
  }
  std::string_view Rest() {
    std::string_view out = text_;
    text_ = {};
    return out;
  }
  std::string_view Peek() const { return text_; }

 private:
  std::string_view text_;
};

}  // namespace ccrec_fuzz
