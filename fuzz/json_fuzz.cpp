// internal::ParseJson (every vendor's JSON goes through it) and the typed accessors.
// Properties: no crash/UB/leak; a parsed document re-serialised by ToJson parses again to the same
// text (ToJson is a fixed point); JsonEscape output in quotes, when accepted, decodes back to the input.

#include "fuzz_util.hpp"
#include "internal/json.hpp"

#include <string>

namespace {

void Walk(rapidjson::Value const& v, int depth) {
  using namespace ccrec::internal;
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string_view text = in.Rest();
  auto doc = ccrec::internal::ParseJson(text, "fuzz input");
  if (doc) {
    Walk(*doc, 0);
    std::string once = ccrec::internal::ToJson(*doc);
    auto again = ccrec::internal::ParseJson(once, "re-serialised fuzz input");
    CCREC_FUZZ_CHECK(again.has_value(), once);
    CCREC_FUZZ_CHECK(ccrec::internal::ToJson(*again) == once, once);
  }
  std::string quoted = "\"" + ccrec::internal::JsonEscape(text) + "\"";
  auto str = ccrec::internal::ParseJson(quoted, "escaped fuzz input");
  if (str) {  // invalid UTF-8 may be refused; whatever is accepted must decode to the input
    CCREC_FUZZ_CHECK(str->IsString(), quoted);
    CCREC_FUZZ_CHECK(std::string_view(str->GetString(), str->GetStringLength()) == text, quoted);
  }
  return 0;
}
