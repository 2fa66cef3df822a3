// SPDX-License-Identifier: Apache-2.0
// A shard's --since-last-run checkpoint covers only the sub-windows its --shard I/N and
// --sub-window gave it. Four shards hold pending tasks (their checkpoints stay behind them); then
// the job is restarted with two shards. Shard I of 2 would inherit shard I of 4's checkpoint but
// list other days, among them the days of old shards 2 and 3, whose earlier checkpoints were
// never read: their pending tasks were never listed again, and every run exited 0. Now the
// checkpoint records the layout and a run under another one is refused (exit 2) naming both and
// the earliest checkpoint of the old layout; started from there under new manifests, the new
// shards export every recording.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr std::int64_t kLayoutNov1 = 1793491200000;  // 2026-11-01T00:00:00Z: UTC day 20758, 2 mod 4
constexpr std::int64_t kLayoutDayMs = 86400000;

std::string LayoutIso(std::int64_t ms) {
  auto t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class ExportShardLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webex_ = ServerProcess::Start("webex_cc.py",
                                  {"--tasks-per-day", "40", "--day", "2026-11-01", "--days", "4", "--seed", "5"});
    token_file_ = dir_ / "token.json";
    ccrec_it::WriteWebexTokenFile(token_file_, webex_->Get("refresh_token"));
  }

  ccrec_it::ProgramResult Export(std::string const& manifest, std::vector<std::string> const& extra) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"), "--token-file", token_file_,
                                     "--dest", "file://" + dir_.Path() + "/archive", "--manifest", dir_ / manifest,
                                     "--ca-file", webex_->Get("ca_file"), "--pending-max-age", "0",
                                     "--to", LayoutIso(kLayoutNov1 + 4 * kLayoutDayMs)};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
                                       {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}});
  }

  std::int64_t NextFrom(std::string const& manifest) {
    auto doc = Json(ccrec_it::ReadFile(dir_ / (manifest + ".checkpoint.json")));
    return doc.IsObject() && doc.HasMember("next_from_ms") ? doc["next_from_ms"].GetInt64() : -1;
  }

  /// task/recording of every recording the (settled) emulator has over the four days.
  std::set<std::string> Expected() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/tasks?from=" +
                                                std::to_string(kLayoutNov1) + "&to=" +
                                                std::to_string(kLayoutNov1 + 4 * kLayoutDayMs) +
                                                "&channelTypes=telephony",
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200) << body;
    auto doc = Json(body);
    std::set<std::string> out;
    for (auto const& t : doc["tasks"].GetArray()) {
      if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
      for (auto const& r : t["recordings"]["stitched"].GetArray()) {
        out.insert(std::string(r["taskId"].GetString()) + "/" + r["recordingId"].GetString());
      }
    }
    return out;
  }

  /// Expected() minus what any of `manifests` records as exported.
  std::set<std::string> Missing(std::vector<std::string> const& manifests) {
    auto missing = Expected();
    for (auto const& m : manifests) {
      for (auto const& line : ccrec_it::ManifestRecordLines(dir_ / m)) {
        auto l = Json(line);
        if (std::string(l["status"].GetString()) != "exported") continue;
        missing.erase(std::string(l["task_id"].GetString()) + "/" + l["recording_id"].GetString());
      }
    }
    return missing;
  }

  std::unique_ptr<ServerProcess> webex_;
  TempDir dir_{"ccrec-it-shard-layout"};
  std::string token_file_;
};

TEST_F(ExportShardLayoutTest, FewerShardsAreRefusedInsteadOfSkippingTheOldShardsPendingTasks) {
  std::vector<std::string> const old_manifests = {"m-0.jsonl", "m-1.jsonl", "m-2.jsonl", "m-3.jsonl"};
  // Four shards, one UTC day each (day 20758 + k belongs to shard (2 + k) mod 4).
  std::int64_t earliest = kLayoutNov1 + 4 * kLayoutDayMs;
  std::string earliest_text;  // its "next_from", as the message and --from spell it
  for (int i = 0; i < 4; ++i) {
    auto run = Export("m-{shard}.jsonl", {"--since-last-run", "--from", LayoutIso(kLayoutNov1), "--shard",
                                          std::to_string(i) + "/4"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto const next = NextFrom(old_manifests[static_cast<std::size_t>(i)]);
    EXPECT_LT(next, kLayoutNov1 + 4 * kLayoutDayMs) << "shard " << i << " holds pending tasks";
    if (next < earliest) {
      earliest = next;
      earliest_text = Json(ccrec_it::ReadFile(dir_ / (old_manifests[static_cast<std::size_t>(i)] +
                                                      ".checkpoint.json")))["next_from"].GetString();
    }
  }
  ASSERT_LT(NextFrom("m-2.jsonl"), kLayoutNov1 + kLayoutDayMs) << "old shard 2 is held on 2026-11-01";

  // The pending recordings appear; the job restarts with two shards over the same manifests.
  auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config", R"({"settle_pending":true})",
                                           "application/json", webex_->Get("ca_file"));
  ASSERT_EQ(status, 200) << body;
  auto r0 = Export("m-{shard}.jsonl", {"--since-last-run", "--shard", "0/2"});
  auto r1 = Export("m-{shard}.jsonl", {"--since-last-run", "--shard", "1/2"});
  if (r0.exit_code == 0 && r1.exit_code == 0) {
    auto const missing = Missing(old_manifests);
    EXPECT_TRUE(missing.empty()) << missing.size() << " recording(s) never exported, and both runs exited 0: "
                                 << *missing.begin();
  }
  ASSERT_EQ(r0.exit_code, 2) << r0.err;
  ASSERT_EQ(r1.exit_code, 2) << r1.err;
  for (auto const* r : {&r0, &r1}) {
    std::string const i = r == &r0 ? "0" : "1";
    EXPECT_NE(r->err.find("--shard " + i + "/4 --sub-window 1d"), std::string::npos) << r->err;
    EXPECT_NE(r->err.find("--shard " + i + "/2 --sub-window 1d"), std::string::npos) << r->err;
    EXPECT_NE(r->err.find("--from " + earliest_text), std::string::npos) << "names the earliest: " << r->err;
  }
  EXPECT_NE(NextFrom("m-0.jsonl"), -1) << "the refused runs left the checkpoints alone";

  // What the message says: new manifests, every new shard from the old layout's earliest checkpoint.
  for (std::string const i : {"0", "1"}) {
    auto run = Export("n2-{shard}.jsonl", {"--since-last-run", "--from", earliest_text, "--shard", i + "/2"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
  }
  auto const missing = Missing({"m-0.jsonl", "m-1.jsonl", "m-2.jsonl", "m-3.jsonl", "n2-0.jsonl", "n2-1.jsonl"});
  EXPECT_TRUE(missing.empty()) << missing.size() << " recording(s) never exported";
}

}  // namespace
