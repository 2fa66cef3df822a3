// SPDX-License-Identifier: Apache-2.0
// Model helpers (reference oracle-face.md §5.3: in-progress segments end in .rpdd, have no end).

#include <ccrec/face/models.hpp>

#include "internal/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace ccrec::face {

namespace {
bool EndsWithRpdd(std::string_view name) {
  constexpr std::string_view kExt = ".rpdd";
  if (name.size() < kExt.size()) return false;
  auto tail = name.substr(name.size() - kExt.size());
  return std::equal(tail.begin(), tail.end(), kExt.begin(), [](char a, char b) {
    return ::ccrec::detail::AsciiLower(a) == b;
  });
}
}  // namespace

// An end that is present but unparsable still means the segment has ended.
bool Segment::InProgress() const { return EndsWithRpdd(filename) || (!end.has_value() && !end_text.has_value()); }

// Segment entries that cannot be read are not "no segment yet": such a recording is incomplete,
// not in progress (the FACE source fails it).
bool Recording::InProgress() const {
  if (segments.empty()) return unreadable_segments.empty();
  return std::any_of(segments.begin(), segments.end(), [](Segment const& s) { return s.InProgress(); });
}

bool SupplementalFile::IsVideo() const {
  if (!type || type->size() != 5) return false;
  return std::equal(type->begin(), type->end(), "video",
                    [](char a, char b) { return ::ccrec::detail::AsciiLower(a) == b; });
}

bool SegmentMatch::InProgress() const { return EndsWithRpdd(filename) || !end.has_value(); }

}  // namespace ccrec::face
