#pragma once
// Internal: a tiny reader for flat XML documents — the ones S3 returns (Error,
// InitiateMultipartUploadResult, CompleteMultipartUploadResult) and FACE's result documents —
// and an escaper for the CompleteMultipartUpload body. Not a general XML parser: no namespaces
// prefixes, no DTDs, attributes are skipped. Not installed.

#include <ccrec/core/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace internal {
namespace xml {

/// Name of the document's root element, after an optional BOM, XML declaration, comments,
/// processing instructions and DOCTYPE. nullopt when there is no well-formed start tag.
CCREC_EXPORT std::optional<std::string> RootName(std::string_view doc);

/// Unescaped text of the first element called `name` (at any depth). nullopt when absent, when
/// its end tag is missing, when it contains child elements, or when an entity is malformed.
/// A self-closing element (`<Name/>`) yields "".
CCREC_EXPORT std::optional<std::string> FindText(std::string_view doc, std::string_view name);

/// Texts of every element called `name`, in document order (elements that fail as in FindText
/// are skipped).
CCREC_EXPORT std::vector<std::string> FindAllTexts(std::string_view doc, std::string_view name);

/// Replaces &amp; &lt; &gt; &quot; &#NN; &#xNN; &apos;. nullopt on an unknown or unterminated
/// entity or a character reference outside Unicode.
CCREC_EXPORT std::optional<std::string> Unescape(std::string_view text);

/// Escapes & < > " ' for element text and attribute values.
CCREC_EXPORT std::string Escape(std::string_view text);

}  // namespace xml
}  // namespace internal
}  // namespace v1
}  // namespace ccrec
