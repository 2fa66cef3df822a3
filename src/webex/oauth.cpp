// Webex OAuth2: authorize URL, code exchange, refresh with rotation, single-flight
// (reference webex-cc.md §2).

#include <ccrec/webex/oauth.hpp>

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/errors.hpp>

#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "webex/http_util.hpp"
#include "webex/parse.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>

namespace ccrec {
inline namespace v1 {
namespace webex {

namespace util = ::ccrec::internal;
using std::chrono::seconds;
using SysTime = std::chrono::system_clock::time_point;

AccessTokenSource::~AccessTokenSource() = default;

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

/// Largest lifetime accepted from expires_in / refresh_token_expires_in (10 years); larger
/// values are clamped so that time arithmetic cannot overflow.
constexpr std::int64_t kMaxLifetimeSeconds = std::int64_t{10} * 365 * 24 * 3600;
/// After a failed refresh while the current token is still valid, wait this long before trying
/// again (the old token is used meanwhile).
constexpr seconds kRetryRefreshAfterFailure{30};
/// A token is handed out after a failed refresh only while at least this much of it remains.
constexpr seconds kMinRemainingValidity{10};
/// Warn when the refresh token expires sooner than this.
constexpr std::chrono::hours kRefreshTokenWarning{7 * 24};

std::string FormatHours(std::chrono::system_clock::duration d) {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(d).count();
  if (hours >= 48) return std::to_string(hours / 24) + " days";
  return std::to_string(hours) + " hours";
}

}  // namespace

std::shared_ptr<AccessTokenSource> MakeStaticAccessTokenSource(std::string access_token) {
  return std::make_shared<StaticAccessTokenSource>(std::move(access_token));
}

struct OAuthClient::Impl {
  explicit Impl(OAuthClientOptions o)
      : config(std::move(o.config)),
        store(std::move(o.store)),
        transport(o.transport ? std::move(o.transport) : MakeCurlTransport()),
        clock(o.clock ? std::move(o.clock) : MakeSystemClock()),
        sleeper(o.sleeper ? std::move(o.sleeper) : MakeRealSleeper()),
        backoff(o.retry),
        logger(std::move(o.logger)) {}

  /// A token and, when this client obtained it itself, its lifetime (expires_in).
  struct Minted {
    OAuthToken token;
    std::optional<seconds> lifetime;
  };

  OAuthConfig config;
  std::shared_ptr<TokenStore> store;
  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Sleeper> sleeper;
  Backoff backoff;
  Logger logger;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<Minted> cached;        // guarded by mu
  std::string invalidated;             // access token the API rejected; guarded by mu
  bool refreshing = false;             // a thread is running RefreshFlow; guarded by mu
  std::uint64_t generation = 0;        // completed refresh flows; guarded by mu
  std::optional<Error> last_error;     // result of the last refresh flow; guarded by mu
  SysTime use_old_until{};             // see kRetryRefreshAfterFailure; guarded by mu

  // ---- freshness ----------------------------------------------------------------------------

  /// How long before expiry a token is refreshed: max(min_refresh_buffer, fraction x lifetime),
  /// but at most half the lifetime when it is known (short-lived tokens).
  std::chrono::milliseconds Buffer(std::optional<seconds> lifetime) const {
    std::chrono::milliseconds buffer = config.min_refresh_buffer;
    if (lifetime) {
      auto by_fraction = std::chrono::milliseconds(
          static_cast<std::int64_t>(static_cast<double>(lifetime->count()) * 1000.0 *
                                    std::clamp(config.refresh_fraction, 0.0, 1.0)));
      buffer = std::max(buffer, by_fraction);
      buffer = std::min(buffer, std::chrono::milliseconds(*lifetime) / 2);
    }
    return buffer;
  }

  bool Fresh(OAuthToken const& t, std::optional<seconds> lifetime, SysTime now) const {
    return !t.access_token.empty() && now + Buffer(lifetime) < t.expires_at;
  }

  /// The cached token if it may be handed out now. Requires mu.
  std::optional<std::string> UsableLocked(SysTime now) const {
    if (!cached || cached->token.access_token.empty() || cached->token.access_token == invalidated) return std::nullopt;
    if (Fresh(cached->token, cached->lifetime, now)) return cached->token.access_token;
    if (now < use_old_until && now + kMinRemainingValidity < cached->token.expires_at) {
      return cached->token.access_token;
    }
    return std::nullopt;
  }

  void WarnIfRefreshTokenExpiring(OAuthToken const& t, SysTime now) const {
    if (!t.refresh_token_expires_at || t.refresh_token.empty()) return;
    auto left = *t.refresh_token_expires_at - now;
    if (left >= kRefreshTokenWarning) return;
    std::string when = util::FormatIso8601(*t.refresh_token_expires_at);
    if (left <= SysTime::duration::zero()) {
      logger.Warn("the Webex refresh token expired at " + when +
                  "; an org administrator must re-authorize the integration");
    } else {
      logger.Warn("the Webex refresh token expires at " + when + " (in " + FormatHours(left) +
                  "); an org administrator must re-authorize the integration before then");
    }
  }

  // ---- token endpoint -----------------------------------------------------------------------

  Error MapTokenError(int status, std::string_view body, HttpHeaders const& headers, std::string const& grant,
                      SysTime now) const {
    std::string what = "Webex token endpoint (grant_type=" + grant + ")";
    Error e = MapWebexError(status, body, headers, what, now);
    std::string vendor = e.vendor_code;
    std::string lower_message;
    for (char c : e.message) lower_message += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool refresh_grant = grant == "refresh_token";
    if (vendor.empty() && refresh_grant && status == 400 && lower_message.find("refresh token") != std::string::npos) {
      vendor = "invalid_grant";  // Webex-style body: {"message":"Invalid refresh token", ...}
    }
    if (vendor == "invalid_grant") {
      std::string server_says = "HTTP " + std::to_string(status) + " invalid_grant";
      if (auto doc = util::ParseJson(body, "token error body"); doc && doc->IsObject()) {
        auto description = util::OptString(*doc, "error_description");
        if (!description) description = util::OptString(*doc, "message");
        if (description && !description->empty()) server_says += ": " + *description;
      }
      e.code = ErrorCode::kUnauthenticated;
      e.vendor_code = "invalid_grant";
      e.message = refresh_grant
                      ? what + ": refresh token rejected; an admin must re-authorize the integration "
                               "(authorization-code flow) and store the new token (" + server_says + ")"
                      : what + ": authorization code rejected; codes are single-use, expire within minutes and must "
                               "be redeemed with the same redirect_uri: authorize again (" + server_says + ")";
    } else if (vendor == "invalid_client" || vendor == "unauthorized_client" || status == 401) {
      e.code = ErrorCode::kUnauthenticated;
      e.message += "; check the integration's client id and client secret";
    }
    e.message = RedactSecrets(e.message);
    return e;
  }

  /// POSTs a form to the token endpoint and converts the response into a token. `previous`
  /// supplies the refresh token (and its expiry) when the response has none.
  Result<Minted> TokenRequest(util::QueryParams form, std::string const& grant, OAuthToken const* previous,
                              CallContext const& ctx) {
    if (config.client_id.empty() || config.client_secret.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Webex OAuth: client id and client secret are required (integration registration)");
    }
    HttpRequest request;
    request.method = "POST";
    request.url = config.token_url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = MakeStringBody(util::FormEncode(form));
    util::RetryEnv env{&backoff, clock.get(), sleeper.get(), &logger};
    std::string what = "Webex token endpoint (grant_type=" + grant + ")";
    auto response = util::RunWithRetries(env, ctx, true, what, [&](int) -> Result<wire::BufferedResponse> {
      auto r = wire::SendBuffered(*transport, request, ctx);
      if (!r) {
        Error e = std::move(r).error();
        e.message = what + ": " + e.message;
        return e;
      }
      if (r->status < 200 || r->status > 299) return MapTokenError(r->status, r->body, r->headers, grant, clock->Now());
      return r;
    });
    if (!response) return std::move(response).error();
    if (auto ok = wire::CheckJsonContentType(response->headers, what + " response"); !ok) {
      return std::move(ok).error();
    }
    auto doc = util::ParseJson(response->body, what + " response");
    if (!doc) return std::move(doc).error();
    if (!doc->IsObject()) return MakeError(ErrorCode::kParse, what + " response is not a JSON object");
    auto access = util::OptString(*doc, "access_token");
    if (!access || access->empty()) {
      return MakeError(ErrorCode::kParse, what + " response has no \"access_token\" string");
    }
    auto expires_in = util::OptInt64(*doc, "expires_in");
    if (!expires_in || *expires_in <= 0) {
      return MakeError(ErrorCode::kParse, what + " response has no positive integer \"expires_in\" (seconds)");
    }
    auto now = clock->Now();
    Minted minted;
    minted.lifetime = seconds(std::min(*expires_in, kMaxLifetimeSeconds));
    OAuthToken& t = minted.token;
    t.access_token = std::move(*access);
    t.token_type = util::OptString(*doc, "token_type").value_or("Bearer");
    if (t.token_type.empty()) t.token_type = "Bearer";
    t.expires_at = now + *minted.lifetime;
    auto refresh = util::OptString(*doc, "refresh_token");
    std::optional<SysTime> refresh_expires_at;
    if (auto rt_in = util::OptInt64(*doc, "refresh_token_expires_in"); rt_in && *rt_in > 0) {
      refresh_expires_at = now + seconds(std::min(*rt_in, kMaxLifetimeSeconds));
    }
    if (refresh && !refresh->empty()) {
      // Rotation: always persist what came back (reference §2.4).
      bool same = previous != nullptr && *refresh == previous->refresh_token;
      t.refresh_token = std::move(*refresh);
      t.refresh_token_expires_at =
          refresh_expires_at ? refresh_expires_at : (same ? previous->refresh_token_expires_at : std::nullopt);
    } else if (previous != nullptr) {
      t.refresh_token = previous->refresh_token;  // field absent: keep the old one
      t.refresh_token_expires_at = refresh_expires_at ? refresh_expires_at : previous->refresh_token_expires_at;
    } else {
      t.refresh_token_expires_at = refresh_expires_at;
    }
    if (t.refresh_token.empty()) {
      logger.Warn(what + ": the response has no refresh_token; the access token cannot be renewed when it expires");
    }
    WarnIfRefreshTokenExpiring(t, now);
    return minted;
  }

  Result<Minted> RefreshWith(OAuthToken const& current, CallContext const& ctx) {
    logger.Debug("refreshing the Webex access token");
    return TokenRequest({{"grant_type", "refresh_token"},
                         {"client_id", config.client_id},
                         {"client_secret", config.client_secret},
                         {"refresh_token", current.refresh_token}},
                        "refresh_token", &current, ctx);
  }

  /// Loads the store and, unless it holds a usable token (and !force), refreshes inside
  /// TokenStore::Update — adopting a token another process stored meanwhile.
  /// `fallback` receives the stored token when it was not fresh but is still unexpired, for use
  /// if the refresh fails.
  Result<Minted> RefreshFlow(CallContext const& ctx, bool force, std::optional<Minted>& fallback) {
    if (!store) {
      return MakeError(ErrorCode::kInvalidArgument, "Webex OAuth: OAuthClientOptions.store is required");
    }
    std::string rejected;
    std::optional<Minted> known;  // the lifetime of our own cached token is known
    {
      std::lock_guard<std::mutex> lock(mu);
      rejected = invalidated;
      known = cached;
    }
    auto lifetime_of = [&](OAuthToken const& t) -> std::optional<seconds> {
      if (known && known->token.access_token == t.access_token) return known->lifetime;
      return std::nullopt;
    };
    auto loaded = store->Load();
    if (!loaded) return std::move(loaded).error();
    auto now = clock->Now();
    auto usable = [&](OAuthToken const& t) {
      return !t.access_token.empty() && t.access_token != rejected && Fresh(t, lifetime_of(t), now);
    };
    if (!force && loaded->has_value() && usable(**loaded)) {
      if (!known || known->token.access_token != (*loaded)->access_token) WarnIfRefreshTokenExpiring(**loaded, now);
      return Minted{**loaded, lifetime_of(**loaded)};
    }
    if (loaded->has_value() && !(*loaded)->access_token.empty() && (*loaded)->access_token != rejected) {
      fallback = Minted{**loaded, lifetime_of(**loaded)};
    }
    std::string stale = loaded->has_value() ? (*loaded)->access_token : std::string();
    std::optional<seconds> lifetime;
    auto updated = store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
      now = clock->Now();
      if (current && current->access_token != stale && usable(*current)) {
        logger.Debug("another process refreshed the Webex access token; using it");
        lifetime = lifetime_of(*current);
        return *current;
      }
      if (!current || current->refresh_token.empty()) {
        return MakeError(ErrorCode::kUnauthenticated,
                         "no usable Webex token stored and no refresh token to renew it; an admin must authorize "
                         "the integration (authorization-code flow or Service App token) and store the token");
      }
      auto minted = RefreshWith(*current, ctx);
      if (!minted) return std::move(minted).error();
      lifetime = minted->lifetime;
      return std::move(minted->token);
    });
    if (!updated) return std::move(updated).error();
    return Minted{std::move(*updated), lifetime};
  }

  /// Single-flight: one thread runs RefreshFlow, the others wait for its result.
  Result<Minted> Obtain(CallContext const& ctx, bool force) {
    std::unique_lock<std::mutex> lock(mu);
    bool waited_for_failure = false;
    for (;;) {
      auto now = clock->Now();
      if (auto e = util::CheckContext(ctx, now)) return *e;
      if (!force) {
        if (UsableLocked(now)) return *cached;
      }
      if (waited_for_failure && last_error) return *last_error;
      if (refreshing) {
        auto const awaited = generation;
        while (refreshing && generation == awaited) {
          cv.wait_for(lock, std::chrono::milliseconds(20));
          if (auto e = util::CheckContext(ctx, clock->Now())) return *e;
        }
        if (generation != awaited) {
          if (last_error) {
            waited_for_failure = true;
          } else if (force && cached) {
            return *cached;  // the refresh we waited for produced a brand-new token
          }
        }
        continue;
      }
      refreshing = true;
      lock.unlock();
      std::optional<Minted> fallback;
      auto result = RefreshFlow(ctx, force, fallback);
      lock.lock();
      refreshing = false;
      ++generation;
      now = clock->Now();
      if (result) {
        cached = *result;
        last_error.reset();
        use_old_until = {};
      } else {
        last_error = result.error();
        if (fallback && (!cached || cached->token.access_token == invalidated)) cached = std::move(fallback);
        bool old_still_valid = cached && !cached->token.access_token.empty() &&
                               cached->token.access_token != invalidated &&
                               now + kMinRemainingValidity < cached->token.expires_at;
        if (!force && old_still_valid) {
          use_old_until = now + kRetryRefreshAfterFailure;
          logger.Warn("refreshing the Webex access token failed (" + result.error().ToString() +
                      "); using the current token until it expires at " +
                      util::FormatIso8601(cached->token.expires_at));
        }
      }
      cv.notify_all();
      if (!result && !force) {
        if (UsableLocked(now)) return *cached;
      }
      return result;
    }
  }
};

OAuthClient::OAuthClient(OAuthClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
OAuthClient::~OAuthClient() = default;

Result<OAuthToken> OAuthClient::ExchangeAuthorizationCode(std::string const& code, CallContext const& ctx) {
  if (code.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex OAuth: the authorization code is empty");
  }
  if (impl_->config.redirect_uri.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Webex OAuth: OAuthConfig.redirect_uri is required to exchange an authorization code (use the "
                     "URI registered with the integration)");
  }
  if (!impl_->store) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex OAuth: OAuthClientOptions.store is required");
  }
  auto minted = impl_->TokenRequest({{"grant_type", "authorization_code"},
                                     {"client_id", impl_->config.client_id},
                                     {"client_secret", impl_->config.client_secret},
                                     {"code", code},
                                     {"redirect_uri", impl_->config.redirect_uri}},
                                    "authorization_code", nullptr, ctx);
  if (!minted) return std::move(minted).error();
  auto saved = impl_->store->Update([&](std::optional<OAuthToken> const&) -> Result<OAuthToken> {
    return minted->token;
  });
  if (!saved) return std::move(saved).error();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->cached = *minted;
  impl_->last_error.reset();
  impl_->use_old_until = {};
  return minted->token;
}

Result<OAuthToken> OAuthClient::Refresh(CallContext const& ctx) {
  auto minted = impl_->Obtain(ctx, true);
  if (!minted) return std::move(minted).error();
  return std::move(minted->token);
}

Result<std::string> OAuthClient::AccessToken(CallContext const& ctx) {
  auto minted = impl_->Obtain(ctx, false);
  if (!minted) return std::move(minted).error();
  return std::move(minted->token.access_token);
}

void OAuthClient::Invalidate(std::string const& access_token) {
  if (access_token.empty()) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->invalidated = access_token;
  impl_->use_old_until = {};
}

}  // namespace webex
}  // namespace v1
}  // namespace ccrec
