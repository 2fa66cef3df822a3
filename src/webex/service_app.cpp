// SPDX-License-Identifier: Apache-2.0
// ServiceAppTokenSource (webex/service_app.hpp): Webex Service App tokens — fetched from
// POST /applications/{applicationId}/token, refreshed and rotated through OAuthClient.
#include <ccrec/webex/service_app.hpp>

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/errors.hpp>

#include "internal/client_runtime.hpp"
#include "internal/error_util.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/url.hpp"
#include "webex/http_util.hpp"
#include "webex/parse.hpp"

#include <mutex>

namespace ccrec::webex {

namespace util = ::ccrec::detail;

namespace {

/// A stored token with less than this left is not adopted instead of fetching.
constexpr std::chrono::minutes kAdoptMargin{5};

OAuthClientOptions RefreshOptions(ServiceAppOptions const& o, std::shared_ptr<HttpTransport> transport) {
  OAuthClientOptions out;
  static_cast<TokenClientOptions&>(out) = o;
  out.transport = std::move(transport);
  return out;
}

}  // namespace

struct ServiceAppTokenSource::Impl : util::ClientRuntime {
  explicit Impl(ServiceAppOptions o)
      : util::ClientRuntime(o, [] { return MakeCurlTransport(); }),
        options(std::move(o)),
        oauth(RefreshOptions(options, transport)) {}

  ServiceAppOptions options;
  OAuthClient oauth;
  std::mutex fetch_mu;  // one fetch at a time in this process (the store's lock covers processes)

  std::string Endpoint() const {
    return util::JoinUrl(options.webexapis_url, "/applications/" + util::PercentEncode(options.application_id) +
                                                    "/token");
  }

  Result<OAuthToken> Post(CallContext const& ctx) {
    std::string const what = "Webex Service App token endpoint (POST /applications/{applicationId}/token)";
    if (options.application_id.empty() || options.target_org_id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       what + ": the application id and the target org id are required");
    }
    if (options.config.client_id.empty() || options.config.client_secret.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, what + ": the Service App's client id and client secret are required");
    }
    if (!options.applications_token) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "no usable Service App token stored, and no token with scope spark:applications_token was "
                       "given to fetch one (" + what + ")");
    }
    auto const url = Endpoint();
    auto const parsed = util::ParseUrl(url);
    if (!parsed) {
      return MakeError(ErrorCode::kInvalidArgument,
                       what + ": \"" + RedactUrl(options.webexapis_url) + "\" is not an http(s) URL");
    }
    if (auto problem = util::InsecureCredentialUrlProblem(*parsed, "Webex Service App: webexapis_url");
        !problem.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, problem);
    }
    auto bearer = options.applications_token->AccessToken(ctx);
    if (!bearer) {
      return util::WithContext(std::move(bearer).error(),
                               "the token with scope spark:applications_token (to fetch the Service App token)");
    }
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    if (options.request_timeout.count() > 0) request.timeout = options.request_timeout;
    request.headers = {{"Content-Type", "application/json"},
                       {"Accept", "application/json"},
                       {"Authorization", "Bearer " + *bearer}};
    request.body = MakeStringBody("{\"clientId\":\"" + util::JsonEscape(options.config.client_id) +
                                  "\",\"clientSecret\":\"" + util::JsonEscape(options.config.client_secret) +
                                  "\",\"targetOrgId\":\"" + util::JsonEscape(options.target_org_id) + "\"}");
    // Not idempotent once answered (a new pair each time): retried only before a response.
    auto response = util::RunWithRetries(Env(), ctx, false, what, [&](int) -> Result<util::BufferedResponse> {
      auto r = detail::SendBuffered(*transport, request, ctx);
      if (!r) return util::WithContext(std::move(r).error(), what);
      if (r->status < 200 || r->status > 299) return MapError(r->status, r->body, r->headers, what, *bearer);
      return r;
    });
    if (!response) return std::move(response).error();
    if (auto ct = detail::CheckJsonContentType(response->headers, what + " response"); !ct) return std::move(ct).error();
    auto doc = util::ParseJson(response->body, what + " response");
    if (!doc) return std::move(doc).error();
    auto const now = clock->Now();
    auto read = detail::ReadTokenResponse(*doc, what, now);
    if (!read) return std::move(read).error();
    OAuthToken t = std::move(read->token);
    if (t.refresh_token.empty()) {
      t.refresh_token_expires_at.reset();  // the expiry of no refresh token
      logger.Warn(what + ": the response has no refresh_token; a new Service App token is fetched when this one "
                         "expires");
    }
    if (auto warning = RefreshTokenExpiryWarning(t, now)) logger.Warn(*warning);
    return t;
  }

  Error MapError(int status, std::string_view body, HttpHeaders const& headers, std::string const& what,
                 std::string const& bearer) const {
    Error e = MapWebexError(status, body, headers, what, clock->Now());
    if (status == 401) {
      e.message += "; check the Service App's client id and secret, and that the token given for the fetch is "
                   "valid and has scope spark:applications_token";
      options.applications_token->Invalidate(bearer);
    } else if (status == 403) {
      e.message += "; a Full Admin of the target org must authorize the Service App in Control Hub (and the "
                   "target org id must be that org)";
    } else if (status == 404) {
      e.message += "; check the Service App's application id";
    }
    e.message = RedactSecrets(e.message);
    return e;
  }

  /// Fetches inside the store's lock; with `adopt_fresh`, a usable token another process stored
  /// meanwhile (not `failed_access`) is taken instead.
  Result<OAuthToken> Fetch(CallContext const& ctx, bool adopt_fresh, std::string const& failed_access) {
    if (!options.store) return MakeError(ErrorCode::kInvalidArgument, "Webex Service App: a token store is required");
    std::lock_guard<std::mutex> lock(fetch_mu);
    return options.store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
      if (adopt_fresh && current && !current->access_token.empty() && current->access_token != failed_access &&
          clock->Now() + kAdoptMargin < current->expires_at) {
        return *current;
      }
      return Post(ctx);
    });
  }

  bool ShouldFetch(Error const& e) const {
    return e.code == ErrorCode::kUnauthenticated && e.vendor_code != "invalid_client" &&
           options.applications_token != nullptr;
  }
};

ServiceAppTokenSource::ServiceAppTokenSource(ServiceAppOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ServiceAppTokenSource::~ServiceAppTokenSource() = default;

Result<OAuthToken> ServiceAppTokenSource::FetchToken(CallContext const& ctx) { return impl_->Fetch(ctx, false, {}); }

Result<OAuthToken> ServiceAppTokenSource::Refresh(CallContext const& ctx) {
  auto refreshed = impl_->oauth.Refresh(ctx);
  if (refreshed || !impl_->ShouldFetch(refreshed.error())) return refreshed;
  impl_->logger.Warn("the stored Service App token cannot be refreshed (" + refreshed.error().message +
                     "); fetching a new one from the Service App token endpoint");
  return impl_->Fetch(ctx, false, {});
}

Result<std::string> ServiceAppTokenSource::AccessToken(CallContext const& ctx) {
  auto token = impl_->oauth.AccessToken(ctx);
  if (token || !impl_->ShouldFetch(token.error())) return token;
  impl_->logger.Warn("no usable Service App token in the store (" + token.error().message +
                     "); fetching one from the Service App token endpoint");
  auto fetched = impl_->Fetch(ctx, true, {});
  if (!fetched) return std::move(fetched).error();
  return impl_->oauth.AccessToken(ctx);  // reads the stored pair
}

void ServiceAppTokenSource::Invalidate(std::string const& access_token) { impl_->oauth.Invalidate(access_token); }

Result<void> ServiceAppTokenSource::Flush(CallContext const& ctx) { return impl_->oauth.Flush(ctx); }

}  // namespace ccrec::webex
