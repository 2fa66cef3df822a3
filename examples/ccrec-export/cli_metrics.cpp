// SPDX-License-Identifier: Apache-2.0
// --metrics-textfile: the run's counters as a Prometheus textfile for node_exporter.
#include "cli_common.hpp"

#include <ccrec/exporter/metrics_textfile.hpp>

#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>

namespace ccrec_cli {

namespace {
std::mutex g_jobs_mu;
std::map<std::string, ccrec::exporter::ExportSummary> g_jobs;
}  // namespace

void RecordJobSummary(std::string const& job, ccrec::exporter::ExportSummary const& summary) {
  std::lock_guard<std::mutex> lock(g_jobs_mu);
  g_jobs[job] = summary;
}

std::map<std::string, ccrec::exporter::ExportSummary> JobSummaries() {
  std::lock_guard<std::mutex> lock(g_jobs_mu);
  return g_jobs;
}

void AddMetricsFlags(CLI::App& app, CommonOptions& o) {
  app.add_option("--metrics-textfile", o.metrics_textfile,
                 "when the run ends, write its counters (recordings by outcome, bytes, HTTP requests by status, "
                 "429s, rate-limiter wait, last success time) to PATH in Prometheus text format, atomically, for "
                 "node_exporter's textfile collector; counters add up over runs");
  app.add_option("--metrics-job", o.metrics_job,
                 "the job label of the --metrics-textfile series (default: the subcommand, e.g. webex)");
}

void ValidateMetricsFlags(CommonOptions const& o) {
  if (o.metrics_textfile.empty()) {
    if (!o.metrics_job.empty()) throw UsageError{"--metrics-job needs --metrics-textfile"};
    return;
  }
  if (o.metrics_textfile.back() == '/') throw UsageError{"--metrics-textfile must be a file path"};
  auto slash = o.metrics_textfile.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : o.metrics_textfile.substr(0, slash));
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw UsageError{"--metrics-textfile: directory " + dir + " does not exist or is not writable"};
  }
}

void WriteRunMetrics(CommonOptions const& o, ccrec::exporter::ExportSummary const& summary, int exit_status,
                     ccrec::Logger const& logger) {
  if (o.metrics_textfile.empty()) return;
  ccrec::exporter::JobRunMetrics run;
  run.job = !o.metrics_job.empty() ? o.metrics_job : !o.job.empty() ? o.job : o.vendor;
  run.summary = summary;
  run.requests = o.metrics->Read();
  run.exit_status = exit_status;
  run.finished_at = std::chrono::system_clock::now();
  auto written = ccrec::exporter::WriteMetricsTextfile(o.metrics_textfile, run);
  if (!written) logger.Warn("--metrics-textfile not written: " + written.error().message);
}

}  // namespace ccrec_cli
