// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex: Webex Contact Center tasks -> captures -> presigned download -> sink.
#include "cmd_webex.hpp"
#include "cmd_webex_serve.hpp"
#include "commands.hpp"

#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/core/token_store.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex/recording_source.hpp>

#include <ccrec/core/time.hpp>
#include <ccrec/exporter/checkpoint.hpp>

#include <iostream>
#include <sstream>

namespace ccrec_cli {

namespace {

std::vector<std::string> SplitList(std::string const& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int RunWebex(WebexFlags& f) {
  using std::chrono::system_clock;
  // ---- validate everything before writing anything -------------------------------------
  if (f.common.dest.empty()) throw UsageError{"--dest is required"};
  ValidateCommon(f.common, {}, ccrec::webex::WebexKeyIdentity());
  auto dest = ParseDestination(f.common.dest);
  std::chrono::milliseconds sub_window = std::chrono::hours(24);
  if (!f.sub_window.empty()) {
    sub_window = ParseDurationFlag("--sub-window", f.sub_window);
    if (sub_window < std::chrono::seconds(1)) throw UsageError{"--sub-window must be at least 1s"};
  }
  auto pending_max_age = ParseDurationFlag("--pending-max-age", f.pending_max_age);  // 0 = wait forever
  // ---- the window: --from/--to, --days-back, --since-last-run, --until-now-minus -------------
  auto window = ResolveWindow(f.window, f.common, "webex");
  if (window.nothing_to_do) {
    // No API call this run, but the refresh-token warning is due every run (docs/webex.md).
    if (!f.token_file.empty()) {
      auto stored = ccrec::MakeJsonFileTokenStore(f.token_file)->Load();
      if (stored) WarnRefreshTokenExpiry(*stored, MakeLogger(f.common));
    }
    return kExitOk;
  }
  auto const from = window.from;
  auto const to = window.to;
  auto channels = SplitList(f.channel_types);
  for (auto const& c : channels) {
    if (c != "telephony" && c != "chat" && c != "email" && c != "social") {
      throw UsageError{"--channel-types: unknown channel type \"" + c + "\" (telephony, chat, email, social)"};
    }
  }
  if (f.url_expiration < 1 || f.url_expiration > 60) throw UsageError{"--url-expiration must be 1..60 minutes"};
  std::string base_url = f.api_base_url;
  if (base_url.empty()) {
    auto b = ccrec::webex::BaseUrlForRegion(f.region);
    if (!b) throw UsageError{"--region: " + b.error().message};
    base_url = *b;
  }
  auto logger = MakeLogger(f.common);
  auto file = OpenWebexTokenFile(f, f.auth_code.empty() ? std::string()
                                                         : "; fix or remove it before --auth-code replaces it (the "
                                                           "authorization code was not used)");
  bool const service_app = f.auth == "service-app";
  if (service_app && !f.auth_code.empty()) {
    throw UsageError{"--auth-code is for --auth integration; a Service App gets its token from the Service App "
                     "token endpoint (--application-id, --applications-token)"};
  }
  if (!file.token && f.auth_code.empty() && !service_app) {
    throw UsageError{"token file " + f.token_file +
                     " does not exist; authorize once with `ccrec-export webex login` (or --auth-code CODE "
                     "--redirect-uri URI), or write it with a refresh token"};
  }
  if (!f.auth_code.empty() && f.redirect_uri.empty()) {
    throw UsageError{"--auth-code needs --redirect-uri: the redirect URI registered with the integration, which "
                     "the code was issued for"};
  }
  auto transport = MakeTransport(f.common, logger);
  auto tokens = MakeWebexTokens(f, file, transport, logger);

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;

  // --auth-code always wins: the user asked for these credentials. The exchange replaces the
  // token file atomically (mode 0600) under its lock.
  if (!f.auth_code.empty()) {
    auto exchanged = tokens.oauth->ExchangeAuthorizationCode(f.auth_code, ctx);
    if (!exchanged) {
      std::cerr << "ccrec-export: error: authorization code exchange failed: "
                << ccrec::RedactSecrets(exchanged.error().ToString()) << "\n";
      return kExitFatal;
    }
    if (file.token) {
      logger.Warn("--auth-code: replaced the tokens in the existing token file " + f.token_file +
                  " with the ones the authorization code was exchanged for");
    } else {
      logger.Info("--auth-code: wrote the token file " + f.token_file);
    }
  }

  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);

  ccrec::webex::ClientOptions co;
  co.base_url = base_url;
  co.tokens = tokens.source;
  co.transport = transport;
  co.logger = logger;
  if (f.rate_limiter == "token-bucket") {
    ccrec::TokenBucketOptions rate;
    rate.requests_per_minute = f.rate_limit;
    co.rate_limiter = ccrec::MakeTokenBucketRateLimiter(rate);
  } else {  // sliding-window: at most N in any rolling 60 s (N rounded down, CLI::Range keeps it >= 1)
    ccrec::SlidingWindowOptions rate;
    rate.max_requests = static_cast<std::size_t>(f.rate_limit);
    co.rate_limiter = ccrec::MakeSlidingWindowRateLimiter(rate);
  }
  if (auto t = RequestTimeout(f.common)) co.request_timeout = *t;
  co.allow_http_media = f.allow_http_media;
  ccrec::webex::Client client(co);

  ccrec::webex::WebexSourceOptions so;
  so.filter.queues = f.queues;
  so.filter.agents = f.agents;
  so.filter.directions = f.directions;
  so.filter.statuses = f.statuses;
  if (f.min_duration_s >= 0) so.filter.min_duration = std::chrono::seconds(f.min_duration_s);
  if (f.max_duration_s >= 0) so.filter.max_duration = std::chrono::seconds(f.max_duration_s);
  so.sub_window = sub_window;
  so.tasks.from = from;
  so.tasks.to = to;
  so.tasks.channel_types = channels;
  if (!f.org_id.empty()) so.tasks.org_id = f.org_id;
  so.url_expiration = std::chrono::minutes(f.url_expiration);
  so.include_segments = f.include_segments;
  so.pending_max_age = pending_max_age;
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::webex::MakeWebexSource(client, so);

  auto summary = RunExporter(MakeExporterOptions(f.common, logger, sink), logger, source, sink, manifest,
                             "Webex CC recordings created in " + DescribeWindow(from, to), ctx);
  // A rotated token the token file refused is kept in memory by OAuthClient; make the last
  // attempt now, and fail the run if the file still lacks it (the message names the rescue file).
  auto token_saved = tokens.Flush();
  if (!token_saved) {
    std::cerr << "ccrec-export: error: the token file " << f.token_file << " does not hold the current Webex token ("
              << ccrec::RedactSecrets(token_saved.error().message) << ")\n";
  }
  // The next --since-last-run starts at the first task left unfinished (pending or failed), else
  // at this window's end. A task pending longer than --pending-max-age is recorded as failed once
  // and no longer holds it back (ExportSummary::earliest_unfinished leaves it out).
  AdvanceCheckpoint(window, "webex", f.common, summary, signals.signal(), logger);
  int status = FinishRun(summary, logger, signals.signal());
  return token_saved ? status : kExitFatal;
}

}  // namespace

void RegisterWebex(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<WebexFlags>();
  auto* cmd = app.add_subcommand("webex", "export Webex Contact Center recordings (tasks -> captures -> media)");
  AddCommonFlags(*cmd, f->common, "call-detail/{task_id}/{recording_id}{ext}");
  AddWindowFlags(*cmd, f->window, "the task's creation time");
  // Required for exports only: `webex login` and `webex token refresh` write no recordings.
  cmd->get_option("--dest")->required(false);
  cmd->add_option("--region", f->region, "data centre: us1 eu1 eu2 anz1 ca1 jp1 sg1")->capture_default_str();
  cmd->add_option("--api-base-url", f->api_base_url, "API base URL (overrides --region)");
  cmd->add_option("--org-id", f->org_id, "organization id (default: from the token)");
  AddWebexAuthFlags(*cmd, *f, /*with_connection_flags=*/false);
  cmd->add_option("--auth-code", f->auth_code,
                  "one-time authorization code: exchanged for tokens that create or replace --token-file");

  cmd->add_option("--channel-types", f->channel_types, "comma-separated: telephony,chat,email,social")
      ->capture_default_str();
  cmd->add_option("--url-expiration", f->url_expiration, "presigned URL lifetime in minutes (1..60)")
      ->capture_default_str();
  cmd->add_option("--rate-limit", f->rate_limit, "Webex API requests per minute for this client id (all workers)")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  cmd->add_option("--rate-limiter", f->rate_limiter,
                  "sliding-window: at most --rate-limit requests in any rolling 60 s, bursts allowed; "
                  "token-bucket: requests spaced evenly, 60 s / --rate-limit apart")
      ->check(CLI::IsMember({"sliding-window", "token-bucket"}))
      ->capture_default_str();
  cmd->add_option("--pending-max-age", f->pending_max_age,
                  "give up on a task still without a recording this long after it was created: record it as "
                  "failed once and let --since-last-run move on (0 = wait forever)")
      ->capture_default_str();
  cmd->add_option("--sub-window", f->sub_window, "list long windows in sub-windows of this length, in order")
      ->default_str("1d");
  cmd->add_option("--queue", f->queues, "only tasks whose last queue id or name matches (repeatable, comma-separated)")
      ->delimiter(',');
  cmd->add_option("--agent", f->agents, "only tasks whose last agent (owner) id or name matches")->delimiter(',');
  cmd->add_option("--direction", f->directions, "only tasks with this direction: inbound, outbound, outdial")
      ->delimiter(',');
  cmd->add_option("--status", f->statuses, "only tasks with this status, e.g. completed, abandoned")->delimiter(',');
  cmd->add_option("--min-duration", f->min_duration_s, "only recordings at least this many seconds long")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-duration", f->max_duration_s, "only recordings at most this many seconds long")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--include-segments", f->include_segments, "export individual segments instead of stitched recordings");
  cmd->add_flag("--allow-http-media", f->allow_http_media,
                "accept presigned recording URLs over plain http (refused by default; link-local and metadata "
                "addresses are refused always)");
  auto subcommands = AddWebexSubcommands(*cmd, *f);
  auto extra = AddWebexServeSubcommands(*cmd, f);  // serve, subscriptions (cmd_webex_serve.cpp)
  action = [f, subcommands, extra] {
    for (auto const& sub : extra) {
      if (sub.app->parsed()) return sub.run();
    }
    if (subcommands.login->parsed()) return RunWebexLogin(*f);
    if (subcommands.token_refresh->parsed()) return RunWebexTokenRefresh(*f);
    return RunWebex(*f);
  };
  cmd->callback([] {});
}

}  // namespace ccrec_cli
