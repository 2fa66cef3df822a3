// SPDX-License-Identifier: Apache-2.0
// internal/http_util.hpp: ReadPrefix, BufferResponse/SendBuffered, PrefixedBodyReader.

#include "internal/http_util.hpp"

#include <ccrec/testing/fake_http_transport.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ccrec {
namespace {

using ::ccrec::detail::BufferResponse;
using ::ccrec::detail::MediaType;
using ::ccrec::detail::PrefixedBodyReader;
using ::ccrec::detail::ReadPrefix;
using ::ccrec::detail::SendBuffered;
using testing::FakeHttpTransport;
using testing::MakeResponse;
using testing::MakeStringBodyReader;

std::string ReadAllOf(BodyReader& reader, std::size_t chunk) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    auto n = reader.Read(buf.data(), buf.size());
    if (!n || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(ReadPrefix, StopsAtTheLimitTheEndOrAnError) {
  EXPECT_EQ(ReadPrefix(static_cast<BodyReader*>(nullptr), 10), "");
  auto reader = MakeStringBodyReader("0123456789abcdef", 3);
  EXPECT_EQ(ReadPrefix(reader.get(), 10), "0123456789");
  auto whole = MakeStringBodyReader("short", 2);
  EXPECT_EQ(ReadPrefix(whole.get(), 100), "short");
  auto failing = MakeStringBodyReader("part", 2, MakeError(ErrorCode::kTransport, "reset"));
  EXPECT_EQ(ReadPrefix(failing.get(), 100), "part") << "a read error ends the prefix quietly";
  auto big = MakeStringBodyReader(std::string(20000, 'x'));
  EXPECT_EQ(ReadPrefix(big.get(), 17000).size(), 17000u) << "more than one internal buffer";

  HttpResponse response = MakeResponse(500, "server error text");
  EXPECT_EQ(ReadPrefix(response, 6), "server");
  HttpResponse empty;
  EXPECT_EQ(ReadPrefix(empty, 6), "") << "no body";
}

TEST(SendBuffered, ReadsWholeOkBodiesAndErrorPrefixes) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(200, "0123456789", {{"X-A", "1"}});
  transport.EnqueueResponse(404, "not found: details");
  transport.EnqueueResponse(200, "0123456789");
  transport.EnqueueError(MakeError(ErrorCode::kTransport, "connection refused"));
  HttpRequest request;
  request.url = "https://example.test/x";

  auto ok = SendBuffered(transport, request, {}, 10, 4);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "0123456789");
  EXPECT_EQ(FindHeader(ok->headers, "x-a"), "1");

  auto not_found = SendBuffered(transport, request, {}, 10, 4);
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->body, "not ") << "an error body is cut at max_error_body";

  auto too_big = SendBuffered(transport, request, {}, 9, 4);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kParse) << "a 2xx body over max_ok_body is an error, not cut";

  auto refused = SendBuffered(transport, request, {}, 10, 4);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTransport);
  EXPECT_EQ(refused.error().message, "connection refused") << "returned as it is";
}

TEST(BufferResponse, ABodyCutShortIsTheReadersError) {
  HttpResponse response;
  response.status = 200;
  response.body = MakeStringBodyReader("par", 2, MakeError(ErrorCode::kTransport, "reset"));
  auto r = BufferResponse(response, 100, 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransport);

  HttpResponse no_body;
  no_body.status = 204;
  auto empty = BufferResponse(no_body, 100, 100);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->body, "");
}

TEST(PrefixedBodyReader, ReplaysThePrefixThenTheRest) {
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 64u}) {
    PrefixedBodyReader reader("abc", MakeStringBodyReader("defgh", 2));
    EXPECT_EQ(ReadAllOf(reader, chunk), "abcdefgh") << chunk;
  }
  PrefixedBodyReader empty_prefix("", MakeStringBodyReader("xyz"));
  EXPECT_EQ(ReadAllOf(empty_prefix, 2), "xyz");

  PrefixedBodyReader failing("ab", MakeStringBodyReader("c", 1, MakeError(ErrorCode::kTransport, "reset")));
  char buf[8];
  auto n = failing.Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2u) << "the prefix alone first";
  n = failing.Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  n = failing.Read(buf, sizeof buf);
  ASSERT_FALSE(n) << "the inner reader's error comes through";
  EXPECT_EQ(n.error().code, ErrorCode::kTransport);
}

TEST(MediaType, IsTheLowerCasedTypeWithoutParametersOrBlanks) {
  EXPECT_EQ(MediaType({{"Content-Type", "Text/HTML; charset=UTF-8"}}), "text/html");
  EXPECT_EQ(MediaType({{"content-type", " application/JSON "}}), "application/json");
  EXPECT_EQ(MediaType({{"Content-Type", "audio/wav"}}), "audio/wav");
  EXPECT_EQ(MediaType({{"Content-Type", ""}}), "");
  EXPECT_EQ(MediaType({{"Content-Length", "3"}}), std::nullopt);
}

}  // namespace
}  // namespace ccrec
