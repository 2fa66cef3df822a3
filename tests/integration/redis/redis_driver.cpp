// SPDX-License-Identifier: Apache-2.0
// One "instance" of a multi-process test (it_redis_multiprocess.cpp starts several): M threads
// sharing one OAuthClient whose token store is Redis and, in --mode limit, one Webex client whose
// rate limiter is Redis, against the Webex CC emulator. Prints "ok=N failed=N" and the first
// error; exits 0 when nothing failed.
//
//   redis_driver --mode tokens|limit --redis URL --api-base-url URL --token-url URL
//                --client-id ID --client-secret S --threads M
//                [--seconds S] (tokens) [--requests-per-thread K --limit N --window-ms W --margin-ms X] (limit)

#include <ccrec/redis/redis_rate_limiter.hpp>
#include <ccrec/redis/redis_token_store.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

int Fail(std::string const& why) {
  std::fprintf(stderr, "redis_driver: %s\n", why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) a[argv[i]] = argv[i + 1];
  for (char const* required : {"--mode", "--redis", "--api-base-url", "--token-url", "--client-id", "--client-secret",
                               "--threads"}) {
    if (a.count(required) == 0) return Fail(std::string("missing ") + required);
  }
  auto loc = ccrec::redis::ParseRedisUrl(a["--redis"]);
  if (!loc) return Fail(loc.error().message);
  bool const limit_mode = a["--mode"] == "limit";
  int const threads = std::stoi(a["--threads"]);

  ccrec::redis::RedisTokenStoreOptions store_options;
  store_options.server = loc->server;
  store_options.key = loc->key_prefix + ":token";
  store_options.logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kWarn);
  ccrec::webex::OAuthClientOptions oauth_options;
  oauth_options.config.client_id = a["--client-id"];
  oauth_options.config.client_secret = a["--client-secret"];
  oauth_options.config.token_url = a["--token-url"];
  oauth_options.config.min_refresh_buffer = 1s;  // the emulator's 4 s tokens: refreshed with 1 s left
  oauth_options.store = ccrec::redis::MakeRedisTokenStore(store_options);
  oauth_options.logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kWarn);
  auto oauth = std::make_shared<ccrec::webex::OAuthClient>(std::move(oauth_options));

  ccrec::webex::ClientOptions client_options;
  client_options.base_url = a["--api-base-url"];
  client_options.tokens = oauth;
  client_options.logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kWarn);
  if (limit_mode) {
    ccrec::redis::RedisRateLimiterOptions limiter;
    limiter.server = loc->server;
    limiter.key = ccrec::redis::RedisRateLimitKey(loc->key_prefix, a["--client-id"]);
    limiter.max_requests = static_cast<std::size_t>(std::stoul(a["--limit"]));
    limiter.window = std::chrono::milliseconds(std::stol(a["--window-ms"]));
    limiter.margin = std::chrono::milliseconds(std::stol(a["--margin-ms"]));
    client_options.rate_limiter = ccrec::redis::MakeRedisRateLimiter(limiter);
  }
  ccrec::webex::Client client(std::move(client_options));
  ccrec::webex::TaskQuery query;
  query.from = std::chrono::system_clock::time_point(std::chrono::seconds(1793491200));  // 2026-11-01
  query.to = query.from + 1h;
  query.page_size = 5;

  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::mutex mu;
  std::string first_error;
  auto record = [&](bool success, std::string const& error) {
    if (success) {
      ++ok;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    if (failed++ == 0) first_error = error;
  };
  std::vector<std::thread> pool;
  if (limit_mode) {
    int const each = std::stoi(a["--requests-per-thread"]);
    for (int t = 0; t < threads; ++t) {
      // `each` and `until` are captured by value: the threads outlive this block's scope (joined below).
      pool.emplace_back([&, each] {
        for (int k = 0; k < each; ++k) {
          auto page = client.ListTasksPage(query);
          record(page.has_value(), page ? std::string() : page.error().ToString());
        }
      });
    }
  } else {
    auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(a["--seconds"]));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t, until] {
        auto next_call = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() < until) {
          auto token = oauth->AccessToken({});
          record(token.has_value(), token ? std::string() : token.error().ToString());
          // Thread 0 also uses the token, twice a second: the emulator answers 401 to a stale one.
          if (t == 0 && std::chrono::steady_clock::now() >= next_call) {
            auto page = client.ListTasksPage(query);
            record(page.has_value(), page ? std::string() : page.error().ToString());
            next_call += 500ms;
          }
          std::this_thread::sleep_for(10ms);
        }
      });
    }
  }
  for (auto& t : pool) t.join();
  std::printf("ok=%d failed=%d\n", ok.load(), failed.load());
  if (failed > 0) std::printf("first error: %s\n", first_error.c_str());
  return failed > 0 ? 1 : 0;
}
