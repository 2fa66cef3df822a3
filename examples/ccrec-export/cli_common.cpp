// SPDX-License-Identifier: Apache-2.0
#include "cli_common.hpp"

#include <ccrec/core/time.hpp>
#include <ccrec/core/url.hpp>
#include <ccrec/s3/environment.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/transport/descriptor_limit.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

namespace ccrec_cli {

using ccrec::Logger;
using ccrec::LogLevel;

void AddS3Flags(CLI::App& app, CommonOptions& o) {
  app.add_option("--s3-endpoint", o.s3_endpoint,
                 "S3 endpoint URL, e.g. http://127.0.0.1:5005 (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, "
                 "the profile's endpoint_url, else the AWS regional endpoint)");
  app.add_option("--s3-region", o.s3_region,
                 "S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region, else us-east-1)");
  app.add_flag("--s3-path-style", o.s3_path_style,
               "path-style addressing (implied when the endpoint host is an IP address or localhost)");
  app.add_option("--profile", o.profile,
                 "AWS profile of ~/.aws/config and ~/.aws/credentials: credentials (keys, role_arn, "
                 "credential_process, web identity), region, endpoint_url, ca_bundle (default: $AWS_PROFILE, else "
                 "default)");
  app.add_option("--ca-file", o.ca_file, "extra PEM CA bundle to trust (TLS verification is always on; S3 and STS default: $AWS_CA_BUNDLE, "
                 "the profile's ca_bundle)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", o.insecure, "disable TLS certificate verification (testing only)");
  app.add_option("--log-level", o.log_level, "error|warn|info|debug (stderr)")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_option("--log-format", o.log_format,
                 "stderr log lines: text (TIME LEVEL message key=value ...) or json (one object per line); both carry "
                 "vendor, source, task_id, recording_id, request_id where known")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  if (o.vendor.empty()) o.vendor = app.get_name();
}

void AddCommonFlags(CLI::App& app, CommonOptions& o, std::string const& default_template) {
  o.key_template = default_template;
  app.add_option("--dest", o.dest, "s3://BUCKET[/PREFIX], file:///abs/path or a local directory")->required();
  AddS3Flags(app, o);
  app.add_option("--s3-checksum", o.s3_checksum,
                 "integrity checksum of every S3 upload: crc32c (x-amz-checksum-crc32c), sha256, or md5 "
                 "(Content-MD5, for S3-compatible servers without flexible checksums)")
      ->check(CLI::IsMember({"crc32c", "sha256", "md5"}))
      ->capture_default_str();
  app.add_option("--s3-conditional-writes", o.s3_conditional_writes,
                 "whether the S3 store enforces If-None-Match: * (then a new recording is one conditional PUT "
                 "instead of HEAD + PUT): auto (AWS endpoints only), on (a store known to enforce it), off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  app.add_option("--sse", o.sse, "S3 server-side encryption of every object: AES256 (SSE-S3) or aws:kms (SSE-KMS) "
                                 "(default: the bucket's)")
      ->check(CLI::IsMember({"AES256", "aws:kms", "aws:kms:dsse"}));
  app.add_option("--sse-kms-key-id", o.sse_kms_key_id,
                 "KMS key id, alias or ARN for --sse aws:kms or aws:kms:dsse (default: the account's aws/s3 key)");
  app.add_option("--storage-class", o.storage_class,
                 "S3 storage class of every object, e.g. STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR (default: "
                 "the bucket's)");
  app.add_option("--tag", o.tags, "S3 object tag KEY=VALUE added to every object; repeatable, at most 10");
  app.add_option("--bwlimit", o.bwlimit,
                 "cap each transfer (download or upload) at RATE bytes/s; K, M, G suffixes (1024-based), e.g. 10M; "
                 "per transfer, so --concurrency N can use up to N times RATE (default: unlimited)");
  app.add_option("--concurrency", o.concurrency, "parallel transfers (1..64)")->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--manifest", o.manifest,
                 "manifest of every outcome, also used to resume: JSON Lines, or SQLite when PATH ends in .sqlite or "
                 ".db (see --manifest-format)");
  app.add_option("--manifest-format", o.manifest_format,
                 "format of --manifest: auto (SQLite for .sqlite/.db, else JSON Lines), jsonl or sqlite")
      ->check(CLI::IsMember({"auto", "jsonl", "sqlite"}))
      ->capture_default_str();
  app.add_option("--key-template", o.key_template,
                 "object key template; placeholders {task_id} {recording_id} {file_name} {ext} {yyyy} {mm} {dd}")
      ->capture_default_str();
  app.add_flag("--dry-run", o.dry_run, "list what would be exported; download and write nothing");
  app.add_option("--request-timeout", o.request_timeout_s,
                 "total seconds one attempt of a control-plane request (token, API page, FACE command, v1 query, "
                 "Huawei call, S3 control call) may take; 0.001..86400 (default: each client's own, 30-60 s); "
                 "downloads and S3 uploads keep the low-speed floor instead")
      ->check(CLI::Range(0.001, 86400.0));
  app.add_option("--progress", o.progress, "progress on stderr: auto (only on a TTY), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  app.add_option("--file-mode", o.file_mode,
                 "octal permission bits of the files the export creates (recordings, sidecars, metadata, manifest, "
                 "checkpoint), narrowed by the umask; at most 0777 (default: 0600)");
  app.add_option("--dir-mode", o.dir_mode,
                 "octal permission bits of the directories created under a local --dest, narrowed by the umask; "
                 "0700..0777, existing directories are left alone (default: 0700)");
  AddMetricsFlags(app, o);
  // Set by `ccrec-export run` for each job of jobs.toml; not for users (hidden from --help).
  app.add_option("--run-job", o.job, "")->group("");
  app.add_flag("--run-validate-only", o.validate_only, "")->group("");
}

std::uint32_t ParseModeFlag(std::string const& flag, std::string const& value, std::uint32_t empty_value) {
  if (value.empty()) return empty_value;
  if (value.size() > 6 || value.find_first_not_of("01234567") != std::string::npos) {
    throw UsageError{flag + " \"" + value + "\" is not an octal permission mode (e.g. 0600, 0640)"};
  }
  auto const mode = static_cast<std::uint32_t>(std::stoul(value, nullptr, 8));
  if ((mode & ~std::uint32_t{07777}) != 0) throw UsageError{flag + " " + value + " is above 0777"};
  if ((mode & 07000) != 0) {
    throw UsageError{flag + " " + value + " sets the setuid, setgid or sticky bit; only 0777 permission bits are allowed"};
  }
  return mode;
}

std::uint32_t FileMode(CommonOptions const& o) {
  return ParseModeFlag("--file-mode", o.file_mode, ccrec::FilesystemSinkOptions{}.file_mode);
}

std::uint32_t DirMode(CommonOptions const& o) {
  auto const mode = ParseModeFlag("--dir-mode", o.dir_mode, ccrec::FilesystemSinkOptions{}.dir_mode);
  if ((mode & 0700) != 0700) {
    throw UsageError{"--dir-mode " + o.dir_mode +
                     " must include 0700: the export creates, lists and fsyncs files in its directories"};
  }
  return mode;
}

void ValidateCommon(CommonOptions const& o, std::vector<std::string> const& extra_key_names,
                    ccrec::exporter::KeyIdentityRule const& identity) {
  if (o.concurrency < 1 || o.concurrency > 64) throw UsageError{"--concurrency must be between 1 and 64"};
  if (!o.s3_endpoint.empty()) {
    auto url = ccrec::ParseHttpUrl(o.s3_endpoint);
    if (!url) throw UsageError{"--s3-endpoint: " + url.error().message};
  }
  auto t = ccrec::exporter::KeyTemplate::Parse(o.key_template, extra_key_names, identity);
  if (!t) throw UsageError{"--key-template: " + t.error().message};
  if (!o.manifest.empty() && o.manifest.back() == '/') throw UsageError{"--manifest must be a file path"};
  (void)ManifestFormat(o);
  FileMode(o);
  DirMode(o);
  ParseBandwidthFlag(o.bwlimit);
  ParseTagFlags(o.tags);
  ValidateMetricsFlags(o);
  if (!o.sse_kms_key_id.empty() && o.sse.rfind("aws:kms", 0) != 0) {
    throw UsageError{"--sse-kms-key-id needs --sse aws:kms or aws:kms:dsse"};
  }
  if (!o.storage_class.empty() && o.storage_class.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                      std::string::npos) {
    throw UsageError{"--storage-class \"" + o.storage_class +
                     "\" is not a storage class (upper-case letters, digits and '_', e.g. STANDARD_IA)"};
  }
}

std::uint64_t ParseBandwidthFlag(std::string const& value) {
  if (value.empty()) return 0;
  std::size_t digits = 0;
  while (digits < value.size() && std::isdigit(static_cast<unsigned char>(value[digits]))) ++digits;
  std::string const suffix = value.substr(digits);
  int shift = -1;
  if (suffix.empty()) shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  if (suffix == "M" || suffix == "m") shift = 20;
  if (suffix == "G" || suffix == "g") shift = 30;
  if (digits == 0 || digits > 12 || shift < 0) {
    throw UsageError{"--bwlimit \"" + value + "\" is not a rate: bytes per second with an optional K, M or G suffix, "
                     "e.g. 500K or 10M"};
  }
  auto const rate = std::stoull(value.substr(0, digits)) << shift;
  if (rate != 0 && rate < 1024) throw UsageError{"--bwlimit " + value + " is below 1K (1024 bytes/s)"};
  return rate;
}

std::map<std::string, std::string> ParseTagFlags(std::vector<std::string> const& tags) {
  std::map<std::string, std::string> out;
  for (auto const& t : tags) {
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError{"--tag \"" + t + "\" must be KEY=VALUE with a non-empty KEY"};
    if (!out.emplace(t.substr(0, eq), t.substr(eq + 1)).second) {
      throw UsageError{"--tag: the key \"" + t.substr(0, eq) + "\" is given twice"};
    }
  }
  if (out.size() > 10) throw UsageError{"--tag: at most 10 tags per object (S3's limit), got " + std::to_string(out.size())};
  return out;
}

std::optional<std::chrono::milliseconds> RequestTimeout(CommonOptions const& o) {
  if (o.request_timeout_s <= 0) return std::nullopt;
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(o.request_timeout_s * 1000.0)));
}

Logger MakeLogger(CommonOptions const& o) {
  LogLevel level = LogLevel::kWarn;
  ccrec::ParseLogLevel(o.log_level, level);
  auto format = ccrec::LogFormat::kText;
  ccrec::ParseLogFormat(o.log_format, format);
  auto logger = ccrec::MakeStderrLogger(level, format);
  std::vector<ccrec::LogField> fields;
  if (!o.job.empty()) fields.push_back({"job", o.job});
  if (!o.vendor.empty()) fields.push_back({"vendor", o.vendor});
  return fields.empty() ? logger : logger.With(fields);
}

std::shared_ptr<ccrec::HttpTransport> MakeTransport(CommonOptions const& o, Logger const& logger) {
  ccrec::CurlOptions co;
  co.ca_file = o.ca_file;
  co.insecure_skip_verify = o.insecure;
  co.logger = logger;
  co.max_send_bytes_per_second = co.max_recv_bytes_per_second = ParseBandwidthFlag(o.bwlimit);
  if (o.insecure) logger.Warn("--insecure: TLS certificate verification is DISABLED");
  return ccrec::MakeMeteredTransport(ccrec::MakeCurlTransport(co), o.metrics);
}

int FitConcurrencyToDescriptorLimit(CommonOptions const& o, Logger const& logger) {
  if (o.dry_run) return o.concurrency;  // lists only: no downloads, no uploads
  // Per worker: one download plus, for S3, up to max_in_flight_parts part uploads; for a
  // directory, the temporary file and the directory opened to fsync it.
  bool const s3 = o.dest.rfind("s3://", 0) == 0;
  ccrec::DescriptorPlan plan;
  plan.workers = static_cast<std::size_t>(o.concurrency);
  plan.transfers_per_worker = 1 + (s3 ? ccrec::s3::S3SinkOptions{}.max_in_flight_parts : 0);
  plan.files_per_worker = s3 ? 0 : 2;
  plan.idle_connections = ccrec::CurlOptions{}.max_idle_connections;
  auto fitted = ccrec::FitDescriptorLimit(plan);
  if (!fitted) {
    logger.Warn("cannot check the open-file limit: " + fitted.error().message);
    return o.concurrency;
  }
  if (fitted->lowered) {
    logger.Warn("--concurrency " + std::to_string(o.concurrency) + " lowered to " + std::to_string(fitted->workers) +
                ": " + fitted->message);
  } else if (!fitted->message.empty()) {
    logger.Info(fitted->message);
  }
  return static_cast<int>(fitted->workers);
}

namespace {
bool ValidBucketName(std::string const& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(b.front())) && std::isalnum(static_cast<unsigned char>(b.back()));
}
std::string EnvOr(char const* name, std::string fallback = {}) {
  char const* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}
}  // namespace

Destination ParseDestination(std::string const& dest) {
  Destination d;
  if (dest.empty()) throw UsageError{"--dest is empty"};
  if (dest.rfind("s3://", 0) == 0) {
    std::string rest = dest.substr(5);
    auto slash = rest.find('/');
    d.is_s3 = true;
    d.bucket = rest.substr(0, slash);
    if (slash != std::string::npos) d.prefix = rest.substr(slash + 1);
    while (!d.prefix.empty() && d.prefix.back() == '/') d.prefix.pop_back();
    if (!ValidBucketName(d.bucket)) {
      throw UsageError{"--dest: \"" + d.bucket +
                       "\" is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-')"};
    }
    std::string padded = "/" + d.prefix + "/";
    if (padded.find("/../") != std::string::npos || padded.find("/./") != std::string::npos ||
        (!d.prefix.empty() && padded.find("//") != std::string::npos)) {
      throw UsageError{"--dest: the prefix \"" + d.prefix + "\" has an empty, '.' or '..' segment"};
    }
    return d;
  }
  if (dest.rfind("file://", 0) == 0) {
    d.path = dest.substr(7);
    if (d.path.empty() || d.path.front() != '/') {
      throw UsageError{"--dest: file:// URLs need an absolute path (file:///abs/path)"};
    }
    d.path = ccrec::PercentDecode(d.path);
    if (d.path.find('\0') != std::string::npos) throw UsageError{"--dest: the file:// path has an escaped NUL (%00)"};
    return d;
  }
  if (dest.find("://") != std::string::npos) {
    throw UsageError{"--dest: unsupported scheme in \"" + dest + "\" (use s3://, file:// or a directory)"};
  }
  d.path = dest;
  return d;
}

S3Connection ResolveS3Connection(CommonOptions const& o) {
  ccrec::s3::AwsEnvironmentOptions eo;
  eo.profile = o.profile;
  auto env = ccrec::s3::ResolveAwsEnvironment(eo);
  if (!env) throw UsageError{env.error().message};
  S3Connection c;
  c.endpoint = !o.s3_endpoint.empty() ? o.s3_endpoint : env->endpoint;
  c.region = !o.s3_region.empty() ? o.s3_region : env->region;
  c.path_style = o.s3_path_style || (!c.endpoint.empty() && ccrec::s3::EndpointImpliesPathStyle(c.endpoint));
  if (o.ca_file.empty() && !o.insecure) c.ca_bundle = env->ca_bundle;
  if (!c.ca_bundle.empty() && ::access(c.ca_bundle.c_str(), R_OK) != 0) {
    throw UsageError{"the CA bundle " + c.ca_bundle + " (AWS_CA_BUNDLE or the profile's ca_bundle) cannot be read"};
  }
  return c;
}

std::shared_ptr<ccrec::HttpTransport> MakeS3Transport(CommonOptions const& o, S3Connection const& conn,
                                                      Logger const& logger) {
  if (conn.ca_bundle.empty()) return MakeTransport(o, logger);
  CommonOptions with_ca = o;
  with_ca.ca_file = conn.ca_bundle;
  return MakeTransport(with_ca, logger);
}

std::shared_ptr<ccrec::s3::CredentialsProvider> MakeAwsCredentials(CommonOptions const& o,
                                                                   std::shared_ptr<ccrec::HttpTransport> transport,
                                                                   Logger const& logger) {
  // Environment, shared credentials/config files (--profile / AWS_PROFILE: keys, role_arn,
  // credential_process), web identity, container endpoint, IMDSv2.
  ccrec::s3::DefaultCredentialsChainOptions chain;
  chain.profile.profile = o.profile;
  chain.endpoints.transport = std::move(transport);
  chain.endpoints.logger = logger;
  return ccrec::s3::MakeDefaultCredentialsChain(chain);
}

std::shared_ptr<ccrec::ObjectSink> MakeSink(CommonOptions const& o, Destination const& dest,
                                            std::shared_ptr<ccrec::HttpTransport> transport, Logger const& logger) {
  if (!dest.is_s3) {
    ccrec::FilesystemSinkOptions fo;
    fo.root = dest.path;
    fo.logger = logger;
    fo.file_mode = FileMode(o);
    fo.dir_mode = DirMode(o);
    auto sink = ccrec::MakeFilesystemSink(fo);
    if (!sink) throw UsageError{"--dest: " + sink.error().message};
    return *sink;
  }
  auto conn = ResolveS3Connection(o);
  ccrec::s3::S3SinkOptions so;
  so.bucket = dest.bucket;
  so.prefix = dest.prefix.empty() ? std::string() : dest.prefix + "/";  // the sink prepends verbatim
  so.region = conn.region;
  so.endpoint = conn.endpoint;
  so.path_style = conn.path_style;
  so.checksum = o.s3_checksum == "md5"      ? ccrec::s3::ChecksumAlgorithm::kNone
                : o.s3_checksum == "sha256" ? ccrec::s3::ChecksumAlgorithm::kSha256
                                            : ccrec::s3::ChecksumAlgorithm::kCrc32c;
  so.conditional_writes = o.s3_conditional_writes == "on"    ? ccrec::s3::ConditionalWrites::kOn
                          : o.s3_conditional_writes == "off" ? ccrec::s3::ConditionalWrites::kOff
                                                             : ccrec::s3::ConditionalWrites::kAuto;
  // AWS_CA_BUNDLE applies to S3 and STS only, not to the vendor APIs sharing `transport`.
  so.transport = conn.ca_bundle.empty() ? std::move(transport) : MakeS3Transport(o, conn, logger);
  so.credentials = MakeAwsCredentials(o, so.transport, logger);
  so.logger = logger;
  so.server_side_encryption = o.sse;
  so.sse_kms_key_id = o.sse_kms_key_id;
  so.storage_class = o.storage_class;
  so.tags = ParseTagFlags(o.tags);
  if (auto t = RequestTimeout(o)) so.request_timeout = *t;  // CompleteMultipartUpload keeps its own 10 min
  auto sink = ccrec::s3::MakeS3Sink(so);
  if (!sink) throw UsageError{"--dest: " + sink.error().message};
  return *sink;
}

// --- progress ------------------------------------------------------------------------------
namespace {
std::string HumanBytes(double bytes) {
  char const* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (bytes >= 1024 && i < 4) {
    bytes /= 1024;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.1f %s", bytes, units[i]);
  return buf;
}
}  // namespace

std::function<void(ccrec::exporter::ExportSummary const&)> MakeProgressPrinter(CommonOptions const& o,
                                                                          char const* items) {
  bool tty = isatty(STDERR_FILENO) != 0;
  bool enabled = o.progress == "on" || (o.progress == "auto" && tty);
  if (!enabled) return {};
  auto last_line = std::make_shared<std::chrono::steady_clock::time_point>();
  std::string noun = items;
  return [tty, last_line, noun](ccrec::exporter::ExportSummary const& s) {
    double secs = std::max(0.001, static_cast<double>(s.elapsed.count()) / 1000.0);
    double rate = static_cast<double>(s.bytes) / secs;
    std::uint64_t done = s.exported + s.skipped + s.failed;
    std::uint64_t remaining = s.discovered > done ? s.discovered - done : 0;
    double per_item = done > 0 ? secs / static_cast<double>(done) : 0;
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s %llu/%llu (exported %llu, skipped %llu, failed %llu, pending %llu) | %s | %s/s | ETA %.0fs",
                  noun.c_str(), static_cast<unsigned long long>(done), static_cast<unsigned long long>(s.discovered),
                  static_cast<unsigned long long>(s.exported), static_cast<unsigned long long>(s.skipped),
                  static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.pending),
                  HumanBytes(static_cast<double>(s.bytes)).c_str(), HumanBytes(rate).c_str(),
                  per_item * static_cast<double>(remaining));
    if (tty) {
      std::fprintf(stderr, "\r\033[K%s", line);
    } else {
      auto now = std::chrono::steady_clock::now();
      if (now - *last_line < std::chrono::seconds(10)) return;
      *last_line = now;
      std::fprintf(stderr, "progress: %s\n", line);
    }
    std::fflush(stderr);
  };
}

ccrec::exporter::ExporterOptions MakeExporterOptions(CommonOptions const& o, Logger const& logger,
                                                     std::shared_ptr<ccrec::ObjectSink> const& sink,
                                                     std::vector<std::string> const& extra_key_names) {
  ccrec::exporter::ExporterOptions eo;
  eo.extra_key_names = extra_key_names;
  eo.concurrency = FitConcurrencyToDescriptorLimit(o, logger);
  eo.key_template = o.key_template;
  eo.dry_run = o.dry_run;
  eo.logger = logger;
  eo.on_progress = MakeProgressPrinter(o);
  auto mu = std::make_shared<std::mutex>();  // called from several workers
  eo.on_dry_run_item = [sink, mu](ccrec::exporter::ExportItem const& item, std::string const& key) {
    std::string line = "would export " + item.source + " task " + item.task_id + " recording " + item.recording_id;
    if (!item.segment_id.empty()) line += " segment " + item.segment_id;
    std::lock_guard<std::mutex> lock(*mu);
    std::cout << line << " -> " << sink->Describe(key) << "\n";
  };
  return eo;
}

ccrec::exporter::ExportSummary RunExporter(ccrec::exporter::ExporterOptions options, Logger const& logger,
                                           std::shared_ptr<ccrec::exporter::RecordingSource> source,
                                           std::shared_ptr<ccrec::ObjectSink> const& sink,
                                           std::shared_ptr<ccrec::exporter::Manifest> manifest,
                                           std::string const& what, ccrec::CallContext const& ctx) {
  ccrec::exporter::Exporter exporter(std::move(source), sink, std::move(manifest), std::move(options));
  logger.Info("exporting " + what + " to " + sink->Describe(""));
  return exporter.Run(ctx);
}

std::string DescribeWindow(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to) {
  return "[" + ccrec::FormatIso8601(from, true) + ", " + ccrec::FormatIso8601(to, true) + ")";
}

int FinishRun(ccrec::exporter::ExportSummary const& s, Logger const& logger, int signal_number,
              CommonOptions const& options) {
  if (isatty(STDERR_FILENO) != 0) std::fprintf(stderr, "\n");
  int status = kExitOk;
  if (s.fatal) {
    std::cerr << "ccrec-export: error: " << ccrec::RedactSecrets(s.fatal->ToString()) << "\n";
    status = kExitFatal;
  } else if (s.cancelled || signal_number != 0) {
    std::cerr << "ccrec-export: interrupted; completed work is in the manifest and the next run continues\n";
    // The shell's convention for a death by signal (130 for SIGINT, 143 for SIGTERM), reached
    // after the clean stop; a run cancelled without a signal is a fatal stop.
    status = signal_number != 0 ? 128 + signal_number : kExitFatal;
  } else if (s.failed > 0) {
    std::cerr << "ccrec-export: " << s.failed << " item(s) failed; see the manifest for details\n";
    status = kExitSomeFailed;
  }
  // Each line in one write: the jobs of `ccrec-export run` finish concurrently.
  std::string const job = options.job.empty() ? std::string() : "job=" + options.job + " ";
  std::ostringstream summary;
  summary << (options.job.empty() ? "" : "[" + options.job + "] ") << "summary: exported " << s.exported
          << ", skipped " << s.skipped << ", failed " << s.failed << ", pending " << s.pending << ", " << s.bytes
          << " bytes in " << static_cast<double>(s.elapsed.count()) / 1000.0 << " s\n";
  std::cerr << summary.str() << std::flush;
  std::cout << (job + s.LastLine() + "\n") << std::flush;
  WriteRunMetrics(options, s, status, logger);
  if (!options.job.empty()) RecordJobSummary(options.job, s);
  return status;
}

std::chrono::system_clock::time_point ParseTimeFlag(std::string const& flag, std::string const& value) {
  auto t = ccrec::ParseTimestamp(value);
  if (!t) throw UsageError{flag + ": " + t.error().message};
  return *t;
}

std::chrono::milliseconds ParseDurationFlag(std::string const& flag, std::string const& value) {
  auto d = ccrec::ParseDuration(value);
  if (!d) throw UsageError{flag + ": " + d.error().message};
  return *d;
}

void AddSecretFlag(CLI::App& cmd, SecretFlag& flag, std::string const& name, char const* env, std::string const& what) {
  cmd.add_option("--" + name, flag.value, what + " (or --" + name + "-file, $" + env + ", or $CREDENTIALS_DIRECTORY/" +
                                              name + "; flags are visible in ps)");
  cmd.add_option("--" + name + "-file", flag.file, "file holding the " + what + " (one trailing line break is dropped)");
}

namespace {
/// The content of a secret file, without one trailing line break; throws UsageError.
std::string ReadSecretFile(std::string const& path, std::string const& source) {
  constexpr std::size_t kMaxBytes = std::size_t{64} << 10;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw UsageError{source + ": cannot read " + path + ": " + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) throw UsageError{source + ": " + path + " is not a regular file"};
  if (st.st_size > static_cast<off_t>(kMaxBytes)) throw UsageError{source + ": " + path + " is larger than 64 KiB"};
  if ((st.st_mode & 077) != 0) {
    std::cerr << "ccrec-export: warning: " << path << " (" << source
              << ") can be read by other users; chmod 600 it\n";
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw UsageError{source + ": cannot read " + path};
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) throw UsageError{source + ": " + path + " is empty"};
  return text;
}
}  // namespace

std::string ResolveSecret(SecretFlag const& flag, char const* env, std::string const& name) {
  std::string const option = "--" + name;
  if (!flag.value.empty() && !flag.file.empty()) {
    throw UsageError{option + " and " + option + "-file were both given; give one"};
  }
  if (!flag.value.empty()) return flag.value;
  if (!flag.file.empty()) return ReadSecretFile(flag.file, option + "-file");
  if (std::string v = EnvOr(env); !v.empty()) return v;
  if (std::string dir = EnvOr("CREDENTIALS_DIRECTORY"); !dir.empty()) {
    std::string path = dir + "/" + name;
    if (::access(path.c_str(), F_OK) == 0) return ReadSecretFile(path, "$CREDENTIALS_DIRECTORY/" + name);
  }
  throw UsageError{option + " is required (or " + option + "-file, $" + env + ", or $CREDENTIALS_DIRECTORY/" + name +
                   ")"};
}

}  // namespace ccrec_cli
