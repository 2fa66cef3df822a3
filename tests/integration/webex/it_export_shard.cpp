// SPDX-License-Identifier: Apache-2.0
// Issue 15 item 3 (static sharding): instances started with --shard 0/2 and --shard 1/2 (the
// second through JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job runs them) share a four-day
// window: together they export every recording exactly once, each into its own {shard} manifest.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

TEST(ExportWebexShard, TwoShardsTogetherExportEveryRecordingExactlyOnce) {
  auto webex = ServerProcess::Start("webex_cc.py",
                                    {"--tasks-per-day", "16", "--day", "2026-11-01", "--days", "4", "--seed", "21"});
  std::string const ca = webex->Get("ca_file");
  std::string const base = webex->Get("base_url");
  TempDir dir("ccrec-it-shard");
  std::string const dest = dir.Path() + "/archive";
  auto args_for = [&](std::string const& shard, std::string const& token_file) {
    return std::vector<std::string>{CCREC_EXPORT_BIN, "webex", "--api-base-url", base, "--token-url",
                                    webex->Get("token_url"), "--token-file", token_file,
                                    "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-05T00:00:00Z",
                                    "--dest", "file://" + dest, "--manifest", dir / "m-{shard}.jsonl",
                                    "--ca-file", ca, "--pending-max-age", "0", "--shard", shard};
  };
  std::map<std::string, std::string> env = {{"CCREC_WEBEX_CLIENT_ID", webex->Get("client_id")},
                                            {"CCREC_WEBEX_CLIENT_SECRET", webex->Get("client_secret")}};
  // Both instances share one token file: JsonFileTokenStore locks it across processes, so the
  // rotated refresh token of one is what the other reads.
  std::string const token_file = dir / "token.json";
  ccrec_it::WriteWebexTokenFile(token_file, webex->Get("refresh_token"));
  auto env1 = env;
  env1["JOB_COMPLETION_INDEX"] = "1";
  ccrec_it::ProgramResult r0, r1;
  std::thread t0([&] { r0 = ccrec_it::RunProgram(args_for("0/2", token_file), env); });
  std::thread t1([&] { r1 = ccrec_it::RunProgram(args_for("index/2", token_file), env1); });
  t0.join();
  t1.join();
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  ASSERT_EQ(r1.exit_code, 0) << r1.err;

  // Ground truth over the four days.
  auto [status, body] = ccrec_it::HttpGet(
      base + "/_emulator/tasks?from=1793491200000&to=1793836800000&channelTypes=telephony", ca);
  ASSERT_EQ(status, 200) << body;
  auto doc = ccrec_it::Json(body);
  std::set<std::string> expected;
  for (auto const& t : doc["tasks"].GetArray()) {
    if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
    for (auto const& r : t["recordings"]["stitched"].GetArray()) {
      expected.insert(std::string(r["taskId"].GetString()) + "/" + r["recordingId"].GetString());
    }
  }
  ASSERT_GT(expected.size(), 20u);

  std::map<std::string, int> exported;  // task/recording -> exported lines over both manifests
  std::set<std::string> days_of_shard[2];
  for (int shard = 0; shard < 2; ++shard) {
    for (auto const& line : ccrec_it::ManifestRecordLines(dir / ("m-" + std::to_string(shard) + ".jsonl"))) {
      auto l = ccrec_it::Json(line);
      std::string st = l["status"].GetString();
      EXPECT_NE(st, "failed") << line;
      EXPECT_NE(st, "skipped") << "no recording is seen by both shards: " << line;
      if (st != "exported") continue;
      ++exported[std::string(l["task_id"].GetString()) + "/" + l["recording_id"].GetString()];
      EXPECT_FALSE(ccrec_it::ReadFile(dest + "/" + l["key"].GetString()).empty()) << line;
    }
  }
  EXPECT_EQ(exported.size(), expected.size());
  for (auto const& id : expected) EXPECT_EQ(exported[id], 1) << id << " exported once, by one shard";

  // `manifest merge` writes one manifest with each recording once, exported.
  std::string const merged = dir / "merged.jsonl";
  auto merge = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "manifest", "merge", "--output", merged, dir / "m-0.jsonl",
                                     dir / "m-1.jsonl"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_NE(merge.out.find("exported=" + std::to_string(expected.size()) + " "), std::string::npos) << merge.out;
  std::set<std::string> merged_ids;
  for (auto const& line : ccrec_it::ManifestRecordLines(merged)) {
    auto l = ccrec_it::Json(line);
    if (std::string(l["status"].GetString()) != "exported") continue;
    EXPECT_TRUE(merged_ids.insert(std::string(l["task_id"].GetString()) + "/" + l["recording_id"].GetString()).second)
        << "twice: " << line;
  }
  EXPECT_EQ(merged_ids, expected);
  auto again = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "manifest", "merge", "--output", merged, dir / "m-0.jsonl"});
  EXPECT_EQ(again.exit_code, 2) << "an existing --output is never overwritten: " << again.err;

  // {shard} without --shard is a usage error before anything runs.
  auto no_shard = args_for("0/2", token_file);
  no_shard.resize(no_shard.size() - 2);
  auto usage = ccrec_it::RunProgram(no_shard, env);
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_NE(usage.err.find("{shard} needs --shard"), std::string::npos) << usage.err;
}

}  // namespace
