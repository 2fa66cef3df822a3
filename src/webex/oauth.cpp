// SPDX-License-Identifier: Apache-2.0
// Webex OAuth2: code exchange, refresh with rotation, single-flight, and keeping a token the
// store refused (reference webex-cc.md §2.2-§2.4).

#include <ccrec/webex/oauth.hpp>

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/errors.hpp>

#include "internal/ascii.hpp"
#include "internal/client_runtime.hpp"
#include "internal/error_util.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/single_flight.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "webex/http_util.hpp"
#include "webex/parse.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>

namespace ccrec::webex {

namespace util = ::ccrec::detail;
using std::chrono::seconds;
using SysTime = std::chrono::system_clock::time_point;

namespace {

/// After a failed refresh while the current token is still valid, wait this long before trying
/// again (the old token is used meanwhile).
constexpr seconds kRetryRefreshAfterFailure{30};
/// A token is handed out after a failed refresh only while at least this much of it remains.
constexpr seconds kMinRemainingValidity{10};
/// A token the store refused is saved again at most this often (AccessToken() triggers it).
constexpr seconds kRetrySaveEvery{30};
/// Right after a new token could not be saved: further attempts, and the pause before each.
constexpr int kImmediateSaveRetries = 2;
constexpr std::chrono::milliseconds kImmediateSaveDelay{1000};

bool SameToken(OAuthToken const& a, OAuthToken const& b) {
  return a.access_token == b.access_token && a.token_type == b.token_type && a.expires_at == b.expires_at &&
         a.refresh_token == b.refresh_token && a.refresh_token_expires_at == b.refresh_token_expires_at;
}

/// Logged (error level) when the store refused a token the server just issued.
std::string UnsavedMessage(std::string const& what, Error const& save_error) {
  return "Webex OAuth: " + what +
         " issued a new token, whose refresh token replaces the stored one, but the token store could not save "
         "it: " + save_error.message + ". This process keeps using the new token and retries saving it every " +
         std::to_string(kRetrySaveEvery.count()) +
         " s and when the OAuthClient is destroyed; if it ends before a save succeeds and no rescue file is named "
         "here, an administrator must re-authorize the integration";
}

}  // namespace

struct OAuthClient::Impl : util::ClientRuntime {
  explicit Impl(OAuthClientOptions o)
      : util::ClientRuntime(o, [] { return MakeCurlTransport(); }),
        config(std::move(o.config)),
        store(std::move(o.store)),
        request_timeout(o.request_timeout) {}

  /// A token and, when this client obtained it itself, its lifetime (expires_in).
  struct Minted {
    OAuthToken token;
    std::optional<seconds> lifetime;
  };

  OAuthConfig config;
  std::shared_ptr<TokenStore> store;
  std::chrono::milliseconds request_timeout;

  std::mutex mu;
  std::optional<Minted> cached;        // guarded by mu
  std::string invalidated;             // access token the API rejected; guarded by mu
  std::optional<Error> last_error;     // result of the last refresh flow; guarded by mu
  SysTime use_old_until{};             // see kRetryRefreshAfterFailure; guarded by mu

  /// A token the store refused to save. Its refresh token may be the only valid one, so it is
  /// used instead of the stored token (see Effective) and saved again until the store takes it.
  struct Unsaved {
    OAuthToken token;
    std::string replaces;  // refresh token the store held when `token` was issued
    Error error;           // the store's last error
    SysTime next_try{};    // next save attempt by AccessToken()
  };
  std::optional<Unsaved> unsaved;  // guarded by mu; replaced by the thread running a flow
  /// One RefreshFlow at a time (its generation counts completed refresh flows); guarded by mu.
  util::SingleFlight<Minted> refresh_flight;

  /// The token to work from: the unsaved one while the store still holds the token it replaced
  /// (or nothing), else the stored one (another writer replaced it).
  static std::optional<OAuthToken> Effective(std::optional<OAuthToken> const& stored,
                                             std::optional<Unsaved> const& pending) {
    if (pending && (!stored || stored->refresh_token == pending->replaces || SameToken(*stored, pending->token))) {
      return pending->token;
    }
    return stored;
  }

  /// Stores `pending.token` unless another writer replaced the token it superseded (then the
  /// store's token is kept and returned).
  Result<OAuthToken> FlushUnsaved(Unsaved const& pending) {
    bool other = false;
    auto r = store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
      if (current && current->refresh_token != pending.replaces && !SameToken(*current, pending.token)) {
        other = true;
        return *current;
      }
      return pending.token;
    });
    if (r && other) {
      logger.Warn("the Webex token store was rewritten by another writer while this process held a token it could "
                  "not save; the stored token is used from now on");
    } else if (r) {
      logger.Warn("the Webex token that could not be saved earlier is now in the token store");
    }
    return r;
  }

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
    if (auto warning = RefreshTokenExpiryWarning(t, now)) logger.Warn(*warning);
  }

  // ---- token endpoint -----------------------------------------------------------------------

  Error MapTokenError(int status, std::string_view body, HttpHeaders const& headers, std::string const& grant,
                      SysTime now) const {
    std::string what = "Webex token endpoint (grant_type=" + grant + ")";
    Error e = MapWebexError(status, body, headers, what, now);
    std::string vendor = e.vendor_code;
    bool refresh_grant = grant == "refresh_token";
    if (vendor.empty() && refresh_grant && status == 400 && util::ContainsIgnoreCase(e.message, "refresh token")) {
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
                              CallContext const& ctx, bool retry) {
    if (config.client_id.empty() || config.client_secret.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Webex OAuth: client id and client secret are required (integration registration)");
    }
    auto const endpoint = util::ParseUrl(config.token_url);
    if (!endpoint) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Webex OAuth: token_url \"" + RedactUrl(config.token_url) + "\" is not an http(s) URL");
    }
    if (auto problem = util::InsecureCredentialUrlProblem(*endpoint, "Webex OAuth: token_url"); !problem.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, problem);
    }
    HttpRequest request;
    request.method = "POST";
    request.url = config.token_url;
    if (request_timeout.count() > 0) request.timeout = request_timeout;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = MakeStringBody(util::FormEncode(form));
    util::RetryEnv env{&backoff, clock.get(), sleeper.get(), &logger};
    std::string what = "Webex token endpoint (grant_type=" + grant + ")";
    auto response = util::RunWithRetries(env, ctx, retry, what, [&](int) -> Result<detail::BufferedResponse> {
      auto r = detail::SendBuffered(*transport, request, ctx);
      if (!r) return util::WithContext(std::move(r).error(), what);
      if (r->status < 200 || r->status > 299) return MapTokenError(r->status, r->body, r->headers, grant, clock->Now());
      return r;
    });
    if (!response) return std::move(response).error();
    auto content_type = detail::CheckJsonContentType(response->headers, what + " response");
    auto doc = util::ParseJson(response->body, what + " response");
    if (!content_type) {
      // A mislabelled token response is still a token (and may hold the only valid refresh token).
      if (!doc || !doc->IsObject() || !util::OptString(*doc, "access_token")) return std::move(content_type).error();
      logger.Warn(what + " response has Content-Type \"" +
                  FindHeader(response->headers, "Content-Type").value_or("") + "\" but carries a token; using it");
    }
    if (!doc) return std::move(doc).error();
    auto now = clock->Now();
    auto read = detail::ReadTokenResponse(*doc, what, now);
    if (!read) return std::move(read).error();
    Minted minted{std::move(read->token), read->lifetime};
    OAuthToken& t = minted.token;
    // Rotation: always persist the refresh token that came back (reference §2.4). A response
    // without one, or with the same one, keeps the old one and, unless it says, its expiry.
    if (previous != nullptr && (t.refresh_token.empty() || t.refresh_token == previous->refresh_token)) {
      if (t.refresh_token.empty()) t.refresh_token = previous->refresh_token;
      if (!t.refresh_token_expires_at) t.refresh_token_expires_at = previous->refresh_token_expires_at;
    }
    if (t.refresh_token.empty()) {
      logger.Warn(what + ": the response has no refresh_token; the access token cannot be renewed when it expires");
    }
    WarnIfRefreshTokenExpiring(t, now);
    return minted;
  }

  Result<Minted> RefreshWith(OAuthToken const& current, CallContext const& ctx) {
    logger.Debug("refreshing the Webex access token");
    // The server spends the refresh token the moment it receives this request (rotation, Webex
    // CC reference §2.4): cancelling it in flight would drop the only copy of the new one and
    // force an admin to re-authorize. So a refresh once started runs to its answer, bounded by
    // ctx.deadline and the request timeout; cancellation is honoured before it is sent
    // (Obtain() checks ctx) and after it is stored.
    CallContext uncancellable = ctx;
    uncancellable.cancel = CancellationToken{};
    return TokenRequest({{"grant_type", "refresh_token"},
                         {"client_id", config.client_id},
                         {"client_secret", config.client_secret},
                         {"refresh_token", current.refresh_token}},
                        "refresh_token", &current, uncancellable, /*retry=*/false);
  }

  /// Loads the store and, unless it holds a usable token (and !force), refreshes inside
  /// TokenStore::Update — adopting a token another process stored meanwhile.
  /// `fallback` receives the stored token when it was not fresh but is still unexpired, for use
  /// if the refresh fails. `pending` is the unsaved token on entry and on return; `flush_only`
  /// only saves it again.
  ///
  /// Each attempt re-reads the store under its lock and POSTs at most once, so a retry after
  /// an ambiguous failure (no response, 5xx: the server may have rotated the refresh token)
  /// first adopts whatever another process stored meanwhile. Once the server has issued a
  /// token, the POST is never repeated for it: a store that refuses it leaves it in `pending`.
  Result<Minted> RefreshFlow(CallContext const& ctx, bool force, bool flush_only, std::optional<Minted>& fallback,
                             std::optional<Unsaved>& pending) {
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
    if (flush_only && pending) {
      auto flushed = FlushUnsaved(*pending);
      if (!flushed) {
        pending->error = flushed.error();
        logger.Warn("still cannot save the Webex token to the token store (" + flushed.error().message +
                    "); it stays in memory, next attempt in " + std::to_string(kRetrySaveEvery.count()) + " s");
        return std::move(flushed).error();
      }
      pending.reset();
      return Minted{*flushed, lifetime_of(*flushed)};
    }
    auto loaded = store->Load();
    if (!loaded) return std::move(loaded).error();
    auto now = clock->Now();
    auto usable = [&](OAuthToken const& t) {
      return !t.access_token.empty() && t.access_token != rejected && Fresh(t, lifetime_of(t), now);
    };
    auto current = Effective(*loaded, pending);
    if (!force && current && usable(*current)) {
      if (!known || known->token.access_token != current->access_token) WarnIfRefreshTokenExpiring(*current, now);
      return Minted{*current, lifetime_of(*current)};
    }
    if (current && !current->access_token.empty() && current->access_token != rejected) {
      fallback = Minted{*current, lifetime_of(*current)};
    }
    std::string stale = current ? current->access_token : std::string();
    std::optional<seconds> lifetime;
    std::optional<OAuthToken> issued;  // what this attempt asked the store to take
    std::string replaces;              // the stored refresh token `issued` supersedes
    std::optional<Error> save_error;
    std::string what = "Webex token endpoint (grant_type=refresh_token)";
    auto updated = util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<OAuthToken> {
      issued.reset();
      auto r = store->Update([&](std::optional<OAuthToken> const& stored) -> Result<OAuthToken> {
        now = clock->Now();
        auto cur = Effective(stored, pending);
        replaces = stored ? stored->refresh_token : std::string();
        if (cur && cur->access_token != stale && usable(*cur)) {
          logger.Debug("another process refreshed the Webex access token; using it");
          lifetime = lifetime_of(*cur);
          return *cur;
        }
        if (!cur || cur->refresh_token.empty()) {
          return MakeError(ErrorCode::kUnauthenticated,
                           "no usable Webex token stored and no refresh token to renew it; an admin must authorize "
                           "the integration (authorization-code flow or Service App token) and store the token");
        }
        auto minted = RefreshWith(*cur, ctx);
        if (!minted) return std::move(minted).error();
        lifetime = minted->lifetime;
        issued = minted->token;
        return std::move(minted->token);
      });
      if (!r && issued) {  // the store refused the new token: keep it, never POST again for it
        save_error = r.error();
        return *issued;
      }
      return r;
    });
    if (!updated) return std::move(updated).error();
    if (!save_error) {
      if (pending) logger.Warn("the Webex token store holds the current token again");
      pending.reset();
      return Minted{std::move(*updated), lifetime};
    }
    pending = Unsaved{*updated, replaces, *save_error, {}};
    logger.Error(UnsavedMessage("the token endpoint (grant_type=refresh_token)", *save_error));
    for (int i = 0; i < kImmediateSaveRetries && pending; ++i) {
      if (!sleeper->SleepFor(kImmediateSaveDelay, ctx.cancel)) break;
      auto flushed = FlushUnsaved(*pending);
      if (flushed) {
        pending.reset();
      } else {
        pending->error = flushed.error();
      }
    }
    return Minted{std::move(*updated), lifetime};
  }

  enum class Mode { kGet, kRefresh, kFlush };

  /// Single-flight: one thread runs RefreshFlow, the others wait for its result. kGet also
  /// saves an unsaved token again when due; kFlush only does that.
  Result<Minted> Obtain(CallContext const& ctx, Mode mode) {
    bool const force = mode == Mode::kRefresh;
    std::unique_lock<std::mutex> lock(mu);
    bool waited_for_failure = false;
    for (;;) {
      auto now = clock->Now();
      if (auto e = util::CheckContext(ctx, now)) return *e;
      if (mode == Mode::kFlush && !unsaved) return cached ? *cached : Minted{};
      bool const save_due = unsaved && (mode == Mode::kFlush || now >= unsaved->next_try);
      bool const usable_now = mode == Mode::kGet && UsableLocked(now).has_value();
      if (usable_now && (!save_due || refresh_flight.Running())) return *cached;
      if (waited_for_failure && last_error && mode != Mode::kFlush) return *last_error;
      if (refresh_flight.Running()) {
        auto awaited = refresh_flight.Wait(lock, [&] { return util::CheckContext(ctx, clock->Now()); });
        if (awaited.interrupted) return *awaited.interrupted;
        if (awaited.result) {  // the flow we waited for ended with a result
          if (!*awaited.result) {
            waited_for_failure = true;
          } else if (force && cached) {
            return *cached;  // the refresh we waited for produced a brand-new token
          }
        }
        continue;
      }
      bool const flush_only = mode == Mode::kFlush || usable_now;
      std::optional<Unsaved> pending = unsaved;
      std::optional<Minted> fallback;
      auto result = refresh_flight.Run(
          lock, [&] { return RefreshFlow(ctx, force, flush_only, fallback, pending); },
          [&](Result<Minted> const& flow) {
            now = clock->Now();
            if (pending) pending->next_try = now + kRetrySaveEvery;
            unsaved = std::move(pending);
            if (flush_only) return false;  // no refresh happened: cached and last_error stay as they were
            if (flow) {
              cached = *flow;
              last_error.reset();
              use_old_until = {};
            } else {
              last_error = flow.error();
              if (fallback && (!cached || cached->token.access_token == invalidated)) cached = std::move(fallback);
              bool old_still_valid = cached && !cached->token.access_token.empty() &&
                                     cached->token.access_token != invalidated &&
                                     now + kMinRemainingValidity < cached->token.expires_at;
              if (!force && old_still_valid) {
                use_old_until = now + kRetryRefreshAfterFailure;
                logger.Warn("refreshing the Webex access token failed (" + flow.error().ToString() +
                            "); using the current token until it expires at " +
                            util::FormatIso8601(cached->token.expires_at));
              }
            }
            return true;
          });
      if (flush_only) {
        if (mode == Mode::kFlush) return result;
        if (UsableLocked(now)) return *cached;
        continue;
      }
      if (!result && !force) {
        if (UsableLocked(now)) return *cached;
      }
      return result;
    }
  }
};

OAuthClient::OAuthClient(OAuthClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

OAuthClient::~OAuthClient() {
  if (!impl_ || !impl_->store) return;
  std::optional<Impl::Unsaved> pending;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    pending = impl_->unsaved;
  }
  if (!pending) return;
  auto flushed = impl_->FlushUnsaved(*pending);
  if (!flushed) {
    impl_->logger.Error("Webex OAuth: the OAuthClient is destroyed while the token store still refuses its current "
                        "token (" + flushed.error().message +
                        "). Put the rescue file named in this message (if any) in place of the token file; "
                        "without one an administrator must re-authorize the integration");
  }
}

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
  // The code is redeemed under the store's lock, after the store was read: a store that cannot
  // be read or locked fails before the single-use code is spent.
  std::optional<Impl::Minted> issued;
  std::string replaces;
  auto saved = impl_->store->Update([&](std::optional<OAuthToken> const& current) -> Result<OAuthToken> {
    auto minted = impl_->TokenRequest({{"grant_type", "authorization_code"},
                                       {"client_id", impl_->config.client_id},
                                       {"client_secret", impl_->config.client_secret},
                                       {"code", code},
                                       {"redirect_uri", impl_->config.redirect_uri}},
                                      "authorization_code", nullptr, ctx, /*retry=*/true);
    if (!minted) return std::move(minted).error();
    replaces = current ? current->refresh_token : std::string();
    issued = *minted;
    return minted->token;
  });
  if (!saved && !issued) return std::move(saved).error();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->cached = *issued;
    impl_->last_error.reset();
    impl_->use_old_until = {};
    impl_->unsaved.reset();
    if (!saved) {
      impl_->unsaved = Impl::Unsaved{issued->token, replaces, saved.error(), impl_->clock->Now() + kRetrySaveEvery};
    }
  }
  if (!saved) {
    impl_->logger.Error(UnsavedMessage("the token endpoint (grant_type=authorization_code)", saved.error()));
    return std::move(saved).error();
  }
  return issued->token;
}

Result<OAuthToken> OAuthClient::Refresh(CallContext const& ctx) {
  auto minted = impl_->Obtain(ctx, Impl::Mode::kRefresh);
  if (!minted) return std::move(minted).error();
  return std::move(minted->token);
}

Result<std::string> OAuthClient::AccessToken(CallContext const& ctx) {
  auto minted = impl_->Obtain(ctx, Impl::Mode::kGet);
  if (!minted) return std::move(minted).error();
  return std::move(minted->token.access_token);
}

Result<void> OAuthClient::Flush(CallContext const& ctx) {
  auto flushed = impl_->Obtain(ctx, Impl::Mode::kFlush);
  if (!flushed) return std::move(flushed).error();
  return {};
}

void OAuthClient::Invalidate(std::string const& access_token) {
  if (access_token.empty()) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->invalidated = access_token;
  impl_->use_old_until = {};
}

}  // namespace ccrec::webex
