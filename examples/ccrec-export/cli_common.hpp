// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared pieces of the ccrec-export subcommands: common flags, destinations, signals, progress,
// exit codes. This program is the reference integration of the ccrec library.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/metrics.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/s3/credentials.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec_cli {

/// Exit statuses of the command-line contract.
enum ExitCode : int {
  kExitOk = 0,         ///< everything exported or skipped as already present
  kExitFatal = 1,      ///< fatal error (listing failed, credentials rejected, interrupted)
  kExitUsage = 2,      ///< usage or configuration error; nothing written
  kExitSomeFailed = 3  ///< finished, but some items failed (see the manifest)
  // A run stopped by SIGINT or SIGTERM exits 128 + the signal (130, 143) after its clean stop.
};

/// A usage/configuration problem: printed as "ccrec-export: error: ..." with exit status 2.
struct UsageError {
  std::string message;
};

/// Flags shared by every export subcommand.
struct CommonOptions {
  std::string dest;
  std::string s3_endpoint;
  std::string s3_region;
  bool s3_path_style = false;
  std::string s3_checksum = "crc32c";
  std::string s3_conditional_writes = "auto";
  std::string ca_file;
  bool insecure = false;
  int concurrency = 4;
  std::string manifest;
  std::string manifest_format = "auto";  // --manifest-format: auto, jsonl, sqlite
  std::string key_template;
  bool dry_run = false;
  std::string progress = "auto";
  std::string log_level = "warn";
  std::string log_format = "text";  // --log-format text|json
  std::string vendor;               // the subcommand: every log record's "vendor" field
  double request_timeout_s = 0;  // --request-timeout; 0 = the library defaults
  std::string file_mode;         // --file-mode, octal; empty = 0600 (FilesystemSinkOptions default)
  std::string dir_mode;          // --dir-mode, octal; empty = 0700
  std::string profile;           // --profile: AWS profile (credentials, region, endpoint_url, ca_bundle)
  std::string sse;               // --sse: "", AES256, aws:kms, aws:kms:dsse
  std::string sse_kms_key_id;    // --sse-kms-key-id
  std::string storage_class;     // --storage-class
  std::vector<std::string> tags; // --tag KEY=VALUE, repeatable
  std::string bwlimit;           // --bwlimit RATE (bytes/s, K/M/G suffixes); empty = unlimited
  std::string metrics_textfile;  // --metrics-textfile PATH: Prometheus textfile written when the run ends
  std::string metrics_job;       // --metrics-job NAME: its job label; empty = the subcommand (vendor)
  // `ccrec-export run` (jobs.toml): the job's name (log field "job", "job=NAME" before its summary
  // line, default --metrics-job), and a validation pass that stops before any network call or write.
  std::string job;
  bool validate_only = false;
  /// This run's HTTP and rate-limiter counters (--metrics-textfile): MakeTransport() meters every
  /// request into it, the subcommands meter their rate limiters into it. One per job.
  std::shared_ptr<ccrec::RequestMetrics> metrics = std::make_shared<ccrec::RequestMetrics>();
};

/// Adds --dest, --s3-*, --ca-file, --insecure, --concurrency, --manifest, --key-template,
/// --dry-run, --progress, --log-level, --file-mode, --dir-mode. `default_template` is shown in --help.
void AddCommonFlags(CLI::App& app, CommonOptions& options, std::string const& default_template);
/// Adds only the S3 connection flags (for s3-presign): --s3-endpoint, --s3-region,
/// --s3-path-style, --profile, --ca-file, --insecure, --log-level.
void AddS3Flags(CLI::App& app, CommonOptions& options);

/// Validates the common flags (throws UsageError). Call before anything is written.
/// `extra_key_names` are the source's own key placeholders (e.g. Huawei's {agent_id}); `identity`
/// the placeholders that identify one of its recordings (a template without them is refused).
void ValidateCommon(CommonOptions const& options, std::vector<std::string> const& extra_key_names = {},
                    ccrec::exporter::KeyIdentityRule const& identity = ccrec::exporter::DefaultKeyIdentityRule());

/// Parses an octal permission flag (`--file-mode 0640`): octal digits only, at most 0777, no
/// setuid/setgid/sticky bit; `empty_value` when `value` is empty. Throws UsageError naming `flag`.
std::uint32_t ParseModeFlag(std::string const& flag, std::string const& value, std::uint32_t empty_value);
/// --file-mode: new files (objects, sidecars, metadata, manifest, checkpoint) get it & ~umask.
std::uint32_t FileMode(CommonOptions const& options);
/// --dir-mode: new directories of a local --dest get it & ~umask.
std::uint32_t DirMode(CommonOptions const& options);

/// --request-timeout as a duration, or nothing when not given (each client keeps its default).
/// It bounds every control-plane request (token, API pages, FACE commands, v1 queries, Huawei
/// calls, S3 control calls); downloads and S3 data uploads keep the low-speed floor only.
std::optional<std::chrono::milliseconds> RequestTimeout(CommonOptions const& options);

/// Logger for --log-level (stderr).
ccrec::Logger MakeLogger(CommonOptions const& options);
/// --bwlimit in bytes per second (0 = unlimited): digits with an optional K, M or G suffix
/// (powers of 1024), e.g. 500K, 10M. Throws UsageError.
std::uint64_t ParseBandwidthFlag(std::string const& value);
/// --tag KEY=VALUE flags as a map. Throws UsageError for a missing '=', an empty or repeated key.
std::map<std::string, std::string> ParseTagFlags(std::vector<std::string> const& tags);

/// The shared HTTP transport honouring --ca-file/--insecure/--bwlimit (every transfer, in each
/// direction, is capped at --bwlimit).
std::shared_ptr<ccrec::HttpTransport> MakeTransport(CommonOptions const& options, ccrec::Logger const& logger);

/// Fits --concurrency into the open-file limit (RLIMIT_NOFILE) before any transfer starts:
/// raises the soft limit up to the hard limit when the planned transfers need more (logged at
/// info), otherwise returns a lower concurrency and logs a warning with the numbers. Plans one
/// download plus S3SinkOptions::max_in_flight_parts uploads per worker for an s3:// --dest, one
/// download and two files for a directory. --dry-run is returned unchanged.
int FitConcurrencyToDescriptorLimit(CommonOptions const& options, ccrec::Logger const& logger);

/// Parsed --dest.
struct Destination {
  bool is_s3 = false;
  std::string bucket;  // s3
  std::string prefix;  // s3, without leading/trailing '/'
  std::string path;    // local directory
};
/// Parses s3://BUCKET[/PREFIX], file:///abs/path or a plain path (throws UsageError).
Destination ParseDestination(std::string const& dest);

/// S3 connection settings: the flags (--s3-endpoint, --s3-region, --s3-path-style, --ca-file),
/// else ccrec::s3::ResolveAwsEnvironment() for --profile (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
/// the profile's endpoint_url; AWS_REGION, AWS_DEFAULT_REGION, the profile's region;
/// AWS_CA_BUNDLE, the profile's ca_bundle). Throws UsageError for a malformed endpoint.
struct S3Connection {
  std::string endpoint;  // empty = AWS regional endpoint
  std::string region;
  bool path_style = false;
  std::string ca_bundle;  // AWS_CA_BUNDLE / ca_bundle when --ca-file is not given; else empty
};
S3Connection ResolveS3Connection(CommonOptions const& options);
/// MakeTransport() that also trusts `conn.ca_bundle` (for S3 and STS only).
std::shared_ptr<ccrec::HttpTransport> MakeS3Transport(CommonOptions const& options, S3Connection const& conn,
                                                      ccrec::Logger const& logger);
/// The default AWS credentials chain for --profile (environment, profile: keys, role_arn,
/// credential_process; web identity, container endpoint, IMDSv2), its STS and endpoint calls
/// over `transport`.
std::shared_ptr<ccrec::s3::CredentialsProvider> MakeAwsCredentials(CommonOptions const& options,
                                                                   std::shared_ptr<ccrec::HttpTransport> transport,
                                                                   ccrec::Logger const& logger);

/// Builds the sink for --dest (S3 or filesystem). Throws UsageError for bad settings.
std::shared_ptr<ccrec::ObjectSink> MakeSink(CommonOptions const& options, Destination const& dest,
                                            std::shared_ptr<ccrec::HttpTransport> transport,
                                            ccrec::Logger const& logger);

/// The manifest format --manifest gets: "jsonl" or "sqlite" (--manifest-format, or with "auto"
/// the extension: .sqlite and .db are SQLite). Throws UsageError for sqlite when this
/// ccrec-export was built without ccrec::manifest_sqlite.
std::string ManifestFormat(CommonOptions const& options);
/// Opens --manifest (or a null manifest) in ManifestFormat() and binds it to `sink`'s destination and --key-template
/// (Manifest::Bind; only checked with --dry-run). Throws UsageError when it cannot be opened or
/// belongs to another destination or key template — before anything is written.
std::shared_ptr<ccrec::exporter::Manifest> OpenManifest(CommonOptions const& options, ccrec::ObjectSink const& sink);

/// Installs SIGINT/SIGTERM handling that cancels `token`; restores on destruction.
class SignalGuard {
 public:
  explicit SignalGuard(ccrec::CancellationToken token);
  ~SignalGuard();
  SignalGuard(SignalGuard const&) = delete;
  SignalGuard& operator=(SignalGuard const&) = delete;
  /// The signal that arrived, or 0.
  int Signal() const;
};

/// Progress reporting per --progress: a redrawn line on a TTY, periodic plain lines otherwise;
/// `items` names what is counted ("recordings", "windows").
std::function<void(ccrec::exporter::ExportSummary const&)> MakeProgressPrinter(CommonOptions const& options,
                                                                          char const* items = "recordings");

/// Exporter options from the common flags: concurrency (through FitConcurrencyToDescriptorLimit),
/// key template, dry run (printing "would export ... -> LOCATION" per object), progress, logger.
ccrec::exporter::ExporterOptions MakeExporterOptions(CommonOptions const& options, ccrec::Logger const& logger,
                                                     std::shared_ptr<ccrec::ObjectSink> const& sink,
                                                     std::vector<std::string> const& extra_key_names = {});

/// Runs an Exporter with `options` (normally MakeExporterOptions(), adjusted by the subcommand)
/// over `source` into `sink` with `manifest`, after logging "exporting <what> to <sink>".
/// Returns the summary, for FinishRun().
ccrec::exporter::ExportSummary RunExporter(ccrec::exporter::ExporterOptions options, ccrec::Logger const& logger,
                                           std::shared_ptr<ccrec::exporter::RecordingSource> source,
                                           std::shared_ptr<ccrec::ObjectSink> const& sink,
                                           std::shared_ptr<ccrec::exporter::Manifest> manifest,
                                           std::string const& what, ccrec::CallContext const& ctx);

/// "[<from>, <to>)" in ISO-8601 UTC with milliseconds, for log lines about a time window.
std::string DescribeWindow(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to);

/// Prints the summary, the last line, writes --metrics-textfile (WriteRunMetrics), and returns
/// the exit status for it.
int FinishRun(ccrec::exporter::ExportSummary const& summary, ccrec::Logger const& logger, int signal_number,
              CommonOptions const& options);

/// `ccrec-export run`: FinishRun() of a job records its summary here; the run totals them.
void RecordJobSummary(std::string const& job, ccrec::exporter::ExportSummary const& summary);
/// The summaries recorded so far, by job.
std::map<std::string, ccrec::exporter::ExportSummary> JobSummaries();

/// Adds --metrics-textfile and --metrics-job (called by AddCommonFlags).
void AddMetricsFlags(CLI::App& app, CommonOptions& options);
/// Checks that --metrics-textfile's directory exists and is writable, so that a typo fails before
/// the run rather than after it (throws UsageError).
void ValidateMetricsFlags(CommonOptions const& options);
/// Writes --metrics-textfile, when given, for a run that ends with `exit_status`
/// (ccrec::exporter::WriteMetricsTextfile with RunMetrics()). A write failure is logged as a
/// warning: it does not change the run's exit status.
void WriteRunMetrics(CommonOptions const& options, ccrec::exporter::ExportSummary const& summary, int exit_status,
                     ccrec::Logger const& logger);

/// Parses a --from/--to value (ISO-8601 UTC or epoch ms); throws UsageError naming the flag.
std::chrono::system_clock::time_point ParseTimeFlag(std::string const& flag, std::string const& value);
/// Parses a duration flag (30s, 15m, 2h, 3d; ccrec::ParseDuration); throws UsageError naming the flag.
std::chrono::milliseconds ParseDurationFlag(std::string const& flag, std::string const& value);

/// A secret flag `--NAME` with its twin `--NAME-file PATH` (the secret is the file's content; one
/// trailing line break is dropped).
struct SecretFlag {
  std::string value;
  std::string file;
};

/// Registers `--NAME` and `--NAME-file` on `cmd`; `what` describes the secret ("OAuth client secret").
void AddSecretFlag(CLI::App& cmd, SecretFlag& flag, std::string const& name, char const* env, std::string const& what);

/// The secret of `flag`, from (first found) `--NAME`, `--NAME-file`, the environment variable
/// `env`, or the file `NAME` in `$CREDENTIALS_DIRECTORY` (systemd's LoadCredential=). Both
/// `--NAME` and `--NAME-file`, an unreadable or empty file, a file over 64 KiB, or no secret at
/// all: UsageError naming the flag (never the secret). A file readable by group or others gets a
/// warning on stderr.
std::string ResolveSecret(SecretFlag const& flag, char const* env, std::string const& name);


}  // namespace ccrec_cli
