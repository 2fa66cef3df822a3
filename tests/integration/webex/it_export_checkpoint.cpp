// SPDX-License-Identifier: Apache-2.0
// The checkpoint beside --manifest is the resume point of --since-last-run: every run with the
// manifest may move it, but only as far as that run proves everything done. A run that did not
// start from the checkpoint (an ad-hoc --from/--to) never moves it past time it did not list, a
// --to in the future never takes it past the run's own start, a checkpoint of another source is
// left alone, and shards never share one. The windows here hold no task, so each run only lists.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr std::int64_t kNov5 = 1794268800000;  // 2026-11-05T00:00:00Z (the emulator's data is on 11-01)
constexpr std::int64_t kDayMs = 86400000;

class ExportCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "4", "--day", "2026-11-01"});
    token_file_ = dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
  }

  ccrec_it::ProgramResult Export(std::vector<std::string> const& window, std::string const& manifest) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"), "--token-file", token_file_,
                                     "--dest", "file://" + dir_.Path() + "/archive", "--manifest", manifest,
                                     "--ca-file", webex_->Get("ca_file")};
    args.insert(args.end(), window.begin(), window.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  static void WriteCheckpoint(std::string const& manifest, std::string const& source, std::int64_t ms) {
    std::ofstream(manifest + ".checkpoint.json")
        << R"({"source":")" << source << R"(","next_from_ms":)" << ms << "}";
  }
  static void WriteShardedCheckpoint(std::string const& manifest, std::int64_t ms, int count, std::int64_t sub_ms) {
    std::ofstream(manifest + ".checkpoint.json") << R"({"source":"webex","next_from_ms":)" << ms
                                                 << R"(,"shard_count":)" << count << R"(,"sub_window_ms":)" << sub_ms
                                                 << "}";
  }
  static rapidjson::Document Checkpoint(std::string const& manifest) {
    return Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"));
  }

  std::unique_ptr<ServerProcess> webex_;
  TempDir dir_{"ccrec-it-checkpoint"};
  std::string token_file_;
};

std::string Iso(std::int64_t ms) {
  auto t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

TEST_F(ExportCheckpointTest, AnAdHocWindowAfterTheCheckpointLeavesItWhereItIs) {
  std::string const manifest = dir_ / "m.jsonl";
  WriteCheckpoint(manifest, "webex", kNov5);
  // [11-06, 11-07) was listed, [11-05, 11-06) was not: the next --since-last-run must list it.
  auto gap = Export({"--from", Iso(kNov5 + kDayMs), "--to", Iso(kNov5 + 2 * kDayMs)}, manifest);
  ASSERT_EQ(gap.exit_code, 0) << gap.err;
  EXPECT_EQ(Checkpoint(manifest)["next_from_ms"].GetInt64(), kNov5) << gap.err;
  // A window that starts at or before the checkpoint covers it: the checkpoint moves to its end.
  auto covering = Export({"--from", Iso(kNov5 - kDayMs), "--to", Iso(kNov5 + 3 * kDayMs)}, manifest);
  ASSERT_EQ(covering.exit_code, 0) << covering.err;
  EXPECT_EQ(Checkpoint(manifest)["next_from_ms"].GetInt64(), kNov5 + 3 * kDayMs);
  // A window wholly before it proves nothing new: the checkpoint does not move back.
  auto older = Export({"--from", Iso(kNov5 - 2 * kDayMs), "--to", Iso(kNov5 - kDayMs)}, manifest);
  ASSERT_EQ(older.exit_code, 0) << older.err;
  EXPECT_EQ(Checkpoint(manifest)["next_from_ms"].GetInt64(), kNov5 + 3 * kDayMs);
  // --since-last-run goes on from where everything is done.
  auto next = Export({"--since-last-run", "--to", Iso(kNov5 + 4 * kDayMs)}, manifest);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(Checkpoint(manifest)["next_from_ms"].GetInt64(), kNov5 + 4 * kDayMs);
}

TEST_F(ExportCheckpointTest, AToInTheFutureNeverTakesTheCheckpointPastTheRunsStart) {
  std::string const manifest = dir_ / "future.jsonl";
  auto const before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  auto run = Export({"--since-last-run", "--from", Iso(before - kDayMs), "--to", Iso(before + 2 * kDayMs)}, manifest);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto const after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  auto const next = Checkpoint(manifest)["next_from_ms"].GetInt64();
  EXPECT_GE(next, before) << "the run listed up to its start";
  EXPECT_LE(next, after) << "calls created after the run's listing were never listed";
}

TEST_F(ExportCheckpointTest, ACheckpointOfAnotherSourceIsLeftAlone) {
  std::string const manifest = dir_ / "shared.jsonl";
  WriteCheckpoint(manifest, "face", kNov5);
  auto run = Export({"--from", Iso(kNov5), "--to", Iso(kNov5 + kDayMs)}, manifest);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto checkpoint = Checkpoint(manifest);
  EXPECT_EQ(std::string(checkpoint["source"].GetString()), "face");
  EXPECT_EQ(checkpoint["next_from_ms"].GetInt64(), kNov5);
  EXPECT_NE(run.err.find("belongs to source \"face\""), std::string::npos) << run.err;
}

TEST_F(ExportCheckpointTest, ShardsWithSinceLastRunNeedAManifestPerShard) {
  std::string const manifest = dir_ / "one.jsonl";
  auto run = Export({"--since-last-run", "--from", Iso(kNov5), "--shard", "0/2"}, manifest);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("needs {shard} in --manifest"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(manifest)) << "nothing is written on a usage error";
}

// A shard's checkpoint covers only the sub-windows of its --shard N and --sub-window: a run under
// another layout would resume past the old layout's unfinished sub-windows. With
// --since-last-run it is refused (exit 2) naming both layouts; another run leaves it alone; a run
// of the same layout moves it and keeps the layout. Unsharded, the sub-window length is free.
TEST_F(ExportCheckpointTest, ACheckpointOfAnotherShardLayoutIsRefusedOrLeftAlone) {
  std::string const manifest = dir_ / "lay-{shard}.jsonl";
  std::string const shard0 = dir_ / "lay-0.jsonl";
  WriteShardedCheckpoint(shard0, kNov5, 2, kDayMs);
  auto const to = Iso(kNov5 + kDayMs);
  auto grid = Export({"--since-last-run", "--to", to, "--shard", "0/2", "--sub-window", "12h"}, manifest);
  EXPECT_EQ(grid.exit_code, 2) << grid.err;
  EXPECT_NE(grid.err.find("was written by a run with --shard 0/2 --sub-window 1d, this run has --shard 0/2 "
                          "--sub-window 12h"),
            std::string::npos)
      << grid.err;
  EXPECT_NE(grid.err.find("lay-1.jsonl.checkpoint.json is missing"), std::string::npos) << grid.err;
  auto unsharded = Export({"--since-last-run", "--to", to}, shard0);
  EXPECT_EQ(unsharded.exit_code, 2) << unsharded.err;
  EXPECT_NE(unsharded.err.find("this run has no --shard"), std::string::npos) << unsharded.err;
  auto adhoc = Export({"--from", Iso(kNov5), "--to", to, "--shard", "0/2", "--sub-window", "12h"}, manifest);
  EXPECT_EQ(adhoc.exit_code, 0) << adhoc.err;
  EXPECT_NE(adhoc.err.find("the checkpoint is left as it is"), std::string::npos) << adhoc.err;
  EXPECT_EQ(Checkpoint(shard0)["next_from_ms"].GetInt64(), kNov5);
  auto same = Export({"--since-last-run", "--to", to, "--shard", "0/2", "--sub-window", "1d"}, manifest);
  EXPECT_EQ(same.exit_code, 0) << same.err;
  auto moved = Checkpoint(shard0);
  EXPECT_EQ(moved["next_from_ms"].GetInt64(), kNov5 + kDayMs);
  EXPECT_EQ(moved["shard_count"].GetInt(), 2);
  EXPECT_EQ(moved["sub_window_ms"].GetInt64(), kDayMs);

  std::string const plain = dir_ / "plain.jsonl";
  WriteShardedCheckpoint(plain, kNov5, 1, kDayMs);
  auto hourly = Export({"--since-last-run", "--to", to, "--sub-window", "1h"}, plain);
  EXPECT_EQ(hourly.exit_code, 0) << "unsharded, every sub-window is listed: " << hourly.err;
  EXPECT_EQ(Checkpoint(plain)["next_from_ms"].GetInt64(), kNov5 + kDayMs);
}

// A checkpoint written before the layout was recorded keeps working: it is taken as this run's
// layout (with a warning when sharded) and gets it when the run moves it.
TEST_F(ExportCheckpointTest, ACheckpointWithoutALayoutIsTakenAsThisRuns) {
  std::string const shard1 = dir_ / "old-1.jsonl";
  WriteCheckpoint(shard1, "webex", kNov5);
  auto run = Export({"--since-last-run", "--to", Iso(kNov5 + kDayMs), "--shard", "1/2"}, dir_ / "old-{shard}.jsonl");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("does not record its shard layout"), std::string::npos) << run.err;
  auto moved = Checkpoint(shard1);
  EXPECT_EQ(moved["next_from_ms"].GetInt64(), kNov5 + kDayMs);
  EXPECT_EQ(moved["shard_count"].GetInt(), 2);
  EXPECT_EQ(moved["sub_window_ms"].GetInt64(), kDayMs);

  std::string const plain = dir_ / "old-plain.jsonl";
  WriteCheckpoint(plain, "webex", kNov5);
  auto unsharded = Export({"--since-last-run", "--to", Iso(kNov5 + kDayMs)}, plain);
  ASSERT_EQ(unsharded.exit_code, 0) << unsharded.err;
  EXPECT_EQ(unsharded.err.find("shard layout"), std::string::npos) << "no warning unsharded: " << unsharded.err;
  EXPECT_EQ(Checkpoint(plain)["shard_count"].GetInt(), 1);
}

// More shards: the new shards have no checkpoint yet, and would start at --from while the old
// layout's shards may hold unfinished sub-windows that are now theirs. Shard 0's checkpoint shows
// the old layout, so their first run is refused too.
TEST_F(ExportCheckpointTest, ANewShardsFirstRunChecksShardZerosLayout) {
  WriteShardedCheckpoint(dir_ / "grow-0.jsonl", kNov5, 2, kDayMs);
  for (std::string const shard : {"2/4", "3/4"}) {
    auto run = Export({"--since-last-run", "--from", Iso(kNov5), "--to", Iso(kNov5 + kDayMs), "--shard", shard},
                      dir_ / "grow-{shard}.jsonl");
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("grow-0.jsonl.checkpoint.json was written by a run with --shard 0/2 --sub-window 1d, "
                           "this run has --shard " + shard + " --sub-window 1d"),
              std::string::npos)
        << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "grow-2.jsonl.checkpoint.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "grow-3.jsonl.checkpoint.json"));
}

}  // namespace
