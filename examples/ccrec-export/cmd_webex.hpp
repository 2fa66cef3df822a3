// SPDX-License-Identifier: Apache-2.0
#pragma once
// The flags of `ccrec-export webex` and its subcommands `webex login` and `webex token refresh`,
// shared by cmd_webex*.cpp.

#include "cli_window.hpp"

#include <ccrec/core/token_store.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex/service_app.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ccrec_cli {

struct WebexFlags {
  CommonOptions common;
  WindowFlags window;
  std::string region = "us1";
  std::string api_base_url;
  std::string token_url = "https://webexapis.com/v1/access_token";
  std::string org_id;
  SecretFlag client_id, client_secret;
  std::string token_file;
  std::string token_store, rate_limit_store, redis_password_file;  // cli_redis.cpp
  std::string auth_code, redirect_uri;
  std::string authorize_url = "https://webexapis.com/v1/authorize";
  // --auth service-app
  std::string auth = "integration";
  std::string application_id, target_org_id;
  SecretFlag applications_token;
  std::string webexapis_url = "https://webexapis.com/v1";
  // webex login
  int listen_port = -1;  // -1: the redirect URI's port
  std::string login_timeout = "300s";
  bool no_listen = false;
  std::vector<std::string> scopes{"cjp:config_read"};
  std::string channel_types = "telephony";
  int url_expiration = 30;
  bool include_segments = false;
  bool allow_http_media = false;
  double rate_limit = 300;
  std::string rate_limiter = "sliding-window";
  std::string sub_window;
  std::string shard;  // --shard I/N
  std::string lease, lease_ttl = "60s", lease_wait = "6h";  // --lease redis://… (cli_redis.cpp)
  std::string pending_max_age = kDefaultPendingMaxAge;
  std::vector<std::string> queues, agents, directions, statuses;
  long long min_duration_s = -1, max_duration_s = -1;
  // issue 13 item 5: the rest of a task's media
  bool include_va = false;
  bool no_transcripts = false;
  std::vector<std::string> task_ids;
  // issue 13 item 3: Search API enrichment and filters
  std::string enrich;
  std::vector<std::string> anis, dnises, wrapups, cads, cad_vars;
};

/// --token-file opened and read (UsageError when missing or unreadable), plus the refresh-token
/// expiry warning of every run.
struct WebexTokenFile {
  std::shared_ptr<ccrec::TokenStore> store;
  std::optional<ccrec::OAuthToken> token;  // nullopt: the file does not exist yet
};
/// Opens --token-file; `when_unreadable` is appended to the usage error for an unreadable file.
WebexTokenFile OpenWebexTokenFile(WebexFlags const& f, std::string const& when_unreadable = {});
/// Logs RefreshTokenExpiryWarning for `token` (when there is one) at warn level.
void WarnRefreshTokenExpiry(std::optional<ccrec::OAuthToken> const& token, ccrec::Logger const& logger);

/// The OAuth client of the integration (--client-id/--client-secret, --token-url, --redirect-uri).
std::shared_ptr<ccrec::webex::OAuthClient> MakeWebexOAuthClient(WebexFlags& f, WebexTokenFile const& file,
                                                                std::shared_ptr<ccrec::HttpTransport> transport,
                                                                ccrec::Logger const& logger);

/// The token source of --auth: the integration's OAuthClient, or a ServiceAppTokenSource.
struct WebexTokens {
  std::shared_ptr<ccrec::webex::StoredTokenSource> source;
  std::shared_ptr<ccrec::webex::OAuthClient> oauth;  // --auth integration only (--auth-code)
};
/// Validates the --auth flags (UsageError) and builds the token source. `file` must be open.
WebexTokens MakeWebexTokens(WebexFlags& f, WebexTokenFile const& file, std::shared_ptr<ccrec::HttpTransport> transport,
                            ccrec::Logger const& logger);

/// The API base URL: --api-base-url, else the one of --region (UsageError for an unknown region).
std::string WebexBaseUrl(WebexFlags const& f);
/// ClientOptions of the Webex CC API clients: `base_url`, the token source, transport and logger,
/// --request-timeout and --allow-http-media (no rate limiter).
ccrec::webex::ClientOptions WebexClientOptions(WebexFlags const& f, std::string base_url,
                                               std::shared_ptr<ccrec::webex::AccessTokenSource> tokens,
                                               std::shared_ptr<ccrec::HttpTransport> transport,
                                               ccrec::Logger const& logger);

/// `ccrec-export webex token refresh`: refreshes the token now and persists it.
int RunWebexTokenRefresh(WebexFlags& f);
/// `ccrec-export webex login`: the authorization-code flow with a loopback listener (or --no-listen).
int RunWebexLogin(WebexFlags& f);
/// Adds the token flags (--token-file, --token-url, --client-id/--client-secret and their -file
/// twins, --redirect-uri, --authorize-url) to `app`, and with `with_connection_flags` also
/// --ca-file, --insecure, --log-level and --request-timeout. `webex` and its subcommands each get
/// them, bound to the same fields: CLI11 does not return to a subcommand once one of its flags fell
/// through to the parent, so `webex login --token-file F --timeout 60s` needs both on `login`.
/// `with_login_only_flags`: the flags for `webex login` only (no --auth and Service App flags).
void AddWebexAuthFlags(CLI::App& app, WebexFlags& f, bool with_connection_flags, bool with_login_only_flags = false);
/// Adds where the Webex CC API is and which org it is asked about: --region, --api-base-url and
/// --org-id (`webex`, `webex serve` and `webex subscriptions`).
void AddWebexApiFlags(CLI::App& app, WebexFlags& f);
/// Adds `login` and `token refresh` under `webex`; returns them so the action can tell which ran.
struct WebexSubcommands {
  CLI::App* login = nullptr;
  CLI::App* token_refresh = nullptr;
};
WebexSubcommands AddWebexSubcommands(CLI::App& webex, WebexFlags& f);

}  // namespace ccrec_cli
