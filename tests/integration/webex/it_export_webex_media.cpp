// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 5 end to end: ccrec-export webex against the Webex CC emulator, into a directory:
// --include-va (virtual-agent legs), transcripts as objects of their own ({kind}), and --task-id
// (given tasks, no listing, an id without capture a pending line).
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr char kFromMs[] = "1793491200000";  // 2026-11-01T00:00:00Z
constexpr char kToMs[] = "1793577600000";

class ExportWebexMediaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "120", "--day", "2026-11-01", "--seed", "5"})
                 .release();
  }
  static void TearDownTestSuite() { delete webex_; }

  void SetUp() override {
    dir_ = std::make_unique<TempDir>("ccrec-it-webex-media");
    token_file_ = *dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
    dest_ = dir_->Path() + "/archive";
    manifest_ = *dir_ / "m.jsonl";
    auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/reset-stats", "{}",
                                             "application/json", webex_->Get("ca_file"));
    ASSERT_EQ(status, 200) << body;
  }

  ccrec_it::ProgramResult Run(std::vector<std::string> extra, bool window = true) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"), "--token-file", token_file_,
                                     "--dest", "file://" + dest_, "--manifest", manifest_,
                                     "--ca-file", webex_->Get("ca_file"), "--pending-max-age", "0"};
    if (window) {
      for (auto const* a : {"--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z"}) args.push_back(a);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  rapidjson::Document GroundTruth(std::string const& channel) {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/tasks?from=" + kFromMs + "&to=" +
                                                kToMs + "&channelTypes=" + channel,
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    return Json(body);
  }

  std::string ExpectedSha(std::string const& task, std::string const& id) {
    auto [status, body] = ccrec_it::HttpGet(
        webex_->Get("base_url") + "/_emulator/expected?task_id=" + task + "&recording_id=" + id, webex_->Get("ca_file"));
    EXPECT_EQ(status, 200) << body;
    auto doc = Json(body);
    return doc.HasMember("sha256") ? doc["sha256"].GetString() : "";
  }

  /// manifest lines by status: recording_id -> (task_id, key)
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> Lines() {
    std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> out;
    for (auto const& line : ccrec_it::ManifestRecordLines(manifest_)) {
      auto l = Json(line);
      out[l["status"].GetString()][l["recording_id"].IsString() ? l["recording_id"].GetString() : ""] = {
          l["task_id"].GetString(), l["key"].IsString() ? l["key"].GetString() : ""};
    }
    return out;
  }

  int TaskRequests() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/stats", webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    auto doc = Json(body);
    return doc["requests"].HasMember("tasks") ? doc["requests"]["tasks"].GetInt() : 0;
  }

  static ServerProcess* webex_;
  std::unique_ptr<TempDir> dir_;
  std::string token_file_, dest_, manifest_;
};
ServerProcess* ExportWebexMediaTest::webex_ = nullptr;

TEST_F(ExportWebexMediaTest, IncludeVaExportsVirtualAgentLegs) {
  auto truth = GroundTruth("telephony");
  std::set<std::string> va;
  for (auto const& t : truth["tasks"].GetArray()) {
    for (auto const& r : t["recordings"]["va"].GetArray()) va.insert(r["recordingId"].GetString());
  }
  ASSERT_FALSE(va.empty()) << "the data set has no virtual-agent legs; the test proves nothing";
  auto plain = Run({});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto plain_lines = Lines();
  EXPECT_FALSE(plain_lines["exported"].empty());
  for (auto const& [id, where] : plain_lines["exported"]) EXPECT_EQ(va.count(id), 0u) << id << " exported without --include-va";

  manifest_ = *dir_ / "m2.jsonl";  // another key template: another manifest
  auto with_va = Run({"--include-va", "--key-template", "wx/{kind}/{task_id}/{recording_id}{ext}"});
  ASSERT_EQ(with_va.exit_code, 0) << with_va.err;
  auto exported = Lines()["exported"];
  for (auto const& id : va) {
    ASSERT_EQ(exported.count(id), 1u) << "virtual-agent leg " << id << " not exported";
    auto const& [task, key] = exported.at(id);
    EXPECT_EQ(key.rfind("wx/recording/" + task + "/" + id, 0), 0u) << key;
    EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest_ + "/" + key)), ExpectedSha(task, id));
    EXPECT_NE(ccrec_it::ReadFile(dest_ + "/" + key + ".json").find("\"callType\":\"va-main\""), std::string::npos);
  }
}

TEST_F(ExportWebexMediaTest, TranscriptsAreObjectsOfTheirOwn) {
  auto truth = GroundTruth("chat");
  std::map<std::string, std::string> transcripts;  // manifest recording_id -> task
  for (auto const& t : truth["tasks"].GetArray()) {
    for (auto const& r : t["transcripts"].GetArray()) {
      transcripts["transcript-" + std::string(r["recordingId"].GetString())] = t["id"].GetString();
    }
  }
  ASSERT_FALSE(transcripts.empty());
  auto run = Run({"--channel-types", "chat", "--key-template", "wx/{kind}/{task_id}/{recording_id}{ext}"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = Lines();
  EXPECT_EQ(lines["exported"].size(), transcripts.size()) << run.err;
  for (auto const& [id, task] : transcripts) {
    ASSERT_EQ(lines["exported"].count(id), 1u) << id;
    auto const& key = lines["exported"].at(id).second;
    EXPECT_EQ(key, "wx/transcript/" + task + "/" + id + ".json");
    EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest_ + "/" + key)), ExpectedSha(task, id.substr(11)));
    auto sidecar = ccrec_it::ReadFile(dest_ + "/" + key + ".json");
    EXPECT_NE(sidecar.find("\"kind\":\"transcript\""), std::string::npos) << sidecar;
    EXPECT_EQ(sidecar.find("X-Amz-Signature"), std::string::npos) << "no presigned URL in a sidecar";
  }

  // --no-transcripts: the same tasks are pending (nothing else to export).
  auto token = ccrec_it::ReadFile(token_file_);  // rotated by the run
  dir_ = std::make_unique<TempDir>("ccrec-it-webex-media");
  ccrec_it::WriteFile(*dir_ / "token.json", token);
  token_file_ = *dir_ / "token.json";
  manifest_ = *dir_ / "m.jsonl";
  dest_ = dir_->Path() + "/archive";
  auto none = Run({"--channel-types", "chat", "--no-transcripts"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(Lines()["exported"].empty());
}

TEST_F(ExportWebexMediaTest, TaskIdExportsGivenTasksWithoutListing) {
  auto truth = GroundTruth("telephony");
  std::vector<std::string> recorded;
  std::set<std::string> recording_ids;
  for (auto const& t : truth["tasks"].GetArray()) {
    if (recorded.size() == 12 || t["recordings"]["stitched"].Empty()) continue;
    recorded.push_back(t["id"].GetString());
    for (auto const& r : t["recordings"]["stitched"].GetArray()) recording_ids.insert(r["recordingId"].GetString());
  }
  ASSERT_EQ(recorded.size(), 12u);
  std::vector<std::string> args;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    args.push_back("--task-id");
    args.push_back(i == 0 ? recorded[0] + "," + recorded[1] : recorded[i]);  // comma-separated too
  }
  args.push_back("--task-id");
  args.push_back("00000000-0000-4000-8000-000000000000");  // unknown: a pending line
  auto run = Run(args, /*window=*/false);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(TaskRequests(), 0) << "--task-id must not list tasks";
  auto lines = Lines();
  std::set<std::string> exported;
  for (auto const& [id, where] : lines["exported"]) exported.insert(id);
  EXPECT_EQ(exported, recording_ids);
  ASSERT_EQ(lines["pending"].size(), 1u);
  EXPECT_EQ(lines["pending"].begin()->second.first, "00000000-0000-4000-8000-000000000000");
  EXPECT_NE(run.out.find("pending=1"), std::string::npos) << run.out;

  auto mixed = Run({"--task-id", recorded[0], "--from", "2026-11-01T00:00:00Z"}, false);
  EXPECT_EQ(mixed.exit_code, 2) << mixed.err;
  EXPECT_NE(mixed.err.find("--task-id"), std::string::npos) << mixed.err;
}

}  // namespace
