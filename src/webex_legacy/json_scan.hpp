// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex_legacy: byte-exact views into JSON text that rapidjson has already
// validated (so unknown members keep their exact spelling: `true` stays `true`, `1.50` stays
// `1.50`). Not installed.

#include <ccrec/core/namespaces.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::webex_legacy::detail {

/// Removes whitespace outside strings and a leading UTF-8 byte-order mark. `valid` must be valid
/// JSON (ParseJson() accepts the mark).
std::string CompactJson(std::string_view valid);
/// Top-level elements of a compact, valid JSON array (CompactJson()); none for anything that does
/// not start with `[` (callers compare the count with the parsed array's: SplitRecordArray()).
std::vector<std::string_view> ArrayElements(std::string_view compact_array);
/// (key token including quotes, value text) of each member of a compact, valid JSON object.
std::vector<std::pair<std::string_view, std::string_view>> ObjectMembers(std::string_view compact_object);
/// The value of a JSON string token (with its quotes), unescaped.
std::string DecodeString(std::string_view token);
/// The member `name` of a compact, valid object, as raw text; empty when absent.
std::string_view FindMember(std::string_view compact_object, std::string_view name);
/// A decimal integer of at most 18 digits (optionally negative, optionally inside JSON quotes).
std::optional<std::int64_t> ParseInteger(std::string_view raw);

}  // namespace ccrec::webex_legacy::detail
