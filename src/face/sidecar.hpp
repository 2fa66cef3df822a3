// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: the KEY.json sidecar written beside each exported FACE object. Not
// installed.

#include <ccrec/face/models.hpp>
#include <ccrec/face/templates.hpp>

#include <string>

namespace ccrec::face::detail {

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
std::string Sidecar(Recording const& recording, Segment const* segment,
                                 std::string const& concatenation_note = {});

/// `sidecar` (a JSON object ending in "}\n") with a member "template":
/// `{"formatName","version","contentType","text"}` holding the templated answer unchanged; an
/// answer that is not valid UTF-8 (e.g. UTF-16 XML) goes in "base64" instead of "text", so the
/// sidecar stays valid JSON and the bytes stay exact. Implemented in templates.cpp.
std::string SidecarWithTemplate(std::string sidecar, TemplateFormat const& format,
                                             TemplatedAnswer const& answer);

}  // namespace ccrec::face::detail
