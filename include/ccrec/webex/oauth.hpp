// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex OAuth2 for Contact Center: the authorize-URL builder, the authorization-code exchange,
/// and `OAuthClient`, an `AccessTokenSource` that refreshes ahead of expiry (single-flight across
/// threads and, through `TokenStore::Update`, across processes) and persists the rotating
/// refresh token on every refresh.
///
/// Source: ccrec reference `webex-cc.md` §2 (OAuth2: authorize §2.1, token endpoint §2.2,
/// lifetimes §2.3, refresh-token rotation §2.4, scopes §2.5).

#include <ccrec/core/export.hpp>
#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/core/token_store.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::webex {

/// The scope ccrec needs for Tasks and Captures (reference §2.5). Cisco's own recording
/// extractor asks for this one only.
inline constexpr char kScopeConfigRead[] = "cjp:config_read";

/// An OAuth2 integration (or Service App) registration on developer.webex.com.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT OAuthConfig {
  /// The integration's client id. Required.
  std::string client_id;
  /// The integration's client secret. Required. Never logged.
  std::string client_secret;
  /// Token endpoint (`POST`, form-encoded). Default "https://webexapis.com/v1/access_token"
  /// for every data centre. Plain http is refused (kInvalidArgument, nothing sent) unless the
  /// host is loopback: the client secret and refresh token would cross the network in clear.
  std::string token_url = "https://webexapis.com/v1/access_token";
  /// Authorize endpoint (interactive). Default "https://webexapis.com/v1/authorize".
  std::string authorize_url = "https://webexapis.com/v1/authorize";
  /// Redirect URI registered with the integration; required for the authorization-code flow
  /// (authorize URL and code exchange), unused by refreshes.
  std::string redirect_uri;
  /// Refresh when less than max(min_refresh_buffer, refresh_fraction x lifetime) of the access
  /// token's life remains. Default 300 s (5 min).
  std::chrono::seconds min_refresh_buffer{300};
  /// See min_refresh_buffer. The lifetime is known only for tokens this client obtained itself
  /// (expires_in); for tokens loaded from the store only min_refresh_buffer applies. Default 0.10.
  double refresh_fraction = 0.10;
};

/// Builds the one-time, interactive authorize URL an org administrator opens:
/// `authorize_url?response_type=code&client_id=..&redirect_uri=..&scope=..&state=..`.
///
/// @param config client_id, redirect_uri and authorize_url are used.
/// @param scopes joined with single spaces, then percent-encoded (RFC 3986, so the space is %20),
///        e.g. {kScopeConfigRead}.
/// @param state an unguessable value the redirect echoes back (CSRF protection); the caller
///        checks it. Omitted from the URL when empty.
/// @return the URL. Every value is percent-encoded.
///
/// Source: reference §2.1 (`GET https://webexapis.com/v1/authorize`).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string BuildAuthorizeUrl(OAuthConfig const& config, std::vector<std::string> const& scopes,
                                           std::string const& state);

/// How long before the refresh token's expiry the warning of RefreshTokenExpiryWarning() starts:
/// 7 days.
inline constexpr std::chrono::hours kRefreshTokenWarningWindow{7 * 24};

/// The warning to log when `token`'s refresh token expires within kRefreshTokenWarningWindow of
/// `now` (or has expired): it names the expiry time (ISO-8601 UTC) and what is left, and says that
/// an administrator must re-authorize (integration) or a new Service App token be fetched.
///
/// @return nullopt when the token has no refresh token, no known refresh-token expiry
///   (`refresh_token_expires_at` unset), or more than 7 days are left. Token values are never
///   part of the text.
///
/// OAuthClient logs this on every refresh and whenever it first uses a token read from its store,
/// so every run that uses the token warns; `ccrec-export` logs it also for runs that end before
/// any API call.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<std::string> RefreshTokenExpiryWarning(OAuthToken const& token,
                                                                  std::chrono::system_clock::time_point now);

/// Supplies valid, unexpired access tokens to API clients.
///
/// @par Thread safety
/// Implementations must be thread-safe.
class CCREC_EXPORT AccessTokenSource {
 public:
  virtual ~AccessTokenSource();
  /// Returns an access token that is valid and not about to expire, refreshing first if needed.
  /// Errors: kUnauthenticated when no usable credentials exist or the refresh was refused (an
  /// administrator must re-authorize), kTransport/kUnavailable/kRateLimited from the token
  /// endpoint, kCancelled/kDeadlineExceeded from `ctx`.
  virtual Result<std::string> AccessToken(CallContext const& ctx) = 0;
  /// Marks `access_token` as rejected (the API answered 401), so that the next AccessToken()
  /// refreshes instead of returning it. Ignored when `access_token` is no longer current.
  virtual void Invalidate(std::string const& access_token) = 0;
};

/// A fixed access token (tests, or a developer-portal personal token). Never refreshes;
/// Invalidate() makes later AccessToken() calls fail with kUnauthenticated.
///
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<AccessTokenSource> MakeStaticAccessTokenSource(std::string access_token);

/// An AccessTokenSource whose token pair lives in a TokenStore: it refreshes on demand and says
/// whether the store holds its current token. OAuthClient (an integration) and
/// ServiceAppTokenSource (a Service App) implement it, so a program refreshes now, or saves at
/// exit, the same way whichever one it was given.
///
/// @par Thread safety
/// Implementations must be thread-safe.
class CCREC_EXPORT StoredTokenSource : public AccessTokenSource {
 public:
  ~StoredTokenSource() override;
  /// Refreshes now and persists the new token. Errors: as the implementation's Refresh().
  virtual Result<OAuthToken> Refresh(CallContext const& ctx) = 0;
  /// Saves now a token the store refused earlier. OK when the store holds the current token;
  /// otherwise the store's error (the token stays in memory and in use).
  virtual Result<void> Flush(CallContext const& ctx) = 0;
};

/// What every client of a Webex token endpoint needs: the OAuth client credentials, the store of
/// the token pair and the HTTP plumbing (HttpClientOptions). The base of OAuthClientOptions and
/// ServiceAppOptions.
///
/// From HttpClientOptions: `clock` decides expiry; `sleeper` waits between retries of the token
/// endpoint; `retry` covers token requests (transport errors, 429 honouring Retry-After, 5xx);
/// `logger` receives warnings (refresh token expiring within 7 days, refresh failures) and errors
/// (a new token the store could not save, and where it was rescued). Tokens, codes and secrets
/// are never logged.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT TokenClientOptions : HttpClientOptions {
  /// The integration's (or Service App's) OAuth client credentials and endpoints.
  OAuthConfig config;
  /// Where the token pair lives (memory, or the JSON token file). Required: without a store
  /// every call fails with kInvalidArgument. Refreshes go through TokenStore::Update, so with a
  /// file store two processes never spend the same refresh token.
  std::shared_ptr<TokenStore> store;
  /// Total time one attempt of a token request (connect, POST, status, headers and body) may take
  /// before it fails with kDeadlineExceeded (not retried). Bounds a token endpoint that trickles
  /// its answer, which the transport's low-speed floor (1 byte/s) never catches; with a file
  /// store the refresh holds the store's cross-process lock, which is released when the request
  /// fails. Default 30 s (a token answer is under 2 KB); 0 = none (the transport's
  /// CurlOptions::total_timeout applies).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

/// Construction options of OAuthClient: exactly TokenClientOptions (its fields are documented
/// there). Only `config` and `store` are required.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT OAuthClientOptions : TokenClientOptions {};

/// OAuth2 client for the Webex token endpoint: the StoredTokenSource of an integration, used by
/// webex::Client.
///
/// - Token requests are form-encoded `POST token_url` with grant_type `authorization_code` or
///   `refresh_token` plus client_id and client_secret.
/// - `expires_at = now + expires_in` on receipt; the access token is refreshed when less than
///   max(min_refresh_buffer, refresh_fraction x lifetime) remains, so an expired (or nearly
///   expired) token is never handed out.
/// - The refresh token returned by every refresh is persisted (rotation); the old one is kept
///   only if the response has no `refresh_token`. `refresh_token_expires_at` is persisted too, and
///   a warning is logged when the refresh token expires within 7 days.
/// - Refreshes are single-flight: concurrent callers wait for one token request. Across
///   processes the refresh runs inside TokenStore::Update, which first re-reads the store and
///   adopts a token another process already refreshed.
/// - A refresh POST is never repeated blindly: each retry (after a transport error, 429 or 5xx,
///   when the server may already have rotated the refresh token) first re-reads the store under
///   its lock and adopts a token another writer stored meanwhile.
/// - A new token is never dropped because the store cannot save it (disk full, read-only file
///   system, ...): the client keeps it in memory and uses it (also for the next refresh, while
///   the store still holds the token it replaced), logs an error-level message with the store's
///   error (the JSON file store names a 0600 rescue file holding the token; see
///   MakeJsonFileTokenStore()), retries the save twice right away (1 s apart), then from
///   AccessToken() at most every 30 s, in Flush() and in the destructor. A token another writer
///   stored meanwhile is never overwritten. Token values are never logged.
///
/// Source: reference §2.2–§2.4.
///
/// @par Thread safety
/// Thread-safe: share one instance among clients and threads.
class CCREC_EXPORT OAuthClient : public StoredTokenSource {
 public:
  /// Builds the client; no I/O happens here. Missing transport/clock/sleeper get defaults.
  explicit OAuthClient(OAuthClientOptions options);
  /// Makes one last attempt to save a token the store refused (see Flush()), logging an error
  /// if that fails too.
  ~OAuthClient() override;
  OAuthClient(OAuthClient const&) = delete;
  OAuthClient& operator=(OAuthClient const&) = delete;

  /// Exchanges the `code` from the authorize redirect for a token pair and saves it in the store
  /// (`grant_type=authorization_code`, with client_id, client_secret, code, redirect_uri),
  /// replacing whatever the store held. The code is redeemed inside TokenStore::Update, so a
  /// store that cannot be read or locked fails before the single-use code is spent.
  ///
  /// @param code the `code` query parameter of the redirect (single use, short-lived).
  /// @return the stored token.
  /// Errors: kUnauthenticated (vendor_code "invalid_grant") when the code is expired, used or
  /// issued for another redirect_uri; kUnauthenticated ("invalid_client") for a wrong client
  /// id/secret; kParse when the response lacks `access_token` or `expires_in`; kInvalidArgument
  /// when code or redirect_uri is empty; transport/5xx/429 errors after retries; store errors.
  /// When the token was issued but the store could not save it, the store's error is returned
  /// (the JSON file store's names the rescue file) and the client keeps and uses the token as
  /// after a refresh (see the class notes).
  Result<OAuthToken> ExchangeAuthorizationCode(std::string const& code, CallContext const& ctx = {});

  /// Forces a refresh (`grant_type=refresh_token`) now, unless another thread or process has
  /// refreshed meanwhile (then its token is returned), and persists the result.
  ///
  /// @return the new token; also when the store refused to save it (it is then kept in memory,
  ///   logged and saved later: see the class notes and Flush()).
  /// Errors: kUnauthenticated when the store holds no refresh token, or the refresh token was
  /// rejected ("invalid_grant": an administrator must re-authorize); kParse for a malformed
  /// response; store read/lock errors; transport/5xx/429 errors after retries (each retry
  /// re-reads the store first).
  Result<OAuthToken> Refresh(CallContext const& ctx = {}) override;

  /// Returns a valid access token, refreshing ahead of expiry (single-flight).
  /// If a refresh fails while the current token is still unexpired, that token is returned and a
  /// warning logged; refreshing is then retried no sooner than 30 s later.
  /// Errors: as Refresh(); kUnauthenticated when nothing is stored (run the authorization flow).
  Result<std::string> AccessToken(CallContext const& ctx) override;

  /// Marks `access_token` as rejected so the next AccessToken() refreshes.
  void Invalidate(std::string const& access_token) override;

  /// Saves, now, a token the store refused earlier (see the class notes); call it before the
  /// process exits to learn whether the store holds the current token.
  ///
  /// @return OK when nothing is pending (the store holds the current token, or another writer
  ///   replaced it meanwhile). Otherwise the store's error, e.g. kInternal "cannot save the token
  ///   to PATH (...): ... written to RESCUE ..." from the JSON file store; the token stays in
  ///   memory and is still used. kCancelled/kDeadlineExceeded from `ctx`.
  Result<void> Flush(CallContext const& ctx = {}) override;

 private:
  struct CCREC_HIDDEN Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccrec::webex
