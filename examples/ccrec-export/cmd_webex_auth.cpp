// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex: the token file, the OAuth client, and `webex token refresh` (keeps a
// deployment that runs less often than the refresh token lives authorized; docs/webex.md).
#include "cmd_webex.hpp"

#include "cli_redis.hpp"

#include <ccrec/core/time.hpp>
#include <ccrec/webex/regions.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace ccrec_cli {
namespace {

/// A token store that cannot be read: a store that is unreachable or timed out is the
/// environment, not the command line (exit 1); anything else (a malformed file, a missing key)
/// is a configuration error (exit 2).
[[noreturn]] void ThrowUnreadableTokenStore(std::string const& flag, ccrec::Error const& e,
                                            std::string const& when_unreadable) {
  switch (e.code) {
    case ccrec::ErrorCode::kUnavailable:
    case ccrec::ErrorCode::kTransport:
    case ccrec::ErrorCode::kDeadlineExceeded:
      throw std::runtime_error(flag + ": " + e.message);
    default:
      throw UsageError{flag + ": " + e.message + when_unreadable};
  }
}

}  // namespace

WebexTokenFile OpenWebexTokenFile(WebexFlags const& f, std::string const& when_unreadable) {
  WebexTokenFile out;
  if (!f.token_store.empty()) {
    out.store = OpenRedisTokenStore(f, MakeLogger(f.common));
    auto existing = out.store->Load();
    if (!existing) ThrowUnreadableTokenStore("--token-store", existing.error(), when_unreadable);
    out.token = *existing;
    return out;
  }
  if (f.token_file.empty()) {
    throw UsageError{HaveRedis() ? "--token-file (or --token-store) is required (the OAuth token store)"
                                 : "--token-file is required (the OAuth token store)"};
  }
  out.store = ccrec::MakeJsonFileTokenStore(f.token_file);
  auto existing = out.store->Load();
  if (!existing) ThrowUnreadableTokenStore("--token-file", existing.error(), when_unreadable);
  out.token = *existing;
  return out;
}

void WarnRefreshTokenExpiry(std::optional<ccrec::OAuthToken> const& token, ccrec::Logger const& logger) {
  if (!token) return;
  if (auto warning = ccrec::webex::RefreshTokenExpiryWarning(*token, std::chrono::system_clock::now())) {
    logger.Warn(*warning);
  }
}

std::shared_ptr<ccrec::webex::OAuthClient> MakeWebexOAuthClient(WebexFlags& f, WebexTokenFile const& file,
                                                                std::shared_ptr<ccrec::HttpTransport> transport,
                                                                ccrec::Logger const& logger) {
  ccrec::webex::OAuthClientOptions oo;
  oo.config.client_id = ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id");
  oo.config.client_secret = ResolveSecret(f.client_secret, "CCREC_WEBEX_CLIENT_SECRET", "client-secret");
  oo.config.token_url = f.token_url;
  oo.config.authorize_url = f.authorize_url;
  oo.config.redirect_uri = f.redirect_uri;
  oo.store = file.store;
  oo.transport = std::move(transport);
  oo.logger = logger;
  if (auto t = RequestTimeout(f.common)) oo.request_timeout = *t;
  return std::make_shared<ccrec::webex::OAuthClient>(oo);
}

namespace {

/// True when `flag` can be resolved (ResolveSecret would not throw "is required").
bool HasSecret(SecretFlag const& flag, char const* env, std::string const& name) {
  if (!flag.value.empty() || !flag.file.empty()) return true;
  if (char const* v = std::getenv(env); v != nullptr && *v != '\0') return true;
  char const* dir = std::getenv("CREDENTIALS_DIRECTORY");
  return dir != nullptr && *dir != '\0' && ::access((std::string(dir) + "/" + name).c_str(), F_OK) == 0;
}

}  // namespace

WebexTokens MakeWebexTokens(WebexFlags& f, WebexTokenFile const& file, std::shared_ptr<ccrec::HttpTransport> transport,
                            ccrec::Logger const& logger) {
  WebexTokens out;
  if (f.auth != "service-app") {
    for (auto const& [given, flag] : {std::pair<bool, char const*>{!f.application_id.empty(), "--application-id"},
                                      {!f.target_org_id.empty(), "--target-org-id"},
                                      {!f.applications_token.value.empty() || !f.applications_token.file.empty(),
                                       "--applications-token"}}) {
      if (given) throw UsageError{std::string(flag) + " is for --auth service-app"};
    }
    out.oauth = MakeWebexOAuthClient(f, file, std::move(transport), logger);
    out.source = out.oauth;
    return out;
  }
  ccrec::webex::ServiceAppOptions so;
  so.application_id = f.application_id;
  so.target_org_id = f.target_org_id.empty() ? f.org_id : f.target_org_id;
  bool const can_fetch = HasSecret(f.applications_token, "CCREC_WEBEX_APPLICATIONS_TOKEN", "applications-token");
  if (can_fetch) {
    if (so.application_id.empty()) throw UsageError{"--auth service-app needs --application-id (the Service App's id)"};
    if (so.target_org_id.empty()) {
      throw UsageError{"--auth service-app needs --target-org-id (or --org-id): the org whose Full Admin authorized "
                       "the Service App"};
    }
    so.applications_token = ccrec::webex::MakeStaticAccessTokenSource(
        ResolveSecret(f.applications_token, "CCREC_WEBEX_APPLICATIONS_TOKEN", "applications-token"));
  } else if (!file.token) {
    throw UsageError{TokenStoreName(f) +
                     " does not exist; with --auth service-app give --applications-token (a token with scope "
                     "spark:applications_token), --application-id and --target-org-id once to fetch the Service "
                     "App's token"};
  }
  so.config.client_id = ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id");
  so.config.client_secret = ResolveSecret(f.client_secret, "CCREC_WEBEX_CLIENT_SECRET", "client-secret");
  so.config.token_url = f.token_url;
  so.webexapis_url = f.webexapis_url;
  so.store = file.store;
  so.transport = std::move(transport);
  so.logger = logger;
  if (auto t = RequestTimeout(f.common)) so.request_timeout = *t;
  out.source = std::make_shared<ccrec::webex::ServiceAppTokenSource>(std::move(so));
  return out;
}

std::string WebexBaseUrl(WebexFlags const& f) {
  if (!f.api_base_url.empty()) return f.api_base_url;
  auto b = ccrec::webex::BaseUrlForRegion(f.region);
  if (!b) throw UsageError{"--region: " + b.error().message};
  return *b;
}

ccrec::webex::ClientOptions WebexClientOptions(WebexFlags const& f, std::string base_url,
                                               std::shared_ptr<ccrec::webex::AccessTokenSource> tokens,
                                               std::shared_ptr<ccrec::HttpTransport> transport,
                                               ccrec::Logger const& logger) {
  ccrec::webex::ClientOptions co;
  co.base_url = std::move(base_url);
  co.tokens = std::move(tokens);
  co.transport = std::move(transport);
  co.logger = logger;
  if (auto t = RequestTimeout(f.common)) co.request_timeout = *t;
  co.allow_http_media = f.allow_http_media;
  return co;
}

namespace {

std::string When(std::optional<std::chrono::system_clock::time_point> t) {
  return t ? ccrec::FormatIso8601(*t) : std::string("unknown (the token endpoint did not say)");
}

}  // namespace

int RunWebexTokenRefresh(WebexFlags& f) {
  auto logger = MakeLogger(f.common);
  auto file = OpenWebexTokenFile(f);
  if (!file.token && f.auth != "service-app") {
    throw UsageError{TokenStoreName(f) +
                     " does not exist: nothing to refresh; authorize first with `ccrec-export webex login`"};
  }
  auto transport = MakeTransport(f.common, logger);
  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;
  auto tokens = MakeWebexTokens(f, file, transport, logger);
  auto refreshed = tokens.source->Refresh(ctx);
  if (!refreshed) {
    WarnRefreshTokenExpiry(file.token, logger);
    std::cerr << "ccrec-export: error: refreshing the Webex token in " << (f.token_store.empty() ? f.token_file : TokenStoreName(f))
              << " failed: " << ccrec::RedactSecrets(refreshed.error().ToString()) << "\n";
    return kExitFatal;
  }
  auto saved = tokens.source->Flush(ctx);
  if (!saved) {
    std::cerr << "ccrec-export: error: the " << TokenStoreName(f) << " does not hold the new Webex token ("
              << ccrec::RedactSecrets(saved.error().message) << ")\n";
    return kExitFatal;
  }
  std::cout << "refreshed the Webex token in " << (f.token_store.empty() ? f.token_file : TokenStoreName(f)) << ": access token valid until "
            << ccrec::FormatIso8601(refreshed->expires_at) << ", refresh token until "
            << When(refreshed->refresh_token_expires_at) << "\n";
  return kExitOk;
}

void AddWebexAuthFlags(CLI::App& app, WebexFlags& f, bool with_connection_flags, bool with_login_only_flags) {
  app.add_option("--token-url", f.token_url, "OAuth token endpoint")->capture_default_str();
  AddSecretFlag(app, f.client_id, "client-id", "CCREC_WEBEX_CLIENT_ID", "OAuth client id");
  AddSecretFlag(app, f.client_secret, "client-secret", "CCREC_WEBEX_CLIENT_SECRET", "OAuth client secret");
  app.add_option("--token-file", f.token_file, "JSON token store, rewritten atomically with mode 0600");
  AddRedisTokenStoreFlags(app, f);
  app.add_option("--redirect-uri", f.redirect_uri,
                 "redirect URI registered with the integration: the one --auth-code was obtained with, or where "
                 "`webex login` listens (http://127.0.0.1:PORT/PATH)");
  app.add_option("--authorize-url", f.authorize_url, "OAuth authorize endpoint (webex login)")->capture_default_str();
  if (!with_login_only_flags) {
    app.add_option("--auth", f.auth,
                   "integration: tokens of an OAuth integration an admin authorized (webex login); service-app: a "
                   "Service App's tokens (machine account; --client-id/--client-secret are the Service App's)")
        ->check(CLI::IsMember({"integration", "service-app"}))
        ->capture_default_str();
    app.add_option("--application-id", f.application_id, "--auth service-app: the Service App's application id");
    app.add_option("--target-org-id", f.target_org_id,
                   "--auth service-app: the org the Service App token is for (default: --org-id)");
    AddSecretFlag(app, f.applications_token, "applications-token", "CCREC_WEBEX_APPLICATIONS_TOKEN",
                  "--auth service-app: access token with scope spark:applications_token, to fetch the Service App's "
                  "token when the token file has none usable");
    app.add_option("--webexapis-url", f.webexapis_url, "Webex platform API base (Service App token endpoint)")
        ->capture_default_str();
  }
  if (!with_connection_flags) return;
  app.add_option("--ca-file", f.common.ca_file, "extra PEM CA bundle to trust (TLS verification is always on)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", f.common.insecure, "disable TLS certificate verification (testing only)");
  app.add_option("--log-level", f.common.log_level, "error|warn|info|debug (stderr)")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_option("--log-format", f.common.log_format, "stderr log lines: text or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--request-timeout", f.common.request_timeout_s,
                 "total seconds one attempt of a token request may take; 0.001..86400 (default 30)")
      ->check(CLI::Range(0.001, 86400.0));
}

void AddWebexApiFlags(CLI::App& app, WebexFlags& f) {
  app.add_option("--region", f.region, "data centre: us1 eu1 eu2 anz1 ca1 jp1 sg1")->capture_default_str();
  app.add_option("--api-base-url", f.api_base_url, "API base URL (overrides --region)");
  app.add_option("--org-id", f.org_id, "organization id (default: from the token)");
}

WebexSubcommands AddWebexSubcommands(CLI::App& webex, WebexFlags& f) {
  WebexSubcommands out;
  out.login = webex.add_subcommand(
      "login",
      "authorize the integration once: print the authorize URL, receive the redirect on a loopback listener (or "
      "read it from stdin with --no-listen), exchange the code and write --token-file (mode 0600)");
  AddWebexAuthFlags(*out.login, f, /*with_connection_flags=*/true, /*with_login_only_flags=*/true);
  out.login->add_option("--listen-port", f.listen_port,
                        "port on 127.0.0.1 to listen on (default: the --redirect-uri port; 0 there = any free port)")
      ->check(CLI::Range(0, 65535));
  out.login->add_option("--timeout", f.login_timeout, "how long to wait for the browser's redirect")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  out.login->add_flag("--no-listen", f.no_listen,
                      "do not listen: print the URL and read the redirect URL (or the code) pasted on stdin");
  out.login->add_option("--scope", f.scopes, "OAuth scope to ask for (repeatable)")->capture_default_str();
  auto* token = webex.add_subcommand("token", "manage the Webex token file without exporting");
  token->require_subcommand(1);
  out.token_refresh = token->add_subcommand(
      "refresh", "refresh the access token now and persist the rotated refresh token in --token-file (for a timer)");
  AddWebexAuthFlags(*out.token_refresh, f, /*with_connection_flags=*/true, /*with_login_only_flags=*/false);
  out.token_refresh->add_option("--org-id", f.org_id, "organization id (--target-org-id's default)");
  return out;
}

}  // namespace ccrec_cli
