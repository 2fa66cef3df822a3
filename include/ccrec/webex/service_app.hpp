// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex Service Apps: `ServiceAppTokenSource`, a `StoredTokenSource` whose token pair comes from
/// `POST /applications/{applicationId}/token` (a machine account authorized by a Full Admin in
/// Control Hub, independent of any user) and is then refreshed with the stored refresh token,
/// rotation persisted exactly as `OAuthClient` does.
///
/// Source: Webex Admin API "Create Service App Access Token"
/// (https://developer.webex.com/docs/api/v1/service-app/create-service-app-access-token),
/// the Service Apps guide (https://developer.webex.com/docs/service-apps); reference
/// `webex-cc.md` §2.6. That refreshes use `grant_type=refresh_token` with the Service App's own
/// client id and secret is not spelled out by Cisco (assumption; see docs/webex.md).

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/core/token_store.hpp>
#include <ccrec/webex/oauth.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ccrec::webex {

/// Construction options of ServiceAppTokenSource: the TokenClientOptions (`config` holds the
/// Service App's OAuth client id and secret, sent as `clientId`/`clientSecret` when fetching and
/// used for refreshes, and `token_url` for refreshes; redirect_uri/authorize_url are unused.
/// `store` is required. The fetch is not retried after the server answered: it issues a new
/// pair) plus the Service App's own fields below.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ServiceAppOptions : TokenClientOptions {
  /// The Service App's id (`applicationId`, shown on developer.webex.com). Required to fetch.
  std::string application_id;
  /// The customer org the token is for (`targetOrgId`). Required to fetch.
  std::string target_org_id;
  /// Base of the Webex platform API; the token is fetched from
  /// `webexapis_url + "/applications/" + application_id + "/token"`. Default
  /// "https://webexapis.com/v1". Plain http is refused unless the host is loopback.
  std::string webexapis_url = "https://webexapis.com/v1";
  /// A token with scope `spark:applications_token` (an integration of the Service App's developer)
  /// for the fetch. Optional: without it the source only refreshes what the store holds, and fails
  /// with kUnauthenticated when nothing usable is stored or the refresh token was rejected.
  std::shared_ptr<AccessTokenSource> applications_token;
};

/// The StoredTokenSource of a Webex Service App.
///
/// - AccessToken() works like OAuthClient's (refresh ahead of expiry, rotation persisted,
///   single-flight, the store re-read under its lock). When the store holds nothing usable
///   (nothing at all, or the refresh token was rejected: `invalid_grant`) and `applications_token`
///   is set, it fetches a new pair from the Service App token endpoint, stores it and uses it.
/// - FetchToken() fetches a new pair now (replacing the stored one).
///
/// Errors of the fetch: kPermissionDenied for 403 ("not authorized by a Full Admin in Control
/// Hub", or another org), kNotFound for 404 (unknown application id), kUnauthenticated for 401
/// (the applications token or the Service App's client id/secret was rejected), kInvalidArgument
/// for 400 and for missing options (application_id, target_org_id, client id/secret), kParse
/// for a response without `access_token` or a positive `expires_in`.
///
/// @par Thread safety
/// Thread-safe: share one instance.
class CCREC_EXPORT ServiceAppTokenSource : public StoredTokenSource {
 public:
  /// No I/O happens here.
  explicit ServiceAppTokenSource(ServiceAppOptions options);
  ~ServiceAppTokenSource() override;
  ServiceAppTokenSource(ServiceAppTokenSource const&) = delete;
  ServiceAppTokenSource& operator=(ServiceAppTokenSource const&) = delete;

  /// `POST {webexapis_url}/applications/{application_id}/token` with JSON
  /// `{"clientId","clientSecret","targetOrgId"}` and the applications token as bearer; stores and
  /// returns the new pair. Errors: see the class notes; kUnauthenticated when no
  /// `applications_token` was given; store errors (the store's message names its rescue file).
  Result<OAuthToken> FetchToken(CallContext const& ctx = {});

  /// Refreshes now with the stored refresh token (as OAuthClient::Refresh); when nothing usable is
  /// stored or the refresh token was rejected and `applications_token` is set, fetches instead.
  Result<OAuthToken> Refresh(CallContext const& ctx = {}) override;

  /// A valid access token (see the class notes).
  Result<std::string> AccessToken(CallContext const& ctx) override;
  /// Marks `access_token` as rejected so the next AccessToken() refreshes.
  void Invalidate(std::string const& access_token) override;
  /// As OAuthClient::Flush().
  Result<void> Flush(CallContext const& ctx = {}) override;

 private:
  struct CCREC_HIDDEN Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccrec::webex
