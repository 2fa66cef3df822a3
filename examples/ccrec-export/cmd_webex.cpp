// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex: Webex Contact Center tasks -> captures -> presigned download -> sink.
#include "cmd_webex.hpp"
#include "cli_redis.hpp"
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

/// --task-id replaces the window and the listing: flags that only shape those are refused.
void CheckTaskIdFlags(WebexFlags const& f) {
  for (auto const& id : f.task_ids) {
    if (id.empty()) throw UsageError{"--task-id: empty task id"};
  }
  auto const& w = f.window;
  if (!w.from.empty() || !w.to.empty() || w.days_back > 0 || w.since_last_run || !w.until_now_minus.empty()) {
    throw UsageError{"--task-id exports the given tasks without listing a window: drop --from/--to/--days-back/"
                     "--since-last-run/--until-now-minus"};
  }
  if (!f.queues.empty() || !f.agents.empty() || !f.directions.empty() || !f.statuses.empty() || !f.sub_window.empty()) {
    throw UsageError{"--task-id does not list tasks, so --queue/--agent/--direction/--status/--sub-window cannot "
                     "apply; drop them"};
  }
}

/// --lease with flags it cannot work with (UsageError), and {shard} in --manifest -> HOST-PID-RANDOM.
/// Returns the instance name (ccrec::exporter::NewLeaseHolder()), or "" without --lease.
std::string CheckLeaseUse(WebexFlags& f) {
  if (f.lease.empty()) return {};
  if (!f.shard.empty()) throw UsageError{"--lease and --shard both split the window; choose one"};
  if (!f.task_ids.empty()) throw UsageError{"--lease shares a listed window; it cannot be used with --task-id"};
  if (f.window.since_last_run) {
    throw UsageError{"--lease cannot be used with --since-last-run: each instance's checkpoint would skip the "
                     "sub-windows (and their pending tasks) that other instances handled; give each run its "
                     "--from/--to (docs/scale.md)"};
  }
  if (f.common.dry_run) throw UsageError{"--lease cannot be used with --dry-run (it would mark sub-windows done)"};
  CheckLeaseFlags(f);
  std::string const instance = ccrec::exporter::NewLeaseHolder();  // HOST-PID-RANDOM
  f.common.manifest = ReplaceShardPlaceholder(f.common.manifest, instance);
  return instance;
}

/// What makes two --lease instances the same job: everything that decides which recordings a
/// sub-window holds and where they go (hashed into the lease keys; docs/scale.md).
std::string LeaseJob(WebexFlags const& f, std::string const& base_url, std::chrono::milliseconds sub_window) {
  std::string client_id = f.application_id;
  try {
    if (client_id.empty()) client_id = ResolveSecret(f.client_id, "CCREC_WEBEX_CLIENT_ID", "client-id");
  } catch (UsageError const&) {
  }
  std::ostringstream job;
  auto list = [&job](char const* name, std::vector<std::string> const& v) {
    job << name << "=";
    for (auto const& x : v) job << x << ",";
    job << "\n";
  };
  job << "webex\ndest=" << f.common.dest << "\nkey-template=" << f.common.key_template << "\napi=" << base_url
      << "\nclient=" << client_id << "\norg=" << f.org_id << "\nchannels=" << f.channel_types
      << "\nsub-window-ms=" << sub_window.count() << "\nsegments=" << f.include_segments << "\nva=" << f.include_va
      << "\ntranscripts=" << !f.no_transcripts << "\nenrich=" << f.enrich << "\nmin=" << f.min_duration_s
      << "\nmax=" << f.max_duration_s << "\n";
  list("queues", f.queues);
  list("agents", f.agents);
  list("directions", f.directions);
  list("statuses", f.statuses);
  list("ani", f.anis);
  list("dnis", f.dnises);
  list("wrapup", f.wrapups);
  list("cad", f.cads);
  return job.str();
}

int RunWebex(WebexFlags& f) {
  using std::chrono::system_clock;
  // ---- validate everything before writing anything -------------------------------------
  if (f.common.dest.empty()) throw UsageError{"--dest is required"};
  ValidateCommon(f.common, ccrec::webex::WebexExtraKeyNames(), ccrec::webex::WebexKeyIdentity());
  bool const by_id = !f.task_ids.empty();
  if (by_id) CheckTaskIdFlags(f);
  bool const enrich = f.enrich == "search";
  if (!enrich && (!f.anis.empty() || !f.dnises.empty() || !f.wrapups.empty() || !f.cads.empty() || !f.cad_vars.empty())) {
    throw UsageError{"--ani/--dnis/--wrapup/--cad/--cad-var are Search API filters: add --enrich search"};
  }
  if (enrich && by_id) throw UsageError{"--enrich search works on a listed window; it cannot be used with --task-id"};
  std::vector<std::pair<std::string, std::string>> cad_filters;
  for (auto const& c : f.cads) {
    auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError{"--cad \"" + c + "\": expected NAME=VALUE"};
    cad_filters.emplace_back(c.substr(0, eq), c.substr(eq + 1));
  }
  for (auto const& n : f.cad_vars) {
    if (n.empty()) throw UsageError{"--cad-var: empty variable name"};
  }
  auto dest = ParseDestination(f.common.dest);
  std::chrono::milliseconds sub_window = std::chrono::hours(24);
  if (!f.sub_window.empty()) {
    sub_window = ParseDurationFlag("--sub-window", f.sub_window);
    if (sub_window < std::chrono::seconds(1)) throw UsageError{"--sub-window must be at least 1s"};
  }
  auto pending_max_age = ParsePendingMaxAge(f.pending_max_age);  // 0 = wait forever
  std::string const lease_instance = CheckLeaseUse(f);
  auto const shard = ParseShardFlag(f.shard);
  if (shard && by_id) throw UsageError{"--shard splits a listed window; it cannot be used with --task-id"};
  std::string const manifest_template = ApplyShardToManifest(f.common, shard, f.window.since_last_run);
  // ---- the window: --from/--to, --days-back, --since-last-run, --until-now-minus -------------
  // --task-id: no window, no listing, no checkpoint.
  ExportWindow window;
  if (by_id) {
    window.from = system_clock::time_point{};
    window.to = window.from + std::chrono::milliseconds(1);
  } else {
    CheckpointMatch match;
    match.layout = ccrec::exporter::ShardLayout{shard ? shard->count : 1U, sub_window};
    match.shard_index = shard ? shard->index : 0U;
    match.manifest_template = manifest_template;
    window = ResolveWindow(f.window, f.common, "webex", match);
  }
  if (window.nothing_to_do) {
    // No API call this run, but the refresh-token warning is due every run (docs/webex.md).
    std::shared_ptr<ccrec::TokenStore> store;
    if (!f.token_store.empty()) {
      store = OpenRedisTokenStore(f, MakeLogger(f.common));
    } else if (!f.token_file.empty()) {
      store = ccrec::MakeJsonFileTokenStore(f.token_file);
    }
    if (store) {
      auto stored = store->Load();
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
  std::string const base_url = WebexBaseUrl(f);
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
    throw UsageError{TokenStoreName(f) +
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
  if (!f.auth_code.empty() && !f.common.validate_only) {
    auto exchanged = tokens.oauth->ExchangeAuthorizationCode(f.auth_code, ctx);
    if (!exchanged) {
      std::cerr << "ccrec-export: error: authorization code exchange failed: "
                << ccrec::RedactSecrets(exchanged.error().ToString()) << "\n";
      return kExitFatal;
    }
    if (file.token) {
      logger.Warn("--auth-code: replaced the tokens in the existing " + TokenStoreName(f) +
                  " with the ones the authorization code was exchanged for");
    } else {
      logger.Info("--auth-code: wrote the " + TokenStoreName(f));
    }
  }

  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);
  if (f.common.validate_only) return kExitOk;  // `ccrec-export run`'s validation pass

  auto co = WebexClientOptions(f, base_url, tokens.source, transport, logger);
  co.rate_limiter = ccrec::MakeMeteredRateLimiter(MakeWebexRateLimiter(f, logger), f.common.metrics);
  ccrec::webex::Client client(co);

  ccrec::webex::WebexSourceOptions so;
  so.filter.queues = f.queues;
  so.filter.agents = f.agents;
  so.filter.directions = f.directions;
  so.filter.statuses = f.statuses;
  // With --enrich search the bounds apply to the task's totalDuration, before Captures (the Webex source applies
  // the Search filters to an unfiltered Search answer: a task it lacks is pending, not skipped).
  auto& bounds = enrich ? so.search_filter.min_duration : so.filter.min_duration;
  auto& upper = enrich ? so.search_filter.max_duration : so.filter.max_duration;
  if (f.min_duration_s >= 0) bounds = std::chrono::seconds(f.min_duration_s);
  if (f.max_duration_s >= 0) upper = std::chrono::seconds(f.max_duration_s);
  so.enrich_search = enrich;
  so.search_filter.ani = f.anis;
  so.search_filter.dnis = f.dnises;
  so.search_filter.wrapup = f.wrapups;
  so.search_filter.cad = cad_filters;
  so.search_cad_names = f.cad_vars;
  so.sub_window = sub_window;
  if (shard) so.claim_sub_window = ccrec::exporter::MakeShardClaim(*shard);
  if (!f.lease.empty()) {
    so.lease_sub_windows = MakeSubWindowLeaser(f, LeaseJob(f, base_url, sub_window), lease_instance, manifest, logger);
  }
  so.tasks.from = from;
  so.tasks.to = to;
  so.tasks.channel_types = channels;
  if (!f.org_id.empty()) so.tasks.org_id = f.org_id;
  so.url_expiration = std::chrono::minutes(f.url_expiration);
  so.include_segments = f.include_segments;
  so.include_va_recordings = f.include_va;
  so.include_transcripts = !f.no_transcripts;
  so.task_ids = f.task_ids;
  so.pending_max_age = pending_max_age;
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::webex::MakeWebexSource(client, so);

  auto summary = RunExporter(MakeExporterOptions(f.common, logger, sink), logger, source, sink, manifest,
                             by_id ? "Webex CC recordings of " + std::to_string(f.task_ids.size()) + " task id(s)"
                                   : "Webex CC recordings created in " + DescribeWindow(from, to),
                             ctx);
  if (so.lease_sub_windows) {
    auto const st = so.lease_sub_windows->Stats();
    logger.Info("sub-window leases: " + std::to_string(st.taken) + " taken (" + std::to_string(st.taken_over) +
                " taken over), " + std::to_string(st.done) + " marked done, " + std::to_string(st.already_done) +
                " done already, " + std::to_string(st.released) + " released unfinished (" +
                std::to_string(st.left_unfinished) + " with failed or pending recordings), " +
                std::to_string(st.lost) + " lost");
  }
  // A rotated token the token file refused is kept in memory by OAuthClient; make the last
  // attempt now, and fail the run if the file still lacks it (the message names the rescue file).
  auto token_saved = tokens.source->Flush({});
  if (!token_saved) {
    std::cerr << "ccrec-export: error: the " << TokenStoreName(f) << " does not hold the current Webex token ("
              << ccrec::RedactSecrets(token_saved.error().message) << ")\n";
  }
  // The next --since-last-run starts at the first task left unfinished (pending or failed), else
  // at this window's end. A task pending longer than --pending-max-age is recorded as failed once
  // and no longer holds it back (ExportSummary::earliest_unfinished leaves it out).
  // With --lease no checkpoint: this instance's outcomes do not cover the sub-windows others listed.
  if (!by_id && f.lease.empty()) AdvanceCheckpoint(window, "webex", f.common, summary, signals.Signal(), logger);
  int status = FinishRun(summary, logger, signals.Signal(), f.common);
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
  AddWebexApiFlags(*cmd, *f);
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
  AddRedisRateLimitFlag(*cmd, *f);
  AddRedisLeaseFlags(*cmd, *f);
  AddPendingMaxAgeFlag(*cmd, f->pending_max_age, "a task still without a recording this long after it was created");
  cmd->add_option("--shard", f->shard,
                  "I/N: list only the sub-windows I, I+N, I+2N, ... of the epoch-aligned --sub-window grid (UTC days "
                  "by default), so N instances share one window without listing or exporting anything twice; "
                  "\"index/N\" takes I from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job). {shard} in --manifest "
                  "becomes I");
  cmd->add_option("--sub-window", f->sub_window, "list long windows in sub-windows of this length, in order")
      ->default_str("1d");
  cmd->add_option("--queue", f->queues, "only tasks whose last queue id or name matches (repeatable, comma-separated)")
      ->delimiter(',');
  cmd->add_option("--agent", f->agents, "only tasks whose last agent (owner) id or name matches")->delimiter(',');
  cmd->add_option("--direction", f->directions, "only tasks with this direction: inbound, outbound, outdial")
      ->delimiter(',');
  cmd->add_option("--status", f->statuses, "only tasks with this status, e.g. completed, abandoned (a task still open is pending until it ends)")->delimiter(',');
  cmd->add_option("--min-duration", f->min_duration_s, "only recordings at least this many seconds long")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-duration", f->max_duration_s, "only recordings at most this many seconds long")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--include-segments", f->include_segments, "export individual segments instead of stitched recordings");
  cmd->add_flag("--include-va", f->include_va,
                "also export virtual-agent legs (Captures includeVARecordings: callType va-main, va-consult)");
  cmd->add_flag("--no-transcripts", f->no_transcripts,
                "do not export transcripts (by default each one is exported as its own object, {kind}=transcript)");
  cmd->add_option("--enrich", f->enrich,
                  "search: add Search API metadata (ANI, DNIS, end time, duration, wrap-up, queue/agent/team/site "
                  "names, CAD variables) to each sidecar, and filter with --ani/--dnis/--wrapup/--cad and "
                  "--min/--max-duration (task totalDuration) before Captures")
      ->check(CLI::IsMember({"search"}));
  cmd->add_option("--ani", f->anis, "with --enrich search: only tasks whose origin (ANI) equals this (repeatable)")
      ->delimiter(',');
  cmd->add_option("--dnis", f->dnises, "with --enrich search: only tasks whose destination (DNIS) equals this (repeatable)")
      ->delimiter(',');
  cmd->add_option("--wrapup", f->wrapups, "with --enrich search: only tasks whose last wrap-up code name equals this "
                                          "(repeatable; not comma-separated)");
  cmd->add_option("--cad", f->cads, "with --enrich search: only tasks whose string CAD (global) variable NAME equals "
                                    "VALUE (NAME=VALUE, repeatable, all must hold); the variable is exported too");
  cmd->add_option("--cad-var", f->cad_vars, "with --enrich search: export this string CAD (global) variable into the "
                                            "sidecar (repeatable)");
  cmd->add_option("--task-id", f->task_ids,
                  "export these tasks (repeatable, comma-separated) instead of listing a window; a task without a "
                  "capture is a pending line")
      ->delimiter(',');
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
