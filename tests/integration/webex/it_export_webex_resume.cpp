// SPDX-License-Identifier: Apache-2.0
// Issue 11 item 8 end to end: ccrec-export webex against the Webex CC emulator whose media server
// drops connections, answers Range requests with 206s that stop early, and replaces recordings
// (new bytes, new ETag) between a dropped download and its resume. No object may ever be stored
// with other bytes than the recording's: a short 206 is resumed, a replaced recording restarts
// from byte 0 (If-Range), and whatever could not finish is a "failed" line that the next run
// completes.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using ccrec_it::Json;

TEST(ExportWebexResume, ShortPartialResponsesAndReplacedRecordingsAreNeverStoredSpliced) {
  auto webex = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "120", "--day", "2026-11-01", "--seed", "11",
                                                    "--media-drop-rate", "0.25", "--media-replace-on-drop", "0.5",
                                                    "--media-short-206-rate", "0.5"});
  TempDir dir("ccrec-it-resume");
  std::string const ca = webex->Get("ca_file");
  std::string const base = webex->Get("base_url");
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteWebexTokenFile(token_file, webex->Get("refresh_token"));
  std::string const dest = dir.Path() + "/archive";
  std::string const manifest = dir / "m.jsonl";
  std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", base, "--token-url",
                                   webex->Get("token_url"), "--token-file", token_file,
                                   "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z",
                                   "--dest", "file://" + dest, "--manifest", manifest, "--ca-file", ca,
                                   "--concurrency", "4", "--pending-max-age", "0"};
  std::map<std::string, std::string> env = {{"CCREC_WEBEX_CLIENT_ID", webex->Get("client_id")},
                                            {"CCREC_WEBEX_CLIENT_SECRET", webex->Get("client_secret")}};
  auto expected_sha = [&](std::string const& task, std::string const& recording) {
    auto [status, body] =
        ccrec_it::HttpGet(base + "/_emulator/expected?task_id=" + task + "&recording_id=" + recording, ca);
    EXPECT_EQ(status, 200) << body;
    auto doc = Json(body);
    return std::string(doc.HasMember("sha256") ? doc["sha256"].GetString() : "");
  };
  // Every "exported" line's object holds exactly the recording's current bytes.
  auto check_exported = [&](char const* run) {
    int exported = 0;
    for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
      auto l = Json(line);
      if (std::string(l["status"].GetString()) != "exported" || l["key"].GetString() == std::string()) continue;
      ++exported;
      std::string key = l["key"].GetString();
      EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest + "/" + key)),
                expected_sha(l["task_id"].GetString(), l["recording_id"].GetString()))
          << run << ": " << key << " stored with other bytes than the recording's";
    }
    return exported;
  };

  auto first = ccrec_it::RunProgram(args, env);
  ASSERT_TRUE(first.exit_code == 0 || first.exit_code == 3) << first.err;  // 3: some recordings failed
  int exported = check_exported("faulty run");
  EXPECT_GT(exported, 20);
  auto [status, stats_body] = ccrec_it::HttpGet(base + "/_emulator/stats", ca);
  ASSERT_EQ(status, 200);
  auto stats = Json(stats_body);
  EXPECT_GT(stats["media_short_206"].GetInt(), 0) << "the fault knobs did not fire; the test proves nothing\n"
                                                  << stats_body << "\n" << first.err;
  EXPECT_GT(stats["media_replaced"].GetInt(), 0);
  EXPECT_GT(stats["media_if_range_mismatch"].GetInt(), 0) << "resumes must send If-Range";
  // Every Range request carries If-Range (a mismatched one is served whole, not counted as ranged).
  EXPECT_EQ(stats["media_if_range_requests"].GetInt(),
            stats["media_range_requests"].GetInt() + stats["media_if_range_mismatch"].GetInt());

  // Without faults the next run finishes what failed, and the run exits 0.
  auto [config_status, config_body] = ccrec_it::HttpPost(
      base + "/_emulator/config", "{\"media_drop_rate\":0,\"media_short_206_rate\":0,\"media_replace_on_drop\":0}",
      "application/json", ca);
  ASSERT_EQ(config_status, 200) << config_body;
  auto second = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  check_exported("clean run");
}

}  // namespace
