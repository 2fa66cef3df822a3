// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: lenient JSON reading and writing over rapidjson. Not installed; rapidjson never
// appears in public headers.

#include <ccrec/core/result.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::detail {

/// Deepest array/object nesting ParseJson accepts. Vendor answers nest a handful of levels.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Parses `text`; on failure returns kParse naming `what` (e.g. "Webex tasks response"), the
/// rapidjson error and the byte offset. Nesting deeper than kMaxJsonDepth and number exponents
/// of more than 5 significant digits are kParse too (see CheckJsonLimits in json.cpp).
Result<rapidjson::Document> ParseJson(std::string_view text, std::string_view what);

/// `body` parsed (as ParseJson() does) when it is a JSON object; nullopt when it is empty, not
/// JSON, or another JSON value. For optional documents such as error bodies, where anything else
/// is simply not understood.
std::optional<rapidjson::Document> ParseJsonObject(std::string_view body, std::string_view what);

/// Byte range [begin, end) of one value in the text it was parsed from.
struct JsonSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

class JsonWithSpans;

/// Implementation detail of JsonWithSpans: the elements of one array, or the members (name, value,
/// name, value, ...) of one object, which rapidjson stores as one contiguous run of Values.
struct JsonSpanBlock {
  std::uintptr_t first = 0;  ///< address of the first element / member name
  std::uint32_t slots = 0;   ///< Values in the run (2 per member)
  std::uint32_t base = 0;    ///< index of the first one's span in the span table
};

/// ParseJson() that also records the byte span of every value (objects, arrays, scalars and member
/// names), so that a record can be kept as the server's exact bytes (JsonWithSpans::Raw()) instead
/// of re-serialised. Same limits and errors as ParseJson(), plus kParse for a text of 4 GiB or more.
///
/// This overload does not copy `text`: it must outlive the result (the result's views point into
/// it). Use the std::string&& overload when the text dies first.
Result<JsonWithSpans> ParseJsonWithSpans(std::string_view text, std::string_view what);
/// ParseJsonWithSpans() that keeps `text` (moved in) inside the result.
Result<JsonWithSpans> ParseJsonWithSpans(std::string&& text, std::string_view what);
/// A literal outlives everything (resolves the string_view / std::string&& ambiguity).
inline Result<JsonWithSpans> ParseJsonWithSpans(char const* text, std::string_view what);

/// A parsed document that also knows the exact text of each of its values: what the server sent,
/// byte for byte, where ToJson() would rewrite it (`1E2` becomes `100.0`, `"caf\u00e9"` loses its
/// escape, a number beyond 64 bits loses digits, whitespace is dropped). Made by ParseJsonWithSpans().
///
/// The views Raw() returns point into the parsed text: they live as long as that text (the
/// caller's, or the one kept inside when parsed from a std::string&&) and this object. Copy them
/// into a std::string to keep them longer. Moving this object keeps every Value address (the
/// document is held by pointer) and every view into a text it does not keep. The document is
/// read-only: editing it would not change the spans.
///
/// @par Thread safety
/// Const methods may be called from several threads at once.
class JsonWithSpans {
 public:
  /// The parsed document (the same values ParseJson() gives).
  rapidjson::Document const& Doc() const { return *doc_; }
  /// The whole text as parsed.
  std::string_view Text() const { return owns_text_ ? std::string_view(owned_text_) : text_; }
  /// Where `value` (the document itself, any array element, member name or member value of it) is
  /// in Text(); nullopt for a value that does not belong to this document.
  std::optional<JsonSpan> Span(rapidjson::Value const& value) const;
  /// The exact text of `value`: `{"a": 1.0}` for that object, `1E2`, `"caf\u00e9"` (with its
  /// quotes) for a string. Empty for a value that does not belong to this document.
  std::string_view Raw(rapidjson::Value const& value) const;
  /// The exact text of `object` without its members named `name` (each with one separating comma),
  /// the rest byte for byte. Raw(object) when it has no such member or is not an object of this
  /// document.
  std::string RawWithoutMember(rapidjson::Value const& object, std::string_view name) const;
  /// One value's new text, for RawReplacing().
  struct Replacement {
    rapidjson::Value const* value = nullptr;
    std::string text;
  };
  /// The exact text of `outer` with the text of each replaced value (inside `outer`) swapped for
  /// its replacement text, everything else byte for byte. Replacements of values not inside
  /// `outer`, or inside an earlier replaced value, are ignored.
  std::string RawReplacing(rapidjson::Value const& outer, std::vector<Replacement> const& replacements) const;

 private:
  friend Result<JsonWithSpans> ParseJsonWithSpans(std::string_view text, std::string_view what);
  friend Result<JsonWithSpans> ParseJsonWithSpans(std::string&& text, std::string_view what);
  JsonWithSpans() = default;
  std::optional<Error> Parse(std::string_view what);

  std::string_view text_;   // the caller's text, unless owns_text_
  std::string owned_text_;  // the text, when parsed from a std::string&&
  bool owns_text_ = false;
  std::unique_ptr<rapidjson::Document> doc_;
  JsonSpan root_;
  std::vector<JsonSpanBlock> blocks_;  // sorted by `first`
  std::vector<JsonSpan> slot_spans_;
};

inline Result<JsonWithSpans> ParseJsonWithSpans(char const* text, std::string_view what) {
  return ParseJsonWithSpans(std::string_view(text), what);
}

// Lenient getters: a missing member, JSON null, or a value of the wrong type yields nullopt
// (servers omit and mistype more than their specs admit). Numbers given as numeric strings
// ("1617373126000") are accepted by the integer getters; "true"/"false" strings by OptBool.
std::optional<std::string> OptString(rapidjson::Value const& obj, char const* key);
std::optional<std::int64_t> OptInt64(rapidjson::Value const& obj, char const* key);
std::optional<double> OptDouble(rapidjson::Value const& obj, char const* key);
std::optional<bool> OptBool(rapidjson::Value const& obj, char const* key);
/// The member if it is an object / array, else nullptr.
rapidjson::Value const* OptObject(rapidjson::Value const& obj, char const* key);
rapidjson::Value const* OptArray(rapidjson::Value const& obj, char const* key);
/// Array of strings; non-string elements are skipped (numbers are converted to text).
std::vector<std::string> StringArray(rapidjson::Value const* array);

/// Structural equality with object members compared in order, name by name. rapidjson's
/// operator== looks each member up by name, so a document with a repeated name ({"a":1,"a":2}) is
/// not even equal to itself; servers do repeat names. Recursion is bounded by kMaxJsonDepth for
/// parsed documents. Pure function.
bool JsonEqualInOrder(rapidjson::Value const& a, rapidjson::Value const& b);

/// Compact JSON text of `value`, as rapidjson writes it (not necessarily what was parsed: for the
/// exact text of a server's record use ParseJsonWithSpans() and JsonWithSpans::Raw()). For JSON
/// that ccrec builds itself.
std::string ToJson(rapidjson::Value const& value);

/// Escapes `text` as the contents of a JSON string (no surrounding quotes): `"` and `\`, the
/// short escapes \n \r \t \b \f, and every other character below 0x20 as \u00XX; DEL (0x7f)
/// too when `escape_delete`, else it passes unchanged like the bytes from 0x80 up. Also a GraphQL
/// string's contents: GraphQL string escapes are JSON's.
std::string JsonEscape(std::string_view text, bool escape_delete = false);

}  // namespace ccrec::detail
