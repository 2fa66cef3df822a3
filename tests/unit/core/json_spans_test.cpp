// SPDX-License-Identifier: Apache-2.0
// ::ccrec::detail::ParseJsonWithSpans: the exact text of every value (issue 12: archive what the server
// sent, not a re-serialisation), the same errors as ParseJson, and the span property over the
// repository's fuzz seed corpora.

#include "internal/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::JsonWithSpans;
using ::ccrec::detail::ParseJson;
using ::ccrec::detail::ParseJsonWithSpans;
using ::testing::HasSubstr;

// Keeps the text inside the result (the std::string&& overload).
JsonWithSpans Spans(std::string text) {
  auto d = ParseJsonWithSpans(std::move(text), "test document");
  EXPECT_TRUE(d) << d.error().ToString();
  if (!d) std::abort();
  return std::move(*d);
}

// For every value of the document (member names included): its span lies inside its parent's,
// and its text parses to an equal value. Returns how many values were checked.
int CheckSpans(JsonWithSpans const& doc, rapidjson::Value const& v, ::ccrec::detail::JsonSpan parent, std::string const& where) {
  auto span = doc.Span(v);
  EXPECT_TRUE(span) << where;
  if (!span) return 0;
  EXPECT_LE(parent.begin, span->begin) << where;
  EXPECT_GE(parent.end, span->end) << where;
  EXPECT_LT(span->begin, span->end) << where;
  std::string_view raw = doc.Raw(v);
  auto again = ParseJson(raw, "span");
  EXPECT_TRUE(again) << where << ": " << raw;
  if (again) {
    EXPECT_TRUE(ccrec::detail::JsonEqualInOrder(*again, v)) << where << ": " << raw;
  }
  int n = 1;
  if (v.IsObject()) {
    for (auto const& m : v.GetObject()) {
      n += CheckSpans(doc, m.name, *span, where);
      n += CheckSpans(doc, m.value, *span, where);
    }
  } else if (v.IsArray()) {
    for (auto const& e : v.GetArray()) n += CheckSpans(doc, e, *span, where);
  }
  return n;
}

TEST(ParseJsonWithSpans, RawIsTheExactTextOfEachValue) {
  std::string const text =
      "{ \"data\" : [ {\"id\":\"a\",\"n\":1.0,\"e\":1E2,\"big\":12345678901234567890123,\"u\":\"caf\\u00e9\"} ,\n"
      "\t{\"nested\":{ \"deep\" : [ 1 , { } , [ ] ] }, \"neg\":-0.50e-3}],\"t\":true ,\"z\":null\t}\r\n";
  auto doc = Spans(text);
  auto const& root = doc.Doc();
  EXPECT_EQ(doc.Raw(root), text.substr(0, text.size() - 2));  // trailing blanks are not the value's
  auto const& first = root["data"][0];
  EXPECT_EQ(doc.Raw(first),
            R"({"id":"a","n":1.0,"e":1E2,"big":12345678901234567890123,"u":"caf\u00e9"})");
  EXPECT_EQ(doc.Raw(first["n"]), "1.0");
  EXPECT_EQ(doc.Raw(first["e"]), "1E2");
  EXPECT_EQ(doc.Raw(first["big"]), "12345678901234567890123");
  EXPECT_EQ(doc.Raw(first["u"]), R"("caf\u00e9")");
  EXPECT_EQ(doc.Raw(first.MemberBegin()->name), R"("id")");
  EXPECT_EQ(doc.Raw(root["data"][1]), R"({"nested":{ "deep" : [ 1 , { } , [ ] ] }, "neg":-0.50e-3})");
  EXPECT_EQ(doc.Raw(root["data"][1]["nested"]["deep"]), "[ 1 , { } , [ ] ]");
  EXPECT_EQ(doc.Raw(root["data"][1]["nested"]["deep"][1]), "{ }");
  EXPECT_EQ(doc.Raw(root["data"][1]["neg"]), "-0.50e-3");
  EXPECT_EQ(doc.Raw(root["t"]), "true");
  EXPECT_EQ(doc.Raw(root["z"]), "null");
  EXPECT_EQ(CheckSpans(doc, root, {0, static_cast<std::uint32_t>(text.size())}, "example"), 28);
}

TEST(ParseJsonWithSpans, ScalarRootsAndStrings) {
  for (std::string text : {"  42 ", "\"x\\\"y\"", "-1.5e+7", "[]", "{}", "false", " [ \"\\ud83d\\ude00\" ] "}) {
    auto doc = Spans(text);
    std::string trimmed = text;
    trimmed.erase(0, trimmed.find_first_not_of(' '));
    trimmed.erase(trimmed.find_last_not_of(' ') + 1);
    EXPECT_EQ(doc.Raw(doc.Doc()), trimmed);
    CheckSpans(doc, doc.Doc(), {0, static_cast<std::uint32_t>(text.size())}, text);
  }
}

TEST(ParseJsonWithSpans, ZeroWithExponentKeepsItsText) {
  // ParseJson blanks the exponent of "0e50" for rapidjson's sake; the span is the original token.
  auto doc = Spans(R"([0e50, -0.000E+3,0E-0 ,{"a":0.0e1}])");
  auto const& a = doc.Doc();
  EXPECT_EQ(doc.Raw(a[0]), "0e50");
  EXPECT_EQ(doc.Raw(a[1]), "-0.000E+3");
  EXPECT_EQ(doc.Raw(a[2]), "0E-0");
  EXPECT_EQ(doc.Raw(a[3]), R"({"a":0.0e1})");
  EXPECT_EQ(doc.Raw(a[3]["a"]), "0.0e1");
  EXPECT_EQ(doc.Text(), R"([0e50, -0.000E+3,0E-0 ,{"a":0.0e1}])");
}

TEST(ParseJsonWithSpans, ValuesOfAnotherDocumentHaveNoSpan) {
  auto doc = Spans(R"({"a":[1,2]})");
  auto other = ParseJson(R"({"a":[1,2]})", "other");
  ASSERT_TRUE(other);
  EXPECT_FALSE(doc.Span(*other));
  EXPECT_FALSE(doc.Span((*other)["a"][1]));
  EXPECT_EQ(doc.Raw((*other)["a"]), "");
  rapidjson::Value loose(7);
  EXPECT_EQ(doc.Raw(loose), "");
}

TEST(ParseJsonWithSpans, SpansSurviveMoves) {
  // A short text lives inside std::string (small-string optimisation): a move copies it.
  auto doc = Spans("[1.0]");
  JsonWithSpans moved = std::move(doc);
  EXPECT_EQ(moved.Raw(moved.Doc()[0]), "1.0");
  std::vector<JsonWithSpans> many;
  for (int i = 0; i < 20; ++i) many.push_back(Spans("{\"k\":" + std::to_string(i) + ".0}"));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(many[i].Raw(many[i].Doc()["k"]), std::to_string(i) + ".0");
}

TEST(ParseJsonWithSpans, AStringViewIsNotCopied) {
  std::string const text = R"({"a": [1E2]})";
  auto doc = ParseJsonWithSpans(std::string_view(text), "x");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->Text().data(), text.data());
  EXPECT_EQ(doc->Raw(doc->Doc()["a"][0]).data(), text.data() + 7);
  auto literal = ParseJsonWithSpans("[0.10]", "x");
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->Raw(literal->Doc()[0]), "0.10");
  auto owned = ParseJsonWithSpans(std::string(text), "x");
  ASSERT_TRUE(owned);
  EXPECT_NE(owned->Text().data(), text.data());
  EXPECT_EQ(owned->Raw(owned->Doc()["a"]), "[1E2]");
}

TEST(ParseJsonWithSpans, SameErrorsAsParseJson) {
  std::vector<std::string> bad = {"",
                                  "{\"a\":1,}",
                                  "{\"a\":",
                                  "[1,2",
                                  "nul",
                                  "{\"a\":1}\n{",
                                  std::string("{}\0x", 4),
                                  std::string(65, '[') + std::string(65, ']'),
                                  "[1e123456]",
                                  "\"\\uD800\"x",
                                  "<html>token=abc</html>"};
  for (auto const& text : bad) {
    auto plain = ParseJson(text, "Webex tasks response");
    auto spans = ParseJsonWithSpans(text, "Webex tasks response");
    ASSERT_FALSE(plain) << text;
    ASSERT_FALSE(spans) << text;
    EXPECT_EQ(spans.error().code, ErrorCode::kParse);
    EXPECT_EQ(spans.error().message, plain.error().message);
    EXPECT_THAT(spans.error().message, HasSubstr("Webex tasks response"));
  }
}

TEST(JsonWithSpans, RawWithoutMemberKeepsEverythingElse) {
  auto doc = Spans(R"({"a":1.0, "filePath" : "https://x/?sig=1",
  "b":{"filePath":1},"c":1E2})");
  // A kept member keeps the separator that followed it.
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc(), "filePath"), R"({"a":1.0, "b":{"filePath":1},"c":1E2})");
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc(), "a"), R"({"filePath" : "https://x/?sig=1",
  "b":{"filePath":1},"c":1E2})");
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc(), "c"), R"({"a":1.0, "filePath" : "https://x/?sig=1",
  "b":{"filePath":1}})");
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc()["b"], "filePath"), "{}");
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc(), "none"), doc.Raw(doc.Doc()));
  EXPECT_EQ(doc.RawWithoutMember(doc.Doc()["a"], "a"), "1.0");  // not an object

  auto dup = Spans(R"({ "x":1 ,"y":2, "x":3,"z":[4] , "x":5 })");
  EXPECT_EQ(dup.RawWithoutMember(dup.Doc(), "x"), R"({ "y":2, "z":[4] })");
  auto only = Spans(R"({ "x":1 , "x":2 })");
  EXPECT_EQ(only.RawWithoutMember(only.Doc(), "x"), "{  }");
  for (char const* name : {"x", "y", "z"}) {
    std::string cut = dup.RawWithoutMember(dup.Doc(), name);
    auto parsed = ParseJson(cut, "cut");
    ASSERT_TRUE(parsed) << cut;
    EXPECT_FALSE(parsed->HasMember(name)) << cut;
  }
}

TEST(JsonWithSpans, RawReplacing) {
  auto doc = Spans(R"({"id":"r1","attributes":{"fileName":"a.wav", "filePath":"https://s3/x?X-Amz-Signature=1"},"n":1.50})");
  auto const& attrs = doc.Doc()["attributes"];
  EXPECT_EQ(doc.RawReplacing(doc.Doc(), {{&attrs, doc.RawWithoutMember(attrs, "filePath")}}),
            R"({"id":"r1","attributes":{"fileName":"a.wav"},"n":1.50})");
  EXPECT_EQ(doc.RawReplacing(doc.Doc(), {{&doc.Doc()["n"], "2"}}),
            R"({"id":"r1","attributes":{"fileName":"a.wav", "filePath":"https://s3/x?X-Amz-Signature=1"},"n":2})");
  // Several, in any order; one inside an earlier one and one outside are ignored.
  EXPECT_EQ(doc.RawReplacing(doc.Doc(), {{&doc.Doc()["n"], "2"},
                                         {&attrs["fileName"], "\"b\""},
                                         {&attrs, "{}"},
                                         {&doc.Doc()["id"], "7"}}),
            R"({"id":7,"attributes":{},"n":2})");
  EXPECT_EQ(doc.RawReplacing(attrs, {{&doc.Doc()["n"], "2"}}), doc.Raw(attrs));  // not inside
  EXPECT_EQ(doc.RawReplacing(doc.Doc(), {}), doc.Raw(doc.Doc()));
}

// The span property over every seed of the fuzz corpora (JSON or not): ParseJsonWithSpans accepts
// exactly what ParseJson accepts, and every value's text parses back to an equal value.
TEST(ParseJsonWithSpans, SpanPropertyOverTheFuzzCorpora) {
  namespace fs = std::filesystem;
  fs::path const corpora = fs::path(CCREC_SOURCE_DIR) / "fuzz" / "corpus";
  ASSERT_TRUE(fs::is_directory(corpora)) << corpora;
  int documents = 0;
  int values = 0;
  for (auto const& entry : fs::recursive_directory_iterator(corpora)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string const bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fuzz inputs may start with option bytes: also try the text from the first '{' or '['.
    std::vector<std::string> texts = {bytes};
    if (auto brace = bytes.find_first_of("{["); brace != std::string::npos && brace > 0) {
      texts.push_back(bytes.substr(brace));
    }
    for (auto const& text : texts) {
      auto plain = ParseJson(text, "seed");
      auto spans = ParseJsonWithSpans(text, "seed");
      ASSERT_EQ(plain.has_value(), spans.has_value()) << entry.path();
      if (!plain) {
        EXPECT_EQ(plain.error().message, spans.error().message);
        continue;
      }
      EXPECT_TRUE(ccrec::detail::JsonEqualInOrder(*plain, spans->Doc())) << entry.path();
      ++documents;
      values += CheckSpans(*spans, spans->Doc(), {0, static_cast<std::uint32_t>(text.size())}, entry.path().string());
    }
  }
  EXPECT_GT(documents, 10);
  EXPECT_GT(values, 1000);
  std::cout << documents << " seed documents, " << values << " values checked\n";
}

}  // namespace
}  // namespace ccrec

// Fuzz finding: Document::Parse(text, length) dropped each of the bytes EF, BB and BF at the start
// on its own, so ParseJson took "\xBB{}" for "{}" while ParseJsonWithSpans refused it. Both now
// ignore a whole UTF-8 byte order mark (RFC 8259 section 8.1) and nothing else.
TEST(ParseJsonWithSpans, ByteOrderMarkIsIgnoredAndStrayBomBytesAreNot) {
  using ccrec::detail::ParseJson;
  using ccrec::detail::ParseJsonWithSpans;
  std::string const with_bom = "\xEF\xBB\xBF {\"a\":1}";
  auto doc = ParseJson(with_bom, "t");
  ASSERT_TRUE(doc) << doc.error().message;
  auto spans = ParseJsonWithSpans(std::string_view(with_bom), "t");
  ASSERT_TRUE(spans) << spans.error().message;
  EXPECT_EQ(spans->Raw(spans->Doc()), "{\"a\":1}");
  EXPECT_EQ(spans->Raw(spans->Doc()["a"]), "1");
  for (std::string const& bad : {std::string("\xBB{}"), std::string("\xEF{}"), std::string("\xEF\xBB{}"),
                                std::string("\xBF[1]"), std::string("\xBB\xA4\xA5{")}) {
    auto a = ParseJson(bad, "t");
    auto b = ParseJsonWithSpans(std::string_view(bad), "t");
    EXPECT_FALSE(a) << "ParseJson accepted a stray BOM byte";
    ASSERT_FALSE(b);
    if (!a) {
      EXPECT_EQ(a.error().message, b.error().message);
      EXPECT_NE(a.error().message.find("at byte 0"), std::string::npos) << a.error().message;
    }
  }
}

TEST(JsonEqualInOrder, RepeatedNamesAndOrderCount) {
  auto a = ccrec::detail::ParseJson(R"({"a":1,"a":2,"b":[1,{"c":null}]})", "a");
  auto same = ccrec::detail::ParseJson(R"({"a":1, "a":2, "b":[1, {"c":null}]})", "same");
  auto swapped = ccrec::detail::ParseJson(R"({"a":2,"a":1,"b":[1,{"c":null}]})", "swapped");
  auto other = ccrec::detail::ParseJson(R"({"a":1,"a":2,"b":[1,{"c":0}]})", "other");
  ASSERT_TRUE(a && same && swapped && other);
  EXPECT_FALSE(*a == *a) << "rapidjson's == is why the helper exists";
  EXPECT_TRUE(ccrec::detail::JsonEqualInOrder(*a, *a));
  EXPECT_TRUE(ccrec::detail::JsonEqualInOrder(*a, *same));
  EXPECT_FALSE(ccrec::detail::JsonEqualInOrder(*a, *swapped));
  EXPECT_FALSE(ccrec::detail::JsonEqualInOrder(*a, *other));
}
