// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: small helpers around HttpTransport for JSON APIs. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/oauth.hpp>

#include "internal/error_util.hpp"
#include "internal/http_util.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ccrec::webex::detail {

/// Largest API response body read into memory: 16 MiB. The largest legitimate pages are a tasks
/// page (pageSize max 1000 in the Webex CC OpenAPI: 414 KiB from the emulator, ~2 MiB at a
/// pessimistic 2 KiB per real task) and a captures answer (at most 10 task ids: 31 KiB with
/// segments and VA recordings). A larger body fails the call with kParse naming the endpoint and
/// the limit (issue 12: a hostile server must not make the client buffer 64 MiB per worker).
inline constexpr std::size_t kMaxApiBodyBytes = std::size_t{16} << 20;
/// How much of an error body is read for the error message: the shared 64 KiB.
using ::ccrec::detail::kMaxErrorBodyBytes;

/// A fully read response (the shared internal one).
using BufferedResponse = ::ccrec::detail::BufferedResponse;

/// ::ccrec::detail::SendBuffered with the Webex caps: up to kMaxApiBodyBytes for 2xx (a read failure is
/// the reader's error, kTransport when the connection dropped), up to kMaxErrorBodyBytes otherwise.
Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx);

/// A Webex CC API request: `Authorization: Bearer <token>`, `Accept: application/json`, a new
/// `TrackingId` (CCREC_<uuid>), a JSON body when `body` is set, `request_timeout` when positive,
/// then CallContext::extra_headers (which may replace any of these, the TrackingId included).
HttpRequest MakeApiRequest(std::string const& method, std::string const& url, std::string const& token,
                           std::optional<std::string> const& body, std::chrono::milliseconds request_timeout,
                           CallContext const& ctx);

/// Runs `attempt(token)` with an access token from `tokens`. When it fails with HTTP 401 (the
/// token was revoked or expired early: reference webex-cc.md §2.4), the token is invalidated and
/// `attempt` runs once more with a fresh one, logged at info level. A second 401 is returned as
/// kUnauthenticated saying that an admin must re-authorize (`scope`, when not empty, names the
/// scope the integration needs). A token that cannot be had fails with its own error, `what`
/// prefixed. Every other result of `attempt` is returned as it is.
template <typename Attempt>
auto WithAccessToken(AccessTokenSource& tokens, CallContext const& ctx, Logger const& logger, std::string const& what,
                     std::string_view scope, Attempt attempt) -> decltype(attempt(std::string())) {
  for (int auth_attempt = 1;; ++auth_attempt) {
    auto token = tokens.AccessToken(ctx);
    if (!token) {
      return ::ccrec::detail::WithContext(std::move(token).error(), what + ": getting an access token failed");
    }
    auto result = attempt(*token);
    if (result || result.error().http_status != 401) return result;
    if (auth_attempt == 1) {
      logger.Info(what + ": HTTP 401; refreshing the access token and retrying once");
      tokens.Invalidate(*token);
      continue;
    }
    Error e = std::move(result).error();
    e.code = ErrorCode::kUnauthenticated;
    e.message += "; the access token was rejected again after a refresh: an admin must re-authorize the integration";
    if (!scope.empty()) e.message += " (scope " + std::string(scope) + ")";
    e.message += " and store the new token";
    return e;
  }
}

}  // namespace ccrec::webex::detail
