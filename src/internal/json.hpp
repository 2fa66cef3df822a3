#pragma once
// Internal: lenient JSON reading and writing over rapidjson. Not installed; rapidjson never
// appears in public headers.

#include <ccrec/core/result.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace internal {

/// Deepest array/object nesting ParseJson accepts. Vendor answers nest a handful of levels.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Parses `text`; on failure returns kParse naming `what` (e.g. "Webex tasks response"), the
/// rapidjson error and the byte offset. Nesting deeper than kMaxJsonDepth and number exponents
/// of more than 5 significant digits are kParse too (see CheckJsonLimits in json.cpp).
CCREC_EXPORT Result<rapidjson::Document> ParseJson(std::string_view text, std::string_view what);

// Lenient getters: a missing member, JSON null, or a value of the wrong type yields nullopt
// (servers omit and mistype more than their specs admit). Numbers given as numeric strings
// ("1617373126000") are accepted by the integer getters; "true"/"false" strings by OptBool.
CCREC_EXPORT std::optional<std::string> OptString(rapidjson::Value const& obj, char const* key);
CCREC_EXPORT std::optional<std::int64_t> OptInt64(rapidjson::Value const& obj, char const* key);
CCREC_EXPORT std::optional<double> OptDouble(rapidjson::Value const& obj, char const* key);
CCREC_EXPORT std::optional<bool> OptBool(rapidjson::Value const& obj, char const* key);
/// The member if it is an object / array, else nullptr.
CCREC_EXPORT rapidjson::Value const* OptObject(rapidjson::Value const& obj, char const* key);
CCREC_EXPORT rapidjson::Value const* OptArray(rapidjson::Value const& obj, char const* key);
/// Array of strings; non-string elements are skipped (numbers are converted to text).
CCREC_EXPORT std::vector<std::string> StringArray(rapidjson::Value const* array);

/// Compact JSON text of `value`.
CCREC_EXPORT std::string ToJson(rapidjson::Value const& value);

/// Escapes `text` as the contents of a JSON string (no surrounding quotes).
CCREC_EXPORT std::string JsonEscape(std::string_view text);

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
