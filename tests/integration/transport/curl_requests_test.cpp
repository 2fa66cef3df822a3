// SPDX-License-Identifier: Apache-2.0
// Integration tests of the libcurl transport against tests/emulators/http_test_server.py: requests
// (byte-exact URLs, the headers sent, methods, uploads of known and unknown size, 100-continue, body
// rewinds and body source errors, invalid headers).

#include "integration/transport/curl_transport_test_util.hpp"

#include "internal/crypto.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

namespace curl_transport_test {
namespace {

/// A generated request body (byte i = (i * 7 + 3) % 256) of `size` bytes, streamed in whatever
/// pieces the transport asks for; reports its size only when `known_size`.
class GeneratedBody : public BodySource {
 public:
  GeneratedBody(std::uint64_t size, bool known_size) : size_(size), known_size_(known_size) {}

  static char ByteAt(std::uint64_t i) { return static_cast<char>((i * 7 + 3) % 256); }
  static std::string Sha256(std::uint64_t size) {
    ccrec::detail::Hasher hasher;
    std::string block;
    for (std::uint64_t off = 0; off < size;) {
      std::uint64_t const n = std::min<std::uint64_t>(size - off, 1 << 16);
      block.resize(static_cast<std::size_t>(n));
      for (std::uint64_t j = 0; j < n; ++j) block[static_cast<std::size_t>(j)] = ByteAt(off + j);
      hasher.Update(block);
      off += n;
    }
    return hasher.FinalHex();
  }

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    std::uint64_t const n = std::min<std::uint64_t>(size, size_ - pos_);
    for (std::uint64_t j = 0; j < n; ++j) buffer[j] = ByteAt(pos_ + j);
    pos_ += n;
    ++reads_;
    return static_cast<std::size_t>(n);
  }
  Result<void> Rewind() override {
    pos_ = 0;
    ++rewinds_;
    return {};
  }
  std::optional<std::uint64_t> Size() const override {
    return known_size_ ? std::optional<std::uint64_t>(size_) : std::nullopt;
  }
  int Reads() const { return reads_; }

 private:
  std::uint64_t size_;
  bool known_size_;
  std::uint64_t pos_ = 0;
  int reads_ = 0;
  int rewinds_ = 0;
};

/// Header names (lower case) the echo endpoint received.
std::multiset<std::string> EchoedHeaderNames(rapidjson::Document const& echo) {
  std::multiset<std::string> names;
  for (auto const& h : echo["headers"].GetArray()) {
    std::string name = h[0].GetString();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.insert(name);
  }
  return names;
}

std::string EchoedHeader(rapidjson::Document const& echo, std::string const& name) {
  for (auto const& h : echo["headers"].GetArray()) {
    if (ccrec::HeaderNameEquals(h[0].GetString(), name)) return h[1].GetString();
  }
  return "<absent>";
}

// ---- requests ----------------------------------------------------------------------------------

TEST_F(CurlTransportTest, UrlIsSentByteExact) {
  auto transport = TlsTransport();
  std::string const target = "/echo?X-Amz-Signature=ab%2Fcd%3D%3D&k=a~b+c&plus=%2B%2b&e=&sp=%20";
  auto response = Get(*transport, Tls(target));
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(std::string(echo["target"].GetString()), target);

  // Dot segments stay as they are too (the server answers 404 naming the raw path).
  auto dots = Get(*transport, Tls("/a/./b/../echo"));
  ASSERT_TRUE(dots) << dots.error().ToString();
  EXPECT_EQ(dots->status, 404);
  EXPECT_EQ(ReadBody(*dots).value(), "no route /a/./b/../echo\n");
}

TEST_F(CurlTransportTest, GetSendsOnlyTheAllowedHeaders) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.url = Tls("/echo");
  request.headers = {{"X-Test", "1"}, {"X-Empty", ""}, {"TrackingId", "CCREC_abc"}};
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(std::string(echo["method"].GetString()), "GET");
  EXPECT_EQ(EchoedHeaderNames(echo), (std::multiset<std::string>{"host", "user-agent", "accept-encoding", "x-test",
                                                                   "x-empty", "trackingid"}));
  EXPECT_EQ(EchoedHeader(echo, "X-Empty"), "");
  EXPECT_THAT(EchoedHeader(echo, "User-Agent"), HasSubstr("ccrec/"));
  // Wire order is the caller's order.
  std::vector<std::string> order;
  for (auto const& h : echo["headers"].GetArray()) order.emplace_back(h[0].GetString());
  auto pos = [&](std::string const& n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
  EXPECT_LT(pos("X-Test"), pos("X-Empty"));
  EXPECT_LT(pos("X-Empty"), pos("TrackingId"));
}

TEST_F(CurlTransportTest, OnlyGzipIsOffered) {
  // gzip expands at most ~1032:1; deflate is offered by libcurl's "" too, and br and zstd (when
  // libcurl is built with them) expand by far more before the body caps apply.
  auto transport = TlsTransport();  // accept_compressed defaults to true
  HttpRequest request;
  request.url = Tls("/echo");
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(EchoedHeader(echo, "Accept-Encoding"), "gzip");
}

TEST_F(CurlTransportTest, CallerUserAgentWins) {
  CurlOptions options;
  options.user_agent = "from-options/1";
  auto transport = TlsTransport(options);
  HttpRequest request;
  request.url = Tls("/echo");
  request.headers = {{"User-Agent", "from-request/2"}};
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(EchoedHeaderNames(echo).count("user-agent"), 1u);
  EXPECT_EQ(EchoedHeader(echo, "User-Agent"), "from-request/2");
}

TEST_F(CurlTransportTest, PostSendsOnlyTheAllowedHeadersAndNoExpect) {
  CurlOptions options;
  options.accept_compressed = false;
  options.user_agent = "ccrec-test/1";
  auto transport = TlsTransport(options);
  HttpRequest request;
  request.method = "POST";
  request.url = Tls("/echo");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = ccrec::MakeStringBody(R"({"a":1})");
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(std::string(echo["method"].GetString()), "POST");
  EXPECT_EQ(EchoedHeaderNames(echo),
            (std::multiset<std::string>{"host", "user-agent", "content-length", "content-type"}));
  EXPECT_EQ(EchoedHeader(echo, "User-Agent"), "ccrec-test/1");
  EXPECT_EQ(EchoedHeader(echo, "Content-Length"), "7");
  EXPECT_EQ(std::string(echo["body_sha256"].GetString()), ccrec_it::Sha256Hex(R"({"a":1})"));
}

TEST_F(CurlTransportTest, MethodsWithAndWithoutBodies) {
  auto transport = TlsTransport();
  struct Case {
    std::string method;
    bool with_body;
    std::string content_length;  // "<absent>" when none
  } const cases[] = {
      {"DELETE", false, "<absent>"}, {"POST", false, "0"},  {"PUT", false, "0"},
      {"PATCH", true, "5"},          {"DELETE", true, "5"}, {"OPTIONS", false, "<absent>"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.method + (c.with_body ? " with body" : " without body"));
    HttpRequest request;
    request.method = c.method;
    request.url = Tls("/echo");
    if (c.with_body) request.body = ccrec::MakeStringBody("hello");
    auto response = transport->Send(request, {});
    ASSERT_TRUE(response) << response.error().ToString();
    auto echo = ParseJson(ReadBody(*response).value());
    EXPECT_EQ(std::string(echo["method"].GetString()), c.method);
    EXPECT_EQ(EchoedHeader(echo, "Content-Length"), c.content_length);
    EXPECT_EQ(EchoedHeader(echo, "Expect"), "<absent>");
    EXPECT_EQ(EchoedHeader(echo, "Transfer-Encoding"), "<absent>");
    EXPECT_EQ(echo["body_length"].GetInt64(), c.with_body ? 5 : 0);
  }
}

TEST_F(CurlTransportTest, Uploads16MiBWithKnownSize) {
  constexpr std::uint64_t kSize = std::uint64_t{16} << 20;
  auto transport = TlsTransport();
  auto body = std::make_shared<GeneratedBody>(kSize, true);
  HttpRequest request;
  request.method = "PUT";
  request.url = Tls("/echo");
  request.body = body;
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(echo["body_length"].GetInt64(), static_cast<std::int64_t>(kSize));
  EXPECT_EQ(std::string(echo["body_sha256"].GetString()), GeneratedBody::Sha256(kSize));
  EXPECT_FALSE(echo["chunked"].GetBool());
  EXPECT_EQ(EchoedHeader(echo, "Content-Length"), std::to_string(kSize));
  EXPECT_EQ(EchoedHeader(echo, "Expect"), "<absent>");
  EXPECT_GT(body->Reads(), 1);  // streamed, not one big read
}

TEST_F(CurlTransportTest, Uploads16MiBWithUnknownSizeChunked) {
  constexpr std::uint64_t kSize = (std::uint64_t{16} << 20) + 17;
  auto transport = TlsTransport();
  HttpRequest request;
  request.method = "POST";
  request.url = Tls("/echo");
  request.body = std::make_shared<GeneratedBody>(kSize, false);
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(std::string(echo["method"].GetString()), "POST");
  EXPECT_EQ(echo["body_length"].GetInt64(), static_cast<std::int64_t>(kSize));
  EXPECT_EQ(std::string(echo["body_sha256"].GetString()), GeneratedBody::Sha256(kSize));
  EXPECT_TRUE(echo["chunked"].GetBool());
  EXPECT_EQ(EchoedHeader(echo, "Transfer-Encoding"), "chunked");
  EXPECT_EQ(EchoedHeader(echo, "Content-Length"), "<absent>");
  EXPECT_EQ(EchoedHeader(echo, "Expect"), "<absent>");
}

TEST_F(CurlTransportTest, CallerExpectGets100ContinueHandled) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.method = "PUT";
  request.url = Tls("/echo");
  request.headers = {{"Expect", "100-continue"}};
  request.body = std::make_shared<GeneratedBody>(1 << 20, true);
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), std::optional<std::string>("application/json"));
  auto echo = ParseJson(ReadBody(*response).value());
  EXPECT_EQ(echo["body_length"].GetInt64(), 1 << 20);
  EXPECT_EQ(EchoedHeader(echo, "Expect"), "100-continue");
}

TEST_F(CurlTransportTest, RetriedSendRewindsTheBody) {
  auto transport = TlsTransport();
  auto body = ccrec::MakeStringBody("same body twice");
  HttpRequest request;
  request.method = "PUT";
  request.url = Tls("/echo");
  request.body = body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto response = transport->Send(request, {});
    ASSERT_TRUE(response) << response.error().ToString();
    auto echo = ParseJson(ReadBody(*response).value());
    EXPECT_EQ(std::string(echo["body_sha256"].GetString()), ccrec_it::Sha256Hex("same body twice"));
  }
}

/// A body that claims `claimed` bytes but yields `actual`, then optionally fails.
class ShortBody : public BodySource {
 public:
  ShortBody(std::uint64_t claimed, std::uint64_t actual, std::optional<ccrec::Error> fail_with)
      : claimed_(claimed), actual_(actual), fail_with_(std::move(fail_with)) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    std::uint64_t const n = std::min<std::uint64_t>(size, actual_ - pos_);
    if (n == 0 && fail_with_) return *fail_with_;
    std::memset(buffer, 'x', static_cast<std::size_t>(n));
    pos_ += n;
    return static_cast<std::size_t>(n);
  }
  Result<void> Rewind() override {
    pos_ = 0;
    return {};
  }
  std::optional<std::uint64_t> Size() const override { return claimed_; }

 private:
  std::uint64_t claimed_, actual_, pos_ = 0;
  std::optional<ccrec::Error> fail_with_;
};

TEST_F(CurlTransportTest, BodySourceErrorIsReturned) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.method = "PUT";
  request.url = Tls("/echo");
  request.timeout = Ms(5000);
  request.body = std::make_shared<ShortBody>(100000, 50000,
                                             ccrec::MakeError(ErrorCode::kIntegrity, "source checksum mismatch"));
  auto response = transport->Send(request, {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kIntegrity);
  EXPECT_THAT(response.error().message, HasSubstr("source checksum mismatch"));
  EXPECT_THAT(response.error().message, HasSubstr("PUT https://127.0.0.1:"));
}

TEST_F(CurlTransportTest, BodySourceShorterThanItsSizeIsAnError) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.method = "PUT";
  request.url = Tls("/echo");
  request.timeout = Ms(5000);
  request.body = std::make_shared<ShortBody>(100000, 50000, std::nullopt);
  auto const start = SteadyClock::now();
  auto response = transport->Send(request, {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument) << response.error().ToString();
  EXPECT_THAT(response.error().message, HasSubstr("50000 of 100000"));
  EXPECT_LT(std::chrono::duration_cast<Ms>(SteadyClock::now() - start).count(), 2000);
}

TEST_F(CurlTransportTest, InvalidHeadersAreRejected) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.url = Tls("/echo");
  request.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  auto response = transport->Send(request, {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace curl_transport_test
