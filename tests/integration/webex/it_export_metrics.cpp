// SPDX-License-Identifier: Apache-2.0
// Issue 15 item 6: --metrics-textfile writes the run's counters in Prometheus text format when the
// run ends; a second run adds to the counters; a directory that does not exist is a usage error
// before anything runs.
#include "integration/harness.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

// The value of the sample `series` (exact name and labels) in a Prometheus text, or -1.
double Sample(std::string const& text, std::string const& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(ExportWebexMetrics, TextfileCountsRecordingsAndRequestsAndAddsUpOverRuns) {
  auto webex = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "12", "--day", "2026-11-01", "--seed", "15"});
  TempDir dir("ccrec-it-metrics");
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteWebexTokenFile(token_file, webex->Get("refresh_token"));
  std::string const prom = dir / "ccrec.prom";
  std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex->Get("base_url"),
                                   "--token-url", webex->Get("token_url"), "--token-file", token_file,
                                   "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z",
                                   "--dest", "file://" + dir.Path() + "/archive", "--manifest", dir / "m.jsonl",
                                   "--ca-file", webex->Get("ca_file"), "--pending-max-age", "0",
                                   "--metrics-textfile", prom, "--metrics-job", "org-a"};
  std::map<std::string, std::string> env = {{"CCREC_WEBEX_CLIENT_ID", webex->Get("client_id")},
                                            {"CCREC_WEBEX_CLIENT_SECRET", webex->Get("client_secret")}};

  auto first = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.out, m, std::regex("exported=(\\d+)"))) << first.out;
  double const exported = std::stod(m[1]);
  ASSERT_GT(exported, 0);
  std::string text = "\n" + ccrec_it::ReadFile(prom);
  EXPECT_EQ(Sample(text, "ccrec_recordings_total{job=\"org-a\",outcome=\"exported\"}"), exported) << text;
  EXPECT_EQ(Sample(text, "ccrec_last_run_exit_status{job=\"org-a\"}"), 0) << text;
  EXPECT_GE(Sample(text, "ccrec_http_requests_total{job=\"org-a\",status=\"200\"}"), exported)
      << "at least one download per recording: " << text;
  EXPECT_EQ(Sample(text, "ccrec_http_too_many_requests_total{job=\"org-a\"}"), 0) << text;
  EXPECT_GE(Sample(text, "ccrec_rate_limiter_wait_seconds_total{job=\"org-a\"}"), 0) << text;
  double const success = Sample(text, "ccrec_last_success_timestamp_seconds{job=\"org-a\"}");
  EXPECT_GT(success, 1.7e9) << text;
  EXPECT_EQ(text.find("token"), std::string::npos) << "no secret, no URL in the metrics";

  auto second = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  text = "\n" + ccrec_it::ReadFile(prom);
  EXPECT_EQ(Sample(text, "ccrec_recordings_total{job=\"org-a\",outcome=\"exported\"}"), exported) << text;
  EXPECT_EQ(Sample(text, "ccrec_recordings_total{job=\"org-a\",outcome=\"skipped\"}"), exported) << text;
  EXPECT_EQ(Sample(text, "ccrec_last_run_recordings{job=\"org-a\",outcome=\"exported\"}"), 0) << text;
  EXPECT_EQ(Sample(text, "ccrec_runs_total{job=\"org-a\"}"), 2) << text;
  EXPECT_GE(Sample(text, "ccrec_last_success_timestamp_seconds{job=\"org-a\"}"), success) << text;

  // A directory that does not exist: exit 2 before any request, nothing written.
  auto bad = args;
  bad[bad.size() - 3] = dir.Path() + "/missing/ccrec.prom";
  auto usage = ccrec_it::RunProgram(bad, env);
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_NE(usage.err.find("--metrics-textfile"), std::string::npos) << usage.err;
}

}  // namespace
