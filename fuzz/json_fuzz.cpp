// SPDX-License-Identifier: Apache-2.0
// ::ccrec::detail::ParseJson (every vendor's JSON goes through it) and the typed accessors.
// Properties: no crash/UB/leak; a parsed document re-serialised by ToJson parses again to the same
// text (ToJson is a fixed point); JsonEscape output in quotes, when accepted, decodes back to the input;
// ParseJsonWithSpans accepts exactly what ParseJson accepts, with the same document, and the span of
// every value (member names included) lies inside its parent's and its text parses to an equal value.

#include "fuzz_util.hpp"
#include "internal/json.hpp"

#include <string>

namespace {

void Walk(rapidjson::Value const& v, int depth) {
  using namespace ccrec::detail;
  if (depth > 80) ccrec_fuzz::Fail("ParseJson let nesting deeper than kMaxJsonDepth through");
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      char const* key = it->name.GetString();
      (void)OptString(v, key);
      (void)OptInt64(v, key);
      (void)OptDouble(v, key);
      (void)OptBool(v, key);
      (void)OptObject(v, key);
      (void)StringArray(OptArray(v, key));
      Walk(it->value, depth + 1);
    }
  } else if (v.IsArray()) {
    for (auto const& e : v.GetArray()) Walk(e, depth + 1);
  }
}

// The span property for `v` and everything inside it.
void CheckSpans(ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& v, ccrec::detail::JsonSpan parent) {
  auto span = doc.Span(v);
  CCREC_FUZZ_CHECK(span.has_value(), "a value without a span");
  CCREC_FUZZ_CHECK(span->begin >= parent.begin && span->end <= parent.end && span->begin < span->end,
                   std::string(doc.Text()));
  std::string_view const raw = doc.Raw(v);
  auto again = ccrec::detail::ParseJson(raw, "span");
  CCREC_FUZZ_CHECK(again.has_value(), raw);
  CCREC_FUZZ_CHECK(ccrec::detail::JsonEqualInOrder(*again, v), raw);
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      CheckSpans(doc, it->name, *span);
      CheckSpans(doc, it->value, *span);
    }
  } else if (v.IsArray()) {
    for (auto const& e : v.GetArray()) CheckSpans(doc, e, *span);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string_view text = in.Rest();
  auto doc = ccrec::detail::ParseJson(text, "fuzz input");
  auto spans = ccrec::detail::ParseJsonWithSpans(text, "fuzz input");
  CCREC_FUZZ_CHECK(doc.has_value() == spans.has_value(), text);
  if (spans) {
    CCREC_FUZZ_CHECK(ccrec::detail::JsonEqualInOrder(*doc, spans->Doc()), text);
    CheckSpans(*spans, spans->Doc(), {0, static_cast<std::uint32_t>(text.size())});
    // The document's own span is the whole text but JSON whitespace around it.
    std::size_t const bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // ignored, as RFC 8259 allows
    std::size_t const first = text.find_first_not_of(" \t\n\r", bom);
    std::size_t const last = text.find_last_not_of(" \t\n\r");
    CCREC_FUZZ_CHECK(spans->Raw(spans->Doc()) == text.substr(first, last + 1 - first), text);
  } else {
    CCREC_FUZZ_CHECK(spans.error().message == doc.error().message, spans.error().message);
  }
  if (doc) {
    Walk(*doc, 0);
    std::string once = ccrec::detail::ToJson(*doc);
    auto again = ccrec::detail::ParseJson(once, "re-serialised fuzz input");
    CCREC_FUZZ_CHECK(again.has_value(), once);
    CCREC_FUZZ_CHECK(ccrec::detail::ToJson(*again) == once, once);
  }
  std::string quoted = "\"" + ccrec::detail::JsonEscape(text) + "\"";
  auto str = ccrec::detail::ParseJson(quoted, "escaped fuzz input");
  if (str) {  // invalid UTF-8 may be refused; whatever is accepted must decode to the input
    CCREC_FUZZ_CHECK(str->IsString(), quoted);
    CCREC_FUZZ_CHECK(std::string_view(str->GetString(), str->GetStringLength()) == text, quoted);
  }
  return 0;
}
