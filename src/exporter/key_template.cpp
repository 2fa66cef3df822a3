// SPDX-License-Identifier: Apache-2.0
#include <ccrec/exporter/key_template.hpp>

#include "exporter/template_parts.hpp"
#include "internal/ascii.hpp"
#include "internal/crypto.hpp"

#include <algorithm>

namespace ccrec::exporter {

namespace {
// ASCII only: <cctype> answers by the C locale, and in a Latin-1 locale bytes such as 0xE9 are
// letters, which would let non-ASCII bytes into keys.
bool IsAsciiAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}  // namespace

namespace {
bool IsSafeByte(unsigned char c) { return IsAsciiAlnum(c) || c == '.' || c == '_' || c == '-'; }
bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

constexpr std::size_t kHashDigits = 16;
constexpr std::size_t kMinSanitizedBytes = 32;

/// Length of the extension of `name` (".wav": the last '.' not at 0, then 1-8 ASCII alnum), or 0.
std::size_t ExtensionLength(std::string_view name) {
  auto dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= name.size() || name.size() - dot - 1 > 8) return 0;
  for (std::size_t i = dot + 1; i < name.size(); ++i) {
    if (!IsAsciiAlnum(static_cast<unsigned char>(name[i]))) return 0;
  }
  return name.size() - dot;
}

/// True when the stem of `name` ends in '_' + 16 lower-case hex digits (sanitizer output).
bool LooksSanitized(std::string_view name) {
  auto stem = name.substr(0, name.size() - ExtensionLength(name));
  if (stem.size() < kHashDigits + 1 || stem[stem.size() - kHashDigits - 1] != '_') return false;
  for (std::size_t i = stem.size() - kHashDigits; i < stem.size(); ++i) {
    if (!IsLowerHex(stem[i])) return false;
  }
  return true;
}
}  // namespace

std::string SanitizeKeyComponent(std::string_view name, std::size_t max_bytes) {
  max_bytes = std::max(max_bytes, kMinSanitizedBytes);
  bool safe = !name.empty() && name.size() <= max_bytes && name.front() != '.' &&
              std::all_of(name.begin(), name.end(), [](char c) { return IsSafeByte(static_cast<unsigned char>(c)); });
  if (safe && !LooksSanitized(name)) return std::string(name);
  std::string replaced;
  replaced.reserve(name.size());
  for (unsigned char c : name) replaced += IsSafeByte(c) ? static_cast<char>(c) : '_';
  if (replaced.empty()) replaced = "_";
  if (replaced.front() == '.') replaced.front() = '_';
  std::size_t ext_len = ExtensionLength(replaced);
  std::string ext = replaced.substr(replaced.size() - ext_len);
  std::string stem = replaced.substr(0, replaced.size() - ext_len);
  std::size_t const suffix = 1 + kHashDigits;  // "_" + hex
  std::size_t const room = max_bytes - suffix - ext.size();  // max_bytes >= 32 > 17 + 9
  if (stem.size() > room) stem.resize(room);
  if (stem.empty()) stem = "_";
  return stem + "_" + ::ccrec::detail::Sha256Hex(name).substr(0, kHashDigits) + ext;
}

std::string FileExtension(std::string_view file_name, std::string_view fallback) {
  auto slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name = file_name.substr(slash + 1);
  auto dot = file_name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= file_name.size()) return std::string(fallback);
  auto ext = file_name.substr(dot + 1);
  if (ext.size() > 8) return std::string(fallback);
  std::string out = ".";
  for (unsigned char c : ext) {
    if (!IsAsciiAlnum(c)) return std::string(fallback);
    out += ::ccrec::detail::AsciiLower(static_cast<char>(c));
  }
  return out;
}

KeyIdentityRule DefaultKeyIdentityRule() { return KeyIdentityRule{"", {{"task_id", "recording_id"}}}; }

Result<KeyTemplate> KeyTemplate::Parse(std::string text, std::vector<std::string> const& extra_names,
                                       KeyIdentityRule const& identity) {
  std::vector<std::string> names = {"task_id", "recording_id", "segment_id", "file_name", "ext", "yyyy", "mm", "dd"};
  names.insert(names.end(), extra_names.begin(), extra_names.end());
  auto parts = detail::TokenizeKeyTemplate(text, names);
  if (!parts) return parts.error();
  bool identified = identity.any_of.empty();
  for (auto const& set : identity.any_of) {
    identified = identified || std::all_of(set.begin(), set.end(), [&](std::string const& name) {
                   return detail::HasPlaceholder(*parts, {name});
                 });
  }
  if (!identified) {
    std::string need;
    for (std::size_t i = 0; i < identity.any_of.size(); ++i) {
      if (i > 0) need += ", or ";
      for (std::size_t j = 0; j < identity.any_of[i].size(); ++j) {
        if (j > 0) need += " and ";
        need += "{" + identity.any_of[i][j] + "}";
      }
    }
    std::string whose = identity.source.empty() ? std::string("a") : "a " + identity.source;
    return MakeError(ErrorCode::kInvalidArgument,
                     "key template \"" + text + "\" cannot tell one recording from another: " + whose +
                         " key template must contain " + need +
                         " (values such as file names repeat, and recordings would share a key)");
  }
  KeyTemplate t;
  t.text_ = std::move(text);
  for (auto& p : *parts) t.parts_.push_back(Part{p.placeholder, std::move(p.text)});
  return t;
}

std::string KeyTemplate::Render(KeyFields const& f) const {
  auto const date = detail::UtcDateParts(f.time);
  std::string out;
  for (auto const& p : parts_) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    auto const& n = p.text;
    if (n == "task_id") out += SanitizeKeyComponent(f.task_id);
    else if (n == "recording_id") out += SanitizeKeyComponent(f.recording_id);
    else if (n == "segment_id") out += SanitizeKeyComponent(f.segment_id);
    else if (n == "file_name") out += SanitizeKeyComponent(f.file_name);
    else if (n == "ext") out += f.ext ? FileExtension("x" + *f.ext, "") : FileExtension(f.file_name);
    else if (n == "yyyy") out += date[0];
    else if (n == "mm") out += date[1];
    else if (n == "dd") out += date[2];
    else {
      auto it = f.extra.find(n);
      out += SanitizeKeyComponent(it == f.extra.end() ? std::string_view() : std::string_view(it->second));
    }
  }
  return detail::CollapseEmptySegments(out);
}

}  // namespace ccrec::exporter
