#include <ccrec/exporter/key_template.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

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

namespace {
bool IsBuiltin(std::string const& name) {
  static char const* const kNames[] = {"task_id", "recording_id", "segment_id", "file_name",
                                       "ext",     "yyyy",         "mm",         "dd"};
  return std::find_if(std::begin(kNames), std::end(kNames), [&](char const* n) { return name == n; }) !=
         std::end(kNames);
}
}  // namespace

Result<KeyTemplate> KeyTemplate::Parse(std::string text, std::vector<std::string> const& extra_names) {
  KeyTemplate t;
  t.text_ = text;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (c == '{') {
      auto close = text.find('}', i);
      if (close == std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "key template \"" + text + "\": unclosed '{' at position " +
                                                          std::to_string(i));
      }
      std::string name = text.substr(i + 1, close - i - 1);
      bool known = IsBuiltin(name) || std::find(extra_names.begin(), extra_names.end(), name) != extra_names.end();
      if (!known) {
        std::string valid = "{task_id} {recording_id} {segment_id} {file_name} {ext} {yyyy} {mm} {dd}";
        for (auto const& n : extra_names) valid += " {" + n + "}";
        return MakeError(ErrorCode::kInvalidArgument,
                         "key template \"" + text + "\": unknown placeholder {" + name + "}; valid: " + valid);
      }
      // {ext} is "" or ".xyz": at the start of a path segment it would make a hidden ".wav" name.
      bool segment_start = literal.empty() ? (t.parts_.empty() || (!t.parts_.back().placeholder &&
                                                                    t.parts_.back().text.back() == '/'))
                                           : literal.back() == '/';
      if (name == "ext" && segment_start) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "key template \"" + text + "\": {ext} must follow other text in its path segment (e.g. "
                         "{recording_id}{ext}); alone it would make hidden \".wav\" names");
      }
      if (!literal.empty()) t.parts_.push_back(Part{false, std::move(literal)});
      literal.clear();
      t.parts_.push_back(Part{true, name});
      i = close;
    } else if (c == '}') {
      return MakeError(ErrorCode::kInvalidArgument,
                       "key template \"" + text + "\": unmatched '}' at position " + std::to_string(i));
    } else {
      literal += c;
    }
  }
  if (!literal.empty()) t.parts_.push_back(Part{false, std::move(literal)});
  if (!text.empty() && text.front() == '/') {
    return MakeError(ErrorCode::kInvalidArgument, "key template \"" + text + "\" must be relative (no leading '/')");
  }
  for (auto const& p : t.parts_) {
    if (p.placeholder) continue;
    std::string padded = "/" + p.text + "/";
    if (padded.find("/../") != std::string::npos || padded.find("/./") != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "key template \"" + text + "\" has a '.' or '..' segment");
    }
  }
  bool has_id = std::any_of(t.parts_.begin(), t.parts_.end(), [](Part const& p) {
    return p.placeholder && (p.text == "recording_id" || p.text == "file_name" || p.text == "segment_id");
  });
  if (!has_id) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "key template \"" + text +
                         "\" must contain {recording_id}, {segment_id} or {file_name}, or recordings overwrite each other");
  }
  return t;
}

std::string KeyTemplate::Render(KeyFields const& f) const {
  std::tm tm{};
  // floor, not truncation: 1969-12-31T23:59:59.5Z is still 1969-12-31.
  std::time_t secs =
      f.time ? static_cast<std::time_t>(
                   std::chrono::floor<std::chrono::seconds>(f.time->time_since_epoch()).count())
             : 0;
  gmtime_r(&secs, &tm);
  char y[16], m[16], d[16];
  std::snprintf(y, sizeof y, "%04d", tm.tm_year + 1900);
  std::snprintf(m, sizeof m, "%02d", tm.tm_mon + 1);
  std::snprintf(d, sizeof d, "%02d", tm.tm_mday);
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
    else if (n == "yyyy") out += y;
    else if (n == "mm") out += m;
    else if (n == "dd") out += d;
    else {
      auto it = f.extra.find(n);
      out += SanitizeKeyComponent(it == f.extra.end() ? std::string_view() : std::string_view(it->second));
    }
  }
  // Collapse empty segments ("a//b" -> "a/b") and strip leading/trailing slashes.
  std::string clean;
  for (char c : out) {
    if (c == '/' && (clean.empty() || clean.back() == '/')) continue;
    clean += c;
  }
  while (!clean.empty() && clean.back() == '/') clean.pop_back();
  return clean;
}

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
