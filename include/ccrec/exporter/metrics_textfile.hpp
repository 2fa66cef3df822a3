// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// A Prometheus text-format file of export runs, for node_exporter's textfile collector
/// (https://github.com/prometheus/node_exporter#textfile-collector): written atomically, so the
/// collector never reads half a file. Format: Prometheus "text-based exposition format 0.0.4"
/// (https://prometheus.io/docs/instrumenting/exposition_formats/).

#include <ccrec/core/export.hpp>
#include <ccrec/core/metrics.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/exporter.hpp>

#include <chrono>
#include <string>

namespace ccrec::exporter {

/// What one job's run contributes to the textfile.
struct JobRunMetrics {
  /// The `job` label: names the export job (e.g. "webex", or a jobs.toml job). Any text; it is
  /// escaped as a label value.
  std::string job;
  /// The run's counts (exported, skipped, failed, pending, bytes, elapsed).
  ExportSummary summary;
  /// HTTP and rate-limiter counters of the run (RequestMetrics::Read()).
  RequestMetrics::Snapshot requests;
  /// The process exit status the run ends with (0 ok, 1 fatal, 3 some failed, 130/143 signal).
  int exit_status = 0;
  /// When the run ended.
  std::chrono::system_clock::time_point finished_at{};
};

/// Writes `run` into the textfile at `path` (mode 0644 & ~umask, so the collector can read it):
///
/// - counters, summed over runs (the file's previous values are read back and added to):
///   `ccrec_recordings_total{job,outcome="exported|skipped|failed|pending"}`,
///   `ccrec_bytes_total{job}`, `ccrec_http_requests_total{job,status="200|…|error"}` (`error`:
///   no response), `ccrec_http_too_many_requests_total{job}` (429s),
///   `ccrec_rate_limiter_wait_seconds_total{job}`, `ccrec_runs_total{job}`;
/// - gauges of the last run: `ccrec_last_run_recordings{job,outcome}`,
///   `ccrec_last_run_timestamp_seconds{job}`, `ccrec_last_run_duration_seconds{job}`,
///   `ccrec_last_run_exit_status{job}`;
/// - `ccrec_last_success_timestamp_seconds{job}`: when a run of the job last ended with exit
///   status 0; kept from the previous file when this run did not succeed (absent until one did).
///
/// Series of other jobs already in the file are kept unchanged, so several jobs of one process
/// may share a file; a missing, unreadable or malformed previous file starts the counters at
/// zero (Prometheus treats that as a counter reset). The file is replaced atomically (temporary
/// file, fsync, rename): a reader sees the old or the new content, never a mix.
///
/// @return the write's error when the file cannot be written (`path` is then untouched),
///         kInvalidArgument for an empty path.
/// @par Thread safety
/// Not safe against concurrent writers of the same `path` (one may undo the other's update): use
/// one file per process; the collector reads every `*.prom` file of its directory.
CCREC_EXPORT Result<void> WriteMetricsTextfile(std::string const& path, JobRunMetrics const& run);

/// The text WriteMetricsTextfile() would write, given the previous file content `previous`
/// (empty when none). Exposed for tests and for services that serve metrics themselves.
CCREC_EXPORT std::string RenderMetricsTextfile(std::string const& previous, JobRunMetrics const& run);

}  // namespace ccrec::exporter
