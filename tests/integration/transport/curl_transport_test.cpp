// SPDX-License-Identifier: Apache-2.0
// Integration tests of the libcurl transport against tests/emulators/http_test_server.py: TLS (CA files,
// insecure mode, plain HTTP) and streaming (bounded memory, tiny reads, chunked, gzip, HEAD, status
// codes). Requests: curl_requests_test.cpp; connections, cancellation and failures:
// curl_connections_test.cpp.

#include "integration/transport/curl_transport_test_util.hpp"

#include <fstream>
#include <mutex>

namespace curl_transport_test {
namespace {

/// Resident set size in bytes (Linux /proc/self/statm), 0 when unavailable.
std::size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * 4096;
}

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

TEST_F(CurlTransportTest, AnEncodingThatWasNotAskedForIsRefusedNotDecoded) {
  // libcurl decodes whatever Content-Encoding a server names (deflate, br, zstd, up to four
  // stacked), whatever Accept-Encoding said: only one gzip layer (bounded ~1032:1) is accepted.
  auto transport = TlsTransport();
  for (std::string encoding : {"br", "deflate", "zstd", "gzip,gzip", "gzip,%20br"}) {
    auto response = Get(*transport, Tls("/gzip?n=1000&encoding=" + encoding));
    ASSERT_FALSE(response) << encoding;
    EXPECT_EQ(response.error().code, ErrorCode::kTransport) << encoding;
    EXPECT_THAT(response.error().message, HasSubstr("only one gzip layer was asked for")) << encoding;
  }
  for (std::string encoding : {"x-gzip", "GZIP", "identity,%20gzip"}) {
    auto response = Get(*transport, Tls("/gzip?n=1000&encoding=" + encoding));
    ASSERT_TRUE(response) << encoding << ": " << response.error().ToString();
    auto body = ReadBody(*response);
    ASSERT_TRUE(body) << encoding << ": " << body.error().ToString();
    EXPECT_EQ(*body, Pattern(1000)) << encoding;
  }
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

}  // namespace
}  // namespace curl_transport_test
