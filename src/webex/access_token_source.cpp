// SPDX-License-Identifier: Apache-2.0
// Webex OAuth2 building blocks without state: the authorize URL (reference webex-cc.md §2.1),
// the AccessTokenSource interface and the fixed-token source.

#include <ccrec/webex/oauth.hpp>

#include "internal/url.hpp"

#include <mutex>

namespace ccrec::webex {

namespace util = ::ccrec::detail;

AccessTokenSource::~AccessTokenSource() = default;
StoredTokenSource::~StoredTokenSource() = default;

std::string BuildAuthorizeUrl(OAuthConfig const& config, std::vector<std::string> const& scopes,
                              std::string const& state) {
  std::string scope;
  for (auto const& s : scopes) {
    if (s.empty()) continue;
    if (!scope.empty()) scope += ' ';
    scope += s;
  }
  util::QueryParams params{{"response_type", "code"},
                           {"client_id", config.client_id},
                           {"redirect_uri", config.redirect_uri},
                           {"scope", scope}};
  if (!state.empty()) params.emplace_back("state", state);
  std::string url = config.authorize_url;
  url += (url.find('?') == std::string::npos) ? '?' : '&';
  return url + util::BuildQuery(params);
}

namespace {

class StaticAccessTokenSource : public AccessTokenSource {
 public:
  explicit StaticAccessTokenSource(std::string token) : token_(std::move(token)) {}
  Result<std::string> AccessToken(CallContext const&) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (invalidated_ || token_.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "the fixed Webex access token was rejected or is empty; obtain a new token (it cannot be "
                       "refreshed)");
    }
    return token_;
  }
  void Invalidate(std::string const& access_token) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (access_token == token_) invalidated_ = true;
  }

 private:
  std::mutex mu_;
  std::string token_;
  bool invalidated_ = false;
};

}  // namespace

std::shared_ptr<AccessTokenSource> MakeStaticAccessTokenSource(std::string access_token) {
  return std::make_shared<StaticAccessTokenSource>(std::move(access_token));
}

}  // namespace ccrec::webex
