// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 11 items 3, 4 and 12: ccrec-export webex refuses key templates that cannot
// identify a recording and manifests of another destination, and writes a uri per manifest line.
// Against the Webex CC emulator (HTTPS, throwaway CA) and moto, both on 127.0.0.1 and started here.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kDay[] = "2026-11-01";

using ccrec_it::Json;

/// Entry lines of a manifest (the header left out).
std::vector<rapidjson::Document> ManifestLines(std::string const& path) {
  std::vector<rapidjson::Document> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.find("\"ccrec_manifest\"") != std::string::npos) continue;
    out.push_back(Json(line));
  }
  return out;
}

class ExportIdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "40", "--day", kDay}).release();
    s3_ = ServerProcess::Start("s3_server.py", {"--bucket", "recordings"}).release();
    dir_ = new TempDir("ccrec-it-identity");
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete s3_;
    delete token_file_;
    delete dir_;
  }

  std::map<std::string, std::string> S3Env() { return ccrec_it::WebexToS3Env(*webex_, *s3_); }

  std::vector<std::string> BaseArgs(std::string const& dest, std::string const& manifest) {
    return {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
            "--token-url",    webex_->Get("token_url"), "--token-file", *token_file_,
            "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
            "--dest",         dest,           "--manifest",     manifest,
            "--s3-endpoint",  s3_->Get("endpoint"), "--ca-file", webex_->Get("ca_file"),
            "--concurrency",  "4",      "--pending-max-age", "0"};
  }

  /// Telephony recordings the emulator holds for the day (stitched, of tasks that want a capture).
  std::size_t RecordingCount() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") +
                                                "/_emulator/tasks?from=1793491200000&to=1793577600000&channelTypes=telephony",
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    auto doc = Json(body);
    std::size_t n = 0;
    for (auto const& t : doc["tasks"].GetArray()) {
      if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
      n += t["recordings"]["stitched"].Size();
    }
    return n;
  }

  rapidjson::Document ListBucket() {
    auto r = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                   s3_->Get("endpoint"), "--access-key", s3_->Get("access_key"), "--secret-key",
                                   s3_->Get("secret_key"), "--bucket", s3_->Get("bucket")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json(r.out);
  }

  static ServerProcess* webex_;
  static ServerProcess* s3_;
  static TempDir* dir_;
  static std::string* token_file_;
};

ServerProcess* ExportIdentityTest::webex_ = nullptr;
ServerProcess* ExportIdentityTest::s3_ = nullptr;
TempDir* ExportIdentityTest::dir_ = nullptr;
std::string* ExportIdentityTest::token_file_ = nullptr;

// Issue 11 item 3: `wxcc/{yyyy}/{mm}/{dd}/{file_name}` was accepted, and since Webex file names
// repeat ("recording-1.wav") 27 recordings gave `exported=5 skipped=22`, 4 files and exit 0.
TEST_F(ExportIdentityTest, FileNameKeyTemplateIsAUsageErrorAndNothingIsSkippedByMistake) {
  TempDir out("ccrec-it-filename");
  std::string dest = out.Path() + "/wxcc";
  std::string manifest = out.Path() + "/m.jsonl";
  auto args = BaseArgs("file://" + dest, manifest);
  args.push_back("--key-template");
  args.push_back("wxcc/{yyyy}/{mm}/{dd}/{file_name}");
  auto run = ccrec_it::RunProgram(args, S3Env());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("wxcc/{yyyy}/{mm}/{dd}/{file_name}"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("{task_id} and {recording_id}"), std::string::npos) << run.err;
  struct stat st {};
  EXPECT_NE(::stat(dest.c_str(), &st), 0);
  EXPECT_NE(::stat(manifest.c_str(), &st), 0);

  // With the file name as part of an identifying template every recording lands once.
  auto const recordings = RecordingCount();
  ASSERT_GT(recordings, 5u);
  args.back() = "wxcc/{yyyy}/{mm}/{dd}/{task_id}/{recording_id}-{file_name}";
  auto ok = ccrec_it::RunProgram(args, S3Env());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("exported=" + std::to_string(recordings) + " skipped=0 failed=0"),
            std::string::npos)
      << ok.out;
  auto lines = ManifestLines(manifest);
  std::set<std::string> keys;
  for (auto const& l : lines) {
    if (std::string(l["status"].GetString()) != "exported") continue;
    keys.insert(l["key"].GetString());
    EXPECT_EQ(std::string(l["uri"].GetString()), "file://" + dest + "/" + l["key"].GetString());
  }
  EXPECT_EQ(keys.size(), recordings);
}

// Issue 11 item 4: the same --manifest with a new --dest gave skipped=27, an empty destination
// and exit 0.
TEST_F(ExportIdentityTest, ManifestOfAnotherDestinationIsAUsageError) {
  TempDir out("ccrec-it-rebind");
  std::string manifest = out.Path() + "/m.jsonl";
  auto first = ccrec_it::RunProgram(BaseArgs("file://" + out.Path() + "/a", manifest), S3Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto before = ccrec_it::ReadFile(manifest);
  auto second = ccrec_it::RunProgram(BaseArgs("s3://" + s3_->Get("bucket") + "/rebind", manifest), S3Env());
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("belongs to destination file://" + out.Path() + "/a/"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("s3://" + s3_->Get("bucket") + "/rebind/"), std::string::npos) << second.err;
  EXPECT_EQ(ccrec_it::ReadFile(manifest), before) << "nothing written";
  auto bucket = ListBucket();
  for (auto it = bucket["objects"].MemberBegin(); it != bucket["objects"].MemberEnd(); ++it) {
    EXPECT_NE(std::string(it->name.GetString()).rfind("rebind/", 0), 0u) << "nothing uploaded";
  }
}

}  // namespace
