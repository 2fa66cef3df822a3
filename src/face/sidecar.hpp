// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: the KEY.json sidecar written beside each exported FACE object. Not
// installed.

#include <ccrec/face/models.hpp>

#include <string>

namespace ccrec {
inline namespace v1 {
namespace face {
namespace detail {

/// The `source` of FACE export items, manifest lines and sidecars.
inline constexpr char kSource[] = "face";

/// KEY.json of a recording (segment == nullptr: the concatenated object) or of one of its
/// segments: identity, ani/dnis, times, `customData` as {name: value}, and the raw recording
/// (without its segments) and segment documents. Ends with a newline.
///
/// `customData` holds one member per distinct name, in order of first appearance; when a name
/// repeats, the FIRST entry's value wins (later ones stay visible in "recording".customDataSets).
/// Names and values are copied with their length (an embedded NUL neither truncates nor merges
/// names). Linear in the number of entries (issue 12: a hostile server may send tens of thousands).
/// A non-empty `concatenation_note` is written as "concatenation" (why a recording asked to be
/// concatenated was exported per segment).
CCREC_EXPORT std::string Sidecar(Recording const& recording, Segment const* segment,
                                 std::string const& concatenation_note = {});

}  // namespace detail
}  // namespace face
}  // namespace v1
}  // namespace ccrec
