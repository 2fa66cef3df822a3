// SPDX-License-Identifier: Apache-2.0
// ccrec-export huawei: Huawei CC-Gateway (AgentGateway) sign-in -> recordfile downloads -> sink, for a
// list of recordings (--record-id) or for the recordings announced while watching an agent (--watch).
#include "commands.hpp"

#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/recording_source.hpp>

#include <ccrec/core/time.hpp>
#include <ccrec/core/url.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <set>

namespace ccrec_cli {

namespace {

struct HuaweiFlags {
  CommonOptions common;
  std::string gateway_url;
  std::string agent_id;
  SecretFlag password;
  std::string phone;
  std::vector<std::string> record_ids;
  std::string watch;
  std::string max_recording_duration;
  std::string end_drain_limit;
  bool since_last_run = false;
  std::string location_id;
  int file_type = 1;
  bool force_login = false;
  int downloads_per_agent = 1;
  std::string guid_mode = "dynamic";
  std::string record_id_encoding = "percent";
};

bool AllDigits(std::string const& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

int RunHuawei(HuaweiFlags& f) {
  // ---- validate everything before sending or writing anything ------------------------------------
  std::vector<std::string> const extra_keys = {"agent_id", "call_id", "location_id"};
  ValidateCommon(f.common, extra_keys, ccrec::huawei::HuaweiKeyIdentity());
  auto dest = ParseDestination(f.common.dest);
  bool const watching = !f.watch.empty();
  if (watching && !f.record_ids.empty()) throw UsageError{"use either --record-id or --watch, not both"};
  if (!watching && f.record_ids.empty() && !f.since_last_run) {
    throw UsageError{"--record-id PATH (repeatable), --watch DURATION or --since-last-run is required"};
  }
  if (f.since_last_run && f.common.manifest.empty()) {
    throw UsageError{"--since-last-run needs --manifest (its failed and pending recordings are retried)"};
  }
  std::optional<std::chrono::milliseconds> watch;
  if (watching) {
    watch = ParseDurationFlag("--watch", f.watch);
    if (watch->count() <= 0 || *watch > std::chrono::hours(24 * 7)) {
      throw UsageError{"--watch \"" + f.watch + "\" is not a duration between 1ms and 7d (e.g. 30s, 15m, 2h)"};
    }
  }
  std::optional<std::chrono::milliseconds> max_recording_duration;
  if (!f.max_recording_duration.empty()) {
    max_recording_duration = ParseDurationFlag("--max-recording-duration", f.max_recording_duration);
    if (max_recording_duration->count() < 0 || *max_recording_duration > std::chrono::hours(24 * 7)) {
      throw UsageError{"--max-recording-duration \"" + f.max_recording_duration +
                       "\" is not a duration between 0 and 7d (e.g. 4h, 90m)"};
    }
  }
  std::optional<std::chrono::milliseconds> end_drain_limit;
  if (!f.end_drain_limit.empty()) {
    end_drain_limit = ParseDurationFlag("--end-drain-limit", f.end_drain_limit);
    if (end_drain_limit->count() < 0 || *end_drain_limit > std::chrono::hours(1)) {
      throw UsageError{"--end-drain-limit \"" + f.end_drain_limit +
                       "\" is not a duration between 0 and 1h (e.g. 10s, 2m)"};
    }
  }
  for (auto const& id : f.record_ids) {
    if (id.empty()) throw UsageError{"--record-id must not be empty (it is the fileName of AgentMediaEvent_Record)"};
  }
  auto url = ccrec::ParseHttpUrl(f.gateway_url);
  if (!url) throw UsageError{"--gateway-url: " + url.error().message + " (give https://10.1.2.3:8043)"};
  if (!url->query.empty()) {
    throw UsageError{"--gateway-url \"" + ccrec::RedactUrl(f.gateway_url) +
                     "\" has a query; give an https URL like https://10.1.2.3:8043"};
  }
  if (!AllDigits(f.agent_id) || f.agent_id.size() > 9) {
    throw UsageError{"--agent-id \"" + f.agent_id + "\" is not an agent (CTI work number) id"};
  }
  if (f.phone.empty()) throw UsageError{"--phone is required (the agent's softphone number)"};
  if (!f.location_id.empty() && !AllDigits(f.location_id)) {
    throw UsageError{"--location-id \"" + f.location_id + "\" is not a number"};
  }
  if (f.file_type != 1 && f.file_type != 2) throw UsageError{"--file-type must be 1 or 2"};
  std::string password = ResolveSecret(f.password, "CCREC_HUAWEI_PASSWORD", "password");

  auto logger = MakeLogger(f.common);
  auto transport = MakeTransport(f.common, logger);
  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);
  if (f.common.validate_only) return kExitOk;  // `ccrec-export run`'s validation pass

  ccrec::huawei::AgentSessionOptions so;
  so.gateway_url = f.gateway_url;
  so.agent_id = f.agent_id;
  so.password = std::move(password);
  so.phone_number = f.phone;
  so.force_login = f.force_login ? ccrec::huawei::ForceLogin::kAlways : ccrec::huawei::ForceLogin::kOnRecovery;
  so.guid_mode = f.guid_mode == "static" ? ccrec::huawei::GuidMode::kStatic : ccrec::huawei::GuidMode::kDynamic;
  so.record_id_encoding = f.record_id_encoding == "keep-path" ? ccrec::huawei::RecordIdEncoding::kKeepPathCharacters
                                                              : ccrec::huawei::RecordIdEncoding::kPercentEncode;
  so.max_concurrent_downloads = f.downloads_per_agent;
  so.transport = transport;
  so.logger = logger;
  if (auto t = RequestTimeout(f.common)) {
    so.request_timeout = *t;
    so.poll_timeout = *t + std::chrono::seconds(10);  // on top of the gateway's 10 s long-poll hold
  }
  ccrec::huawei::AgentSession session(so);

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;

  ccrec::huawei::HuaweiSourceOptions src;
  // A fileName with an unfinished manifest line (a pending line advises --record-id) is exported under
  // that line's identity, so that its line supersedes the pending one.
  src.recordings = ccrec::huawei::ListedRecordings(f.record_ids, *manifest);
  if (f.since_last_run) {
    // The gateway cannot list past recordings: the manifest is the checkpoint. Retry each recording
    // it has as failed or pending (under its own identity, so the new line supersedes the old one).
    auto unfinished = ccrec::huawei::UnfinishedRecordings(*manifest);
    std::set<std::string> retried;
    for (auto const& r : unfinished) retried.insert(r.file_name);
    src.recordings.erase(std::remove_if(src.recordings.begin(), src.recordings.end(),
                                        [&](auto const& r) { return retried.count(r.file_name) > 0; }),
                         src.recordings.end());
    logger.Info("--since-last-run: retrying " + std::to_string(unfinished.size()) +
                " failed or pending recording(s) of " + f.common.manifest);
    for (auto& r : unfinished) src.recordings.push_back(std::move(r));
  }
  src.watch = watch;
  if (max_recording_duration) src.max_recording_duration = *max_recording_duration;
  if (end_drain_limit) src.end_drain_limit = *end_drain_limit;
  src.file_type = f.file_type;
  src.location_id = f.location_id;
  src.logger = logger;
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, src);

  // Sign in first: a wrong password or a TLS failure is fatal before anything is exported.
  auto signed_in = session.SignIn(ctx);
  if (!signed_in) {
    ccrec::exporter::ExportSummary failed;
    failed.fatal = signed_in.error();
    failed.cancelled = cancel.IsCancelled();
    return FinishRun(failed, logger, signals.Signal(), f.common);
  }

  auto summary = RunExporter(MakeExporterOptions(f.common, logger, sink, extra_keys), logger, source, sink, manifest,
                             "Huawei CC-Gateway recordings of agent " + f.agent_id, ctx);

  // Sign out at the end — also after Ctrl-C (Shutdown uses its own short deadline, not `ctx`).
  auto signed_out = source->Shutdown();
  if (!signed_out) {
    std::cerr << "ccrec-export: warning: sign-out of agent " << f.agent_id
              << " failed: " << ccrec::RedactSecrets(signed_out.error().ToString())
              << " (the gateway signs the agent out 2 minutes after its last event poll)\n";
  }
  return FinishRun(summary, logger, signals.Signal(), f.common);
}

}  // namespace

void RegisterHuawei(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<HuaweiFlags>();
  auto* cmd = app.add_subcommand("huawei", "export Huawei CC-Gateway (AgentGateway) recordings");
  AddCommonFlags(*cmd, f->common, ccrec::huawei::kDefaultKeyTemplate);
  cmd->add_option("--gateway-url", f->gateway_url, "CC-Gateway URL, e.g. https://10.1.2.3:8043")->required();
  cmd->add_option("--agent-id", f->agent_id, "agent (CTI work number) that signs in and downloads")->required();
  AddSecretFlag(*cmd, f->password, "password", "CCREC_HUAWEI_PASSWORD", "agent password");
  cmd->add_option("--phone", f->phone, "the agent's softphone number (phonenum)")->required();
  cmd->add_option("--record-id", f->record_ids,
                  "recording to download: the fileName of AgentMediaEvent_Record (repeatable)");
  cmd->add_option("--watch", f->watch,
                  "sign in and export every recording announced during DURATION (e.g. 30s, 15m, 2h)");
  cmd->add_option("--max-recording-duration", f->max_recording_duration,
                  "how long after its AgentMediaEvent_Record a recording whose StopRecordDone never came is "
                  "presumed finished and downloaded (until then a call still going on at the end of a run is held "
                  "as pending); 0 downloads such recordings at once")
      ->default_str("4h");
  cmd->add_option("--end-drain-limit", f->end_drain_limit,
                  "at the end of a run, how long to poll on while the gateway still delivers events before "
                  "signing out (it drops what it still holds); when the limit passes first the run fails")
      ->default_str("10s");
  cmd->add_flag("--since-last-run", f->since_last_run,
                "also retry every recording the --manifest has as failed or pending (the manifest is the "
                "checkpoint); alone, or with --record-id or --watch");
  cmd->add_option("--location-id", f->location_id, "locationId for --record-id downloads (CTI pool mode)");
  cmd->add_option("--file-type", f->file_type, "1 agent call recording, 2 IVR/third-party voice message")
      ->capture_default_str();
  cmd->add_flag("--force-login", f->force_login,
                "take the agent over with forcelogin when it is already signed in (100-002)");
  cmd->add_option("--downloads-per-agent", f->downloads_per_agent, "parallel downloads of the agent (1..8)")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_option("--guid-mode", f->guid_mode, "dynamic (follow every Set-GUID) or static")
      ->check(CLI::IsMember({"dynamic", "static"}))
      ->capture_default_str();
  cmd->add_option("--record-id-encoding", f->record_id_encoding,
                  "percent (encode everything but A-Za-z0-9-._~) or keep-path (also keep : / \\ literal)")
      ->check(CLI::IsMember({"percent", "keep-path"}))
      ->capture_default_str();
  action = [f] { return RunHuawei(*f); };
  cmd->callback([] {});
}

}  // namespace ccrec_cli
