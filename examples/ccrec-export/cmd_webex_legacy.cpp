// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex-legacy: Webex Contact Center legacy v1 records (CSR/CAR/ASR/AAR) with API-key
// authentication -> one JSON Lines or CSV object per time window -> sink, on the export engine
// (webex_legacy/recording_source.hpp).
#include "cli_window.hpp"
#include "commands.hpp"

#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/recording_source.hpp>
#include <ccrec/webex_legacy/regions.hpp>

#include <ccrec/core/time.hpp>
#include <ccrec/core/url.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>

namespace ccrec_cli {

namespace {

namespace legacy = ccrec::webex_legacy;

struct WebexLegacyFlags {
  CommonOptions common;
  WindowFlags range;
  std::string region = "us1";
  std::string api_base_url;
  std::string user_id;
  SecretFlag api_key;
  std::string tenant_id;
  bool no_tenant_suffix = false;
  std::string record_type;
  std::string format = "json";
  std::string window = "1h";
  std::string settle = "2h";
  int number_of_records = 1000;
  std::string anchor_id;
  std::string timezone;
  std::string activity_type;
  std::string query_file;
};

/// The --query-file text (at most 1 MiB); throws UsageError.
std::string ReadQueryFile(std::string const& path) {
  constexpr std::size_t kMaxBytes = std::size_t{1} << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{"--query-file: cannot open " + path + ": " + std::strerror(errno)};
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBytes) throw UsageError{"--query-file: " + path + " is larger than 1 MiB"};
  }
  if (in.bad()) throw UsageError{"--query-file: cannot read " + path};
  return text;
}

/// The source a --since-last-run checkpoint of this stream names: "webex-legacy/csrs/json".
std::string CheckpointSource(legacy::RecordType type, std::string const& format) {
  return "webex-legacy/" + std::string(legacy::ToPathSegment(type)) + "/" + format;
}

int RunWebexLegacy(WebexLegacyFlags& f) {
  // ---- validate everything before writing anything -------------------------------------
  ValidateCommon(f.common, legacy::WebexLegacyKeyNames(), legacy::WebexLegacyKeyIdentity());
  auto dest = ParseDestination(f.common.dest);
  auto type = legacy::ParseRecordType(f.record_type);
  if (!type) throw UsageError{"--record-type must be one of csrs, cars, asrs, aars"};
  legacy::Format format = f.format == "csv" ? legacy::Format::kCsv : legacy::Format::kJson;
  if (f.format != "csv" && f.format != "json") throw UsageError{"--format must be json or csv"};
  // One checkpoint per stream (record type and format): a manifest can hold several streams'
  // windows (ExportedWindows() tells them apart), but MANIFEST.checkpoint.json is one file, and a
  // shared one would let one stream's run skip the other's unexported range.
  std::string const checkpoint_source = CheckpointSource(*type, f.format);
  CheckpointMatch match;
  match.older_source = "webex-legacy";  // ccrec-export before the stream was named
  match.other_source_fix = "a manifest keeps one --since-last-run checkpoint: use one --manifest per record type "
                           "and format";
  auto const settle = ParseDurationFlag("--settle", f.settle);
  auto window_range = ResolveWindow(f.range, f.common, checkpoint_source, match);
  if (window_range.nothing_to_do) return kExitOk;
  // The source leaves what started after now minus --settle for a later run, so this run lists
  // nothing past that time: the checkpoint must not pass it either.
  window_range.started -= settle;
  auto const from = window_range.from;
  auto const to = window_range.to;
  auto window = ParseDurationFlag("--window", f.window);
  if (window < std::chrono::seconds(1)) {
    throw UsageError{"--window \"" + f.window + "\" is not a duration of at least 1s (e.g. 15m, 1h, 1d)"};
  }
  std::string base_url = f.api_base_url;
  if (base_url.empty()) {
    auto b = legacy::BaseUrlForRegion(f.region);
    if (!b) throw UsageError{"--region: " + b.error().message};
    base_url = *b;
  }
  if (auto url = ccrec::ParseHttpUrl(base_url); !url) throw UsageError{"--api-base-url: " + url.error().message};
  if (f.user_id.empty()) throw UsageError{"--user-id is required (the portal login e-mail of the API user)"};
  std::string api_key = ResolveSecret(f.api_key, "CCREC_WEBEX_API_KEY", "api-key");
  if (f.number_of_records < 1 || f.number_of_records > 1000) {
    throw UsageError{"--number-of-records must be between 1 and 1000 (larger ranges are split into windows)"};
  }

  legacy::Query base;
  base.number_of_records = f.number_of_records;
  if (!f.query_file.empty()) {
    base.raw_json = ReadQueryFile(f.query_file);
  }
  if (!f.anchor_id.empty()) base.anchor_id = f.anchor_id;
  if (!f.timezone.empty()) base.timezone = f.timezone;
  if (!f.activity_type.empty()) base.activity_type = f.activity_type;
  {
    legacy::Query probe = base;
    probe.date_begin = from;
    probe.date_end = to;
    if (auto json = legacy::BuildQueryJson(probe); !json) {
      throw UsageError{(f.query_file.empty() ? "" : "--query-file: ") + json.error().message};
    }
  }

  auto logger = MakeLogger(f.common);
  auto transport = MakeTransport(f.common, logger);
  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);
  if (f.common.validate_only) return kExitOk;  // `ccrec-export run`'s validation pass
  legacy::ClientOptions co;
  co.base_url = base_url;
  co.credentials.user_id = f.user_id;
  co.credentials.api_key = api_key;
  co.credentials.tenant_id = f.tenant_id;
  co.credentials.tenant_suffix = !f.no_tenant_suffix;
  co.transport = transport;
  co.logger = logger;
  if (auto t = RequestTimeout(f.common)) co.request_timeout = *t;
  legacy::Client client(co);

  legacy::WebexLegacySourceOptions so;
  so.record_type = *type;
  so.format = format;
  so.range = legacy::TimeWindow{from, to};
  so.base_query = base;
  so.initial_window = window;
  so.exported_windows = legacy::ExportedWindows(*manifest, *type, format);
  so.logger = logger;
  so.settle = settle;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = legacy::MakeWebexLegacySource(client, so);

  auto eo = MakeExporterOptions(f.common, logger, sink);
  eo.on_progress = MakeProgressPrinter(f.common, "windows");
  auto mu = std::make_shared<std::mutex>();  // called from several workers
  eo.on_dry_run_item = [sink, mu](ccrec::exporter::ExportItem const& item, std::string const& key) {
    auto const& from_ms = item.key_fields.extra.at("from_ms");
    auto const& to_ms = item.key_fields.extra.at("to_ms");
    std::lock_guard<std::mutex> lock(*mu);
    auto at = [](std::string const& ms) {
      return std::chrono::system_clock::time_point(std::chrono::milliseconds(std::stoll(ms)));
    };
    std::cout << "would export window [" << ccrec::FormatIso8601(at(from_ms), true) << ", "
              << ccrec::FormatIso8601(at(to_ms), true) << ") -> "
              << sink->Describe(key) << " (split further if a response is full)\n";
  };
  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;
  auto summary = RunExporter(eo, logger, source, sink, manifest,
                             "Webex CC v1 " + f.record_type + " with cstts in " + DescribeWindow(from, to) + " as " +
                                 f.format,
                             ctx);
  if (summary.fatal && summary.fatal->code == ccrec::ErrorCode::kInvalidArgument && summary.exported == 0 &&
      summary.failed == 0 && summary.skipped == 0 && summary.fatal->http_status == 0) {
    throw UsageError{summary.fatal->message};  // options rejected before anything was fetched
  }
  // The next --since-last-run starts at the first window left unfinished (failed), else at this
  // range's end.
  AdvanceCheckpoint(window_range, checkpoint_source, f.common, summary, signals.Signal(), logger);
  return FinishRun(summary, logger, signals.Signal(), f.common);
}

}  // namespace

void RegisterWebexLegacy(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<WebexLegacyFlags>();
  auto* cmd = app.add_subcommand(
      "webex-legacy", "export Webex Contact Center legacy v1 records (CSR/CAR/ASR/AAR, API-key auth) per time window");
  AddCommonFlags(*cmd, f->common, legacy::kDefaultKeyTemplate);
  cmd->get_option("--key-template")
      ->description("object key template; placeholders {record_type} {from} {to} {from_ms} {to_ms} {format} {ext} "
                    "{yyyy} {mm} {dd} (must contain {record_type}, {from}|{from_ms} and {to}|{to_ms})");
  AddWindowFlags(*cmd, f->range, "the records' cstts");
  cmd->add_option("--region", f->region, "data centre for https://rest.wxcc-REGION.cisco.com (only us1 confirmed)")
      ->capture_default_str();
  cmd->add_option("--api-base-url", f->api_base_url, "v1 base URL (overrides --region)");
  cmd->add_option("--user-id", f->user_id, "API user: the portal login e-mail (sent as From, HMAC message)");
  AddSecretFlag(*cmd, f->api_key, "api-key", "CCREC_WEBEX_API_KEY", "the user's API key");
  cmd->add_option("--tenant-id", f->tenant_id, "tenant id, appended to Authorization as ;tenantId=ID");
  cmd->add_flag("--no-tenant-suffix", f->no_tenant_suffix, "send the Authorization header without ;tenantId=");
  cmd->add_option("--record-type", f->record_type, "csrs, cars, asrs or aars")
      ->check(CLI::IsMember({"csrs", "cars", "asrs", "aars"}));
  cmd->add_option("--format", f->format, "json (JSON Lines objects) or csv (the service's CSV)")
      ->check(CLI::IsMember({"json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--window", f->window, "initial window length, aligned to the epoch (full responses are split)")
      ->capture_default_str();
  cmd->add_option("--number-of-records", f->number_of_records, "numberOfRecords per request, 1..1000")
      ->capture_default_str();
  cmd->add_option("--settle", f->settle,
                  "leave contacts that started less than this before now for a later run (their records may not "
                  "exist yet, and an exported window is never queried again); 0 = up to now")
      ->capture_default_str();
  cmd->add_option("--anchor-id", f->anchor_id, "anchorId of the query (copied from Analyzer)");
  cmd->add_option("--timezone", f->timezone, "IANA time zone of the query (default UTC)");
  cmd->add_option("--activity-type", f->activity_type, "activityType of the query (default INTERACTION)");
  cmd->add_option("--query-file", f->query_file,
                  "JSON file with the Analyzer query to send (dates, numberOfRecords and timezone are replaced)");
  action = [f] { return RunWebexLegacy(*f); };
  cmd->callback([] {});
}

}  // namespace ccrec_cli
