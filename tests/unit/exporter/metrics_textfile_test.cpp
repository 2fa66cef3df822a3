// SPDX-License-Identifier: Apache-2.0
// The Prometheus textfile: counters add up over runs, the last success survives a failed run,
// other jobs' series are kept, and the file is replaced atomically with a readable mode.
#include <ccrec/exporter/metrics_textfile.hpp>

#include <gtest/gtest.h>

#include "unit/core/test_util.hpp"

#include <sys/stat.h>

#include <chrono>
#include <string>

namespace {

using ccrec::exporter::JobRunMetrics;
using ccrec::exporter::RenderMetricsTextfile;
using std::chrono::system_clock;

JobRunMetrics JobRun(std::string job, int exit_status, std::int64_t finished_unix_s) {
  JobRunMetrics r;
  r.job = std::move(job);
  r.summary.exported = 5;
  r.summary.skipped = 2;
  r.summary.failed = exit_status == 3 ? 1 : 0;
  r.summary.bytes = 1000;
  r.summary.elapsed = std::chrono::milliseconds(1500);
  r.requests.responses[200] = 9;
  r.requests.responses[429] = 1;
  r.requests.limiter_wait = std::chrono::milliseconds(2500);
  r.exit_status = exit_status;
  r.finished_at = system_clock::time_point(std::chrono::seconds(finished_unix_s));
  return r;
}

bool Has(std::string const& text, std::string const& line) { return text.find(line + "\n") != std::string::npos; }

TEST(MetricsTextfile, FirstRunWritesEveryFamilyWithHelpAndType) {
  std::string t = RenderMetricsTextfile("", JobRun("webex", 0, 1800000000));
  EXPECT_TRUE(Has(t, "# TYPE ccrec_recordings_total counter")) << t;
  EXPECT_TRUE(Has(t, "ccrec_recordings_total{job=\"webex\",outcome=\"exported\"} 5")) << t;
  EXPECT_TRUE(Has(t, "ccrec_recordings_total{job=\"webex\",outcome=\"failed\"} 0")) << t;
  EXPECT_TRUE(Has(t, "ccrec_bytes_total{job=\"webex\"} 1000")) << t;
  EXPECT_TRUE(Has(t, "ccrec_http_requests_total{job=\"webex\",status=\"200\"} 9")) << t;
  EXPECT_TRUE(Has(t, "ccrec_http_too_many_requests_total{job=\"webex\"} 1")) << t;
  EXPECT_TRUE(Has(t, "ccrec_rate_limiter_wait_seconds_total{job=\"webex\"} 2.5")) << t;
  EXPECT_TRUE(Has(t, "ccrec_last_run_duration_seconds{job=\"webex\"} 1.5")) << t;
  EXPECT_TRUE(Has(t, "ccrec_last_run_exit_status{job=\"webex\"} 0")) << t;
  EXPECT_TRUE(Has(t, "# TYPE ccrec_last_success_timestamp_seconds gauge")) << t;
  EXPECT_TRUE(Has(t, "ccrec_last_success_timestamp_seconds{job=\"webex\"} 1800000000")) << t;
  EXPECT_EQ(t.find("status=\"error\""), std::string::npos) << "no error series before the first error";
}

TEST(MetricsTextfile, CountersAddUpAndAFailedRunKeepsTheLastSuccess) {
  std::string first = RenderMetricsTextfile("", JobRun("webex", 0, 1800000000));
  JobRunMetrics failed = JobRun("webex", 3, 1800003600);
  failed.requests.transport_errors = 2;
  std::string second = RenderMetricsTextfile(first, failed);
  EXPECT_TRUE(Has(second, "ccrec_recordings_total{job=\"webex\",outcome=\"exported\"} 10")) << second;
  EXPECT_TRUE(Has(second, "ccrec_recordings_total{job=\"webex\",outcome=\"failed\"} 1")) << second;
  EXPECT_TRUE(Has(second, "ccrec_last_run_recordings{job=\"webex\",outcome=\"failed\"} 1")) << second;
  EXPECT_TRUE(Has(second, "ccrec_http_requests_total{job=\"webex\",status=\"200\"} 18")) << second;
  EXPECT_TRUE(Has(second, "ccrec_http_requests_total{job=\"webex\",status=\"error\"} 2")) << second;
  EXPECT_TRUE(Has(second, "ccrec_rate_limiter_wait_seconds_total{job=\"webex\"} 5")) << second;
  EXPECT_TRUE(Has(second, "ccrec_runs_total{job=\"webex\"} 2")) << second;
  EXPECT_TRUE(Has(second, "ccrec_last_run_exit_status{job=\"webex\"} 3")) << second;
  EXPECT_TRUE(Has(second, "ccrec_last_run_timestamp_seconds{job=\"webex\"} 1800003600")) << second;
  EXPECT_TRUE(Has(second, "ccrec_last_success_timestamp_seconds{job=\"webex\"} 1800000000")) << second;
  // Each family's HELP/TYPE once, and its samples right after it (the exposition format's rule).
  auto help = second.find("# HELP ccrec_recordings_total");
  EXPECT_EQ(second.find("# HELP ccrec_recordings_total", help + 1), std::string::npos);
}

TEST(MetricsTextfile, OtherJobsSeriesAreKeptAndLabelValuesEscaped) {
  std::string a = RenderMetricsTextfile("", JobRun("site \"A\"\\1", 0, 1800000000));
  EXPECT_TRUE(Has(a, "ccrec_bytes_total{job=\"site \\\"A\\\"\\\\1\"} 1000")) << a;
  std::string both = RenderMetricsTextfile(a, JobRun("face", 0, 1800000100));
  EXPECT_TRUE(Has(both, "ccrec_bytes_total{job=\"site \\\"A\\\"\\\\1\"} 1000")) << both;
  EXPECT_TRUE(Has(both, "ccrec_bytes_total{job=\"face\"} 1000")) << both;
  // A second run of the escaped job finds its own series again (parsed and re-serialized alike).
  std::string again = RenderMetricsTextfile(both, JobRun("site \"A\"\\1", 0, 1800000200));
  EXPECT_TRUE(Has(again, "ccrec_bytes_total{job=\"site \\\"A\\\"\\\\1\"} 2000")) << again;
}

TEST(MetricsTextfile, MalformedPreviousLinesAreDroppedAndCountersRestart) {
  std::string garbage = "ccrec_bytes_total{job=\"webex\" 12\nnot a metric line\nccrec_bytes_total{job=\"webex\"} x\n";
  std::string t = RenderMetricsTextfile(garbage, JobRun("webex", 0, 1800000000));
  EXPECT_TRUE(Has(t, "ccrec_bytes_total{job=\"webex\"} 1000")) << t;
  EXPECT_EQ(t.find("not a metric"), std::string::npos) << t;
  // Spacing a human may add is normalized, so the counter still adds up.
  std::string spaced = "ccrec_bytes_total{ job=\"webex\" } 500\n";
  EXPECT_TRUE(Has(RenderMetricsTextfile(spaced, JobRun("webex", 0, 1800000000)), "ccrec_bytes_total{job=\"webex\"} 1500"));
}

TEST(MetricsTextfile, WriteReplacesTheFileAtomicallyReadableByTheCollector) {
  ccrec_test::TempDir dir;
  std::string path = dir.Path() + "/ccrec.prom";
  ASSERT_TRUE(ccrec::exporter::WriteMetricsTextfile(path, JobRun("webex", 0, 1800000000)));
  ASSERT_TRUE(ccrec::exporter::WriteMetricsTextfile(path, JobRun("webex", 3, 1800000060)));
  std::string t = ccrec_test::ReadFile(path);
  EXPECT_TRUE(Has(t, "ccrec_runs_total{job=\"webex\"} 2")) << t;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IROTH, 0u) << "node_exporter runs as another user";
  EXPECT_EQ(ccrec_test::ListFiles(dir.Path()).size(), 1u) << "no temporary file left";
}

TEST(MetricsTextfile, AnUnwritableDirectoryIsAnErrorNamingThePath) {
  auto r = ccrec::exporter::WriteMetricsTextfile("/nonexistent-dir/x/ccrec.prom", JobRun("webex", 0, 1800000000));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent-dir/x/ccrec.prom"), std::string::npos) << r.error().message;
  EXPECT_FALSE(ccrec::exporter::WriteMetricsTextfile("", JobRun("webex", 0, 1)));
}

}  // namespace
