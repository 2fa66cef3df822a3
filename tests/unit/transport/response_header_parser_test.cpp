// SPDX-License-Identifier: Apache-2.0
// ResponseHeaderParser: the header lines libcurl hands to CURLOPT_HEADERFUNCTION.

#include "transport/response_header_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using ::ccrec::HttpHeaders;
using ::ccrec::detail::ParseStatusLine;
using ::ccrec::detail::ResponseHeaderParser;

void FeedAll(ResponseHeaderParser& parser, std::initializer_list<std::string_view> lines) {
  for (std::string_view line : lines) parser.Feed(line);
}

TEST(ResponseHeaderParserTest, SimpleResponseInWireOrder) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "X-B: 2\r\n", "x-a:1\r\n",
                   "X-B:  3 \r\n", "\r\n"});
  EXPECT_TRUE(parser.Complete());
  EXPECT_EQ(parser.Status(), 200);
  EXPECT_EQ(parser.Headers(),
            (HttpHeaders{{"Content-Type", "text/plain"}, {"X-B", "2"}, {"x-a", "1"}, {"X-B", "3"}}));
}

TEST(ResponseHeaderParserTest, NotCompleteBeforeTheBlankLine) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 204 No Content\r\n", "Date: x\r\n"});
  EXPECT_FALSE(parser.Complete());
  EXPECT_EQ(parser.Status(), 204);
  parser.Feed("\r\n");
  EXPECT_TRUE(parser.Complete());
}

TEST(ResponseHeaderParserTest, InterimResponsesAreSkipped) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 100 Continue\r\n", "\r\n"});
  EXPECT_FALSE(parser.Complete());
  FeedAll(parser, {"HTTP/1.1 103 Early Hints\r\n", "Link: </a.css>\r\n", "\r\n"});
  EXPECT_FALSE(parser.Complete());
  FeedAll(parser, {"HTTP/1.1 201 Created\r\n", "Location: /x\r\n", "\r\n"});
  EXPECT_TRUE(parser.Complete());
  EXPECT_EQ(parser.Status(), 201);
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"Location", "/x"}}));
}

TEST(ResponseHeaderParserTest, TrailersAfterTheHeadAreIgnored) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "X-Checksum: abc\r\n", "\r\n"});
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"Transfer-Encoding", "chunked"}}));
}

TEST(ResponseHeaderParserTest, ObsoleteLineFoldingIsJoined) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 200 OK\r\n", "X-Long: first\r\n", " second\r\n", "\tthird\r\n", "\r\n"});
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"X-Long", "first second third"}}));
}

TEST(ResponseHeaderParserTest, LinesWithoutColonOrBeforeAStatusLineAreIgnored) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"X-Stray: 1\r\n", "HTTP/1.1 200 OK\r\n", "garbage\r\n", ": novalue\r\n", "X-Empty:\r\n", "\r\n"});
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"X-Empty", ""}}));
}

TEST(ResponseHeaderParserTest, LinesWithoutCrLfAndBareLf) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.0 404 Not Found\n", "A: b", "\n"});
  EXPECT_TRUE(parser.Complete());
  EXPECT_EQ(parser.Status(), 404);
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"A", "b"}}));
}

TEST(ResponseHeaderParserTest, TakeHeadersMovesThemOut) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/2 200\r\n", "a: 1\r\n", "\r\n"});
  EXPECT_EQ(parser.Status(), 200);
  auto headers = parser.TakeHeaders();
  EXPECT_EQ(headers, (HttpHeaders{{"a", "1"}}));
}

// Found by fuzz/response_header_fuzz.cpp: a bare CR (or NUL) inside a value was kept, so a
// Set-GUID value echoed back as a request header could split that request (RFC 9110 §5.5).
TEST(ResponseHeaderParserTest, BareCrAndNulInsideValuesBecomeSpaces) {
  ResponseHeaderParser parser;
  FeedAll(parser, {"HTTP/1.1 200 OK\r\n", "Set-GUID: JSESSIONID=abc\rX-Injected: 1\r\n",
                   std::string_view("A: x\0y\r\n", 9), "B\r: 1\r\n", "\r\n"});
  EXPECT_TRUE(parser.Complete());
  EXPECT_EQ(parser.Headers(), (HttpHeaders{{"Set-GUID", "JSESSIONID=abc X-Injected: 1"}, {"A", "x y"}}));
}

TEST(ParseStatusLineTest, ValidAndInvalid) {
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 200 OK\r\n"), 200);
  EXPECT_EQ(ParseStatusLine("HTTP/2 503"), 503);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 100 Continue"), 100);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 2000 Huge"), 0);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 20"), 0);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 abc"), 0);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1"), 0);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 099 Low"), 0);
  EXPECT_EQ(ParseStatusLine("ICY 200 OK"), 0);
  EXPECT_EQ(ParseStatusLine(""), 0);
}

}  // namespace
