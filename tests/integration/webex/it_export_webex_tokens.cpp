// SPDX-License-Identifier: Apache-2.0
// End-to-end: how ccrec-export webex treats the token file (--token-file, --auth-code), against
// the Webex CC emulator (HTTPS, throwaway CA) on 127.0.0.1, exporting to a local directory.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kDay[] = "2026-11-01";

class ExportWebexTokensTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "6", "--day", kDay}).release();
  }
  static void TearDownTestSuite() { delete webex_; }

  std::map<std::string, std::string> Env() {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }

  std::vector<std::string> Args(TempDir const& dir, std::string const& token_file) {
    return {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"), "--token-url",
            webex_->Get("token_url"), "--token-file", token_file, "--from", "2026-11-01T00:00:00Z", "--to",
            "2026-11-02T00:00:00Z", "--dest", "file://" + (dir / "archive"), "--manifest", dir / "manifest.jsonl",
            "--ca-file", webex_->Get("ca_file")};
  }

  static ServerProcess* webex_;
};

ServerProcess* ExportWebexTokensTest::webex_ = nullptr;

TEST_F(ExportWebexTokensTest, AuthCodeReplacesAnExistingTokenFile) {
  // An existing token file whose refresh token is dead (an admin re-authorizes because of it).
  // --auth-code used to be ignored when the file existed, so the run failed with invalid_grant.
  TempDir dir("ccrec-it-authcode");
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteFile(token_file, R"({"access_token":"","token_type":"Bearer","expires_at":0,)"
                                  R"("refresh_token":"dead-refresh-token"})");
  ::chmod(token_file.c_str(), 0644);
  std::string const code = webex_->Get("auth_code");

  // Without --redirect-uri: a usage error before the single-use code is spent.
  auto args = Args(dir, token_file);
  args.insert(args.end(), {"--auth-code", code});
  auto usage = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_NE(usage.err.find("--redirect-uri"), std::string::npos) << usage.err;

  args.insert(args.end(), {"--redirect-uri", webex_->Get("redirect_uri")});
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("replaced the tokens in the existing token file " + token_file), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find(code), std::string::npos) << "the authorization code was logged";
  std::string const text = ccrec_it::ReadFile(token_file);
  EXPECT_EQ(text.find("dead-refresh-token"), std::string::npos) << "the token file was not replaced";
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError()) << "token file is not JSON";
  ASSERT_TRUE(doc.HasMember("refresh_token") && doc["refresh_token"].IsString());
  EXPECT_GT(doc["refresh_token"].GetStringLength(), 0u);
  EXPECT_EQ(run.err.find(doc["refresh_token"].GetString()), std::string::npos) << "a token was logged";
  struct stat st {};
  ASSERT_EQ(::stat(token_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // The next run works from the new file without --auth-code.
  auto next = ccrec_it::RunProgram(Args(dir, token_file), Env());
  EXPECT_EQ(next.exit_code, 0) << next.err;
}

TEST_F(ExportWebexTokensTest, AnUnreadableTokenFileIsAUsageErrorAndTheCodeIsNotSpent) {
  TempDir dir("ccrec-it-authcode-bad");
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteFile(token_file, "{not json");
  auto args = Args(dir, token_file);
  args.insert(args.end(), {"--auth-code", "some-code", "--redirect-uri", webex_->Get("redirect_uri")});
  auto run = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("the authorization code was not used"), std::string::npos) << run.err;
  EXPECT_EQ(ccrec_it::ReadFile(token_file), "{not json");
}

}  // namespace
