// SPDX-License-Identifier: Apache-2.0
// Integration tests of the libcurl transport against tests/emulators/http_test_server.py
// (one HTTPS and one plain-HTTP instance on 127.0.0.1).

#include "integration/harness.hpp"
#include "internal/crypto.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/transport/curl.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using ::ccrec::BodySource;
using ::ccrec::CallContext;
using ::ccrec::CurlOptions;
using ::ccrec::ErrorCode;
using ::ccrec::HttpRequest;
using ::ccrec::HttpResponse;
using ::ccrec::HttpTransport;
using ::ccrec::MakeCurlTransport;
using ::ccrec::Result;
using ::testing::HasSubstr;
using ::testing::Not;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kPatternPeriod = 251;  // http_test_server.py: byte i of /bytes is i % 251

char PatternByte(std::uint64_t offset) { return static_cast<char>(offset % kPatternPeriod); }

std::string Pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = PatternByte(i);
  return out;
}

/// Resident set size in bytes (Linux /proc/self/statm), 0 when unavailable.
std::size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * 4096;
}

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
  int reads() const { return reads_; }

 private:
  std::uint64_t size_;
  bool known_size_;
  std::uint64_t pos_ = 0;
  int reads_ = 0;
  int rewinds_ = 0;
};

/// Reads the whole body in `piece`-byte reads.
Result<std::string> ReadBody(HttpResponse& response, std::size_t piece = 4096) {
  std::string out;
  std::vector<char> buffer(piece);
  for (;;) {
    auto n = response.body->Read(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

rapidjson::Document ParseJson(std::string const& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

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

class CurlTransportTest : public ::testing::Test {
 protected:
  // Started on first use and stopped at exit, so that a filtered run (ctest runs one test per
  // process) starts only the servers it needs.
  static ccrec_it::ServerProcess& TlsServer() {
    static auto const server = ccrec_it::ServerProcess::Start("http_test_server.py");
    return *server;
  }
  static ccrec_it::ServerProcess& PlainServer() {
    static auto const server = ccrec_it::ServerProcess::Start("http_test_server.py", {"--plain-http"});
    return *server;
  }

  static std::string Tls(std::string const& path) { return TlsServer().Get("base_url") + path; }
  static std::string Plain(std::string const& path) { return PlainServer().Get("base_url") + path; }
  static std::string CaFile() { return TlsServer().Get("ca_file"); }

  static std::shared_ptr<HttpTransport> TlsTransport(CurlOptions options = {}) {
    options.ca_file = CaFile();
    return MakeCurlTransport(std::move(options));
  }

  static Result<HttpResponse> Get(HttpTransport& transport, std::string const& url, CallContext const& ctx = {}) {
    HttpRequest request;
    request.url = url;
    return transport.Send(request, ctx);
  }

  /// Connections the server has accepted so far (asked through `transport`).
  static long Connections(HttpTransport& transport, std::string const& url) {
    auto response = Get(transport, url);
    EXPECT_TRUE(response) << response.error().ToString();
    if (!response) return -1;
    auto body = ReadBody(*response);
    EXPECT_TRUE(body);
    auto doc = ParseJson(*body);
    return doc["connections"].GetInt64();
  }
};

// ---- TLS -------------------------------------------------------------------------------------

TEST_F(CurlTransportTest, TlsWithExtraCaFile) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/bytes?n=100000"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->ContentLength(), std::optional<std::uint64_t>(100000));
  auto body = ReadBody(*response);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, Pattern(100000));
}

TEST_F(CurlTransportTest, TlsFailsWithoutCaFileAndSaysWhatToDo) {
  auto transport = MakeCurlTransport();
  auto response = Get(*transport, Tls("/bytes?n=10&X-Amz-Signature=topsecretsig&X-Amz-Credential=AKIDEXAMPLE"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kTransport);
  EXPECT_THAT(response.error().message, HasSubstr("certificate verification failed"));
  EXPECT_EQ(response.error().vendor_code, ccrec::kTlsVerificationFailed);
  EXPECT_FALSE(ccrec::IsRetryable(response.error())) << "retrying cannot fix an untrusted certificate";
  EXPECT_THAT(response.error().message, HasSubstr("--ca-file"));
  EXPECT_THAT(response.error().message, HasSubstr("GET https://127.0.0.1:"));
  EXPECT_THAT(response.error().message, HasSubstr("/bytes"));
  EXPECT_THAT(response.error().message, Not(HasSubstr("topsecretsig")));
  EXPECT_THAT(response.error().message, Not(HasSubstr("AKIDEXAMPLE")));
}

TEST_F(CurlTransportTest, InsecureSkipVerifyWorksAndWarns) {
  std::vector<std::string> warnings;
  std::mutex mu;
  CurlOptions options;
  options.insecure_skip_verify = true;
  options.logger = ccrec::Logger(ccrec::LogLevel::kWarn, [&](ccrec::LogLevel, std::string_view m) {
    std::lock_guard<std::mutex> lock(mu);
    warnings.emplace_back(m);
  });
  auto transport = MakeCurlTransport(options);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("verification is DISABLED"));
  auto response = Get(*transport, Tls("/bytes?n=10"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(CurlTransportTest, UnreadableCaFileFailsEverySendWithTheReason) {
  CurlOptions options;
  options.ca_file = "/nonexistent/ccrec-ca.pem";
  auto transport = MakeCurlTransport(options);
  ASSERT_NE(transport, nullptr);
  auto response = Get(*transport, Tls("/bytes?n=10"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(response.error().message, HasSubstr("/nonexistent/ccrec-ca.pem"));
}

TEST_F(CurlTransportTest, CaFileWithoutCertificatesIsRejected) {
  ccrec_it::TempDir dir;
  ccrec_it::WriteFile(dir / "empty.pem", "not a certificate\n");
  CurlOptions options;
  options.ca_file = dir / "empty.pem";
  auto response = Get(*MakeCurlTransport(options), Tls("/bytes?n=10"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(response.error().message, HasSubstr("no PEM certificate"));
}

TEST_F(CurlTransportTest, PlainHttp) {
  auto transport = MakeCurlTransport();
  auto response = Get(*transport, Plain("/bytes?n=5000"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  auto body = ReadBody(*response);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, Pattern(5000));
}

// ---- streaming ---------------------------------------------------------------------------------

TEST_F(CurlTransportTest, Streams64MiBWithSmallReadsAndBoundedMemory) {
  constexpr std::uint64_t kSize = std::uint64_t{64} << 20;
  auto transport = TlsTransport();
  auto const rss_before = ResidentBytes();
  auto response = Get(*transport, Tls("/bytes?n=" + std::to_string(kSize)));
  ASSERT_TRUE(response) << response.error().ToString();
  ASSERT_EQ(response->status, 200);
  std::uint64_t total = 0;
  std::size_t rss_peak = rss_before;
  char buffer[4096];
  for (;;) {
    auto n = response->body->Read(buffer, sizeof(buffer));
    ASSERT_TRUE(n) << n.error().ToString();
    if (*n == 0) break;
    for (std::size_t i = 0; i < *n; ++i) {
      if (buffer[i] != PatternByte(total + i)) FAIL() << "wrong byte at offset " << total + i;
    }
    total += *n;
    if (total % (std::uint64_t{1} << 20) < sizeof(buffer)) rss_peak = std::max(rss_peak, ResidentBytes());
  }
  EXPECT_EQ(total, kSize);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  rss_peak = rss_before;  // sanitizer allocators keep freed memory (quarantine): RSS says nothing
#endif
  if (rss_before != 0) {
    // The whole body would be 64 MiB; the transport buffers 256 KiB (+ libcurl's chunk).
    EXPECT_LT(rss_peak - rss_before, std::size_t{16} << 20)
        << "resident memory grew by " << (rss_peak - rss_before) << " bytes while streaming";
  }
}

TEST_F(CurlTransportTest, TinyReceiveBufferAndTinyReads) {
  CurlOptions options;
  options.receive_buffer_bytes = 1000;  // smaller than one libcurl chunk (16 KiB)
  auto transport = TlsTransport(options);
  auto response = Get(*transport, Tls("/bytes?n=1000003"));
  ASSERT_TRUE(response) << response.error().ToString();
  auto body = ReadBody(*response, 7);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, Pattern(1000003));
}

TEST_F(CurlTransportTest, ChunkedResponseTrailersAreIgnored) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/chunked?n=123456&trailer=1"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->Header("Transfer-Encoding"), std::optional<std::string>("chunked"));
  auto body = ReadBody(*response, 1000);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, Pattern(123456));
  EXPECT_EQ(response->Header("X-Checksum"), std::nullopt);
}

TEST_F(CurlTransportTest, GzipIsDecodedAndEncodingHeadersDropped) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/gzip?n=300000"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->Header("Content-Encoding"), std::nullopt);
  EXPECT_EQ(response->Header("Content-Length"), std::nullopt);
  auto body = ReadBody(*response);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(*body, Pattern(300000));
}

TEST_F(CurlTransportTest, GzipKeptWhenCompressionDisabled) {
  CurlOptions options;
  options.accept_compressed = false;
  auto transport = TlsTransport(options);
  auto response = Get(*transport, Tls("/gzip?n=300000"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->Header("Content-Encoding"), std::optional<std::string>("gzip"));
  auto body = ReadBody(*response);
  ASSERT_TRUE(body) << body.error().ToString();
  ASSERT_GE(body->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*body)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*body)[1]), 0x8b);
  EXPECT_EQ(response->ContentLength(), std::optional<std::uint64_t>(body->size()));
}

TEST_F(CurlTransportTest, CallerAcceptEncodingDisablesDecoding) {
  auto transport = TlsTransport();  // accept_compressed defaults to true
  HttpRequest request;
  request.url = Tls("/gzip?n=1000");
  request.headers = {{"Accept-Encoding", "gzip"}};
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->Header("Content-Encoding"), std::optional<std::string>("gzip"));
  auto body = ReadBody(*response);
  ASSERT_TRUE(body) << body.error().ToString();
  ASSERT_GE(body->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*body)[0]), 0x1f);
  EXPECT_EQ(response->ContentLength(), std::optional<std::uint64_t>(body->size()));
}

TEST_F(CurlTransportTest, Head) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.method = "HEAD";
  request.url = Tls("/bytes?n=12345");
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->ContentLength(), std::optional<std::uint64_t>(12345));
  char buffer[16];
  auto n = response->body->Read(buffer, sizeof(buffer));
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 0u);
}

TEST_F(CurlTransportTest, StatusIsNotJudgedAndRedirectsAreNotFollowed) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/status?code=503&retry_after=7"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->Header("Retry-After"), std::optional<std::string>("7"));
  EXPECT_EQ(ReadBody(*response).value(), "status 503\n");

  auto redirect = Get(*transport, Tls("/status?code=302&location=/bytes%3Fn%3D10"));
  ASSERT_TRUE(redirect) << redirect.error().ToString();
  EXPECT_EQ(redirect->status, 302);
  EXPECT_EQ(redirect->Header("Location"), std::optional<std::string>("/bytes?n=10"));
  EXPECT_EQ(ReadBody(*redirect).value(), "status 302\n");
}

TEST_F(CurlTransportTest, InformationalResponsesAreSkipped) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/informational"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("X-Final"), std::optional<std::string>("yes"));
  EXPECT_EQ(response->Header("X-Interim"), std::nullopt);
  EXPECT_EQ(response->Header("Link"), std::nullopt);
  EXPECT_EQ(ReadBody(*response).value(), "final\n");
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
  EXPECT_GT(body->reads(), 1);  // streamed, not one big read
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

// ---- connections -------------------------------------------------------------------------------

TEST_F(CurlTransportTest, ConnectionsAreReused) {
  auto transport = TlsTransport();
  long const before = Connections(*transport, Tls("/connections"));
  for (int i = 0; i < 20; ++i) {
    auto response = Get(*transport, Tls("/bytes?n=" + std::to_string(10000 + i)));
    ASSERT_TRUE(response) << response.error().ToString();
    ASSERT_EQ(ReadBody(*response).value(), Pattern(10000 + i));
  }
  long const after = Connections(*transport, Tls("/connections"));
  EXPECT_EQ(after, before) << "20 sequential requests opened " << (after - before) << " new connections";

  // Control: without idle connections every request connects anew.
  CurlOptions no_pool;
  no_pool.max_idle_connections = 0;
  auto fresh = TlsTransport(no_pool);
  long const start = Connections(*transport, Tls("/connections"));
  for (int i = 0; i < 5; ++i) {
    auto response = Get(*fresh, Tls("/bytes?n=10"));
    ASSERT_TRUE(response);
    ASSERT_TRUE(ReadBody(*response));
  }
  EXPECT_EQ(Connections(*transport, Tls("/connections")) - start, 5);
}

TEST_F(CurlTransportTest, ResponseDroppedBeforeItsBodyWasReadIsSafe) {
  auto transport = TlsTransport();
  {
    auto response = Get(*transport, Tls("/bytes?n=10000000"));
    ASSERT_TRUE(response) << response.error().ToString();
    char buffer[1000];
    ASSERT_TRUE(response->body->Read(buffer, sizeof(buffer)));
  }  // dropped with most of the body unread
  {
    auto response = Get(*transport, Tls("/bytes?n=10000000"));
    ASSERT_TRUE(response) << response.error().ToString();
  }  // dropped without any read
  auto response = Get(*transport, Tls("/bytes?n=777"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(ReadBody(*response).value(), Pattern(777));
}

TEST_F(CurlTransportTest, SixteenThreadsConcurrently) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 12;
  auto transport = TlsTransport();
  long const before = Connections(*transport, Tls("/connections"));
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::string> messages;
  auto fail = [&](std::string m) {
    ++failures;
    std::lock_guard<std::mutex> lock(mu);
    messages.push_back(std::move(m));
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 3 == 2) {
          std::string const payload = "thread " + std::to_string(t) + " request " + std::to_string(i);
          HttpRequest request;
          request.method = "PUT";
          request.url = Tls("/echo");
          request.body = ccrec::MakeStringBody(payload);
          auto response = transport->Send(request, {});
          if (!response) return fail(response.error().ToString());
          auto body = ReadBody(*response);
          if (!body) return fail(body.error().ToString());
          rapidjson::Document echo;
          echo.Parse(body->c_str());
          if (echo.HasParseError() || std::string(echo["body_sha256"].GetString()) != ccrec_it::Sha256Hex(payload)) {
            return fail("bad echo: " + *body);
          }
        } else {
          std::size_t const n = 1000 * static_cast<std::size_t>(t) + 50000 * static_cast<std::size_t>(i);
          auto response = Get(*transport, Tls("/bytes?n=" + std::to_string(n)));
          if (!response) return fail(response.error().ToString());
          auto body = ReadBody(*response, 1500);
          if (!body) return fail(body.error().ToString());
          if (*body != Pattern(n)) return fail("wrong body for n=" + std::to_string(n));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << (messages.empty() ? "" : messages.front());
  long const after = Connections(*transport, Tls("/connections"));
  EXPECT_LE(after - before, kThreads) << "connections were not reused across threads";
}

// ---- cancellation, timeouts, failures ---------------------------------------------------------

TEST_F(CurlTransportTest, CancelMidBodyIsPrompt) {
  auto transport = TlsTransport();
  CallContext ctx;
  auto response = Get(*transport, Tls("/slow?n=100000000&chunk=16384&body_delay_ms=20"), ctx);
  ASSERT_TRUE(response) << response.error().ToString();
  char buffer[8192];
  ASSERT_TRUE(response->body->Read(buffer, sizeof(buffer)));
  std::atomic<bool> cancelled{false};
  SteadyClock::time_point cancel_time;
  std::thread canceller([&] {
    std::this_thread::sleep_for(Ms(300));
    cancel_time = SteadyClock::now();
    cancelled = true;
    ctx.cancel.Cancel();
  });
  Result<std::size_t> n = std::size_t{0};
  for (;;) {
    n = response->body->Read(buffer, sizeof(buffer));
    if (!n || *n == 0) break;
  }
  auto const returned = SteadyClock::now();
  canceller.join();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(cancelled.load());
  EXPECT_LT(std::chrono::duration_cast<Ms>(returned - cancel_time).count(), 500);
  // Sticky.
  auto again = response->body->Read(buffer, sizeof(buffer));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kCancelled);
}

TEST_F(CurlTransportTest, CancelWhileWaitingForHeadersIsPrompt) {
  auto transport = TlsTransport();
  CallContext ctx;
  std::thread canceller([&] {
    std::this_thread::sleep_for(Ms(200));
    ctx.cancel.Cancel();
  });
  auto const start = SteadyClock::now();
  auto response = Get(*transport, Tls("/slow?header_delay_ms=5000&n=10"), ctx);
  auto const elapsed = std::chrono::duration_cast<Ms>(SteadyClock::now() - start);
  canceller.join();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kCancelled);
  EXPECT_LT(elapsed.count(), 1500);
}

TEST_F(CurlTransportTest, TotalTimeoutIsDeadlineExceeded) {
  CurlOptions options;
  options.total_timeout = Ms(300);
  auto transport = TlsTransport(options);
  auto const start = SteadyClock::now();
  auto response = Get(*transport, Tls("/slow?header_delay_ms=3000&n=10"));
  auto const elapsed = std::chrono::duration_cast<Ms>(SteadyClock::now() - start);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(response.error().message, HasSubstr("timed out"));
  EXPECT_LT(elapsed.count(), 2000);
}

TEST_F(CurlTransportTest, RequestTimeoutOverridesAndCoversTheBody) {
  auto transport = TlsTransport();
  HttpRequest request;
  request.url = Tls("/slow?n=1000000&chunk=10000&body_delay_ms=50");
  request.timeout = Ms(400);
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto body = ReadBody(*response);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(CurlTransportTest, ContextDeadlineCapsTheRequest) {
  auto transport = TlsTransport();
  CallContext ctx;
  ctx.deadline = std::chrono::system_clock::now() + Ms(300);
  auto response = Get(*transport, Tls("/slow?header_delay_ms=3000&n=10"), ctx);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(response.error().message, HasSubstr("deadline"));

  CallContext past;
  past.deadline = std::chrono::system_clock::now() - Ms(1);
  auto late = Get(*transport, Tls("/bytes?n=1"), past);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(CurlTransportTest, LowSpeedLimitIgnoresTimeTheCallerIsNotReading) {
  CurlOptions options;
  options.low_speed_bytes_per_second = 100000;
  options.low_speed_time = std::chrono::seconds(1);
  auto transport = TlsTransport(options);
  auto response = Get(*transport, Tls("/bytes?n=4000000"));
  ASSERT_TRUE(response) << response.error().ToString();
  char buffer[1000];
  ASSERT_TRUE(response->body->Read(buffer, sizeof(buffer)));
  std::this_thread::sleep_for(Ms(2000));  // paused: buffer full, nobody reading
  auto rest = ReadBody(*response);
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(rest->size(), 4000000u - sizeof(buffer));
}

TEST_F(CurlTransportTest, LowSpeedLimitCatchesAStalledServer) {
  CurlOptions options;
  options.low_speed_bytes_per_second = 100000;
  options.low_speed_time = std::chrono::seconds(1);
  auto transport = TlsTransport(options);
  auto const start = SteadyClock::now();
  auto response = Get(*transport, Tls("/slow?header_delay_ms=4000&n=10"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(response.error().message, HasSubstr("too slow"));
  EXPECT_LT(std::chrono::duration_cast<Ms>(SteadyClock::now() - start).count(), 3500);
}

TEST_F(CurlTransportTest, DroppedConnectionIsAnErrorFromRead) {
  auto transport = MakeCurlTransport();
  auto response = Get(*transport, Plain("/drop?n=100000&after=5000"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  std::uint64_t total = 0;
  char buffer[1024];
  Result<std::size_t> n = std::size_t{0};
  for (;;) {
    n = response->body->Read(buffer, sizeof(buffer));
    if (!n || *n == 0) break;
    total += *n;
  }
  ASSERT_FALSE(n) << "a truncated body must not end normally";
  EXPECT_EQ(n.error().code, ErrorCode::kTransport);
  EXPECT_THAT(n.error().message, HasSubstr("connection closed after 5000 of 100000 bytes"));
  EXPECT_THAT(n.error().message, HasSubstr("GET http://127.0.0.1:"));
  EXPECT_EQ(total, 5000u);
}

TEST_F(CurlTransportTest, DroppedTlsConnectionIsAnErrorFromRead) {
  auto transport = TlsTransport();
  auto response = Get(*transport, Tls("/drop?n=100000&after=5000"));
  ASSERT_TRUE(response) << response.error().ToString();
  auto body = ReadBody(*response);
  ASSERT_FALSE(body) << "a truncated body must not end normally";
  EXPECT_EQ(body.error().code, ErrorCode::kTransport);
}

TEST_F(CurlTransportTest, ConnectionRefused) {
  auto transport = MakeCurlTransport();
  auto response = Get(*transport, "http://127.0.0.1:1/bytes?n=1&access_token=secret123");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kTransport);
  EXPECT_THAT(response.error().message, HasSubstr("GET http://127.0.0.1:1/bytes"));
  EXPECT_THAT(response.error().message, HasSubstr("could not connect"));
  EXPECT_THAT(response.error().message, Not(HasSubstr("secret123")));
}

TEST_F(CurlTransportTest, ExplicitProxyIsUsed) {
  CurlOptions options;
  options.proxy = "http://127.0.0.1:1";  // nothing listens there
  auto response = Get(*MakeCurlTransport(options), Plain("/bytes?n=1"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kTransport);
}

TEST_F(CurlTransportTest, EnvironmentProxyIsHonouredUnlessDisabled) {
  struct EnvGuard {
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    void Set(char const* name, char const* value) {
      char const* old = std::getenv(name);
      saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) {
        setenv(name, value, 1);
      } else {
        unsetenv(name);
      }
    }
    ~EnvGuard() {
      for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
        if (it->second) {
          setenv(it->first.c_str(), it->second->c_str(), 1);
        } else {
          unsetenv(it->first.c_str());
        }
      }
    }
  } env;
  env.Set("no_proxy", nullptr);
  env.Set("NO_PROXY", nullptr);
  env.Set("http_proxy", "http://127.0.0.1:1");

  auto with_env = Get(*MakeCurlTransport(), Plain("/bytes?n=1"));
  ASSERT_FALSE(with_env) << "http_proxy was not used";
  EXPECT_EQ(with_env.error().code, ErrorCode::kTransport);

  CurlOptions options;
  options.proxy_from_environment = false;
  auto without_env = Get(*MakeCurlTransport(options), Plain("/bytes?n=1"));
  ASSERT_TRUE(without_env) << without_env.error().ToString();
  EXPECT_EQ(without_env->status, 200);
}

// ---- harness self-checks -----------------------------------------------------------------------

TEST(HarnessTest, RunProgramCapturesStreamsEnvAndExitCode) {
  auto result = ccrec_it::RunProgram({"/bin/sh", "-c", "cat; echo \"v=$CCREC_IT_X\"; echo oops >&2; exit 3"},
                                     {{"CCREC_IT_X", "42"}}, "from stdin\n");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "from stdin\nv=42\n");
  EXPECT_EQ(result.err, "oops\n");
  EXPECT_EQ(result.LastLine(), "v=42");

  auto unset = ccrec_it::RunProgram({"/bin/sh", "-c", "echo \"[${HOME-unset}]\""}, {{"HOME", "\x01unset"}});
  EXPECT_EQ(unset.out, "[unset]\n");

  auto killed = ccrec_it::RunProgram({"/bin/sh", "-c", "sleep 30"}, {}, {}, std::chrono::seconds(1));
  EXPECT_EQ(killed.exit_code, 128 + 9);
}

TEST(HarnessTest, HttpGetAndPostAndTempDir) {
  auto server = ccrec_it::ServerProcess::Start("http_test_server.py");
  ASSERT_NE(server, nullptr);
  EXPECT_GT(server->port(), 0);
  EXPECT_EQ(server->Get("base_url"), "https://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(server->Get("ca_file"), server->state_dir() + "/ca.pem");  // state_dir() is --state-dir
  EXPECT_EQ(server->Get("pid"), std::to_string(server->pid()));
  auto [status, body] = ccrec_it::HttpGet(server->Get("base_url") + "/bytes?n=3", server->Get("ca_file"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, Pattern(3));
  auto [post_status, echo] = ccrec_it::HttpPost(server->Get("base_url") + "/echo", "{}", "application/json",
                                                server->Get("ca_file"));
  EXPECT_EQ(post_status, 200);
  EXPECT_THAT(echo, HasSubstr(ccrec_it::Sha256Hex("{}")));

  std::string path;
  {
    ccrec_it::TempDir dir("ccrec-harness");
    path = dir.path();
    ccrec_it::WriteFile(dir / "f.txt", "abc");
    EXPECT_EQ(ccrec_it::ReadFile(dir / "f.txt"), "abc");
  }
  std::ifstream gone(path + "/f.txt");
  EXPECT_FALSE(gone.good());
}

}  // namespace
