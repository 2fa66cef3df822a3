// SPDX-License-Identifier: Apache-2.0
// The public URL helpers (include/ccrec/core/url.hpp): parts of good URLs, and bad input refused
// with kInvalidArgument and a message that says what was wrong without leaking secrets.
#include <ccrec/core/url.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

std::string UrlError(std::string const& url) {
  auto parsed = ccrec::ParseHttpUrl(url);
  EXPECT_FALSE(parsed) << url << " was accepted";
  if (parsed) return {};
  EXPECT_EQ(parsed.error().code, ccrec::ErrorCode::kInvalidArgument) << url;
  return parsed.error().message;
}

TEST(PublicParseHttpUrl, SplitsTheParts) {
  auto u = ccrec::ParseHttpUrl("HTTPS://api.wxcc-us1.cisco.com:8443/v1/tasks?from=1&to=2#frag").value();
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "api.wxcc-us1.cisco.com");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/v1/tasks");
  EXPECT_EQ(u.query, "from=1&to=2");
  EXPECT_EQ(u.Authority(), "api.wxcc-us1.cisco.com:8443");
  EXPECT_EQ(u.Origin(), "https://api.wxcc-us1.cisco.com:8443");

  auto bare = ccrec::ParseHttpUrl("http://127.0.0.1").value();
  EXPECT_EQ(bare.port, 0);
  EXPECT_EQ(bare.path, "/");
  EXPECT_EQ(bare.query, "");
  EXPECT_EQ(bare.Origin(), "http://127.0.0.1");

  auto v6 = ccrec::ParseHttpUrl("http://[::1]:9000/bucket").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.Authority(), "[::1]:9000");
  EXPECT_EQ(v6.path, "/bucket");
}

TEST(PublicParseHttpUrl, RefusesBadInputSayingWhatWasWrong) {
  auto no_scheme = UrlError("api.example.com/v1");
  EXPECT_NE(no_scheme.find("\"api.example.com/v1\" is not an http(s) URL"), std::string::npos) << no_scheme;
  EXPECT_NE(no_scheme.find("scheme://"), std::string::npos) << no_scheme;
  EXPECT_NE(UrlError("ftp://h/x").find("not http or https"), std::string::npos);
  EXPECT_NE(UrlError("").find("scheme://"), std::string::npos);
  EXPECT_NE(UrlError("https://").find("host is empty"), std::string::npos);
  EXPECT_NE(UrlError("https://:443/").find("host is empty"), std::string::npos);
  EXPECT_NE(UrlError("https://a b/").find("space"), std::string::npos);
  EXPECT_NE(UrlError("https://h\r\nX-Injected: 1/").find("control character"), std::string::npos);
  EXPECT_NE(UrlError("http://::1:80/").find("brackets"), std::string::npos);
  EXPECT_NE(UrlError("http://[::1/").find("']'"), std::string::npos);
  EXPECT_NE(UrlError("http://[::1]x/").find(":PORT"), std::string::npos);
  EXPECT_NE(UrlError("http://h:0/").find("1..65535"), std::string::npos);
  EXPECT_NE(UrlError("http://h:65536/").find("1..65535"), std::string::npos);
  EXPECT_NE(UrlError("http://h:80a/").find("1..65535"), std::string::npos);
  EXPECT_NE(UrlError("http://h:1234567/").find("1..65535"), std::string::npos);
}

TEST(PublicParseHttpUrl, MessageHidesCredentials) {
  auto userinfo = UrlError("https://admin:hunter2@gw.example.com/");
  EXPECT_NE(userinfo.find("user information"), std::string::npos) << userinfo;
  EXPECT_EQ(userinfo.find("hunter2"), std::string::npos) << userinfo;
  auto query = UrlError("ftp://h/x?access_token=s3cr3t");
  EXPECT_EQ(query.find("s3cr3t"), std::string::npos) << query;
  auto escaped = UrlError("https://h\r\n/");
  EXPECT_EQ(escaped.find('\n'), std::string::npos) << escaped;
}

TEST(PublicPercentDecode, DecodesEscapesAndKeepsTheRest) {
  EXPECT_EQ(ccrec::PercentDecode("/data/call%20recordings"), "/data/call recordings");
  EXPECT_EQ(ccrec::PercentDecode("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(ccrec::PercentDecode("a+b"), "a+b");  // not form decoding
  EXPECT_EQ(ccrec::PercentDecode("100%"), "100%");
  EXPECT_EQ(ccrec::PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(ccrec::PercentDecode("a%00b"), std::string("a\0b", 3));
  EXPECT_EQ(ccrec::PercentDecode(""), "");
}

}  // namespace
