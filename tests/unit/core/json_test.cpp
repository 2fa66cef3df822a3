// SPDX-License-Identifier: Apache-2.0
// internal/json.hpp: ParseJson errors, lenient getters, escaping.

#include "internal/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::OptArray;
using ::ccrec::detail::OptBool;
using ::ccrec::detail::OptDouble;
using ::ccrec::detail::OptInt64;
using ::ccrec::detail::OptObject;
using ::ccrec::detail::OptString;
using ::ccrec::detail::ParseJson;
using ::testing::HasSubstr;

rapidjson::Document Doc(std::string const& text) {
  auto d = ParseJson(text, "test document");
  EXPECT_TRUE(d) << d.error().ToString();
  return d ? std::move(*d) : rapidjson::Document();
}

TEST(ParseJson, Valid) {
  auto d = ParseJson(R"({"a":1,"b":[1,2],"c":{"d":"e"}})", "x");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->IsObject());
  auto arr = ParseJson("[1,2,3]", "x");
  ASSERT_TRUE(arr);
  EXPECT_TRUE(arr->IsArray());
}

TEST(ParseJson, ErrorNamesWhatWhyAndWhere) {
  auto d = ParseJson(R"({"a":1,})", "Webex tasks response");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::kParse);
  auto const& m = d.error().message;
  EXPECT_NE(m.find("Webex tasks response"), std::string::npos) << m;
  EXPECT_NE(m.find("not valid JSON"), std::string::npos) << m;
  EXPECT_NE(m.find("at byte 7"), std::string::npos) << m;
  EXPECT_NE(m.find("of 8"), std::string::npos) << m;
}

TEST(ParseJson, ErrorShowsTheStartOfANonJsonBody) {
  // The classic case: an HTML error page from a proxy instead of JSON.
  std::string html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\n" + std::string(200, 'x');
  auto d = ParseJson(html, "S3 response");
  ASSERT_FALSE(d);
  auto const& m = d.error().message;
  EXPECT_NE(m.find("<html>"), std::string::npos) << m;
  EXPECT_NE(m.find("502 Bad Gateway"), std::string::npos) << m;
  EXPECT_EQ(m.find('\r'), std::string::npos) << "control characters are blanked";
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_LT(m.size(), 300u) << "the snippet is bounded";
}

TEST(ParseJson, ErrorDoesNotLeakSecrets) {
  auto d = ParseJson(R"({"access_token":"eyJSECRETSECRET","refresh_token":"RTSECRET","expires_in":)", "token response");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message.find("SECRET"), std::string::npos) << d.error().message;
}

TEST(ParseJson, BadInputs) {
  for (std::string bad : std::vector<std::string>{"", " ", "{", "}", "[1,2", "{\"a\":}", "{'a':1}", "nul", "tru", "{\"a\":1} x",
                          "{\"a\":01}", "\"unterminated", "{\"a\":NaN}", std::string("{\"a\":\"\0\"}", 8)}) {
    auto d = ParseJson(bad, "input");
    EXPECT_FALSE(d) << "accepted: " << bad;
    if (!d) {
      EXPECT_EQ(d.error().code, ErrorCode::kParse);
    }
  }
}

TEST(ParseJson, DoesNotReadPastTheView) {
  std::string text = R"({"a":1}garbage)";
  auto d = ParseJson(std::string_view(text).substr(0, 7), "x");
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(OptInt64(*d, "a"), 1);
}

TEST(ParseJson, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto d = ParseJson(deep, "deep");
  EXPECT_FALSE(d);
}

TEST(ParseJson, BalancedDeepNestingIsRejectedBeforeRapidjson) {
  // 100,000 balanced levels parse fine iteratively, but destroying or re-serialising the value
  // recurses once per level and overflows the stack.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto d = ParseJson(deep, "Webex tasks response");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ccrec::ErrorCode::kParse);
  EXPECT_THAT(d.error().message, HasSubstr("Webex tasks response"));
  EXPECT_THAT(d.error().message, HasSubstr("nesting deeper than 64"));
}

TEST(ParseJson, NestingLimitIsExact) {
  std::string ok = std::string(63, '[') + R"({"a":"[[[[{{{{"})" + std::string(63, ']');
  EXPECT_TRUE(ParseJson(ok, "x")) << "brackets inside strings do not count";
  std::string too_deep = std::string(64, '[') + "{}" + std::string(64, ']');
  EXPECT_FALSE(ParseJson(too_deep, "x"));
  // "\\" is a string holding one backslash: the quote after it closes the string, so the
  // brackets that follow are structure (and too deep).
  std::string escaped = R"({"a":"\\")" + std::string(70, '[') + std::string(70, ']') + "}";
  auto e = ParseJson(escaped, "x");
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("nesting"));
  // "\"" is an escaped quote: the brackets stay inside the string.
  std::string quoted = R"({"a":"\")" + std::string(70, '[') + R"("})";
  EXPECT_TRUE(ParseJson(quoted, "x"));
}

TEST(ParseJson, HugeExponentsAreRejectedWithoutOverflow) {
  // rapidjson 1.1.0 overflows a signed int on this input (seen under UBSan).
  auto d = ParseJson("[0.0000000001e-2147483639]", "x");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("exponent out of range"));
  EXPECT_FALSE(ParseJson("[1E+999999]", "x"));
  // Ordinary and merely large exponents still parse; leading zeros do not count.
  EXPECT_TRUE(ParseJson(R"([1e-400, 2.5E+10, 1e000000000005, "e1234567890"])", "x"));
}

TEST(OptString, Lenient) {
  auto d = Doc(R"({"s":"x","e":"","n":null,"i":42,"neg":-7,"u":18446744073709551615,"f":1.5,"b":true,
                  "o":{},"a":[],"utf":"\u00e9\u0000z"})");
  EXPECT_EQ(OptString(d, "s"), "x");
  EXPECT_EQ(OptString(d, "e"), "");
  EXPECT_EQ(OptString(d, "missing"), std::nullopt);
  EXPECT_EQ(OptString(d, "n"), std::nullopt);
  EXPECT_EQ(OptString(d, "i"), "42");
  EXPECT_EQ(OptString(d, "neg"), "-7");
  EXPECT_EQ(OptString(d, "u"), "18446744073709551615");
  EXPECT_EQ(OptString(d, "f"), std::nullopt);
  EXPECT_EQ(OptString(d, "b"), std::nullopt);
  EXPECT_EQ(OptString(d, "o"), std::nullopt);
  EXPECT_EQ(OptString(d, "a"), std::nullopt);
  EXPECT_EQ(OptString(d, "utf"), std::string("\xc3\xa9\0z", 4)) << "embedded NUL kept";
}

TEST(OptString, NonObjectParent) {
  auto arr = Doc("[1]");
  EXPECT_EQ(OptString(arr, "a"), std::nullopt);
  auto str = Doc("\"x\"");
  EXPECT_EQ(OptInt64(str, "a"), std::nullopt);
  EXPECT_EQ(OptObject(str, "a"), nullptr);
}

TEST(OptInt64, Lenient) {
  auto d = Doc(R"({"i":1617373126000,"neg":-5,"zero":0,"s":"1617373126000","sneg":"-12","f":1e3,"frac":1.5,
                  "big":9223372036854775807,"small":-9223372036854775808,"over":9223372036854775808,
                  "u":18446744073709551615,"huge":1e300,"hugestr":"99999999999999999999","bad":"12abc",
                  "empty":"","b":true,"n":null,"o":{},"space":" 12","plus":"+5"})");
  EXPECT_EQ(OptInt64(d, "i"), 1617373126000);
  EXPECT_EQ(OptInt64(d, "neg"), -5);
  EXPECT_EQ(OptInt64(d, "zero"), 0);
  EXPECT_EQ(OptInt64(d, "s"), 1617373126000);
  EXPECT_EQ(OptInt64(d, "sneg"), -12);
  EXPECT_EQ(OptInt64(d, "f"), 1000);
  EXPECT_EQ(OptInt64(d, "frac"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "big"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(OptInt64(d, "small"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(OptInt64(d, "over"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "u"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "huge"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "hugestr"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "bad"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "empty"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "b"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "n"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "o"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "space"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "plus"), std::nullopt);
  EXPECT_EQ(OptInt64(d, "missing"), std::nullopt);
}

TEST(OptDouble, Lenient) {
  auto d = Doc(R"({"f":1.5,"i":3,"s":"2.25","bad":"2.5x","empty":"","b":false,"n":null,"big":1e308,
                  "nan":"nan","inf":"inf","hex":"0x10"})");
  EXPECT_EQ(OptDouble(d, "f"), 1.5);
  EXPECT_EQ(OptDouble(d, "i"), 3.0);
  EXPECT_EQ(OptDouble(d, "s"), 2.25);
  EXPECT_EQ(OptDouble(d, "big"), 1e308);
  EXPECT_EQ(OptDouble(d, "bad"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "empty"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "b"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "n"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "nan"), std::nullopt) << "JSON has no NaN; a string saying so is not a number";
  EXPECT_EQ(OptDouble(d, "inf"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "hex"), std::nullopt);
  EXPECT_EQ(OptDouble(d, "missing"), std::nullopt);
}

TEST(OptBool, Lenient) {
  auto d = Doc(R"({"t":true,"f":false,"st":"true","sf":"false","S":"TRUE","one":1,"n":null,"x":"yes"})");
  EXPECT_EQ(OptBool(d, "t"), true);
  EXPECT_EQ(OptBool(d, "f"), false);
  EXPECT_EQ(OptBool(d, "st"), true);
  EXPECT_EQ(OptBool(d, "sf"), false);
  EXPECT_EQ(OptBool(d, "S"), std::nullopt);
  EXPECT_EQ(OptBool(d, "one"), std::nullopt);
  EXPECT_EQ(OptBool(d, "n"), std::nullopt);
  EXPECT_EQ(OptBool(d, "x"), std::nullopt);
  EXPECT_EQ(OptBool(d, "missing"), std::nullopt);
}

TEST(OptObjectAndArray, TypeChecked) {
  auto d = Doc(R"({"o":{"k":1},"a":[1,"2",null,3.5,{"x":1},-4],"n":null,"s":"x"})");
  ASSERT_NE(OptObject(d, "o"), nullptr);
  EXPECT_EQ(OptInt64(*OptObject(d, "o"), "k"), 1);
  EXPECT_EQ(OptObject(d, "a"), nullptr);
  EXPECT_EQ(OptObject(d, "n"), nullptr);
  EXPECT_EQ(OptObject(d, "s"), nullptr);
  EXPECT_EQ(OptObject(d, "missing"), nullptr);
  ASSERT_NE(OptArray(d, "a"), nullptr);
  EXPECT_EQ(OptArray(d, "o"), nullptr);
  EXPECT_EQ(OptArray(d, "n"), nullptr);
  EXPECT_EQ(::ccrec::detail::StringArray(OptArray(d, "a")), (std::vector<std::string>{"1", "2", "-4"}));
  EXPECT_TRUE(::ccrec::detail::StringArray(nullptr).empty());
  EXPECT_TRUE(::ccrec::detail::StringArray(OptObject(d, "o")).empty());
}

// Found by fuzz_webex_parse: "0e50" made RapidJSON 1.1.0 call clz(0) (undefined behaviour,
// reported by clang's UBSan in the fuzz build). A zero with an exponent now parses as zero
// without reaching that path; byte offsets in errors are unchanged.
TEST(ParseJson, ZeroWithExponentIsZero) {
  auto doc = ParseJson(R"([0e50,-0.000E+3,0E-7,"0e5",1e2,0.5e1])", "test");
  ASSERT_TRUE(doc) << doc.error().message;
  auto const& a = doc->GetArray();
  EXPECT_EQ(a[0].GetDouble(), 0.0);
  EXPECT_EQ(a[1].GetDouble(), 0.0);
  EXPECT_EQ(a[2].GetDouble(), 0.0);
  EXPECT_STREQ(a[3].GetString(), "0e5");
  EXPECT_EQ(a[4].GetDouble(), 100.0);
  EXPECT_EQ(a[5].GetDouble(), 5.0);
  auto bad = ParseJson("[0e50,x]", "test");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("at byte 6"), std::string::npos) << bad.error().message;
}

// Both pre-scans (the limits check and the zero-exponent rewrite) skip strings the same way: an
// escaped quote stays inside, an escaped backslash does not hide the closing quote.
TEST(ParseJson, PreScansSkipStringsAndTheirEscapes) {
  auto doc = ParseJson(R"(["\"0e5 [[", "\\", 0e5, "a\\\"[{", 0E-1])", "test");
  ASSERT_TRUE(doc) << doc.error().message;
  auto const& a = doc->GetArray();
  EXPECT_STREQ(a[0].GetString(), "\"0e5 [[");
  EXPECT_STREQ(a[1].GetString(), "\\");
  EXPECT_EQ(a[2].GetDouble(), 0.0);
  EXPECT_STREQ(a[3].GetString(), "a\\\"[{");
  EXPECT_EQ(a[4].GetDouble(), 0.0);
  std::string deep = R"(["\\")" + std::string(70, '[') + std::string(70, ']') + "]";
  auto e = ParseJson(deep, "test");
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("nesting"));
}

// Found by fuzz_webex_legacy: RapidJSON stops at a NUL byte, so "0\0<garbage>" parsed as 0 and
// the garbage reached the byte-exact scanners behind it.
TEST(ParseJson, NulByteIsRejected) {
  auto doc = ParseJson(std::string_view("{\"a\":1}\0garbage", 15), "test");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  EXPECT_NE(doc.error().message.find("NUL byte at byte 7"), std::string::npos) << doc.error().message;
}

TEST(ToJson, Compact) {
  auto d = Doc("{ \"a\" : [ 1 , 2 ] , \"b\" : \"x\\\"y\" }");
  EXPECT_EQ(::ccrec::detail::ToJson(d), R"({"a":[1,2],"b":"x\"y"})");
}

TEST(JsonEscape, ControlCharactersAndQuotes) {
  using ::ccrec::detail::JsonEscape;
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
  EXPECT_EQ(JsonEscape(std::string("\0\x01\x1f", 3)), "\\u0000\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("\x7f"), "\x7f");
  EXPECT_EQ(JsonEscape("/"), "/");
  EXPECT_EQ(JsonEscape("\xc3\xa9"), "\xc3\xa9") << "UTF-8 passes through";
}

TEST(JsonEscape, RoundTripsThroughTheParser) {
  std::string all;
  for (int i = 1; i < 128; ++i) all += static_cast<char>(i);
  all += "\xc3\xa9\xe6\x97\xa5";
  auto d = ParseJson("{\"v\":\"" + ::ccrec::detail::JsonEscape(all) + "\"}", "x");
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(OptString(*d, "v"), all);
}

}  // namespace
}  // namespace ccrec
