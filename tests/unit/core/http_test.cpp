// SPDX-License-Identifier: Apache-2.0
// HTTP value types: headers, bodies, ReadAll, ContentLength; ContentTypeForKey.

#include <ccrec/core/http.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>

#include <gtest/gtest.h>

#include <string>

namespace ccrec {
namespace {

std::string ReadSource(BodySource& body, std::size_t chunk = 3) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    auto n = body.Read(buf.data(), buf.size());
    if (!n || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(Headers, CaseInsensitiveHelpers) {
  EXPECT_TRUE(HeaderNameEquals("Content-Type", "content-type"));
  EXPECT_TRUE(HeaderNameEquals("ETAG", "ETag"));
  EXPECT_TRUE(HeaderNameEquals("", ""));
  EXPECT_FALSE(HeaderNameEquals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(HeaderNameEquals("a", "b"));

  HttpHeaders h = {{"Content-Type", "a"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  EXPECT_EQ(FindHeader(h, "CONTENT-TYPE"), "a");
  EXPECT_EQ(FindHeader(h, "X-MULTI"), "1") << "first value wins";
  EXPECT_EQ(FindHeader(h, "missing"), std::nullopt);

  SetHeader(h, "x-MULTI", "3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(FindHeader(h, "X-Multi"), "3");
  EXPECT_EQ(h.back().first, "x-MULTI") << "SetHeader uses the given spelling";

  RemoveHeader(h, "content-type");
  EXPECT_EQ(h.size(), 1u);
  RemoveHeader(h, "not-there");
  EXPECT_EQ(h.size(), 1u);
  SetHeader(h, "New", "v");
  EXPECT_EQ(FindHeader(h, "new"), "v");
}

TEST(HttpRequest, Defaults) {
  HttpRequest r;
  EXPECT_EQ(r.method, "GET");
  EXPECT_TRUE(r.url.empty());
  EXPECT_EQ(r.body, nullptr);
  EXPECT_FALSE(r.timeout);
}

TEST(HttpResponse, HeaderAndContentLength) {
  HttpResponse r;
  EXPECT_EQ(r.ContentLength(), std::nullopt);
  r.headers = {{"content-length", "1234"}};
  EXPECT_EQ(r.Header("Content-Length"), "1234");
  EXPECT_EQ(r.ContentLength(), 1234u);
  r.headers = {{"Content-Length", "0"}};
  EXPECT_EQ(r.ContentLength(), 0u);
  r.headers = {{"Content-Length", "18446744073709551615"}};
  EXPECT_EQ(r.ContentLength(), 18446744073709551615u);
  r.headers = {{"Content-Length", " 42 "}};
  EXPECT_EQ(r.ContentLength(), 42u) << "surrounding whitespace is not part of the value";
}

TEST(HttpResponse, ContentLengthGarbage) {
  for (std::string bad : {"", " ", "-1", "+1", "1.0", "0x10", "12abc", "abc", "1 2", "1,1",
                          "18446744073709551616", "99999999999999999999", "123456789012345678901234"}) {
    HttpResponse r;
    r.headers = {{"Content-Length", bad}};
    EXPECT_EQ(r.ContentLength(), std::nullopt) << "\"" << bad << "\"";
  }
}

TEST(HttpResponse, ReadAll) {
  HttpResponse r;
  r.body = testing::MakeStringBodyReader(std::string(100000, 'z'), 777);
  auto all = r.ReadAll();
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, std::string(100000, 'z'));
}

TEST(HttpResponse, ReadAllWithoutBody) {
  HttpResponse r;
  auto all = r.ReadAll();
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, "");
}

TEST(HttpResponse, ReadAllMaxBytes) {
  HttpResponse exact;
  exact.body = testing::MakeStringBodyReader("0123456789", 4);
  auto ok = exact.ReadAll(10);
  ASSERT_TRUE(ok) << "exactly max_bytes is fine";
  EXPECT_EQ(*ok, "0123456789");

  HttpResponse over;
  over.status = 200;
  over.body = testing::MakeStringBodyReader("0123456789X", 4);
  auto big = over.ReadAll(10);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kParse);
  EXPECT_NE(big.error().message.find("10 bytes"), std::string::npos) << big.error().message;

  HttpResponse zero;
  zero.body = testing::MakeStringBodyReader("", 4);
  EXPECT_TRUE(zero.ReadAll(0));
  HttpResponse one;
  one.body = testing::MakeStringBodyReader("x", 4);
  EXPECT_FALSE(one.ReadAll(0));
}

TEST(BodySource, StringBodyRewinds) {
  auto body = MakeStringBody("hello world");
  EXPECT_EQ(body->Size(), 11u);
  EXPECT_EQ(ReadSource(*body), "hello world");
  EXPECT_EQ(ReadSource(*body), "") << "exhausted until rewound";
  ASSERT_TRUE(body->Rewind());
  EXPECT_EQ(ReadSource(*body, 100), "hello world");
  ASSERT_TRUE(body->Rewind());
  char c = 0;
  auto n = body->Read(&c, 1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(c, 'h');
  ASSERT_TRUE(body->Rewind());
  EXPECT_EQ(ReadSource(*body), "hello world") << "rewind mid-way restarts";
}

TEST(BodySource, StringBodyOwnsItsData) {
  std::shared_ptr<BodySource> body;
  {
    std::string temp = "temporary";
    body = MakeStringBody(temp);
    temp.assign("XXXXXXXXX");
  }
  EXPECT_EQ(ReadSource(*body), "temporary");
}

TEST(BodySource, LongStringBodyReadsCorrectly) {
  // A long string survives being moved into the body (no dangling small-string buffer).
  std::string data(5000, 'q');
  data[4999] = 'E';
  auto body = MakeStringBody(data);
  EXPECT_EQ(ReadSource(*body, 1024), data);
  auto empty = MakeStringBody("");
  EXPECT_EQ(empty->Size(), 0u);
  EXPECT_EQ(ReadSource(*empty), "");
}

TEST(BodySource, SpanBodyRewinds) {
  static char const kData[] = "span-data";
  auto body = MakeSpanBody(kData, 9);
  EXPECT_EQ(body->Size(), 9u);
  EXPECT_EQ(ReadSource(*body, 4), "span-data");
  ASSERT_TRUE(body->Rewind());
  EXPECT_EQ(ReadSource(*body, 2), "span-data");
  auto empty = MakeSpanBody(nullptr, 0);
  EXPECT_EQ(ReadSource(*empty), "");
  char buf[4];
  auto n = body->Read(buf, 0);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
}

TEST(ContentTypeForKey, Extensions) {
  EXPECT_EQ(ContentTypeForKey("a/b.wav"), "audio/wav");
  EXPECT_EQ(ContentTypeForKey("a/b.WAV"), "audio/wav");
  EXPECT_EQ(ContentTypeForKey("b.mp3"), "audio/mpeg");
  EXPECT_EQ(ContentTypeForKey("b.m4a"), "audio/mp4");
  EXPECT_EQ(ContentTypeForKey("b.ogg"), "audio/ogg");
  EXPECT_EQ(ContentTypeForKey("b.flac"), "audio/flac");
  EXPECT_EQ(ContentTypeForKey("m.json"), "application/json");
  EXPECT_EQ(ContentTypeForKey("m.jsonl"), "application/x-ndjson");
  EXPECT_EQ(ContentTypeForKey("r.csv"), "text/csv");
  EXPECT_EQ(ContentTypeForKey("noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey("dir.wav/noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey("x.bin"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey(""), "application/octet-stream");
  EXPECT_EQ(ContentTypeForKey("trailingdot."), "application/octet-stream");
}

}  // namespace
}  // namespace ccrec
