// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the libcurl transport integration tests (curl_*_test.cpp in it_transport): the
// CurlTransportTest fixture (tests/emulators/http_test_server.py, one HTTPS and one plain-HTTP
// instance on 127.0.0.1, started on first use) and helpers (the server's byte pattern, body reading,
// JSON parsing).

#include "integration/harness.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace curl_transport_test {

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

inline constexpr int kPatternPeriod = 251;  // http_test_server.py: byte i of /bytes is i % 251

inline char PatternByte(std::uint64_t offset) { return static_cast<char>(offset % kPatternPeriod); }

inline std::string Pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = PatternByte(i);
  return out;
}

/// Reads the whole body in `piece`-byte reads.
inline Result<std::string> ReadBody(HttpResponse& response, std::size_t piece = 4096) {
  std::string out;
  std::vector<char> buffer(piece);
  for (;;) {
    auto n = response.body->Read(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

inline rapidjson::Document ParseJson(std::string const& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
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

}  // namespace curl_transport_test
