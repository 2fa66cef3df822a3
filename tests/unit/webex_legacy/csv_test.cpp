// SPDX-License-Identifier: Apache-2.0
// RFC 4180 CSV parsing (reference webex-legacy-v1.md §4 "CSV").
#include <ccrec/webex_legacy/csv.hpp>

#include <gtest/gtest.h>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using Rows = std::vector<std::vector<std::string>>;

TEST(Csv, QuotesCommasNewlinesAndDoubledQuotes) {
  std::string text =
      "sid,notes,n\r\n"
      "a,\"Smith, John\",1\r\n"
      "b,\"He said \"\"hi\"\"\",2\r\n"
      "c,\"line1\nline2\",3\r\n"
      "d,\"crlf\r\ninside\",4\r\n"
      "e,\"\",5\r\n"
      "f,,\r\n";
  auto t = ParseCsv(text);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->header, (std::vector<std::string>{"sid", "notes", "n"}));
  EXPECT_EQ(t->rows, (Rows{{"a", "Smith, John", "1"},
                           {"b", "He said \"hi\"", "2"},
                           {"c", "line1\nline2", "3"},
                           {"d", "crlf\r\ninside", "4"},
                           {"e", "", "5"},
                           {"f", "", ""}}));
  EXPECT_EQ(t->ColumnIndex("notes"), 1u);
  EXPECT_FALSE(t->ColumnIndex("missing"));
}

TEST(Csv, LineEndingsLastRecordWithoutBreakBomAndBlankLines) {
  auto lf = ParseCsv("a,b\n1,2\n3,4");
  ASSERT_TRUE(lf);
  EXPECT_EQ(lf->rows, (Rows{{"1", "2"}, {"3", "4"}}));
  auto cr = ParseCsv("a,b\r1,2\r");
  ASSERT_TRUE(cr);
  EXPECT_EQ(cr->rows, (Rows{{"1", "2"}}));
  auto bom = ParseCsv("\xEF\xBB\xBF" "a,b\r\n\r\n1,2\r\n\n");
  ASSERT_TRUE(bom);
  EXPECT_EQ(bom->header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(bom->rows, (Rows{{"1", "2"}}));
  auto quoted_last = ParseCsv("sid\n\"x\"");  // one column: a v1 field name (CsvErrorTextProblem())
  ASSERT_TRUE(quoted_last);
  EXPECT_EQ(quoted_last->rows, (Rows{{"x"}}));
}

TEST(Csv, EmptyAndHeaderOnly) {
  auto empty = ParseCsv("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->header.empty());
  EXPECT_TRUE(empty->rows.empty());
  auto header = ParseCsv("sid,cstts\r\n");
  ASSERT_TRUE(header);
  EXPECT_EQ(header->header.size(), 2u);
  EXPECT_TRUE(header->rows.empty());
}

TEST(Csv, ChunkBoundariesAnywhereGiveTheSameResult) {
  std::string text = "\xEF\xBB\xBF" "h1,h2\r\n\"a,\"\"b\"\"\r\nc\",d\r\ne,\"f\"\r\n";
  auto whole = ParseCsv(text);
  ASSERT_TRUE(whole);
  for (std::size_t chunk = 1; chunk <= 4; ++chunk) {
    CsvParser parser;
    Rows rows;
    auto collect = [&rows](std::vector<std::string> const& r) { rows.push_back(r); };
    for (std::size_t i = 0; i < text.size(); i += chunk) ASSERT_TRUE(parser.Feed(text.substr(i, chunk), collect));
    ASSERT_TRUE(parser.Finish(collect));
    EXPECT_EQ(rows, whole->rows) << "chunk " << chunk;
    EXPECT_EQ(parser.Header(), whole->header);
    EXPECT_EQ(parser.Rows(), 2u);
  }
  EXPECT_EQ(whole->rows, (Rows{{"a,\"b\"\r\nc", "d"}, {"e", "f"}}));
}

TEST(Csv, BomPrefixThatIsNotABom) {
  // Not a field name, so not a header row by default (CsvOptions::require_header_row).
  EXPECT_FALSE(ParseCsv("\xEF" "x,y\n1,2\n"));
  CsvOptions o;
  o.require_header_row = false;
  auto t = ParseCsv("\xEF" "x,y\n1,2\n", o);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->header[0], "\xEF" "x");
  CsvParser p(o);
  ASSERT_TRUE(p.Feed("\xEF\xBB"));
  ASSERT_TRUE(p.Finish());
  EXPECT_EQ(p.Header(), (std::vector<std::string>{"\xEF\xBB"}));
}

void ExpectParseError(std::string const& text, std::string const& needle) {
  auto t = ParseCsv(text);
  ASSERT_FALSE(t) << text;
  EXPECT_EQ(t.error().code, ErrorCode::kParse);
  EXPECT_NE(t.error().message.find(needle), std::string::npos) << t.error().message;
}

TEST(Csv, TruncatedAndMalformedInput) {
  ExpectParseError("a,b\r\n1,\"unterminated\r\nmore", "never closed");
  ExpectParseError("a,b\r\n1,\"", "never closed");
  ExpectParseError("a,b,c\r\n1,2,3\r\n4,5", "has 2 fields but the header has 3");
  ExpectParseError("a,b\r\n1,2,3\r\n", "has 3 fields");
  ExpectParseError("a,b\r\n1,x\"y\r\n", "quote inside an unquoted field");
  ExpectParseError("a,b\r\n1,\"x\"y\r\n", "after the closing quote");
  ExpectParseError("a,b\r\n1,2\r\n3,\"x\"\"", "never closed");
}

TEST(Csv, ErrorNamesTheRecordAndLineAndStaysFailed) {
  CsvParser p;
  auto r = p.Feed("a,b\n1,2\n\"multi\nline\",3\n4\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("record 4"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 5"), std::string::npos) << r.error().message;
  EXPECT_FALSE(p.Feed("5,6\n"));
  EXPECT_FALSE(p.Finish());
}

TEST(Csv, Limits) {
  CsvOptions o;
  o.max_field_bytes = 4;
  EXPECT_FALSE(ParseCsv("abcde,b\n", o));
  EXPECT_FALSE(ParseCsv("\"abcde\",b\n", o));
  EXPECT_TRUE(ParseCsv("abcd,b\n", o));
  o = CsvOptions{};
  o.max_fields = 2;
  EXPECT_FALSE(ParseCsv("a,b,c\n", o));
  o = CsvOptions{};
  o.require_header_width = false;
  auto ragged = ParseCsv("a,b\n1\n", o);
  ASSERT_TRUE(ragged);
  EXPECT_EQ(ragged->rows, (Rows{{"1"}}));
  o.delimiter = ';';
  auto semi = ParseCsv("a;b\n\"1;2\";3\n", o);
  ASSERT_TRUE(semi);
  EXPECT_EQ(semi->rows, (Rows{{"1;2", "3"}}));
}

}  // namespace
