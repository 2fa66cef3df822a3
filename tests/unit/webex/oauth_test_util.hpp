// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the OAuth unit tests: a rotating token endpoint and stored-token builder.

#include "webex_test_util.hpp"

#include <ccrec/testing/fake_http_transport.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace webex_test {

using ccrec::testing::MakeResponse;

/// A token endpoint with rotating refresh tokens: every refresh returns a new refresh token and
/// invalidates the old one (a reused one gets 400 invalid_grant).
class TokenServer {
 public:
  explicit TokenServer(std::string initial_refresh = "rt-0") : valid_refresh_(std::move(initial_refresh)) {}

  std::int64_t expires_in = 3600;
  std::int64_t refresh_expires_in = 7776000;
  bool omit_refresh_token = false;
  bool omit_refresh_expiry = false;

  FakeHttpTransport::Handler Handler() {
    return [this](RecordedRequest const& r) -> ccrec::Result<ccrec::HttpResponse> {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      auto form = QueryOf("?" + r.body);
      forms_.push_back(form);
      if (r.method != "POST" || r.Header("Content-Type") != "application/x-www-form-urlencoded" ||
          form["client_id"] != "client-id-1" || form["client_secret"] != "client-secret-1") {
        return MakeResponse(401, R"({"error":"invalid_client","error_description":"bad client"})", JsonHeaders());
      }
      if (form["grant_type"] == "refresh_token") {
        if (form["refresh_token"] != valid_refresh_) {
          return MakeResponse(400, R"({"error":"invalid_grant","error_description":"refresh token reused"})",
                              JsonHeaders());
        }
      } else if (form["grant_type"] == "authorization_code") {
        if (form["code"] != "good-code" || form["redirect_uri"] != "https://app.example.com/callback") {
          return MakeResponse(400, R"({"error":"invalid_grant","error_description":"bad code"})", JsonHeaders());
        }
      } else {
        return MakeResponse(400, R"({"error":"unsupported_grant_type"})", JsonHeaders());
      }
      ++issued_;
      std::string access = "at-" + std::to_string(issued_);
      std::string body = R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":)" +
                         std::to_string(expires_in);
      if (!omit_refresh_token) {
        valid_refresh_ = "rt-" + std::to_string(issued_);
        body += R"(,"refresh_token":")" + valid_refresh_ + "\"";
      }
      if (!omit_refresh_expiry) body += R"(,"refresh_token_expires_in":)" + std::to_string(refresh_expires_in);
      body += "}";
      return MakeResponse(200, body, JsonHeaders());
    };
  }

  int Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::map<std::string, std::string>> Forms() const {
    std::lock_guard<std::mutex> lock(mu_);
    return forms_;
  }
  std::string ValidRefresh() const {
    std::lock_guard<std::mutex> lock(mu_);
    return valid_refresh_;
  }

 private:
  mutable std::mutex mu_;
  std::string valid_refresh_;
  int requests_ = 0;
  int issued_ = 0;
  std::vector<std::map<std::string, std::string>> forms_;
};

inline ccrec::OAuthToken StoredToken(std::chrono::system_clock::time_point expires_at, std::string access = "at-old",
                       std::string refresh = "rt-0") {
  ccrec::OAuthToken t;
  t.access_token = std::move(access);
  t.expires_at = expires_at;
  t.refresh_token = std::move(refresh);
  return t;
}

}  // namespace webex_test
