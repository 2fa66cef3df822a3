// SPDX-License-Identifier: Apache-2.0
// Issue 15 item 2: `ccrec-export run --config jobs.toml` runs two jobs concurrently in one process,
// prints a line per job and the total, and exits with the worst status; a bad config is exit 2
// naming the file, line and key, and nothing runs.
#include "integration/harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

class ExportJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "12", "--day", "2026-11-01", "--seed", "17"});
    token_file_ = dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
    ccrec_it::WriteFile(dir_ / "client-id", webex_->Get("client_id"));
  }

  // A job table for the emulator; `extra` is appended inside it.
  std::string Job(std::string const& name, std::string const& extra = {}) {
    return "[[jobs]]\nname = \"" + name + "\"\nsource = \"webex\"\napi-base-url = \"" + webex_->Get("base_url") +
           "\"\ntoken-url = \"" + webex_->Get("token_url") + "\"\ntoken-file = \"" + token_file_ +
           "\"\nclient-id-file = \"" + (dir_ / "client-id") + "\"\nclient-secret-env = \"ORG_SECRET\"\n" +
           "from = \"2026-11-01T00:00:00Z\"\nto = \"2026-11-02T00:00:00Z\"\ndest = \"file://" + dir_.Path() + "/" +
           name + "\"\nmanifest = \"" + (dir_ / (name + ".jsonl")) + "\"\n" + extra;
  }

  ccrec_it::ProgramResult Run(std::string const& toml) {
    ccrec_it::WriteFile(dir_ / "jobs.toml", toml);
    return ccrec_it::RunProgram({CCREC_EXPORT_BIN, "run", "--config", dir_ / "jobs.toml"},
                                {{"ORG_SECRET", webex_->Get("client_secret")}});
  }

  std::unique_ptr<ServerProcess> webex_;
  TempDir dir_{"ccrec-it-jobs"};
  std::string token_file_;
};

TEST_F(ExportJobsTest, TwoJobsRunConcurrentlyWithALinePerJobAndTheTotal) {
  auto run = Run("[defaults]\nconcurrency = 2\nca-file = \"" + webex_->Get("ca_file") +
                 "\"\npending-max-age = \"0\"\n\n" + Job("org-a") + "\n" + Job("org-b", "concurrency = 3\n"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto a = ccrec_it::ManifestRecordLines(dir_ / "org-a.jsonl");
  auto b = ccrec_it::ManifestRecordLines(dir_ / "org-b.jsonl");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.size(), b.size()) << "the same window into two destinations";
  std::size_t exported = 0;
  for (auto const& line : a) exported += line.find("\"status\":\"exported\"") != std::string::npos ? 1 : 0;
  EXPECT_NE(run.out.find("job=org-a exported=" + std::to_string(exported) + " "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("job=org-b exported=" + std::to_string(exported) + " "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("total exported=" + std::to_string(2 * exported) + " "), std::string::npos) << run.out;
  EXPECT_EQ(run.err.find(webex_->Get("client_secret")), std::string::npos) << "the secret is never printed";
}

TEST_F(ExportJobsTest, BadConfigsExitTwoNamingFileLineAndKeyAndNothingRuns) {
  std::string const ca = "ca-file = \"" + webex_->Get("ca_file") + "\"\n";
  struct Case {
    std::string toml;
    std::string says;
  };
  std::vector<Case> cases = {
      {Job("ok", ca) + "\n" + Job("bad", ca + "frobnicate = 1\n"), "jobs.toml:" },
      {Job("ok", ca) + "\n" + Job("bad", ca + "frobnicate = 1\n"), "key \"frobnicate\": webex has no flag --frobnicate"},
      {Job("ok", ca + "client-secret = \"s3cr3t\"\n"), "secrets never live in jobs.toml"},
      {Job("ok", ca + "password-env = \"NOPE_NOT_SET\"\n"), "has no flag --password"},
      {Job("ok", ca + "client-id-env = \"NOPE_NOT_SET\"\n"), "environment variable NOPE_NOT_SET is not set"},
      {Job("ok", ca) + "\n" + Job("ok", ca), "job \"ok\" is defined twice"},
      {Job("ok", ca + "concurrency = 999\n"), "job \"ok\""},
      {Job("ok", ca) + "\n" + Job("late", ca + "key-template = \"x/{nope}\"\n"), "job \"late\": --key-template"},
      {"[[jobs]\nname = 1\n", "jobs.toml:1:"},
      {"[jobs]\nname = \"x\"\n", "unknown top-level key \"jobs\""},
  };
  for (auto const& c : cases) {
    auto run = Run(c.toml);
    EXPECT_EQ(run.exit_code, 2) << c.says << "\n" << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("s3cr3t"), std::string::npos) << run.err;
    std::ifstream manifest(dir_ / "ok.jsonl");
    std::string content((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find("exported"), std::string::npos) << "nothing ran: " << c.says;
  }
  // The line of the offending key is named.
  auto run = Run(Job("ok", ca) + "\n" + Job("bad", ca + "frobnicate = 1\n"));
  std::string const ok = Job("ok", ca);
  std::string const bad = Job("bad", ca);
  // "frobnicate" is the first line after the bad job's own lines, which follow the ok job and a blank line.
  int const line = static_cast<int>(std::count(ok.begin(), ok.end(), '\n') + 1 + std::count(bad.begin(), bad.end(), '\n')) + 1;
  EXPECT_NE(run.err.find("jobs.toml:" + std::to_string(line) + ": job \"bad\": key \"frobnicate\""), std::string::npos)
      << run.err;
}

}  // namespace
