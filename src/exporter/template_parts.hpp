// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the key-template syntax shared by exporter::KeyTemplate (per-recording keys) and
// webex_legacy's window keys. Not installed.

#include <ccrec/core/result.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::exporter::detail {

struct TemplatePart {
  bool placeholder;  // true: `text` is a placeholder name; false: literal text
  std::string text;
};

/// Splits a key template into literal text and `{name}` placeholders (`{{` and `}}` are literal
/// braces). Every name must be one of `names`.
/// Errors (kInvalidArgument, message starting `key template "<text>"`): an unclosed '{', an
/// unmatched '}', an unknown placeholder (the valid ones are listed), a leading '/', a '.' or
/// '..' path segment, and `{ext}` at the start of a path segment (a hidden ".wav" name).
Result<std::vector<TemplatePart>> TokenizeKeyTemplate(std::string const& text,
                                                                   std::vector<std::string> const& names);

/// True when `parts` has a placeholder named one of `names`.
bool HasPlaceholder(std::vector<TemplatePart> const& parts, std::vector<std::string> const& names);

/// {"yyyy", "mm", "dd"} of `t` in UTC, rounded down to the second (1969-12-31T23:59:59.5Z is
/// still 1969-12-31); the Unix epoch's date when `t` is empty.
std::array<std::string, 3> UtcDateParts(std::optional<std::chrono::system_clock::time_point> t);

/// A rendered key with empty path segments collapsed ("a//b" -> "a/b") and leading and trailing
/// '/' removed.
std::string CollapseEmptySegments(std::string const& rendered);

}  // namespace ccrec::exporter::detail
