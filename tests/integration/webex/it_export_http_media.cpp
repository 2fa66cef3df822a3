// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 12 item 6: presigned recording URLs over plain http are refused unless
// --allow-http-media allows them. The Webex CC emulator runs over plain http on 127.0.0.1 (its
// presigned URLs then use http too); the API and token URLs are loopback, so they are accepted.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

class ExportHttpMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webex_ = ServerProcess::Start("webex_cc.py", {"--plain-http", "--tasks-per-day", "12", "--day", "2026-11-01"});
    token_file_ = dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
  }

  ccrec_it::ProgramResult Export(std::string const& dest, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
                                     "--token-url",    webex_->Get("token_url"), "--token-file", token_file_,
                                     "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
                                     "--dest",         "file://" + dest,         "--manifest",   dest + ".jsonl",
                                     "--pending-max-age", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  TempDir dir_{"ccrec-it-http-media"};
  std::unique_ptr<ServerProcess> webex_;
  std::string token_file_;
};

TEST_F(ExportHttpMediaTest, PlainHttpMediaFailsEveryRecordUnlessAllowed) {
  ASSERT_EQ(webex_->Get("base_url").rfind("http://127.0.0.1:", 0), 0u) << webex_->Get("base_url");
  auto refused = Export(dir_ / "refused");
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("exported=0 "), std::string::npos) << refused.out;
  EXPECT_EQ(refused.out.find("failed=0 "), std::string::npos) << "every recording is a failed line: " << refused.out;
  auto manifest = ccrec_it::ReadFile(dir_ / "refused.jsonl");
  EXPECT_NE(manifest.find("is plain http"), std::string::npos) << manifest.substr(0, 600);
  EXPECT_EQ(manifest.find("X-Amz-Signature="), std::string::npos) << "the presigned query is never written";

  auto allowed = Export(dir_ / "allowed", {"--allow-http-media"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("skipped=0 failed=0"), std::string::npos) << allowed.out;
  EXPECT_EQ(allowed.out.find("exported=0 "), std::string::npos) << allowed.out;
}

}  // namespace
