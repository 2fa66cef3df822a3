// SPDX-License-Identifier: Apache-2.0
// ReadTokenResponse (webex/parse.hpp): the JSON answer of the Webex token endpoint and of the
// Service App token endpoint (reference webex-cc.md §2.2, §2.6), shared by OAuthClient and
// ServiceAppTokenSource.

#include "webex/parse.hpp"

#include <algorithm>
#include <utility>

namespace ccrec::webex::detail {

namespace util = ::ccrec::detail;

namespace {

/// Largest lifetime accepted from expires_in / refresh_token_expires_in (10 years).
constexpr std::int64_t kMaxLifetimeSeconds = std::int64_t{10} * 365 * 24 * 3600;

}  // namespace

Result<TokenResponse> ReadTokenResponse(rapidjson::Value const& doc, std::string const& what, SysTime now) {
  if (!doc.IsObject()) return MakeError(ErrorCode::kParse, what + " response is not a JSON object");
  auto access = util::OptString(doc, "access_token");
  if (!access || access->empty()) {
    return MakeError(ErrorCode::kParse, what + " response has no \"access_token\" string");
  }
  auto expires_in = util::OptInt64(doc, "expires_in");
  if (!expires_in || *expires_in <= 0) {
    return MakeError(ErrorCode::kParse, what + " response has no positive integer \"expires_in\" (seconds)");
  }
  TokenResponse out;
  out.lifetime = std::chrono::seconds(std::min(*expires_in, kMaxLifetimeSeconds));
  OAuthToken& t = out.token;
  t.access_token = std::move(*access);
  t.token_type = util::OptString(doc, "token_type").value_or("Bearer");
  if (t.token_type.empty()) t.token_type = "Bearer";
  t.expires_at = now + out.lifetime;
  t.refresh_token = util::OptString(doc, "refresh_token").value_or("");
  if (auto refresh_in = util::OptInt64(doc, "refresh_token_expires_in"); refresh_in && *refresh_in > 0) {
    t.refresh_token_expires_at = now + std::chrono::seconds(std::min(*refresh_in, kMaxLifetimeSeconds));
  }
  return out;
}

}  // namespace ccrec::webex::detail
