// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to json.cpp and json_spans.cpp: the checks and error texts both parsers share.

#include <ccrec/core/error.hpp>

#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::detail::json_detail {

/// The rapidjson flags of every ccrec parse. Iterative: the recursive parser can overflow the
/// stack on deeply nested input.
inline constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag;

/// Why `text` is refused before rapidjson sees it (nesting deeper than kMaxJsonDepth, an
/// exponent of more than 5 digits, a NUL byte), or nullopt. When the text is accepted and
/// `structure` is set, it receives the number of ',' ':' '[' '{' outside strings: at least the
/// number of values in the text minus one (each non-empty array or object holds one more value
/// than it has commas, plus a name per ':').
std::optional<std::string> CheckJsonLimits(std::string_view text, std::size_t* structure = nullptr);

/// `text` as rapidjson's Reader should see it, or nullopt when that is `text` itself. Same length,
/// so byte offsets stay right: a leading UTF-8 byte order mark (RFC 8259 section 8.1 lets a parser
/// ignore it) and the exponent of every zero-significand number ("0e50") become spaces.
std::optional<std::string> RewriteForReader(std::string_view text);

/// The kParse error for a rapidjson failure at `offset` ("<what> is not valid JSON: ...").
Error ParseFailure(std::string_view text, std::string_view what, rapidjson::ParseErrorCode code, std::size_t offset);

/// The kParse error for a CheckJsonLimits refusal.
Error LimitFailure(std::string_view text, std::string_view what, std::string const& why);

}  // namespace ccrec::detail::json_detail
