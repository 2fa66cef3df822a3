#include <ccrec/exporter/key_template.hpp>

#include "exporter/template_parts.hpp"

#include <algorithm>

namespace ccrec {
inline namespace v1 {
namespace exporter {

namespace {
// ASCII only: <cctype> answers by the C locale, and in a Latin-1 locale bytes such as 0xE9 are
// letters, which would let non-ASCII bytes into keys.
bool IsAsciiAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char AsciiLower(unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }
}  // namespace

std::string SanitizeKeyComponent(std::string_view name, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(name.size(), max_bytes));
  for (unsigned char c : name) {
    bool ok = IsAsciiAlnum(c) || c == '.' || c == '_' || c == '-';
    out += ok ? static_cast<char>(c) : '_';
    if (out.size() >= max_bytes) break;
  }
  if (out.empty()) return "_";
  if (out.front() == '.') out.front() = '_';
  return out;
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
    out += AsciiLower(c);
  }
  return out;
}

Result<KeyTemplate> KeyTemplate::Parse(std::string text, std::vector<std::string> const& extra_names) {
  std::vector<std::string> names = {"task_id", "recording_id", "segment_id", "file_name", "ext", "yyyy", "mm", "dd"};
  names.insert(names.end(), extra_names.begin(), extra_names.end());
  auto parts = detail::TokenizeKeyTemplate(text, names);
  if (!parts) return parts.error();
  if (!detail::HasPlaceholder(*parts, {"recording_id", "file_name", "segment_id"})) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "key template \"" + text +
                         "\" must contain {recording_id}, {segment_id} or {file_name}, or recordings overwrite each other");
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

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
