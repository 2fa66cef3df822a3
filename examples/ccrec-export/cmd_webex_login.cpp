// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex login: the OAuth authorization-code flow without copying codes by hand.
// The browser's redirect lands on a loopback listener (ccrec::webex_login, cpp-httplib); with
// --no-listen the user pastes it. The code is exchanged and --token-file written (0600, atomic).
#include "cmd_webex.hpp"
#include "cli_redis.hpp"

#include <ccrec/core/time.hpp>
#ifdef CCREC_EXPORT_HAVE_WEBEX_LOGIN
#include <ccrec/webex_login/login.hpp>
#endif

#include <iostream>
#include <optional>

namespace ccrec_cli {

#ifndef CCREC_EXPORT_HAVE_WEBEX_LOGIN

int RunWebexLogin(WebexFlags&) {
  throw UsageError{"this ccrec-export was built without cpp-httplib, so `webex login` is not available; authorize "
                   "with `ccrec-export webex --auth-code CODE --redirect-uri URI` instead"};
}

#else

namespace {

int LoginFailed(std::string const& message) {
  std::cerr << "ccrec-export: error: webex login: " << ccrec::RedactSecrets(message) << "\n";
  return kExitFatal;
}

}  // namespace

int RunWebexLogin(WebexFlags& f) {
  using namespace ccrec::webex;
  auto logger = MakeLogger(f.common);
  auto const timeout = ParseDurationFlag("--timeout", f.login_timeout);
  if (timeout < std::chrono::seconds(1)) throw UsageError{"--timeout must be at least 1s"};
  if (f.redirect_uri.empty()) {
    throw UsageError{"--redirect-uri is required: the redirect URI registered with the integration, e.g. "
                     "http://127.0.0.1:8765/callback (the listener receives it there)"};
  }
  if (f.no_listen && f.listen_port >= 0) throw UsageError{"--listen-port and --no-listen exclude each other"};
  if (f.scopes.empty()) throw UsageError{"--scope: at least one scope is needed (cjp:config_read)"};
  std::optional<LoopbackRedirectUri> loopback;
  if (!f.no_listen) {
    auto parsed = ParseLoopbackRedirectUri(f.redirect_uri);
    if (!parsed) throw UsageError{"--redirect-uri: " + parsed.error().message};
    loopback = *parsed;
  }
  auto file = OpenWebexTokenFile(f, "; fix or remove it before logging in again");
  std::string const client_id = ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id");
  auto state = MakeOAuthState();
  if (!state) return LoginFailed(state.error().message);

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;

  std::unique_ptr<LoopbackListener> listener;
  if (loopback) {
    LoopbackListenerOptions lo;
    lo.path = loopback->path;
    lo.port = f.listen_port >= 0 ? f.listen_port : loopback->port;
    lo.expected_state = *state;
    auto started = LoopbackListener::Start(lo);
    if (!started) return LoginFailed(started.error().message);
    listener = std::move(*started);
    if (loopback->port == 0) loopback->port = listener->Port();  // any port: the redirect names the bound one
    f.redirect_uri = loopback->ToString();
  }
  auto transport = MakeTransport(f.common, logger);
  auto oauth = MakeWebexOAuthClient(f, file, transport, logger);
  OAuthConfig config;
  config.client_id = client_id;
  config.authorize_url = f.authorize_url;
  config.redirect_uri = f.redirect_uri;
  std::cout << "Open this URL in a browser, sign in as an administrator of the Contact Center organization and "
               "accept:\n"
            << BuildAuthorizeUrl(config, f.scopes, *state) << "\n"
            << std::flush;

  ccrec::Result<std::string> code = std::string();
  if (listener) {
    logger.Info("waiting up to " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                " s for the browser's redirect on http://127.0.0.1:" + std::to_string(listener->Port()) +
                loopback->path);
    code = listener->WaitForCode(timeout, cancel);
  } else {
    std::cerr << "Paste the whole URL the browser was sent to after accepting (or just its code), then Enter:\n";
    std::string line;
    if (!std::getline(std::cin, line)) return LoginFailed("no redirect URL or code on stdin");
    auto redirect = ParseAuthorizationRedirect(line);
    if (!redirect) return LoginFailed(redirect.error().message);
    if (!redirect->has_state && redirect->error.empty()) {
      logger.Warn("a bare code was pasted: its state cannot be checked; paste the whole redirect URL to have it "
                  "checked");
    }
    code = CodeFromRedirect(*redirect, *state, /*allow_missing_state=*/true);
  }
  if (!code) {
    if (code.error().code == ccrec::ErrorCode::kCancelled) return signals.Signal() > 0 ? 128 + signals.Signal() : 1;
    return LoginFailed(code.error().message);
  }
  listener.reset();  // the browser has its page; nothing else may arrive
  auto exchanged = oauth->ExchangeAuthorizationCode(*code, ctx);
  if (!exchanged) {
    std::string message = "the code exchange failed: " + exchanged.error().ToString();
    if (exchanged.error().vendor_code == "invalid_grant") {
      message += ". A code is refused when --redirect-uri (" + f.redirect_uri +
                 ") is not exactly the redirect URI registered with the integration (scheme, host, port and path), "
                 "or when it was used or has expired";
    }
    return LoginFailed(message);
  }
  std::string const where = f.token_store.empty() ? f.token_file + " (mode 0600)" : TokenStoreName(f);
  std::cout << (file.token ? "replaced the tokens in " : "wrote ") << where
            << ": access token valid until " << ccrec::FormatIso8601(exchanged->expires_at)
            << ", refresh token until "
            << (exchanged->refresh_token_expires_at ? ccrec::FormatIso8601(*exchanged->refresh_token_expires_at)
                                                    : std::string("unknown"))
            << "\n";
  return kExitOk;
}

#endif

}  // namespace ccrec_cli
