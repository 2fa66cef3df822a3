// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 14 item 3: ccrec-export webex into moto with --profile (a role_arn profile
// whose source_profile runs a credential_process; region and endpoint_url from the profile; STS
// AssumeRole on moto), --sse, --storage-class, --tag and --bwlimit; objects read back with boto3.
// Plus the usage errors of the new flags.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kDay[] = "2026-11-01";

class ExportAwsParityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "4", "--day", kDay}).release();
    s3_ = ServerProcess::Start("s3_server.py", {"--bucket", "recordings"}).release();
    dir_ = new TempDir("ccrec-it-awsparity");
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
    // A credential broker printing the moto user's keys; `ops` assumes the moto role with them.
    auto broker = *dir_ / "broker dir/broker.sh";
    ::mkdir((*dir_ / "broker dir").c_str(), 0700);
    ccrec_it::WriteFile(broker, "#!/bin/sh\necho 'broker: issuing keys' >&2\nprintf '{\"Version\": 1, "
                                "\"AccessKeyId\": \"" + s3_->Get("access_key") + "\", \"SecretAccessKey\": \"" +
                                    s3_->Get("secret_key") + "\"}'\n");
    ::chmod(broker.c_str(), 0700);
    ccrec_it::WriteFile(*dir_ / "config", "[profile base]\ncredential_process = \"" + broker + "\" --unused-arg\n"
                                          "[profile ops]\nrole_arn = " + s3_->Get("role_arn") +
                                              "\nsource_profile = base\nregion = us-east-1\nendpoint_url = " +
                                              s3_->Get("endpoint") + "\n");
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete s3_;
    delete token_file_;
    delete dir_;
  }

  // No AWS keys in the environment: everything comes from the profile.
  std::map<std::string, std::string> Env() {
    return {{"AWS_ACCESS_KEY_ID", "\x01unset"},
            {"AWS_SECRET_ACCESS_KEY", "\x01unset"},
            {"AWS_SESSION_TOKEN", "\x01unset"},
            {"AWS_REGION", "\x01unset"},
            {"AWS_DEFAULT_REGION", "\x01unset"},
            {"AWS_PROFILE", "\x01unset"},
            {"AWS_ENDPOINT_URL", "\x01unset"},
            {"AWS_ENDPOINT_URL_S3", "\x01unset"},
            {"AWS_ENDPOINT_URL_STS", s3_->Get("endpoint")},  // moto serves STS on the same port
            {"AWS_CONFIG_FILE", *dir_ / "config"},
            {"AWS_SHARED_CREDENTIALS_FILE", *dir_ / "no-credentials"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }

  std::vector<std::string> Args(std::string const& dest) {
    return {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
            "--token-url",    webex_->Get("token_url"), "--token-file", *token_file_,
            "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
            "--dest",         dest,           "--ca-file",      webex_->Get("ca_file"),
            "--pending-max-age", "0"};
  }

  rapidjson::Document ListBucket() {
    auto r = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                   s3_->Get("endpoint"), "--access-key", s3_->Get("access_key"), "--secret-key",
                                   s3_->Get("secret_key"), "--bucket", s3_->Get("bucket")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ccrec_it::Json(r.out);
  }

  static ServerProcess* webex_;
  static ServerProcess* s3_;
  static TempDir* dir_;
  static std::string* token_file_;
};

ServerProcess* ExportAwsParityTest::webex_ = nullptr;
ServerProcess* ExportAwsParityTest::s3_ = nullptr;
TempDir* ExportAwsParityTest::dir_ = nullptr;
std::string* ExportAwsParityTest::token_file_ = nullptr;

TEST_F(ExportAwsParityTest, ProfileWithAssumeRoleAndObjectSettings) {
  auto args = Args("s3://" + s3_->Get("bucket") + "/parity");
  for (std::string a : {"--profile", "ops", "--sse", "AES256", "--storage-class", "STANDARD_IA", "--tag", "team=qa",
                        "--tag", "origin=webex", "--bwlimit", "10M", "--log-level", "info"}) {
    args.push_back(a);
  }
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("broker: issuing keys"), std::string::npos) << "the broker's stderr reaches the user";
  EXPECT_EQ(run.err.find(s3_->Get("secret_key")), std::string::npos) << "no secret in the log";
  auto bucket = ListBucket();
  int found = 0;
  for (auto it = bucket["objects"].MemberBegin(); it != bucket["objects"].MemberEnd(); ++it) {
    std::string const key = it->name.GetString();
    if (key.rfind("parity/", 0) != 0) continue;
    ++found;
    auto const& obj = it->value;
    EXPECT_EQ(std::string(obj["sse"].GetString()), "AES256") << key;
    EXPECT_EQ(std::string(obj["storage_class"].GetString()), "STANDARD_IA") << key;
    ASSERT_TRUE(obj["tags"].HasMember("team")) << key;
    EXPECT_EQ(std::string(obj["tags"]["team"].GetString()), "qa") << key;
    EXPECT_EQ(std::string(obj["tags"]["origin"].GetString()), "webex") << key;
  }
  EXPECT_GT(found, 0);
}

TEST_F(ExportAwsParityTest, PresignHonoursTheProfile) {
  // Endpoint from the profile's endpoint_url, temporary credentials from the assumed role.
  auto run = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "s3-presign", "s3://" + s3_->Get("bucket") + "/parity/a.wav", "--profile", "ops"},
                                  Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind(s3_->Get("endpoint") + "/" + s3_->Get("bucket") + "/parity/a.wav?", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("X-Amz-Security-Token="), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("X-Amz-Credential=" + s3_->Get("access_key")), std::string::npos) << "the role's key";
}

TEST_F(ExportAwsParityTest, NewFlagsRejectBadValuesBeforeWritingAnything) {
  struct Case {
    std::vector<std::string> flags;
    std::string expected;
  };
  std::vector<Case> const cases = {
      {{"--sse", "aes"}, "--sse"},
      {{"--sse-kms-key-id", "k"}, "--sse-kms-key-id needs --sse aws:kms"},
      {{"--storage-class", "standard ia"}, "--storage-class"},
      {{"--tag", "novalue"}, "KEY=VALUE"},
      {{"--tag", "a=1", "--tag", "a=2"}, "given twice"},
      {{"--bwlimit", "10X"}, "--bwlimit"},
      {{"--bwlimit", "10"}, "below 1K"},
      {{"--profile", "ghost"}, "ghost"},
  };
  for (auto const& c : cases) {
    auto args = Args("s3://" + s3_->Get("bucket") + "/bad");
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    auto run = ccrec_it::RunProgram(args, Env());
    std::string const what = c.flags.front() + " " + c.flags.at(1);
    // An unknown profile is found when credentials are first needed: exit 1, not a usage error.
    EXPECT_EQ(run.exit_code, c.expected == "ghost" ? 1 : 2) << what << "\n" << run.err;
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << what << "\n" << run.err;
  }
  auto bucket = ListBucket();
  for (auto it = bucket["objects"].MemberBegin(); it != bucket["objects"].MemberEnd(); ++it) {
    EXPECT_NE(std::string(it->name.GetString()).rfind("bad/", 0), 0u) << "nothing uploaded";
  }
}

TEST_F(ExportAwsParityTest, NewFlagsComeFromCcrecEnvironmentVariables) {
  auto env = Env();
  env["CCREC_PROFILE"] = "ops";
  env["CCREC_SSE"] = "aws:kms";
  env["CCREC_SSE_KMS_KEY_ID"] = "alias/from-env";
  env["CCREC_STORAGE_CLASS"] = "GLACIER_IR";
  env["CCREC_TAG"] = "via=env";
  env["CCREC_BWLIMIT"] = "50M";
  auto run = ccrec_it::RunProgram(Args("s3://" + s3_->Get("bucket") + "/fromenv"), env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto bucket = ListBucket();
  int found = 0;
  for (auto it = bucket["objects"].MemberBegin(); it != bucket["objects"].MemberEnd(); ++it) {
    std::string const key = it->name.GetString();
    if (key.rfind("fromenv/", 0) != 0) continue;
    ++found;
    EXPECT_EQ(std::string(it->value["sse"].GetString()), "aws:kms") << key;
    EXPECT_EQ(std::string(it->value["sse_kms_key_id"].GetString()), "alias/from-env") << key;
    EXPECT_EQ(std::string(it->value["storage_class"].GetString()), "GLACIER_IR") << key;
    EXPECT_EQ(std::string(it->value["tags"]["via"].GetString()), "env") << key;
  }
  EXPECT_GT(found, 0);
}

}  // namespace
