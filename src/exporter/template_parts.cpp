// SPDX-License-Identifier: Apache-2.0
#include "exporter/template_parts.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace ccrec::exporter::detail {

Result<std::vector<TemplatePart>> TokenizeKeyTemplate(std::string const& text, std::vector<std::string> const& names) {
  auto bad = [&](std::string const& why) {
    return MakeError(ErrorCode::kInvalidArgument, "key template \"" + text + "\"" + why);
  };
  std::vector<TemplatePart> parts;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto const u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') {
      // The sinks refuse such keys (NUL, backslash) or they make unusable names (CR, LF, ...).
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", u);
      return bad(": " + std::string(c == '\\' ? "a backslash" : std::string("control character ") + hex) +
                 " at position " + std::to_string(i) + " (use '/' to separate path segments)");
    }
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
    } else if (c == '{') {
      auto close = text.find('}', i);
      if (close == std::string::npos) return bad(": unclosed '{' at position " + std::to_string(i));
      std::string name = text.substr(i + 1, close - i - 1);
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string valid;
        for (auto const& n : names) valid += " {" + n + "}";
        return bad(": unknown placeholder {" + name + "}; valid:" + valid);
      }
      // {ext} is "" or ".xyz": at the start of a path segment it would make a hidden ".wav" name.
      bool segment_start = literal.empty()
                               ? (parts.empty() || (!parts.back().placeholder && parts.back().text.back() == '/'))
                               : literal.back() == '/';
      if (name == "ext" && segment_start) {
        return bad(": {ext} must follow other text in its path segment (e.g. {recording_id}{ext}); alone it "
                   "would make hidden \".wav\" names");
      }
      if (!literal.empty()) parts.push_back(TemplatePart{false, std::move(literal)});
      literal.clear();
      parts.push_back(TemplatePart{true, name});
      i = close;
    } else if (c == '}') {
      return bad(": unmatched '}' at position " + std::to_string(i));
    } else {
      literal += c;
    }
  }
  if (!literal.empty()) parts.push_back(TemplatePart{false, std::move(literal)});
  if (!text.empty() && text.front() == '/') return bad(" must be relative (no leading '/')");
  // Placeholders never render empty, "." or "..": judge the path segments with each one as "P".
  std::string shape = "/";
  for (auto const& p : parts) shape += p.placeholder ? std::string("P") : p.text;
  shape += "/";
  if (shape.find("/../") != std::string::npos || shape.find("/./") != std::string::npos) {
    return bad(" has a '.' or '..' segment");
  }
  // A literal segment starting with '.' makes hidden names, and ".ccrec-meta/" is where the
  // filesystem sink keeps its identity files: it would refuse every key (a fuzz finding).
  if (shape.find("/.") != std::string::npos) {
    return bad(" has a path segment starting with '.' (hidden names are reserved, e.g. .ccrec-meta/)");
  }
  return parts;
}

bool HasPlaceholder(std::vector<TemplatePart> const& parts, std::vector<std::string> const& names) {
  return std::any_of(parts.begin(), parts.end(), [&](TemplatePart const& p) {
    return p.placeholder && std::find(names.begin(), names.end(), p.text) != names.end();
  });
}

std::array<std::string, 3> UtcDateParts(std::optional<std::chrono::system_clock::time_point> t) {
  std::time_t secs =
      t ? static_cast<std::time_t>(std::chrono::floor<std::chrono::seconds>(t->time_since_epoch()).count()) : 0;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char y[16], m[16], d[16];
  std::snprintf(y, sizeof y, "%04d", tm.tm_year + 1900);
  std::snprintf(m, sizeof m, "%02d", tm.tm_mon + 1);
  std::snprintf(d, sizeof d, "%02d", tm.tm_mday);
  return {y, m, d};
}

std::string CollapseEmptySegments(std::string const& rendered) {
  std::string clean;
  for (char c : rendered) {
    if (c == '/' && (clean.empty() || clean.back() == '/')) continue;
    clean += c;
  }
  while (!clean.empty() && clean.back() == '/') clean.pop_back();
  return clean;
}

}  // namespace ccrec::exporter::detail
