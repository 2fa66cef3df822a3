// SPDX-License-Identifier: Apache-2.0
// Integration tests of the libcurl transport against tests/emulators/http_test_server.py: connection
// reuse, threads, cancellation, timeouts, low-speed limits, dropped and refused connections, proxies.

#include "integration/transport/curl_transport_test_util.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace curl_transport_test {
namespace {

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

}  // namespace
}  // namespace curl_transport_test
