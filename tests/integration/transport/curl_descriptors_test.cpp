// SPDX-License-Identifier: Apache-2.0
// How many file descriptors the libcurl transport holds per in-flight request and per idle
// connection, counted in /proc/self/fd against tests/emulators/http_test_server.py (plain HTTP on
// 127.0.0.1). These numbers are what FitDescriptorLimit() budgets with
// (kCurlDescriptorsPerTransfer, kCurlDescriptorsPerIdleConnection).

#include "integration/harness.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/transport/descriptor_limit.hpp>

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

using ::ccrec::CurlOptions;
using ::ccrec::HttpRequest;
using ::ccrec::HttpResponse;
using ::ccrec::HttpTransport;
using ::ccrec::kCurlDescriptorsPerIdleConnection;
using ::ccrec::kCurlDescriptorsPerTransfer;
using ::ccrec::MakeCurlTransport;

/// Open descriptors of this process by kind.
struct FdCounts {
  long total = 0;
  long inet = 0;   // TCP/UDP sockets (connections)
  long local = 0;  // AF_UNIX sockets (libcurl's wakeup socketpairs)
  long other = 0;  // files, pipes, eventfds

  FdCounts operator-(FdCounts const& o) const {
    return {total - o.total, inet - o.inet, local - o.local, other - o.other};
  }
  std::string ToString() const {
    return "total " + std::to_string(total) + " (inet sockets " + std::to_string(inet) + ", unix sockets " +
           std::to_string(local) + ", other " + std::to_string(other) + ")";
  }
};

FdCounts CountFds() {
  FdCounts counts;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return counts;
  int const own = ::dirfd(dir);
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    int const fd = std::atoi(entry->d_name);
    if (fd == own) continue;
    ++counts.total;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
      ++counts.other;
      continue;
    }
    int domain = 0;
    socklen_t len = sizeof(domain);
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
      ++counts.other;
    } else if (domain == AF_INET || domain == AF_INET6) {
      ++counts.inet;
    } else if (domain == AF_UNIX) {
      ++counts.local;
    } else {
      ++counts.other;
    }
  }
  ::closedir(dir);
  return counts;
}

class CurlDescriptorsTest : public ::testing::Test {
 protected:
  static ccrec_it::ServerProcess& Server() {
    static auto const server = ccrec_it::ServerProcess::Start("http_test_server.py", {"--plain-http"});
    return *server;
  }
  static std::string Url(std::string const& path) { return Server().Get("base_url") + path; }

  static HttpResponse Get(HttpTransport& transport, std::string const& url) {
    HttpRequest request;
    request.url = url;
    auto response = transport.Send(request, {});
    EXPECT_TRUE(response) << response.error().ToString();
    return response ? *std::move(response) : HttpResponse{};
  }

  void SetUp() override {
    // Warm up once: curl_global_init, OpenSSL and the server are set up outside the counts.
    CurlOptions options;
    options.max_idle_connections = 0;
    auto transport = MakeCurlTransport(options);
    auto response = Get(*transport, Url("/bytes?n=10"));
    if (response.body) {
      char buffer[64];
      while (true) {
        auto n = response.body->Read(buffer, sizeof(buffer));
        if (!n || *n == 0) break;
      }
    }
  }
};

// Each in-flight request holds its connection socket and the wakeup socketpair of its own multi
// handle: 3 descriptors (libcurl 7.88). `--concurrency 64` with 1 download and 4 S3 parts per
// worker is 320 requests, 960 descriptors, next to a common soft limit of 1,024.
TEST_F(CurlDescriptorsTest, EachInFlightRequestHoldsThreeDescriptors) {
  constexpr long kRequests = 16;
  CurlOptions options;
  options.max_idle_connections = 0;
  auto transport = MakeCurlTransport(options);
  FdCounts const before = CountFds();
  std::vector<HttpResponse> responses;
  for (long i = 0; i < kRequests; ++i) {
    responses.push_back(Get(*transport, Url("/bytes?n=8000000")));
    ASSERT_TRUE(responses.back().body);
    char buffer[4096];
    ASSERT_TRUE(responses.back().body->Read(buffer, sizeof(buffer)));  // streaming, paused mid-body
  }
  FdCounts const during = CountFds() - before;
  EXPECT_EQ(during.inet, kRequests) << "one connection per request; " << during.ToString();
  EXPECT_EQ(during.local, 2 * kRequests) << "one wakeup socketpair per multi handle; " << during.ToString();
  EXPECT_EQ(during.total, kRequests * static_cast<long>(kCurlDescriptorsPerTransfer)) << during.ToString();

  responses.clear();  // bodies unread: every pair and its connection is closed
  FdCounts const after = CountFds() - before;
  EXPECT_EQ(after.total, 0) << after.ToString();
}

// An idle pooled connection keeps its multi handle (where libcurl caches the connection): 3 each,
// at most max_idle_connections of them; destroying the transport releases them all.
TEST_F(CurlDescriptorsTest, IdleConnectionsHoldThreeDescriptorsEachUpToTheLimit) {
  constexpr long kRequests = 8;
  constexpr long kIdle = 5;
  CurlOptions options;
  options.max_idle_connections = kIdle;
  FdCounts const before = CountFds();
  {
    auto transport = MakeCurlTransport(options);
    std::vector<HttpResponse> responses;
    // Bodies larger than the receive buffer: no transfer completes (and frees its pair) in Send().
    for (long i = 0; i < kRequests; ++i) responses.push_back(Get(*transport, Url("/bytes?n=1000000")));
    for (auto& response : responses) {
      ASSERT_TRUE(response.body);
      char buffer[4096];
      while (true) {
        auto n = response.body->Read(buffer, sizeof(buffer));
        ASSERT_TRUE(n) << n.error().ToString();
        if (*n == 0) break;
      }
    }
    responses.clear();
    FdCounts const idle = CountFds() - before;
    EXPECT_EQ(idle.inet, kIdle) << idle.ToString();
    EXPECT_EQ(idle.total, kIdle * static_cast<long>(kCurlDescriptorsPerIdleConnection)) << idle.ToString();
  }
  FdCounts const after = CountFds() - before;
  EXPECT_EQ(after.total, 0) << after.ToString();
}

// FitDescriptorLimit() in this process: a soft limit too low for the plan is raised (the hard
// limit allows it), and then the planned requests really do open without EMFILE.
TEST_F(CurlDescriptorsTest, FitDescriptorLimitRaisesTheSoftLimitSoThePlanOpens) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  FdCounts const base = CountFds();
  constexpr std::size_t kWorkers = 8;
  ccrec::DescriptorPlan plan;
  plan.workers = kWorkers;
  plan.transfers_per_worker = 2;
  plan.idle_connections = 0;
  plan.reserved = static_cast<std::size_t>(base.total) + 16;
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(base.total + 20);  // room for ~1 worker
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < ccrec::DescriptorsNeeded(plan, kWorkers)) {
    GTEST_SKIP() << "hard limit " << saved.rlim_max << " too low for this test";
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);

  auto fitted = ccrec::FitDescriptorLimit(plan);
  rlimit now{};
  ::getrlimit(RLIMIT_NOFILE, &now);
  ASSERT_TRUE(fitted) << fitted.error().ToString();
  EXPECT_TRUE(fitted->raised) << fitted->message;
  EXPECT_FALSE(fitted->lowered) << fitted->message;
  EXPECT_EQ(fitted->workers, kWorkers);
  EXPECT_EQ(static_cast<std::uint64_t>(now.rlim_cur), ccrec::DescriptorsNeeded(plan, kWorkers));
  EXPECT_NE(fitted->message.find("raised the open-file soft limit"), std::string::npos) << fitted->message;

  {
    CurlOptions options;
    options.max_idle_connections = 0;
    auto transport = MakeCurlTransport(options);
    std::vector<HttpResponse> responses;
    for (std::size_t i = 0; i < kWorkers * plan.transfers_per_worker; ++i) {
      responses.push_back(Get(*transport, Url("/bytes?n=8000000")));
      ASSERT_TRUE(responses.back().body) << "request " << i << " failed under soft limit " << now.rlim_cur;
    }
  }
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // namespace
