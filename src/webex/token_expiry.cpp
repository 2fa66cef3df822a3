// SPDX-License-Identifier: Apache-2.0
// RefreshTokenExpiryWarning (oauth.hpp): the "refresh token expires soon" warning, shared by
// OAuthClient and ccrec-export.
#include <ccrec/webex/oauth.hpp>

#include "internal/time_util.hpp"

#include <string>

namespace ccrec::webex {

namespace {

std::string FormatHours(std::chrono::system_clock::duration d) {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(d).count();
  if (hours >= 48) return std::to_string(hours / 24) + " days";
  return std::to_string(hours) + " hours";
}

}  // namespace

std::optional<std::string> RefreshTokenExpiryWarning(OAuthToken const& token,
                                                     std::chrono::system_clock::time_point now) {
  if (!token.refresh_token_expires_at || token.refresh_token.empty()) return std::nullopt;
  auto const left = *token.refresh_token_expires_at - now;
  if (left >= kRefreshTokenWarningWindow) return std::nullopt;
  std::string const when = ::ccrec::detail::FormatIso8601(*token.refresh_token_expires_at);
  std::string const remedy =
      "an org administrator must re-authorize the integration (ccrec-export webex login), or a new Service App "
      "token be fetched";
  if (left <= std::chrono::system_clock::duration::zero()) {
    return "the Webex refresh token expired at " + when + "; " + remedy;
  }
  return "the Webex refresh token expires at " + when + " (in " + FormatHours(left) + "); " + remedy +
         " before then (a refresh does not necessarily extend it)";
}

}  // namespace ccrec::webex
