// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared helpers for the ccrec::webex unit tests: fakes wired together, log capture.

#include <ccrec/core/token_store.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>

#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace webex_test {

using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec::testing::RecordedRequest;

inline constexpr char kBaseUrl[] = "https://api.wxcc-test.example.com";
/// A Tasks answer without tasks.
inline constexpr char kEmptyTasks[] = R"({"meta":{"orgId":"org-1"},"data":[]})";
inline constexpr char kTokenUrl[] = "https://webexapis.example.com/v1/access_token";

/// Collects log lines (thread-safe).
class LogCapture {
 public:
  ccrec::Logger MakeLogger(ccrec::LogLevel level = ccrec::LogLevel::kDebug) {
    return ccrec::Logger(level, [this](ccrec::LogLevel l, std::string_view m) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(l, std::string(m));
    });
  }
  std::vector<std::pair<ccrec::LogLevel, std::string>> Lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  std::string All() const {
    std::string all;
    for (auto const& [l, m] : Lines()) all += m + "\n";
    return all;
  }
  bool Contains(std::string_view needle, ccrec::LogLevel level) const {
    for (auto const& [l, m] : Lines()) {
      if (l == level && m.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<ccrec::LogLevel, std::string>> lines_;
};

/// Query parameters of a recorded request (decoded), by name.
inline std::map<std::string, std::string> QueryOf(std::string const& url) {
  std::map<std::string, std::string> out;
  auto q = url.find('?');
  if (q == std::string::npos) return out;
  for (auto const& [k, v] : ccrec::detail::ParseQuery(url.substr(q + 1))) out[k] = v;
  return out;
}

inline std::int64_t Ms(std::chrono::system_clock::time_point t) { return ccrec::detail::ToEpochMs(t); }
inline std::chrono::system_clock::time_point At(std::int64_t ms) { return ccrec::detail::FromEpochMs(ms); }

/// The tasks of 2026-10-31 (UTC).
inline ccrec::webex::TaskQuery OneDay() {
  ccrec::webex::TaskQuery q;
  q.from = At(1793404800000);  // 2026-10-31T00:00:00Z
  q.to = At(1793491200000);    // 2026-11-01T00:00:00Z
  return q;
}

inline ccrec::HttpHeaders JsonHeaders() { return {{"Content-Type", "application/json"}}; }

/// Clock, sleeper, transport, token source and client, all fake.
struct Env {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<ManualSleeper> sleeper = std::make_shared<ManualSleeper>(clock);
  std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
  LogCapture logs;

  ccrec::RetryPolicy Retry() const {
    ccrec::RetryPolicy p;
    p.max_attempts = 4;
    return p;
  }

  ccrec::webex::Client MakeClient(std::shared_ptr<ccrec::webex::AccessTokenSource> tokens = nullptr) {
    ccrec::webex::ClientOptions o;
    o.base_url = kBaseUrl;
    o.tokens = tokens ? std::move(tokens) : ccrec::webex::MakeStaticAccessTokenSource("static-access-token");
    o.transport = transport;
    o.clock = clock;
    o.sleeper = sleeper;
    o.retry = Retry();
    o.logger = logs.MakeLogger();
    return ccrec::webex::Client(std::move(o));
  }

  std::shared_ptr<ccrec::webex::OAuthClient> MakeOAuth(std::shared_ptr<ccrec::TokenStore> store) {
    ccrec::webex::OAuthClientOptions o;
    o.config.client_id = "client-id-1";
    o.config.client_secret = "client-secret-1";
    o.config.token_url = kTokenUrl;
    o.config.redirect_uri = "https://app.example.com/callback";
    o.store = std::move(store);
    o.transport = transport;
    o.clock = clock;
    o.sleeper = sleeper;
    o.retry = Retry();
    o.logger = logs.MakeLogger();
    return std::make_shared<ccrec::webex::OAuthClient>(std::move(o));
  }

  /// Requests whose URL contains `part`.
  std::vector<RecordedRequest> RequestsTo(std::string const& part) const {
    std::vector<RecordedRequest> out;
    for (auto& r : transport->Requests()) {
      if (r.url.find(part) != std::string::npos) out.push_back(r);
    }
    return out;
  }
};

}  // namespace webex_test
