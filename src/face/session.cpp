// SPDX-License-Identifier: Apache-2.0
// face::Client's session: options check, login (at most two attempts), the single-flight token
// and the credential error (reference oracle-face.md §2).

#include "face/client_impl.hpp"

#include <ccrec/transport/curl.hpp>

#include "face/request.hpp"
#include "internal/ascii.hpp"
#include "internal/url.hpp"

namespace ccrec::face {

namespace util = ::ccrec::detail;

namespace {

std::string NormalizeBaseUrl(std::string url) {
  url = util::TrimTrailingSlashes(std::move(url));
  constexpr std::string_view kFace = "/Face";
  if (url.size() >= kFace.size() && url.compare(url.size() - kFace.size(), kFace.size(), kFace) == 0) {
    url.resize(url.size() - kFace.size());
  }
  return util::TrimTrailingSlashes(std::move(url));
}

}  // namespace

Client::Impl::Impl(ClientOptions o)
    : ::ccrec::detail::ClientRuntime(o, [] { return MakeCurlTransport(); }),
      options(std::move(o)),
      base_url(NormalizeBaseUrl(options.base_url)),
      login_backoff(RetryPolicy{2, options.retry.max_elapsed, options.retry.initial_backoff, options.retry.max_backoff,
                                options.retry.multiplier, options.retry.max_retry_after}) {
  auto parsed = util::ParseUrl(base_url);
  if (base_url.empty() || !parsed || !parsed->query.empty() || parsed->host.empty()) {
    config_error = MakeError(ErrorCode::kInvalidArgument,
                             "FACE client: base_url \"" + RedactUrl(options.base_url) +
                                 "\" is not an http(s) URL like https://HOST:PORT (the client appends /Face/...)");
  } else if (parsed->path != "/" && !parsed->path.empty()) {
    config_error = MakeError(ErrorCode::kInvalidArgument,
                             "FACE client: base_url \"" + RedactUrl(options.base_url) +
                                 "\" has a path; give only https://HOST:PORT (the client appends /Face/...)");
  } else if (options.user_email.empty() || options.password.empty()) {
    config_error = MakeError(ErrorCode::kInvalidArgument,
                             "FACE client: user_email and password are required (an ISR user of type API User)");
  } else if (options.token_lifetime.count() < 1) {
    config_error = MakeError(ErrorCode::kInvalidArgument, "FACE client: token_lifetime must be at least 1 second");
  } else if (options.user_email_field.empty()) {
    config_error = MakeError(ErrorCode::kInvalidArgument, "FACE client: user_email_field is empty");
  }
}

Error Client::Impl::CredentialError(detail::LoginAnswer const& answer, int status) const {
  Error e;
  e.code = ErrorCode::kUnauthenticated;
  e.http_status = status;
  e.vendor_code = answer.code ? std::to_string(*answer.code) : std::string();
  std::string server = answer.message.empty() ? std::string() : " (server: \"" + answer.message + "\")";
  if (util::ContainsIgnoreCase(answer.message, "expired") && util::ContainsIgnoreCase(answer.message, "password")) {
    e.message = "FACE login as " + options.user_email + " failed: the password has expired" + server +
                ". Change the API user's password in the ISR Dashboard and update the configured password";
  } else {
    e.message = "FACE login as " + options.user_email + " was rejected" + server +
                ": wrong e-mail or password, or the account is locked or is not an API User (FACE does not say "
                "which). Check the credentials and the account in the ISR admin UI; ccrec does not retry a rejected "
                "login, so that it cannot lock the account";
  }
  e.message = RedactSecrets(e.message);
  return e;
}

Result<Client::Impl::Minted> Client::Impl::DoLogin(CallContext const& ctx) {
  std::string what = "FACE POST login";
  CallContext login_ctx = ctx;
  login_ctx.retry.reset();  // at most two attempts, whatever the caller's policy
  util::RetryEnv env{&login_backoff, clock.get(), sleeper.get(), &logger};
  std::string form = util::FormEncode({{options.user_email_field, options.user_email},
                                       {"password", options.password},
                                       {"expirationSeconds", std::to_string(options.token_lifetime.count())}});
  return util::RunWithRetries(env, login_ctx, true, what, [&](int attempt) -> Result<Minted> {
    HttpRequest request = detail::ControlRequest("POST", Url("login"), options);
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
    request.body = MakeStringBody(form);
    logger.Debug(what + " as " + options.user_email + " (attempt " + std::to_string(attempt) + ")");
    auto response = transport->Send(request, ctx);
    if (!response) {
      Error e = std::move(response).error();
      e.message = what + ": " + e.message;
      return e;
    }
    int status = response->status;
    HttpHeaders headers = response->headers;
    std::string body = util::ReadPrefix(response->body.get(), detail::kMaxErrorBodyBytes);
    auto answer = detail::ParseLogin(headers, body);
    if (status >= 200 && status <= 299 && answer.parsed && answer.code.value_or(0) == 0 && !answer.token.empty()) {
      std::chrono::seconds granted = options.token_lifetime;
      if (answer.expiration) {
        if (auto parsed = detail::ParseExpiration(*answer.expiration); parsed && parsed->count() > 0) {
          granted = std::min(granted, *parsed);
        } else {
          logger.Warn(what + ": unreadable expiration \"" + *answer.expiration + "\"; assuming " +
                      std::to_string(granted.count()) + " s");
        }
      }
      return Minted{answer.token, granted};
    }
    if (answer.parsed && answer.code == 16) {
      Error e = MapFaceError(status == 200 ? 503 : status, body, headers, what);
      e.code = ErrorCode::kUnavailable;
      e.http_status = status;
      return e;
    }
    if ((answer.parsed && answer.code == -1) || status == 401 || status == 403) {
      return CredentialError(answer, status);
    }
    if (status >= 200 && status <= 299 && answer.parsed && answer.code.value_or(0) == 0) {
      Error e = MakeError(ErrorCode::kParse, what + ": the login answer (code 0) carries no token");
      e.http_status = status;
      return e;
    }
    if (status >= 200 && status <= 299 && !answer.parsed) {
      // The body is not quoted: a login answer is where the token lives, and an unreadable one may
      // carry it in a shape the redaction does not recognise.
      Error e = MakeError(ErrorCode::kParse, what + ": the login answer is neither a JSON nor an XML FACE result (" +
                                                 std::to_string(body.size()) + " bytes, Content-Type \"" +
                                                 FindHeader(headers, "Content-Type").value_or("") +
                                                 "\"; body not quoted, it may hold the token)");
      e.http_status = status;
      return e;
    }
    return MapFaceError(status, body, headers, what);
  });
}

Result<std::string> Client::Impl::Token(CallContext const& ctx, std::string const& rejected) {
  if (config_error) return *config_error;
  std::unique_lock<std::mutex> lock(mu);
  bool waited_for_failure = false;
  for (;;) {
    if (sticky_error) return *sticky_error;
    SysTime now = clock->Now();
    if (auto e = util::CheckContext(ctx, now)) return *e;
    if (!token.empty() && token != rejected && now + Margin() < expires_at) return token;
    if (waited_for_failure && last_error) return *last_error;
    if (login.Running()) {
      auto awaited = login.Wait(lock, [&] { return util::CheckContext(ctx, clock->Now()); });
      if (awaited.interrupted) return *awaited.interrupted;
      if (awaited.result && !*awaited.result) waited_for_failure = true;
      continue;
    }
    auto minted = login.Run(lock, [&] { return DoLogin(ctx); }, [&](Result<Minted> const& result) {
      if (result) {
        token = result->token;
        lifetime = result->lifetime;
        expires_at = clock->Now() + lifetime;
        last_error.reset();
        logins.fetch_add(1);
        logger.Info("logged in to FACE as " + options.user_email + "; token valid for " +
                    std::to_string(lifetime.count()) + " s");
      } else {
        last_error = result.error();
        if (result.error().code == ErrorCode::kUnauthenticated) sticky_error = result.error();
      }
      return true;
    });
    if (!minted) return std::move(minted).error();
    return token;
  }
}

}  // namespace ccrec::face
