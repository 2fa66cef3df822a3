// SPDX-License-Identifier: Apache-2.0
// End-to-end: ccrec-export under a low open-file limit (RLIMIT_NOFILE, set with prlimit(1) for the
// child) fits its --concurrency at start — raising the soft limit, or lowering the concurrency
// with a warning — instead of failing transfers mid-run with EMFILE. Against the Webex CC
// emulator (HTTPS, throwaway CA) and the S3 server, both on 127.0.0.1 and started here.
//
// Without the fit, `--concurrency 16` under a limit of 48 descriptors lost recordings: libcurl
// could not open sockets ("could not connect ... Couldn't connect to server") and the run
// finished with failed=2 and exit status 3.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kPrlimit[] = "/usr/bin/prlimit";

class ExportFdLimitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "120", "--day", "2026-11-01"}).release();
    s3_ = ServerProcess::Start("s3_server.py", {"--bucket", "recordings"}).release();
    dir_ = new TempDir("ccrec-it-fdlimit");
    // Every run rotates the refresh token in this file (the emulator invalidates used ones).
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete s3_;
    delete token_file_;
    delete dir_;
  }

  void SetUp() override {
    if (::access(kPrlimit, X_OK) != 0) GTEST_SKIP() << kPrlimit << " (util-linux) is not installed";
  }

  /// Runs `ccrec-export webex ... --concurrency 16` with RLIMIT_NOFILE soft:hard.
  ccrec_it::ProgramResult Run(std::string const& prefix, int soft, int hard) {
    std::vector<std::string> args = {kPrlimit,
                                     "--nofile=" + std::to_string(soft) + ":" + std::to_string(hard),
                                     CCREC_EXPORT_BIN, "webex",
                                     "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"),
                                     "--token-file", *token_file_,
                                     "--from", "2026-11-01T00:00:00Z",
                                     "--to", "2026-11-02T00:00:00Z",
                                     "--dest", "s3://" + s3_->Get("bucket") + "/" + prefix,
                                     "--manifest", *dir_ / (prefix + ".jsonl"),
                                     "--s3-endpoint", s3_->Get("endpoint"),
                                     "--ca-file", webex_->Get("ca_file"),
                                     "--concurrency", "16", "--pending-max-age", "0",
                                     "--log-level", "info",
                                     "--progress", "off"};
    return ccrec_it::RunProgram(args, ccrec_it::WebexToS3Env(*webex_, *s3_));
  }

  static ServerProcess* webex_;
  static ServerProcess* s3_;
  static TempDir* dir_;
  static std::string* token_file_;
};

ServerProcess* ExportFdLimitTest::webex_ = nullptr;
ServerProcess* ExportFdLimitTest::s3_ = nullptr;
TempDir* ExportFdLimitTest::dir_ = nullptr;
std::string* ExportFdLimitTest::token_file_ = nullptr;

// Soft limit 48, hard limit 4096: the soft limit is raised to what 16 workers need and every
// recording is exported.
TEST_F(ExportFdLimitTest, LowSoftLimitIsRaisedAndEveryRecordingIsExported) {
  auto run = Run("raised", 48, 4096);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.LastLine().find(" failed=0 "), std::string::npos) << run.LastLine();
  EXPECT_EQ(run.LastLine().find("exported=0 "), std::string::npos) << run.LastLine();
  EXPECT_NE(run.err.find("raised the open-file soft limit (RLIMIT_NOFILE) from 48 to "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("lowered"), std::string::npos) << run.err;
}

// Soft = hard = 48: nothing to raise; the concurrency is lowered with a warning naming the limit
// and what to do, and every recording is still exported.
TEST_F(ExportFdLimitTest, LowHardLimitLowersTheConcurrencyWithAWarning) {
  auto run = Run("lowered", 48, 48);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.LastLine().find(" failed=0 "), std::string::npos) << run.LastLine();
  EXPECT_EQ(run.LastLine().find("exported=0 "), std::string::npos) << run.LastLine();
  EXPECT_NE(run.err.find("WARN --concurrency 16 lowered to 1: the open-file limit (RLIMIT_NOFILE soft 48, hard 48)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("ulimit -Hn"), std::string::npos) << run.err;
}

}  // namespace
