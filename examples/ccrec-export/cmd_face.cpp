// SPDX-License-Identifier: Apache-2.0
// ccrec-export face: Oracle ISR FACE recordings in a time window -> segments -> sink.
#include "cli_window.hpp"
#include "commands.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/face/recording_source.hpp>

#include <ccrec/core/time.hpp>
#include <ccrec/core/url.hpp>

#include <iostream>

namespace ccrec_cli {

namespace {

struct FaceFlags {
  CommonOptions common;
  std::string face_url;
  std::string user_email;
  SecretFlag password;
  WindowFlags window;
  std::string pending_max_age = kDefaultPendingMaxAge;
  std::string ani, dnis;
  // The other documented search criteria (FACE guide, "Recording search"): sent as given.
  std::string isr_ucid, ingress_call_id, egress_call_id, thirdparty_id, aor, filename, in_progress;
  std::vector<std::string> custom;  // NAME=VALUE, in order
  int max_list_length = 1000;
  int token_lifetime = 3600;
  std::string date_precision = "milliseconds";
  std::string segment_by = "segmentId";
  bool concatenate_segments = false;
  bool include_supplemental = false;
  std::string format_template;  // NAME[:VERSION]
};

/// The search criteria of the flags (every search of the run carries them); throws UsageError.
ccrec::face::SearchCriteria SearchFilter(FaceFlags const& f) {
  ccrec::face::SearchCriteria c;
  std::pair<std::optional<std::string>*, std::string const*> const flags[] = {
      {&c.ani, &f.ani},         {&c.dnis, &f.dnis}, {&c.isr_ucid, &f.isr_ucid},
      {&c.ingress_call_id, &f.ingress_call_id},     {&c.egress_call_id, &f.egress_call_id},
      {&c.thirdparty_id, &f.thirdparty_id},         {&c.aor, &f.aor},
      {&c.filename, &f.filename}};
  for (auto const& [field, value] : flags) {
    if (!value->empty()) *field = *value;
  }
  if (f.in_progress == "true") {
    throw UsageError{"--in-progress true selects recordings only while they are being recorded, so none of them could "
                     "ever be exported (each would stay pending, and once it ended no listing would name it again); "
                     "leave --in-progress out to export every recording (those in progress once they end), or give "
                     "false for ended recordings only"};
  }
  if (!f.in_progress.empty()) c.in_progress = false;
  for (auto const& pair : f.custom) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError{"--custom \"" + pair + "\" is not NAME=VALUE (a custom data field name of the ISR and its value)"};
    }
    c.custom_fields.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  // The library's own encoding rules decide what a search may carry (and name what is wrong).
  ccrec::face::SearchCriteria probe = c;
  probe.max_list_length = 1;
  if (auto encoded = ccrec::face::EncodeCriteria(probe, ccrec::face::CriteriaUse::kRecordingSearch); !encoded) {
    throw UsageError{"search criteria: " + encoded.error().message};
  }
  return c;
}

int RunFace(FaceFlags& f) {
  using std::chrono::system_clock;
  // ---- validate everything before writing anything -------------------------------------
  bool concatenated_default = f.concatenate_segments && f.common.key_template == ccrec::face::kDefaultKeyTemplate;
  if (concatenated_default) f.common.key_template = ccrec::face::kDefaultConcatenatedKeyTemplate;
  ValidateCommon(f.common, ccrec::face::FaceExtraKeyNames(), ccrec::face::FaceKeyIdentity(f.concatenate_segments));
  auto dest = ParseDestination(f.common.dest);
  if (f.face_url.empty()) throw UsageError{"--face-url is required (https://HOST:PORT)"};
  auto url = ccrec::ParseHttpUrl(f.face_url);
  if (!url) throw UsageError{"--face-url: " + url.error().message + " (give https://HOST:PORT)"};
  if (!url->query.empty()) {
    throw UsageError{"--face-url \"" + ccrec::RedactUrl(f.face_url) + "\" has a query; give https://HOST:PORT"};
  }
  if (url->path != "/" && url->path != "/Face" && url->path != "/Face/") {
    throw UsageError{"--face-url \"" + f.face_url + "\" has a path; give https://HOST:PORT (/Face/... is appended)"};
  }
  if (f.user_email.empty()) throw UsageError{"--user-email is required (an ISR user of type API User)"};
  std::string password = ResolveSecret(f.password, "CCREC_FACE_PASSWORD", "password");
  auto const pending_max_age = ParsePendingMaxAge(f.pending_max_age);  // 0 = wait forever
  auto window = ResolveWindow(f.window, f.common, "face");
  if (window.nothing_to_do) return kExitOk;
  auto const from = window.from;
  auto const to = window.to;
  if (f.max_list_length < 1 || f.max_list_length > 1000) throw UsageError{"--max-list-length must be 1..1000"};
  if (f.token_lifetime < 60 || f.token_lifetime > 86400) {
    throw UsageError{"--token-lifetime must be 60..86400 seconds"};
  }
  auto criteria = SearchFilter(f);
  std::optional<ccrec::face::TemplateFormat> format_template;
  if (!f.format_template.empty()) {
    auto parsed = ccrec::face::ParseTemplateFormat(f.format_template);
    if (!parsed) throw UsageError{"--format-template: " + parsed.error().message};
    format_template = std::move(*parsed);
  }

  auto logger = MakeLogger(f.common);
  if (url->scheme == "http") {
    logger.Warn("--face-url uses plain http: the FACE token and password travel unencrypted");
  }
  auto transport = MakeTransport(f.common, logger);

  ccrec::face::ClientOptions co;
  co.base_url = url->Origin();
  co.user_email = f.user_email;
  co.password = password;
  co.token_lifetime = std::chrono::seconds(f.token_lifetime);
  co.time_format.milliseconds = f.date_precision == "milliseconds";
  co.segment_selector =
      f.segment_by == "filename" ? ccrec::face::SegmentSelector::kFilename : ccrec::face::SegmentSelector::kSegmentId;
  co.transport = transport;
  co.logger = logger;
  if (auto t = RequestTimeout(f.common)) co.request_timeout = *t;
  ccrec::face::Client client(co);
  if (f.common.validate_only) {  // `ccrec-export run`'s validation pass: no login
    auto sink = MakeSink(f.common, dest, transport, logger);
    OpenManifest(f.common, *sink);
    return kExitOk;
  }

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;

  // Fail fast, before anything is written, when the credentials are rejected.
  auto login = client.Login(ctx);
  if (!login) {
    std::cerr << "ccrec-export: error: " << ccrec::RedactSecrets(login.error().ToString()) << "\n";
    return kExitFatal;
  }

  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);

  ccrec::face::FaceSourceOptions so;
  so.from = from;
  so.to = to;
  so.filter = criteria;
  so.max_list_length = f.max_list_length;
  so.concatenate_segments = f.concatenate_segments;
  so.include_supplemental = f.include_supplemental;
  so.format_template = format_template;
  so.pending_max_age = pending_max_age;
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::face::MakeFaceSource(client, so);

  auto summary = RunExporter(MakeExporterOptions(f.common, logger, sink), logger, source, sink, manifest,
                             "FACE recordings started in " + DescribeWindow(from, to), ctx);
  logger.Info("FACE logins this run: " + std::to_string(client.LoginCount()));
  // The next --since-last-run starts at the first recording left unfinished (in progress or
  // failed), else at this window's end.
  AdvanceCheckpoint(window, "face", f.common, summary, signals.Signal(), logger);
  return FinishRun(summary, logger, signals.Signal(), f.common);
}

}  // namespace

void RegisterFace(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<FaceFlags>();
  f->common.concurrency = 2;  // Oracle: send FACE requests "in a controlled manner" (reference §6)
  auto* cmd = app.add_subcommand("face", "export Oracle ISR FACE recordings (search -> segments -> download)");
  AddCommonFlags(*cmd, f->common, ccrec::face::kDefaultKeyTemplate);
  cmd->add_option("--face-url", f->face_url, "FACE server https://HOST:PORT (/Face/... is appended)");
  cmd->add_option("--user-email", f->user_email, "ISR API user's e-mail");
  AddSecretFlag(*cmd, f->password, "password", "CCREC_FACE_PASSWORD", "ISR API user's password");
  AddWindowFlags(*cmd, f->window, "the recording start time");
  AddPendingMaxAgeFlag(*cmd, f->pending_max_age,
                       "a recording still in progress (a .rpdd segment that never finalised: a crashed recorder) "
                       "this long after its start");
  cmd->add_option("--ani", f->ani, "only recordings with this calling party (ani)");
  cmd->add_option("--dnis", f->dnis, "only recordings with this called party (dnis)");
  cmd->add_option("--isr-ucid", f->isr_ucid, "only recordings of this ISR UCID (isrUcid)");
  cmd->add_option("--ingress-call-id", f->ingress_call_id, "only recordings with this ingress SIP Call-ID");
  cmd->add_option("--egress-call-id", f->egress_call_id, "only recordings with this egress SIP Call-ID");
  cmd->add_option("--thirdparty-id", f->thirdparty_id, "only recordings with this third-party id (thirdpartyId)");
  cmd->add_option("--aor", f->aor, "only recordings with this participant address of record (aor)");
  cmd->add_option("--filename", f->filename, "only recordings with a segment of this file name");
  cmd->add_option("--in-progress", f->in_progress,
                  "inProgress: false = only recordings that have ended (true is refused: recordings that match only "
                  "while in progress could never be exported)")
      ->check(CLI::IsMember({"true", "false"}));
  cmd->add_option("--custom", f->custom,
                  "NAME=VALUE: only recordings whose custom data field NAME has VALUE (repeatable, sent in order)");
  cmd->add_option("--max-list-length", f->max_list_length, "maxListLength per search (1..1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--token-lifetime", f->token_lifetime, "requested token lifetime in seconds (60..86400)")
      ->check(CLI::Range(60, 86400))
      ->capture_default_str();
  cmd->add_option("--date-precision", f->date_precision,
                  "a second with more recordings than one list: split with .SSS bounds (milliseconds) or fail")
      ->check(CLI::IsMember({"milliseconds", "seconds"}))
      ->capture_default_str();
  cmd->add_option("--segment-by", f->segment_by, "select segments for download by segmentId or filename")
      ->check(CLI::IsMember({"segmentId", "filename"}))
      ->capture_default_str();
  cmd->add_flag("--concatenate-segments", f->concatenate_segments,
                "one WAV per recording (one header, the segments' audio in sequence) instead of one object per "
                "segment; segments of different formats stay one object each");
  cmd->add_flag("--include-supplemental", f->include_supplemental,
                "also export each recording's supplemental files (file/download) beside its audio");
  cmd->add_option("--format-template", f->format_template,
                  "NAME[:VERSION]: also fetch each recording's details rendered by this ISR template "
                  "(format=template&formatName=NAME[&version=VERSION]) into its sidecars, unchanged");
  action = [f] { return RunFace(*f); };
  cmd->callback([] {});
}

}  // namespace ccrec_cli
