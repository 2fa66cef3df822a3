// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex against a Webex CC emulator that answers GET /v1/tasks in ways the spec
// does not foresee (paging is undocumented, reference §4.3): a server that caps pageSize below
// what was asked, and task elements without "id". Nothing may be lost silently: every recording
// of a readable task is exported, every unreadable task element is a failed line, and the run
// exits 3 ("some items failed"), never 0.
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

class ExportWebexHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "400", "--day", "2026-11-01", "--seed", "9"})
                 .release();
  }
  static void TearDownTestSuite() { delete webex_; }

  void SetUp() override {
    dir_ = std::make_unique<TempDir>("ccrec-it-webex-hostile");
    token_file_ = *dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
    manifest_ = *dir_ / "m.jsonl";
  }
  void TearDown() override {
    Configure(
        R"({"tasks_page_cap":null,"tasks_newest_first":false,"tasks_without_id_suffix":null,"settle_pending":false,"media_html_task_suffix":null,"media_empty_task_suffix":null})");
  }

  void Configure(std::string const& json) {
    auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config", json, "application/json",
                                             webex_->Get("ca_file"));
    ASSERT_EQ(status, 200) << body;
  }

  /// The export of 2026-11-01 (`window`: its --from/--to or --since-last-run flags) plus `extra`.
  ccrec_it::ProgramResult Run(std::vector<std::string> const& extra = {},
                              std::vector<std::string> window = {"--from", "2026-11-01T00:00:00Z", "--to",
                                                                 "2026-11-02T00:00:00Z"}) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"), "--token-file", token_file_,
                                     "--dest", "file://" + dir_->Path() + "/archive", "--manifest", manifest_,
                                     "--ca-file", webex_->Get("ca_file"), "--pending-max-age", "0"};
    args.insert(args.end(), window.begin(), window.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  /// The day's telephony tasks: id -> ids of their stitched recordings (what Captures returns).
  /// `only_status`: only the tasks whose status (as the Tasks API reports it now) is this.
  std::map<std::string, std::vector<std::string>> GroundTruth(std::string const& only_status = "") {
    auto [status, body] = ccrec_it::HttpGet(
        webex_->Get("base_url") + "/_emulator/tasks?from=1793491200000&to=1793577600000&channelTypes=telephony",
        webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    auto doc = Json(body);
    std::map<std::string, std::vector<std::string>> out;
    for (auto const& t : doc["tasks"].GetArray()) {
      if (!only_status.empty() && only_status != t["status"].GetString()) continue;
      auto& recs = out[t["id"].GetString()];
      if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
      for (auto const& r : t["recordings"]["stitched"].GetArray()) recs.push_back(r["recordingId"].GetString());
    }
    return out;
  }

  /// (status, task_id, recording_id) of every manifest line.
  std::vector<std::vector<std::string>> Lines() {
    std::vector<std::vector<std::string>> out;
    for (auto const& line : ccrec_it::ManifestRecordLines(manifest_)) {
      auto l = Json(line);
      out.push_back({l["status"].GetString(), l["task_id"].GetString(),
                     l["recording_id"].IsString() ? l["recording_id"].GetString() : ""});
    }
    return out;
  }

  /// A run under the emulator settings `config` (a page cap of 60): it ends 0, exports every
  /// recording of the day once, and says the server caps pages at 60.
  void ExpectEveryRecordingExportedWithACapOf60(std::string const& config) {
    auto truth = GroundTruth();
    ASSERT_GT(truth.size(), 150u) << "more tasks than one capped page";
    Configure(config);
    auto run = Run();
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::set<std::pair<std::string, std::string>> exported;
    for (auto const& l : Lines()) {
      if (l[0] == "exported") exported.insert({l[1], l[2]});
    }
    for (auto const& [task, recs] : truth) {
      for (auto const& rec : recs) EXPECT_EQ(exported.count({task, rec}), 1u) << task << " " << rec;
    }
    EXPECT_NE(run.err.find("at most 60 tasks per page"), std::string::npos) << run.err;
  }

  static ServerProcess* webex_;
  std::unique_ptr<TempDir> dir_;
  std::string token_file_;
  std::string manifest_;
};

ServerProcess* ExportWebexHostileTest::webex_ = nullptr;

// The server sends at most 60 tasks per page (neither pageSize=1000 as asked nor the API's
// default of 100), without a next link: the whole day is still listed (the 60-element page is
// not taken as the end of the window).
TEST_F(ExportWebexHostileTest, ServerCappingPageSizeStillExportsEveryRecording) {
  ExpectEveryRecordingExportedWithACapOf60(R"({"tasks_page_cap":60})");
}

// The server sends the newest tasks first and at most 60 per page: the lister falls back to
// splitting the window, whose parts all get short pages; the first is probed, so the cap is found
// and every recording is exported (before, 60 tasks of the day were listed and the run ended 0).
TEST_F(ExportWebexHostileTest, ServerCappingPageSizeAndSendingNewestFirstStillExportsEveryRecording) {
  ExpectEveryRecordingExportedWithACapOf60(R"({"tasks_page_cap":60,"tasks_newest_first":true})");
}

// Task elements without "id" (here: every task whose id ends with "7") in capped pages: every
// other task's recordings are exported, each id-less element is one failed line, exit 3.
TEST_F(ExportWebexHostileTest, TaskElementsWithoutIdAreFailedLinesAndTheRunFails) {
  auto truth = GroundTruth();
  std::size_t without_id = 0;
  for (auto const& [task, recs] : truth) without_id += task.back() == '7' ? 1 : 0;
  ASSERT_GT(without_id, 0u);
  Configure(R"({"tasks_page_cap":100,"tasks_without_id_suffix":"7"})");
  auto run = Run();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  std::set<std::pair<std::string, std::string>> exported;
  std::set<std::string> malformed;
  for (auto const& l : Lines()) {
    if (l[0] == "exported") exported.insert({l[1], l[2]});
    if (l[0] == "failed" && l[1].rfind("malformed-task-", 0) == 0) malformed.insert(l[1]);
  }
  for (auto const& [task, recs] : truth) {
    if (task.back() == '7') continue;
    for (auto const& rec : recs) EXPECT_EQ(exported.count({task, rec}), 1u) << task << " " << rec;
  }
  EXPECT_EQ(malformed.size(), without_id);
}

// --status completed on incremental runs: a call still open at the first run (queued, offered,
// assigned) does not match yet, but will once it completes. It stays pending (holding the
// checkpoint) instead of being skipped, so the next run, after the emulator's open tasks have
// completed (settle_pending), exports it. Before, the first run skipped it, moved the checkpoint to
// the window's end, and the second run had nothing to do: those recordings were lost, exit 0.
TEST_F(ExportWebexHostileTest, OpenCallsOutsideTheStatusFilterAreExportedOnceTheyComplete) {
  std::set<std::string> open;  // telephony tasks open now that will complete with recordings
  {
    auto [status, body] = ccrec_it::HttpGet(
        webex_->Get("base_url") + "/_emulator/tasks?from=1793491200000&to=1793577600000&channelTypes=telephony",
        webex_->Get("ca_file"));
    ASSERT_EQ(status, 200);
    auto doc = Json(body);
    for (auto const& t : doc["tasks"].GetArray()) {
      if (std::string(t["state"].GetString()) == "open") open.insert(t["id"].GetString());
    }
  }
  ASSERT_FALSE(open.empty()) << "the data set has calls still open";
  auto first = Run({"--status", "completed", "--since-last-run"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  Configure(R"({"settle_pending":true})");
  auto second = Run({"--status", "completed", "--since-last-run"}, {"--to", "2026-11-02T00:00:00Z"});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  std::set<std::pair<std::string, std::string>> exported;
  for (auto const& l : Lines()) {
    if (l[0] == "exported") exported.insert({l[1], l[2]});
  }
  std::size_t formerly_open = 0;
  for (auto const& [task, recs] : GroundTruth("completed")) {
    for (auto const& rec : recs) EXPECT_EQ(exported.count({task, rec}), 1u) << task << " " << rec;
    if (open.count(task) != 0 && !recs.empty()) ++formerly_open;
  }
  EXPECT_GT(formerly_open, 0u) << "some calls completed between the runs";
}

// Presigned GETs of some tasks answered 200 with an HTML page (a proxy or captive portal), of
// others 200 with an empty body (the store failing): neither is stored as the recording; each
// such recording is a failed line and the run exits 3, while every other recording is exported.
TEST_F(ExportWebexHostileTest, PresignedGetsAnsweredWithAnHtmlPageOrNoBytesAreFailedLines) {
  auto truth = GroundTruth();
  std::set<std::string> suffixes;
  for (auto const& [task, recs] : truth) {
    if (!recs.empty()) suffixes.insert(task.substr(task.size() - 2));
  }
  ASSERT_GE(suffixes.size(), 2u);
  std::string const html_suffix = *suffixes.begin();
  std::string const empty_suffix = *suffixes.rbegin();
  auto ends = [](std::string const& task, std::string const& suffix) {
    return task.compare(task.size() - 2, 2, suffix) == 0;
  };
  Configure(R"({"media_html_task_suffix":")" + html_suffix + R"(","media_empty_task_suffix":")" + empty_suffix +
            R"("})");
  auto run = Run({"--channel-types", "telephony"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  std::set<std::pair<std::string, std::string>> exported;
  std::set<std::pair<std::string, std::string>> failed;
  for (auto const& l : Lines()) {
    if (l[0] == "exported") exported.insert({l[1], l[2]});
    if (l[0] == "failed") failed.insert({l[1], l[2]});
  }
  std::size_t html = 0;
  std::size_t empty = 0;
  for (auto const& [task, recs] : truth) {
    for (auto const& rec : recs) {
      bool const is_html = ends(task, html_suffix);
      bool const is_empty = ends(task, empty_suffix);
      if (is_html || is_empty) {
        html += is_html ? 1 : 0;
        empty += is_empty ? 1 : 0;
        EXPECT_EQ(exported.count({task, rec}), 0u) << "exported without its audio: " << task << " " << rec;
        EXPECT_EQ(failed.count({task, rec}), 1u) << task << " " << rec;
      } else {
        EXPECT_EQ(exported.count({task, rec}), 1u) << task << " " << rec;
      }
    }
  }
  EXPECT_GT(html, 0u);
  EXPECT_GT(empty, 0u);
  EXPECT_NE(run.err.find("Content-Type \"text/html"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("empty body (0 bytes)"), std::string::npos) << run.err;
}

}  // namespace
