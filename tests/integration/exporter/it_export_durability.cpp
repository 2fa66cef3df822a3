// SPDX-License-Identifier: Apache-2.0
// End-to-end "nothing lost, ever" of ccrec-export webex into a local directory, against its own
// Webex CC emulator (HTTPS, throwaway CA) on 127.0.0.1:
//  - SIGKILL mid-run: every "exported" manifest line names a complete, byte-exact file; the next
//    run removes the killed run's temporary files and completes everything exactly once;
//  - --pending-max-age: a task whose capture never appears stops pinning --since-last-run after
//    the limit, as one "failed" line (exit status 3), never recorded again.
// The emulator's data day is two days before today (UTC), so task ages do not depend on when
// the test runs: every task is between 1 and 3 days old.
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

constexpr std::int64_t kDayMs = 86'400'000;

using ccrec_it::Json;

std::vector<rapidjson::Document> ManifestLines(std::string const& path) {
  std::vector<rapidjson::Document> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(Json(line));
  }
  return out;
}

std::string Str(rapidjson::Value const& v, char const* name) {
  return v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

/// Start of the UTC day two days before today, in epoch ms.
std::int64_t DayStartMs() {
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  return (now_ms / kDayMs - 2) * kDayMs;
}

std::string Ymd(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::size_t CountTempFiles(std::string const& dir) {
  auto r = ccrec_it::RunProgram({"/bin/sh", "-c", "find '" + dir + "' -name '*ccrec-tmp*' | wc -l"});
  return std::stoul(r.out);
}

struct Truth {
  std::map<std::string, std::pair<std::string, std::string>> recordings;  // key -> (task, recording)
  std::map<std::string, std::int64_t> pending;                            // task -> createdTime
};

class ExportDurabilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    day_ms_ = DayStartMs();
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "120", "--day", Ymd(day_ms_)}).release();
    dir_ = new TempDir("ccrec-it-durable");
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete token_file_;
    delete dir_;
  }

  std::map<std::string, std::string> Env() {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }

  /// ccrec-export webex into file://dest; `window` is e.g. {"--from", X, "--to", Y}.
  std::vector<std::string> Args(std::string const& dest, std::string const& manifest,
                                std::vector<std::string> const& extra) {
    std::vector<std::string> a = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                  "--token-url", webex_->Get("token_url"), "--token-file", *token_file_,
                                  "--dest", "file://" + dest, "--manifest", manifest,
                                  "--ca-file", webex_->Get("ca_file"), "--concurrency", "4"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static std::vector<std::string> Window() {
    return {"--from", std::to_string(day_ms_), "--to", std::to_string(day_ms_ + kDayMs)};
  }

  Truth GroundTruth() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/tasks?from=" +
                                                std::to_string(day_ms_) + "&to=" + std::to_string(day_ms_ + kDayMs) +
                                                "&channelTypes=telephony",
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200);
    auto doc = Json(body);
    Truth truth;
    for (auto const& t : doc["tasks"].GetArray()) {
      if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
      auto const& recs = t["recordings"]["stitched"];
      if (recs.Empty()) {
        truth.pending[t["id"].GetString()] = t["createdTime"].GetInt64();
        continue;
      }
      for (auto const& r : recs.GetArray()) {
        std::string file = r["fileName"].GetString();
        std::string key = "call-detail/" + Str(r, "taskId") + "/" + Str(r, "recordingId") +
                          file.substr(file.find_last_of('.'));
        truth.recordings[key] = {Str(r, "taskId"), Str(r, "recordingId")};
      }
    }
    return truth;
  }

  std::string ExpectedSha(std::string const& task, std::string const& recording) {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/expected?task_id=" + task +
                                                "&recording_id=" + recording,
                                            webex_->Get("ca_file"));
    EXPECT_EQ(status, 200) << body;
    auto doc = Json(body);
    return doc.HasMember("sha256") ? doc["sha256"].GetString() : "";
  }

  void SetLatency(int ms) {
    auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config",
                                             "{\"latency_ms\":" + std::to_string(ms) + "}", "application/json",
                                             webex_->Get("ca_file"));
    ASSERT_EQ(status, 200) << body;
  }

  static std::int64_t day_ms_;
  static ServerProcess* webex_;
  static TempDir* dir_;
  static std::string* token_file_;
};

std::int64_t ExportDurabilityTest::day_ms_ = 0;
ServerProcess* ExportDurabilityTest::webex_ = nullptr;
TempDir* ExportDurabilityTest::dir_ = nullptr;
std::string* ExportDurabilityTest::token_file_ = nullptr;

TEST_F(ExportDurabilityTest, SigkillMidRunLosesNothingAndTheNextRunCompletesExactlyOnce) {
  auto truth = GroundTruth();
  ASSERT_GT(truth.recordings.size(), 20u);
  TempDir out("ccrec-it-sigkill");
  std::string const dest = out.Path() + "/archive";
  std::string const manifest = out.Path() + "/killed.jsonl";
  // Slow media and API calls: the workers spend most of the run with a temporary file open.
  SetLatency(150);
  auto args = Args(dest, manifest, Window());
  // SIGKILL once a writer has its temporary file open (polled every 50 ms, at most 60 s), not
  // after a fixed time: on a loaded machine a fixed delay could land before the first transfer.
  std::string const kill_when_writing =
      "\"$@\" & pid=$!; i=0; while [ $i -lt 1200 ]; do "
      "if find '" + dest + "' -name '*ccrec-tmp*' 2>/dev/null | grep -q .; then break; fi; "
      "sleep 0.05; i=$((i+1)); done; kill -KILL $pid; wait $pid";
  args.insert(args.begin(), {"/bin/sh", "-c", kill_when_writing, "sh"});
  auto killed = ccrec_it::RunProgram(args, Env());
  SetLatency(0);
  ASSERT_EQ(killed.exit_code, 128 + 9) << "not killed?\n" << killed.err;

  // Every "exported" line of the killed run names a complete object and its sidecar.
  std::size_t exported_before = 0;
  for (auto const& l : ManifestLines(manifest)) {  // every line parses: none is torn
    if (Str(l, "status") != "exported") continue;
    ++exported_before;
    std::string const key = Str(l, "key");
    std::string const data = ccrec_it::ReadFile(dest + "/" + key);
    EXPECT_EQ(data.size(), l["bytes"].GetUint64()) << key;
    EXPECT_EQ(ccrec_it::Sha256Hex(data), Str(l, "sha256")) << key;
    EXPECT_EQ(Str(l, "sha256"), ExpectedSha(Str(l, "task_id"), Str(l, "recording_id"))) << key;
    EXPECT_FALSE(ccrec_it::ReadFile(dest + "/" + key + ".json").empty()) << key;
  }
  EXPECT_LT(exported_before, truth.recordings.size()) << "the run finished before the kill; slow it down";
  EXPECT_GT(CountTempFiles(dest), 0u) << "the kill landed while no transfer was in flight";

  // The next run removes the killed writers' temporary files and completes the rest.
  auto resumed = ccrec_it::RunProgram(Args(dest, manifest, Window()), Env());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(CountTempFiles(dest), 0u) << "stale temporary files left behind";
  std::map<std::string, int> exported;
  std::set<std::string> done;
  for (auto const& l : ManifestLines(manifest)) {
    std::string const status = Str(l, "status");
    if (status == "exported") ++exported[Str(l, "key")];
    if (status == "exported" || status == "skipped") done.insert(Str(l, "key"));
  }
  for (auto const& [key, n] : exported) EXPECT_EQ(n, 1) << key << " exported " << n << " times";
  for (auto const& [key, ids] : truth.recordings) {
    EXPECT_TRUE(done.count(key)) << key << " never exported";
    EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest + "/" + key)), ExpectedSha(ids.first, ids.second)) << key;
  }
  auto files = ccrec_it::RunProgram(
      {"/bin/sh", "-c", "find '" + dest + "' -path '*/.ccrec-meta' -prune -o -type f -print | wc -l"});
  EXPECT_EQ(std::stoul(files.out), truth.recordings.size() * 2) << "recording + sidecar each, nothing else";
  auto meta = ccrec_it::RunProgram({"/bin/sh", "-c", "find '" + dest + "/.ccrec-meta' -type f | wc -l"});
  EXPECT_EQ(std::stoul(meta.out), truth.recordings.size() * 2) << "one identity file per object";
}

// A task whose capture never appears pins --since-last-run until --pending-max-age, then is
// recorded once as failed (exit status 3) and the checkpoint moves to the window's end.
TEST_F(ExportDurabilityTest, PendingMaxAgeStopsATaskWithoutCaptureFromPinningTheCheckpoint) {
  auto truth = GroundTruth();
  ASSERT_GT(truth.pending.size(), 0u) << "the data set has no task without a capture";
  std::int64_t earliest = INT64_MAX;
  for (auto const& [task, created] : truth.pending) earliest = std::min(earliest, created);
  TempDir out("ccrec-it-pending-age");
  std::string const dest = out.Path() + "/archive";
  std::string const manifest = out.Path() + "/incremental.jsonl";
  std::string const checkpoint = manifest + ".checkpoint.json";
  auto next_from = [&] { return Json(ccrec_it::ReadFile(checkpoint))["next_from_ms"].GetInt64(); };
  std::string const to = std::to_string(day_ms_ + kDayMs);

  // 1. Default --pending-max-age (3 days): every task is younger, so they pin the checkpoint.
  auto first = ccrec_it::RunProgram(Args(dest, manifest, {"--since-last-run", "--from", std::to_string(day_ms_),
                                                          "--to", to}), Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.LastLine().find(" failed=0 pending=" + std::to_string(truth.pending.size()) + " "),
            std::string::npos) << first.LastLine();
  EXPECT_EQ(next_from(), earliest);

  // 2. A limit all of them exceed (they are at least a day old): one failed line each, exit 3,
  //    and the checkpoint moves to the window's end.
  auto second = ccrec_it::RunProgram(Args(dest, manifest, {"--since-last-run", "--to", to, "--pending-max-age", "12h"}),
                                     Env());
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.LastLine().find(" failed=" + std::to_string(truth.pending.size()) + " pending=0 "),
            std::string::npos) << second.LastLine();
  EXPECT_EQ(next_from(), day_ms_ + kDayMs);

  // 3. The same window again (not incremental): the given-up tasks are not recorded again.
  auto third = ccrec_it::RunProgram(Args(dest, manifest, {"--from", std::to_string(day_ms_), "--to", to,
                                                          "--pending-max-age", "12h"}), Env());
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.LastLine().find(" failed=0 pending=0 "), std::string::npos) << third.LastLine();

  std::map<std::string, int> failed;
  for (auto const& l : ManifestLines(manifest)) {
    if (Str(l, "status") != "failed") continue;
    ++failed[Str(l, "task_id")];
    EXPECT_EQ(Str(l, "recording_id"), "");
    EXPECT_EQ(Str(l, "error").rfind("unavailable after 12h: ", 0), 0u) << Str(l, "error");
  }
  EXPECT_EQ(failed.size(), truth.pending.size());
  for (auto const& [task, n] : failed) {
    EXPECT_TRUE(truth.pending.count(task)) << task;
    EXPECT_EQ(n, 1) << task;
  }
}

}  // namespace
