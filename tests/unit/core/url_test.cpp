// SPDX-License-Identifier: Apache-2.0
// internal/url.hpp: percent-encoding, queries, URL parsing.

#include "internal/url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::BuildQuery;
using ::ccrec::detail::ParseQuery;
using ::ccrec::detail::ParseUrl;
using ::ccrec::detail::PercentDecode;
using ::ccrec::detail::PercentEncode;
using ::ccrec::detail::QueryParams;

TEST(PercentEncode, UnreservedKept) {
  std::string const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
  EXPECT_EQ(PercentEncode(unreserved), unreserved);
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncode, ReservedAndSpecial) {
  EXPECT_EQ(PercentEncode(" "), "%20");
  EXPECT_EQ(PercentEncode("+"), "%2B");
  EXPECT_EQ(PercentEncode("a b+c"), "a%20b%2Bc");
  EXPECT_EQ(PercentEncode("/"), "%2F");
  EXPECT_EQ(PercentEncode("!*'();:@&=$,?#[]%"), "%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%3F%23%5B%5D%25");
  EXPECT_EQ(PercentEncode(std::string("\0\x7f", 2)), "%00%7F");
}

TEST(PercentEncode, Utf8BytesUpperCaseHex) {
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");                  // é
  EXPECT_EQ(PercentEncode("\xe6\x97\xa5\xe6\x9c\xac"), "%E6%97%A5%E6%9C%AC");  // 日本
  EXPECT_EQ(PercentEncode("\xff"), "%FF");
}

TEST(PercentEncode, KeepSlash) {
  EXPECT_EQ(PercentEncode("a/b c/d", true), "a/b%20c/d");
  EXPECT_EQ(PercentEncode("a/b c/d", false), "a%2Fb%20c%2Fd");
}

TEST(PercentDecode, Basics) {
  EXPECT_EQ(PercentDecode("a%20b%2Bc"), "a b+c");
  EXPECT_EQ(PercentDecode("%c3%A9"), "\xc3\xa9");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2B", true), "+");
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
}

TEST(PercentDecode, MalformedEscapesKept) {
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("%4"), "%4");
  EXPECT_EQ(PercentDecode("abc%"), "abc%");
  EXPECT_EQ(PercentDecode("%zz"), "%zz");
  EXPECT_EQ(PercentDecode("%4g"), "%4g");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%%41"), "%A");
  EXPECT_EQ(PercentDecode("%41"), "A");  // escape right at the end
}

TEST(PercentRoundTrip, AllBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(PercentDecode(PercentEncode(all)), all);
  EXPECT_EQ(PercentDecode(PercentEncode(all, true)), all);
}

TEST(Query, BuildEncodesNamesAndValues) {
  QueryParams p = {{"from", "2026-11-01T00:00:00Z"}, {"a b", "x+y"}, {"empty", ""}, {"q", "a&b=c"}};
  EXPECT_EQ(BuildQuery(p), "from=2026-11-01T00%3A00%3A00Z&a%20b=x%2By&empty=&q=a%26b%3Dc");
  EXPECT_EQ(BuildQuery({}), "");
  EXPECT_EQ(::ccrec::detail::FormEncode({{"grant_type", "refresh_token"}, {"refresh_token", "a/b"}}),
            "grant_type=refresh_token&refresh_token=a%2Fb");
}

TEST(Query, RoundTrip) {
  QueryParams p = {{"a", "1"}, {"b", "x y"}, {"c", "+&=%?#/"}, {"d", ""}, {"\xc3\xa9", "\xe6\x97\xa5"}, {"a", "2"}};
  EXPECT_EQ(ParseQuery(BuildQuery(p)), p);
}

TEST(Query, ParseEdgeCases) {
  EXPECT_TRUE(ParseQuery("").empty());
  EXPECT_TRUE(ParseQuery("&&").empty());
  EXPECT_EQ(ParseQuery("a"), (QueryParams{{"a", ""}}));
  EXPECT_EQ(ParseQuery("a=&b"), (QueryParams{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(ParseQuery("a=1=2"), (QueryParams{{"a", "1=2"}}));
  EXPECT_EQ(ParseQuery("=v"), (QueryParams{{"", "v"}}));
  EXPECT_EQ(ParseQuery("a=1&"), (QueryParams{{"a", "1"}}));
  EXPECT_EQ(ParseQuery("a=x+y"), (QueryParams{{"a", "x+y"}}));
  EXPECT_EQ(ParseQuery("a=x+y", true), (QueryParams{{"a", "x y"}}));
}

TEST(ParseUrl, Basics) {
  auto u = ParseUrl("https://api.wxcc-us1.cisco.com/v1/tasks?from=1&to=2#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.wxcc-us1.cisco.com");
  EXPECT_EQ(u->port, 0);
  EXPECT_EQ(u->path, "/v1/tasks");
  EXPECT_EQ(u->query, "from=1&to=2");
  EXPECT_EQ(u->Authority(), "api.wxcc-us1.cisco.com");
  EXPECT_EQ(u->Origin(), "https://api.wxcc-us1.cisco.com");
}

TEST(ParseUrl, Ports) {
  auto u = ParseUrl("http://127.0.0.1:8080/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->Authority(), "127.0.0.1:8080");
  EXPECT_EQ(u->Origin(), "http://127.0.0.1:8080");
  EXPECT_EQ(ParseUrl("http://h:1")->port, 1);
  EXPECT_EQ(ParseUrl("http://h:65535")->port, 65535);
  EXPECT_FALSE(ParseUrl("http://h:0/"));
  EXPECT_FALSE(ParseUrl("http://h:65536/"));
  EXPECT_FALSE(ParseUrl("http://h:123456/"));
  EXPECT_FALSE(ParseUrl("http://h:-1/"));
  EXPECT_FALSE(ParseUrl("http://h:8a/"));
  EXPECT_FALSE(ParseUrl("http://h:+80/"));
}

TEST(ParseUrl, Ipv6) {
  auto u = ParseUrl("http://[::1]:9000/bucket/key?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->path, "/bucket/key");
  EXPECT_EQ(u->Authority(), "[::1]:9000");
  auto v = ParseUrl("https://[2001:db8::7]");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->host, "2001:db8::7");
  EXPECT_EQ(v->port, 0);
  EXPECT_EQ(v->Authority(), "[2001:db8::7]");
  EXPECT_FALSE(ParseUrl("http://[::1/"));
  EXPECT_FALSE(ParseUrl("http://[]/"));
  EXPECT_FALSE(ParseUrl("http://[::1]x/"));
  auto empty_port = ParseUrl("http://[::1]:/");  // RFC 3986 allows an empty port
  ASSERT_TRUE(empty_port);
  EXPECT_EQ(empty_port->port, 0);
  EXPECT_FALSE(ParseUrl("http://::1/")) << "IPv6 without brackets is ambiguous";
  EXPECT_FALSE(ParseUrl("http://fe80::1:8080/"));
}

TEST(ParseUrl, PathQueryAndFragment) {
  EXPECT_EQ(ParseUrl("https://h")->path, "/");
  EXPECT_EQ(ParseUrl("https://h/")->path, "/");
  EXPECT_EQ(ParseUrl("https://h?x=1")->path, "/");
  EXPECT_EQ(ParseUrl("https://h?x=1")->query, "x=1");
  EXPECT_EQ(ParseUrl("https://h#f")->path, "/");
  EXPECT_EQ(ParseUrl("https://h#f")->query, "");
  auto u = ParseUrl("https://h/a%20b/c?x=%2F&y=1#frag?not=query");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->path, "/a%20b/c") << "path stays encoded";
  EXPECT_EQ(u->query, "x=%2F&y=1");
  auto f = ParseUrl("https://h/p#frag?x=1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "/p");
  EXPECT_EQ(f->query, "");
  auto at_in_path = ParseUrl("https://h/user@example.com?to=a@b");
  ASSERT_TRUE(at_in_path);
  EXPECT_EQ(at_in_path->host, "h");
  EXPECT_EQ(at_in_path->path, "/user@example.com");
}

TEST(ParseUrl, SchemeCaseInsensitive) {
  auto u = ParseUrl("HTTPS://Example.com/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
}

TEST(ParseUrl, Rejects) {
  for (std::string bad : std::vector<std::string>{"", "example.com/x", "ftp://h/x", "file:///etc/passwd", "https://", "https:///path",
                          "https://user:pass@h/", "https://user@h/", "https://:80/", "//h/x", "https:/h/x",
                          "https://h h/", "https://h\r\n/", std::string("https://h\0/", 10)}) {
    EXPECT_FALSE(ParseUrl(bad)) << bad;
  }
}

TEST(JoinUrl, Basics) {
  EXPECT_EQ(::ccrec::detail::JoinUrl("https://h", "/v1/x"), "https://h/v1/x");
  EXPECT_EQ(::ccrec::detail::JoinUrl("https://h/", "/v1/x"), "https://h/v1/x");
  EXPECT_EQ(::ccrec::detail::JoinUrl("https://h//", "v1/x"), "https://h/v1/x");
  EXPECT_EQ(::ccrec::detail::JoinUrl("https://h/base", ""), "https://h/base");
}

TEST(IsIpOrLocalhost, Cases) {
  using ::ccrec::detail::IsIpOrLocalhost;
  EXPECT_TRUE(IsIpOrLocalhost("localhost"));
  EXPECT_TRUE(IsIpOrLocalhost("LocalHost"));
  EXPECT_TRUE(IsIpOrLocalhost("127.0.0.1"));
  EXPECT_TRUE(IsIpOrLocalhost("10.1.2.3"));
  EXPECT_TRUE(IsIpOrLocalhost("255.255.255.255"));
  EXPECT_TRUE(IsIpOrLocalhost("0.0.0.0"));
  EXPECT_TRUE(IsIpOrLocalhost("::1"));
  EXPECT_TRUE(IsIpOrLocalhost("2001:db8::7"));
  EXPECT_FALSE(IsIpOrLocalhost(""));
  EXPECT_FALSE(IsIpOrLocalhost("example.com"));
  EXPECT_FALSE(IsIpOrLocalhost("s3.amazonaws.com"));
  EXPECT_FALSE(IsIpOrLocalhost("1.2.3"));
  EXPECT_FALSE(IsIpOrLocalhost("1.2.3.4.5"));
  EXPECT_FALSE(IsIpOrLocalhost("1.2.3."));
  EXPECT_FALSE(IsIpOrLocalhost(".1.2.3"));
  EXPECT_FALSE(IsIpOrLocalhost("1..2.3"));
  EXPECT_FALSE(IsIpOrLocalhost("1234.1.1.1"));
  EXPECT_FALSE(IsIpOrLocalhost("256.1.1.1"));
  EXPECT_FALSE(IsIpOrLocalhost("1.2.3.999"));
  EXPECT_FALSE(IsIpOrLocalhost("1.2.3.4a"));
  EXPECT_FALSE(IsIpOrLocalhost("localhost.example.com"));
  EXPECT_FALSE(IsIpOrLocalhost("mybucket.localhost2"));
}

TEST(UrlSafety, LoopbackHosts) {
  using ::ccrec::detail::IsLoopbackHost;
  for (auto const* h : {"localhost", "LOCALHOST", "a.localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]",
                        "0:0:0:0:0:0:0:1", "2130706433", "0x7f.1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (auto const* h : {"example.com", "128.0.0.1", "10.0.0.1", "::2", "localhost.example.com", "169.254.169.254"}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

TEST(UrlSafety, LinkLocalAndMetadataInEverySpelling) {
  using ::ccrec::detail::IsLinkLocalOrMetadataHost;
  for (auto const* h : {"169.254.169.254", "169.254.0.1", "2852039166" /* decimal */, "0xa9fea9fe", "0xa9.0xfe.0xa9.0xfe",
                        "0251.0376.0251.0376" /* octal */, "169.254.43518", "::ffff:169.254.169.254", "[fd00:ec2::254]",
                        "fd00:0ec2:0:0:0:0:0:0254", "fe80::1", "FEBF::1", "metadata.google.internal",
                        "METADATA.GOOGLE.INTERNAL.", "metadata.goog"}) {
    EXPECT_TRUE(IsLinkLocalOrMetadataHost(h)) << h;
  }
  for (auto const* h : {"169.253.1.1", "170.254.1.1", "s3.amazonaws.com", "fd00:ec2::253", "fec0::1", "127.0.0.1",
                        "metadata.example.com", "1.2.3.4"}) {
    EXPECT_FALSE(IsLinkLocalOrMetadataHost(h)) << h;
  }
}

TEST(UrlSafety, CredentialUrlsMustBeHttpsUnlessLoopback) {
  using ::ccrec::detail::InsecureCredentialUrlProblem;
  EXPECT_EQ(InsecureCredentialUrlProblem(*ParseUrl("https://webexapis.com/v1/access_token"), "token_url"), "");
  EXPECT_EQ(InsecureCredentialUrlProblem(*ParseUrl("http://127.0.0.1:8080/token"), "token_url"), "");
  EXPECT_EQ(InsecureCredentialUrlProblem(*ParseUrl("http://[::1]:8080/token"), "token_url"), "");
  auto problem = InsecureCredentialUrlProblem(*ParseUrl("http://idp.example.com/token?x=1"), "token_url");
  EXPECT_NE(problem.find("token_url http://idp.example.com is plain http"), std::string::npos) << problem;
}

}  // namespace
}  // namespace ccrec
