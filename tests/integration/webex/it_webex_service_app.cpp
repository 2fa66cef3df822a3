// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 2 end to end: `ccrec-export webex --auth service-app` and `webex token refresh
// --auth service-app` against the Webex CC emulator's Service App token endpoint
// (POST /v1/applications/{applicationId}/token) and its token endpoint.
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

class WebexServiceAppTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "4", "--day", "2026-11-01"}).release();
  }
  static void TearDownTestSuite() { delete webex_; }
  void TearDown() override {
    auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config",
                                             R"({"service_app_authorized":true})", "application/json",
                                             webex_->Get("ca_file"));
    EXPECT_EQ(status, 200) << body;
  }

  /// The Service App's secrets the systemd way: files in $CREDENTIALS_DIRECTORY.
  std::map<std::string, std::string> Credentials(TempDir const& dir, bool with_applications_token) {
    std::string const creds = dir / "credentials";
    ::mkdir(creds.c_str(), 0700);
    ccrec_it::WriteFile(creds + "/client-id", webex_->Get("service_app_client_id") + "\n");
    ccrec_it::WriteFile(creds + "/client-secret", webex_->Get("service_app_client_secret") + "\n");
    if (with_applications_token) {
      ccrec_it::WriteFile(creds + "/applications-token", webex_->Get("applications_token"));
    } else {
      ::unlink((creds + "/applications-token").c_str());
    }
    for (char const* name : {"client-id", "client-secret", "applications-token"}) {
      ::chmod((creds + "/" + name).c_str(), 0600);
    }
    return {{"CREDENTIALS_DIRECTORY", creds},
            {"CCREC_WEBEX_CLIENT_ID", "\x01unset"},
            {"CCREC_WEBEX_CLIENT_SECRET", "\x01unset"}};
  }
  std::vector<std::string> Refresh(std::string const& token_file) {
    return {CCREC_EXPORT_BIN, "webex", "token", "refresh", "--auth", "service-app", "--application-id",
            webex_->Get("service_app_id"), "--target-org-id", webex_->Get("org_id"), "--webexapis-url",
            webex_->Get("webexapis_url"), "--token-file", token_file, "--token-url", webex_->Get("token_url"),
            "--ca-file", webex_->Get("ca_file")};
  }

  static ServerProcess* webex_;
};

ServerProcess* WebexServiceAppTest::webex_ = nullptr;

TEST_F(WebexServiceAppTest, FetchesOnceThenRefreshesWithRotationAndExports) {
  TempDir dir("ccrec-it-svcapp");
  std::string const token_file = dir / "token.json";
  auto fetch = ccrec_it::RunProgram(Refresh(token_file), Credentials(dir, true));
  ASSERT_EQ(fetch.exit_code, 0) << fetch.err;
  EXPECT_NE(fetch.out.find("refreshed the Webex token in " + token_file), std::string::npos) << fetch.out;
  struct stat st {};
  ASSERT_EQ(::stat(token_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto first = ccrec_it::Json(ccrec_it::ReadFile(token_file));
  std::string const first_refresh = first["refresh_token"].GetString();
  EXPECT_EQ(fetch.err.find(first_refresh), std::string::npos) << "a token was logged";
  EXPECT_EQ(fetch.err.find(webex_->Get("applications_token")), std::string::npos) << "a secret was logged";

  // No applications token any more: the stored refresh token is refreshed (Service App client) and rotated.
  auto refresh = ccrec_it::RunProgram(Refresh(token_file), Credentials(dir, false));
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  auto second = ccrec_it::Json(ccrec_it::ReadFile(token_file));
  EXPECT_NE(std::string(second["refresh_token"].GetString()), first_refresh) << "rotation not persisted";

  // An export with the Service App's token.
  auto run = ccrec_it::RunProgram(
      {CCREC_EXPORT_BIN, "webex", "--auth", "service-app", "--api-base-url", webex_->Get("base_url"), "--token-url",
       webex_->Get("token_url"), "--token-file", token_file, "--from", "2026-11-01T00:00:00Z", "--to",
       "2026-11-02T00:00:00Z", "--dest", "file://" + (dir / "archive"), "--ca-file", webex_->Get("ca_file")},
      Credentials(dir, false));
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST_F(WebexServiceAppTest, NotAuthorizedByAFullAdminIsNamed) {
  auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config",
                                           R"({"service_app_authorized":false})", "application/json",
                                           webex_->Get("ca_file"));
  ASSERT_EQ(status, 200) << body;
  TempDir dir("ccrec-it-svcapp-403");
  std::string const token_file = dir / "token.json";
  auto run = ccrec_it::RunProgram(Refresh(token_file), Credentials(dir, true));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("Full Admin"), std::string::npos) << run.err;
  EXPECT_NE(::access(token_file.c_str(), F_OK), 0) << "a token file was written";
}

TEST_F(WebexServiceAppTest, WithoutATokenFileTheApplicationsTokenIsRequired) {
  TempDir dir("ccrec-it-svcapp-usage");
  auto run = ccrec_it::RunProgram(Refresh(dir / "token.json"), Credentials(dir, false));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--applications-token"), std::string::npos) << run.err;

  auto code = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "webex", "--auth", "service-app", "--auth-code", "c",
                                    "--redirect-uri", "http://127.0.0.1:1/cb", "--token-file", dir / "token.json",
                                    "--dest", dir / "archive", "--from", "2026-11-01T00:00:00Z", "--to",
                                    "2026-11-02T00:00:00Z"},
                                   Credentials(dir, false));
  EXPECT_EQ(code.exit_code, 2) << code.err;
  EXPECT_NE(code.err.find("--auth-code is for --auth integration"), std::string::npos) << code.err;
}

}  // namespace
