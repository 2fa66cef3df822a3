// SPDX-License-Identifier: Apache-2.0
// CurlOptions::max_send_bytes_per_second / max_recv_bytes_per_second (the CLI's --bwlimit)
// against tests/emulators/http_test_server.py on plain HTTP (loopback).

#include "integration/harness.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

using SteadyClock = std::chrono::steady_clock;

ccrec_it::ServerProcess& Server() {
  static auto const server = ccrec_it::ServerProcess::Start("http_test_server.py", {"--plain-http"});
  return *server;
}

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

// 1 MiB at 256 KiB/s takes about 4 s. libcurl checks the cap between bursts of reads or writes
// (up to ~1.6 MB per burst in libcurl 7.88 on loopback), so a transfer may run ahead of it at the
// start: the tests ask for half the ideal time. Unlimited, loopback takes milliseconds.
constexpr std::size_t kSize = 1024 * 1024;
constexpr std::uint64_t kRate = 256 * 1024;
constexpr double kMinSeconds = 2.0;

TEST(CurlSpeedLimit, DownloadIsCapped) {
  ccrec::CurlOptions o;
  o.max_recv_bytes_per_second = kRate;
  auto transport = ccrec::MakeCurlTransport(o);
  ccrec::HttpRequest request;
  request.url = Server().Get("base_url") + "/bytes?n=" + std::to_string(kSize);
  auto const start = SteadyClock::now();
  auto response = transport->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto body = response->ReadAll(kSize + 1);
  ASSERT_TRUE(body) << body.error().ToString();
  EXPECT_EQ(body->size(), kSize);
  EXPECT_GT(Seconds(start), kMinSeconds);
}

TEST(CurlSpeedLimit, UploadIsCappedAndUnlimitedIsFast) {
  ccrec::HttpRequest request;
  request.method = "PUT";
  request.url = Server().Get("base_url") + "/echo";
  request.body = ccrec::MakeStringBody(std::string(kSize, 'x'));
  auto const fast_start = SteadyClock::now();
  auto fast = ccrec::MakeCurlTransport()->Send(request, {});
  ASSERT_TRUE(fast) << fast.error().ToString();
  ASSERT_TRUE(fast->ReadAll());
  EXPECT_LT(Seconds(fast_start), 1.0);

  ccrec::CurlOptions o;
  o.max_send_bytes_per_second = kRate;
  auto const start = SteadyClock::now();
  auto response = ccrec::MakeCurlTransport(o)->Send(request, {});
  ASSERT_TRUE(response) << response.error().ToString();
  auto echo = response->ReadAll();
  ASSERT_TRUE(echo) << echo.error().ToString();
  EXPECT_NE(echo->find("\"body_length\":" + std::to_string(kSize)), std::string::npos) << *echo;
  EXPECT_GT(Seconds(start), kMinSeconds);
}

}  // namespace
