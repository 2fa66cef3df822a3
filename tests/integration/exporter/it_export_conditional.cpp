// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 15 items 1 and 3: with --s3-conditional-writes on (moto 5.2.1 enforces
// If-None-Match: * on PutObject and CompleteMultipartUpload), a new recording is one PutObject
// without a HeadObject first, and a second instance (its own, fresh manifest) exporting the same
// window has every PutObject refused (412), judges each object by HeadObject, skips its own and
// fails — without overwriting — an object of another recording.
// Against the Webex CC emulator (HTTPS, throwaway CA) and moto, both on 127.0.0.1 and started here.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kCwDay[] = "2026-11-01";

/// Stderr debug lines of the S3 sink for `operation` on recordings (not sidecars) answered `status`.
std::size_t CwCountS3(std::string const& err, std::string const& operation, int status) {
  std::istringstream in(err);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    auto at = line.find("S3 " + operation + " s3://");
    if (at == std::string::npos) continue;
    auto colon = line.find(": ", at);
    if (colon == std::string::npos || line.compare(colon - 5, 5, ".json") == 0) continue;
    if (line.find("-> HTTP " + std::to_string(status) + " ") != std::string::npos) ++n;
  }
  return n;
}

class ExportConditionalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "30", "--median-size-bytes", "20000", "--day", kCwDay,
                                                   "--refresh-grace-seconds", "86400"}).release();
    s3_ = ServerProcess::Start("s3_server.py", {"--bucket", "recordings"}).release();
    dir_ = new TempDir("ccrec-it-conditional");
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete s3_;
    delete dir_;
  }

  std::map<std::string, std::string> Env() { return ccrec_it::WebexToS3Env(*webex_, *s3_); }

  /// One instance: its own token file and manifest.
  std::vector<std::string> Args(std::string const& name, std::string const& conditional) {
    auto token = *dir_ / (name + ".token");
    ccrec_it::WriteWebexTokenFile(token, webex_->Get("refresh_token"));
    return {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"), "--token-url",
            webex_->Get("token_url"), "--token-file", token, "--from", "2026-11-01T00:00:00Z", "--to",
            "2026-11-02T00:00:00Z", "--dest", "s3://" + s3_->Get("bucket") + "/cw", "--manifest", *dir_ / (name + ".jsonl"),
            "--s3-endpoint", s3_->Get("endpoint"), "--ca-file", webex_->Get("ca_file"), "--concurrency", "4",
            "--pending-max-age", "0", "--progress", "off", "--log-level", "debug", "--s3-conditional-writes",
            conditional};
  }

  /// The bucket's objects (all under cw/: the suite's only prefix; moto 5.2.1 answers a signed
  /// `prefix=cw%2F` query with SignatureDoesNotMatch).
  rapidjson::Document ListBucket() {
    auto r = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                   s3_->Get("endpoint"), "--access-key", s3_->Get("access_key"), "--secret-key",
                                   s3_->Get("secret_key"), "--bucket", s3_->Get("bucket")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ccrec_it::Json(r.out);
  }

  /// Replaces `key` with another recording's object (as another tool would), with boto3.
  void PutForeign(std::string const& key) {
    static constexpr char kScript[] = R"(
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
                  region_name="us-east-1", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
s3.put_object(Bucket=sys.argv[5], Key=sys.argv[4], Body=b"someone else's recording",
              Metadata={"ccrec-id": "v1/webex/other-task/other-recording/"})
)";
    auto r = ccrec_it::RunProgram({CCREC_PYTHON, "-c", kScript, s3_->Get("endpoint"), s3_->Get("access_key"),
                                   s3_->Get("secret_key"), key, s3_->Get("bucket")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static ServerProcess* webex_;
  static ServerProcess* s3_;
  static TempDir* dir_;
};

ServerProcess* ExportConditionalTest::webex_ = nullptr;
ServerProcess* ExportConditionalTest::s3_ = nullptr;
TempDir* ExportConditionalTest::dir_ = nullptr;

TEST_F(ExportConditionalTest, SecondInstanceIsRefusedAndJudgedWithoutOverwrite) {
  // Instance A: every recording is new to its manifest: one PutObject each, no HeadObject.
  auto a = ccrec_it::RunProgram(Args("a", "on"), Env());
  ASSERT_EQ(a.exit_code, 0) << a.err.substr(0, 4000);
  auto const exported = CwCountS3(a.err, "PutObject", 200);
  ASSERT_GT(exported, 5u) << a.out;
  EXPECT_NE(a.out.find("exported=" + std::to_string(exported) + " skipped=0 failed=0"), std::string::npos) << a.out;
  EXPECT_EQ(CwCountS3(a.err, "HeadObject", 200) + CwCountS3(a.err, "HeadObject", 404), 0u)
      << "no existence check before a conditional PutObject";

  // Another tool replaces one recording with another recording's object.
  auto before = ListBucket();
  std::string foreign;
  for (auto it = before["objects"].MemberBegin(); it != before["objects"].MemberEnd(); ++it) {
    std::string key = it->name.GetString();
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ".json") != 0) {
      foreign = key;
      break;
    }
  }
  ASSERT_FALSE(foreign.empty());
  PutForeign(foreign);
  before = ListBucket();

  // Instance B, a fresh manifest: each PutObject is refused (412) and judged by HeadObject; its
  // own objects are skipped, the foreign one fails (exit 3) and stays.
  auto b = ccrec_it::RunProgram(Args("b", "on"), Env());
  EXPECT_EQ(b.exit_code, 3) << b.err.substr(0, 4000);
  EXPECT_NE(b.out.find("exported=0 skipped=" + std::to_string(exported - 1) + " failed=1"), std::string::npos)
      << b.out;
  EXPECT_EQ(CwCountS3(b.err, "PutObject", 200), 0u) << "nothing was overwritten";
  EXPECT_EQ(CwCountS3(b.err, "PutObject", 412), exported);
  EXPECT_EQ(CwCountS3(b.err, "HeadObject", 200), exported);
  auto after = ListBucket();
  ASSERT_EQ(after["objects"].MemberCount(), before["objects"].MemberCount());
  for (auto it = before["objects"].MemberBegin(); it != before["objects"].MemberEnd(); ++it) {
    ASSERT_TRUE(after["objects"].HasMember(it->name)) << it->name.GetString();
    EXPECT_EQ(std::string(after["objects"][it->name]["sha256"].GetString()), it->value["sha256"].GetString())
        << it->name.GetString();
  }
  std::string const lines = ccrec_it::ReadFile(*dir_ / "b.jsonl");
  EXPECT_NE(lines.find("other-recording"), std::string::npos) << "the failed line names the other recording";

  // With conditional writes off, the existence check comes first: no PutObject at all.
  auto c = ccrec_it::RunProgram(Args("c", "off"), Env());
  EXPECT_EQ(c.exit_code, 3) << c.err.substr(0, 4000);
  EXPECT_EQ(CwCountS3(c.err, "PutObject", 412) + CwCountS3(c.err, "PutObject", 200), 0u);
  EXPECT_EQ(CwCountS3(c.err, "HeadObject", 200), exported);
}

}  // namespace
