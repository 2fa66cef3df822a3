// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: ASCII helpers for protocol text (header names, content types, codes, server
// messages): case folding, and hex digits and `\xHH` escapes for bytes quoted in messages.
// Locale-independent on purpose: std::tolower depends on the C locale, so under a Latin-1 locale
// it would also fold bytes 0xC0-0xDE. Only 'A'-'Z' and 'a'-'z' are folded here; every other byte
// (including UTF-8) is compared as it is. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace ccrec::detail {

/// `c` with 'A'-'Z' mapped to 'a'-'z'; any other byte unchanged.
constexpr char AsciiLower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// `c` with 'a'-'z' mapped to 'A'-'Z'; any other byte unchanged.
constexpr char AsciiUpper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

/// A copy of `text` with ASCII letters lower-cased (see AsciiLower).
inline std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = AsciiLower(c);
  return out;
}

/// A copy of `text` with ASCII letters upper-cased (see AsciiUpper).
inline std::string ToUpperAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = AsciiUpper(c);
  return out;
}

/// True when `a` and `b` are equal ignoring ASCII case.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

/// True when `text` starts with `prefix`, ignoring ASCII case.
constexpr bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

/// Position of the first occurrence of `needle` in `haystack` at or after `from`, ignoring ASCII
/// case; std::string_view::npos when there is none. An empty needle is found at `from` (when
/// `from` <= haystack.size()).
constexpr std::size_t FindIgnoreCase(std::string_view haystack, std::string_view needle,
                                     std::size_t from = 0) noexcept {
  if (from > haystack.size() || needle.size() > haystack.size() - from) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

/// True when `haystack` contains `needle`, ignoring ASCII case (an empty needle is always found).
constexpr bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) noexcept {
  return FindIgnoreCase(haystack, needle) != std::string_view::npos;
}

/// Appends the byte `c` to `out` as two hex digits, lower case unless `upper` (percent-encoding
/// wants upper case: RFC 3986 §2.1). The one hex-digit table of the library: hex digests, `\xHH`
/// and `\u00HH` escapes and `%HH` all use it.
inline void AppendHexByte(std::string& out, unsigned char c, bool upper = false) {
  std::string_view const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  out += digits[c >> 4];
  out += digits[c & 0xF];
}

/// `text` with every byte for which `keep(byte)` is false written as `\xHH` (lower-case hex), the
/// others as they are. `keep` takes an `unsigned char`.
template <typename Keep>
std::string EscapeBytes(std::string_view text, Keep keep) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (keep(c)) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      AppendHexByte(out, c);
    }
  }
  return out;
}

/// `text` with printable ASCII (0x20..0x7E) as is and every other byte as `\xHH` (lower-case hex):
/// server bytes quoted in a message (a WAV chunk id, the start of a body), never raw.
inline std::string PrintableAscii(std::string_view text) {
  return EscapeBytes(text, [](unsigned char c) { return c >= 0x20 && c < 0x7F; });
}

}  // namespace ccrec::detail
