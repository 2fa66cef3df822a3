// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex --lease against a real redis-server and the Webex CC emulator (issue 15
// item 3): two instances share a window and list each sub-window once; an instance SIGKILLed
// mid-run has its sub-windows taken over after the lease expired, and every recording lands
// byte-exact, once; a sub-window with a pending task is listed again by the next run; the flags
// that cannot go with --lease are usage errors.
#include "integration/redis/redis_server.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using ccrec_it::ServerProcess;

class RedisLeaseCliTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> emulator_extra = {}) {
    redis_ = ccrec_it::RedisServer::Start();
    // Settled by default: no task pending, so every sub-window is marked done by its first listing.
    std::vector<std::string> args = {"--plain-http", "--tasks-per-day", "24", "--day", "2026-11-01", "--days", "2",
                                     "--seed", "15", "--refresh-grace-seconds", "3600", "--settle-pending", "true"};
    args.insert(args.end(), emulator_extra.begin(), emulator_extra.end());
    webex_ = ServerProcess::Start("webex_cc.py", args);
    ccrec_it::WriteWebexTokenFile(dir_ / "token.json", webex_->Get("refresh_token"));
  }

  std::vector<std::string> Args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "webex", "--api-base-url", webex_->Get("base_url"),
                                     "--token-url", webex_->Get("token_url"), "--token-file", dir_ / "token.json",
                                     "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-03T00:00:00Z",
                                     "--sub-window", "6h", "--dest", "file://" + dir_ / "out",
                                     "--manifest", dir_ / "m-{shard}.jsonl", "--pending-max-age", "0",
                                     "--allow-http-media", "--lease", redis_->Url("t"), "--lease-ttl", "2s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::map<std::string, std::string> Env() const {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }

  /// task/recording -> sha256 of every telephony recording of the two days.
  std::map<std::string, std::string> Truth() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") +
                                            "/_emulator/tasks?from=1793491200000&to=1793664000000&channelTypes=telephony");
    EXPECT_EQ(status, 200) << body;
    auto doc = ccrec_it::Json(body);
    std::map<std::string, std::string> out;
    for (auto const& t : doc["tasks"].GetArray()) {
      if (t["captureRequested"].IsBool() && !t["captureRequested"].GetBool()) continue;
      for (auto const& r : t["recordings"]["stitched"].GetArray()) {
        std::string task = r["taskId"].GetString(), rec = r["recordingId"].GetString();
        auto [s, e] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/expected?task_id=" + task +
                                        "&recording_id=" + rec);
        EXPECT_EQ(s, 200) << e;
        out[task + "/" + rec] = ccrec_it::Json(e)["sha256"].GetString();
      }
    }
    return out;
  }

  /// The `from` of every Tasks request the emulator answered (one per listed sub-window page).
  /// The `from=` of each sub-window listing: the first GET /v1/tasks of a listing starts at the
  /// sub-window's start (or 1 ms before it, until the client knows `from` is inclusive); later
  /// requests of the same listing (the probe after a short page) start after its first task.
  std::multiset<std::string> TaskListings() {
    auto [status, body] = ccrec_it::HttpGet(webex_->Get("base_url") + "/_emulator/requests");
    EXPECT_EQ(status, 200);
    auto doc = ccrec_it::Json(body);
    std::int64_t const sub_window_ms = 6 * 3600 * 1000;
    std::multiset<std::string> out;
    for (auto const& r : doc["requests"].GetArray()) {
      if (std::string(r["endpoint"].GetString()) != "tasks" || !r.HasMember("query") || !r["query"].IsString()) continue;
      std::string q = r["query"].GetString();
      auto at = q.find("from=");
      std::string const from = q.substr(at, q.find('&', at) - at);
      std::int64_t const ms = std::stoll(from.substr(5));
      if (ms % sub_window_ms != 0 && (ms + 1) % sub_window_ms != 0) continue;
      out.insert(from);
    }
    return out;
  }

  /// Every manifest's exported/skipped lines: recording -> exported count; checks each object.
  std::map<std::string, int> CheckArchive(std::map<std::string, std::string> const& truth) {
    std::map<std::string, int> exported;
    std::set<std::string> landed;
    for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
      auto name = entry.path().filename().string();
      if (name.rfind("m-", 0) != 0 || entry.path().extension() != ".jsonl") continue;
      for (auto const& line : ccrec_it::ManifestRecordLines(entry.path())) {
        auto l = ccrec_it::Json(line);
        std::string st = l["status"].GetString();
        if (st == "pending") continue;  // a task without a capture yet (before settle_pending)
        EXPECT_TRUE(st == "exported" || st == "skipped") << line;
        std::string id = std::string(l["task_id"].GetString()) + "/" + l["recording_id"].GetString();
        if (st == "exported") ++exported[id];
        if (truth.count(id) == 0) continue;  // a transcript
        landed.insert(id);
        EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dir_ / ("out/" + std::string(l["key"].GetString())))),
                  truth.at(id))
            << "byte-exact: " << line;
      }
    }
    for (auto const& [id, sha] : truth) EXPECT_EQ(landed.count(id), 1u) << id << " is in no manifest";
    return exported;
  }

  std::size_t DoneMarks() {
    auto keys = redis_->Command({"KEYS", "t:lease:*:done"}).value_or("");
    return keys.empty() ? 0 : static_cast<std::size_t>(std::count(keys.begin(), keys.end(), '\n') + 1);
  }

  ccrec_it::TempDir dir_{"ccrec-it-lease"};
  std::unique_ptr<ccrec_it::RedisServer> redis_;
  std::unique_ptr<ServerProcess> webex_;
};

TEST_F(RedisLeaseCliTest, TwoInstancesListEachSubWindowOnceAndExportEachRecordingOnce) {
  Start();
  ccrec_it::ProgramResult r0, r1;
  std::thread t0([&] { r0 = ccrec_it::RunProgram(Args({"--log-level", "info"}), Env()); });
  std::thread t1([&] { r1 = ccrec_it::RunProgram(Args({"--log-level", "info"}), Env()); });
  t0.join();
  t1.join();
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  auto listings = TaskListings();
  EXPECT_EQ(listings.size(), 8u) << "two days in 6 h sub-windows, each listed once by one of the instances";
  for (auto const& from : listings) EXPECT_EQ(listings.count(from), 1u) << from << " listed twice";
  EXPECT_EQ(DoneMarks(), 8u);
  auto truth = Truth();
  ASSERT_GT(truth.size(), 20u);
  auto exported = CheckArchive(truth);
  for (auto const& [id, sha] : truth) EXPECT_EQ(exported[id], 1) << id << " exported once, by one instance";
  EXPECT_NE((r0.err + r1.err).find("sub-window leases: "), std::string::npos) << r0.err;

  for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
    EXPECT_EQ(entry.path().string().find(".checkpoint.json"), std::string::npos)
        << "no checkpoint with --lease: " << entry.path();
  }
  // {shard} became each instance's lease value HOST-PID-RANDOM: the 8 random hex digits keep
  // apart instances whose host name and PID are alike (containers, each process PID 1).
  std::size_t manifests = 0;
  for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
    std::string const name = entry.path().filename().string();
    if (name.rfind("m-", 0) != 0 || name.size() < 8 || name.compare(name.size() - 6, 6, ".jsonl") != 0) continue;
    ++manifests;
    ASSERT_GE(name.size(), 17u) << name;
    EXPECT_EQ(name[name.size() - 15], '-') << name;
    EXPECT_EQ(name.substr(name.size() - 14, 8).find_first_not_of("0123456789abcdef"), std::string::npos) << name;
  }
  EXPECT_EQ(manifests, 2u) << "one manifest per instance";

  // A third instance of the same job finds every sub-window done: no Tasks call at all.
  auto late = ccrec_it::RunProgram(Args(), Env());
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_EQ(TaskListings().size(), 8u) << "done sub-windows are not listed again";
}

TEST_F(RedisLeaseCliTest, AKilledInstancesSubWindowsAreTakenOverAndEveryRecordingLandsOnce) {
  Start({"--latency-ms", "60"});
  // Instance K, SIGKILLed once it has exported a recording (it holds leases then).
  auto args = Args({"--concurrency", "1"});
  std::vector<char*> c_argv;
  for (auto& s : args) c_argv.push_back(s.data());
  c_argv.push_back(nullptr);
  std::string const k_out = dir_ / "k.out";
  pid_t k = fork();
  if (k == 0) {
    for (auto const& [name, value] : Env()) ::setenv(name.c_str(), value.c_str(), 1);
    int fd = ::open(k_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(c_argv[0], c_argv.data());
    ::_exit(127);
  }
  ASSERT_GT(k, 0);
  bool exported_one = false;
  for (int i = 0; i < 3000 && !exported_one; ++i) {
    for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
      if (entry.path().filename().string().rfind("m-", 0) != 0) continue;
      if (ccrec_it::ReadFile(entry.path()).find("\"exported\"") != std::string::npos) exported_one = true;
    }
    if (!exported_one) std::this_thread::sleep_for(10ms);
  }
  ::kill(k, SIGKILL);
  int status = 0;
  ::waitpid(k, &status, 0);
  ASSERT_TRUE(exported_one) << ccrec_it::ReadFile(k_out);
  ASSERT_TRUE(WIFSIGNALED(status)) << "K finished before it was killed: " << ccrec_it::ReadFile(k_out);
  auto held = redis_->Command({"KEYS", "t:lease:*"}).value_or("");
  ASSERT_FALSE(held.empty()) << "K held a lease when it died";

  auto t0 = std::chrono::steady_clock::now();
  auto b = ccrec_it::RunProgram(Args({"--log-level", "info"}), Env());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);
  EXPECT_NE(b.err.find("took over sub-window"), std::string::npos) << b.err;
  EXPECT_EQ(DoneMarks(), 8u);
  auto truth = Truth();
  auto exported = CheckArchive(truth);
  for (auto const& [id, sha] : truth) EXPECT_LE(exported[id], 1) << id << " exported by K and by B";

  // `manifest merge` of K's and B's manifests: every recording once.
  std::vector<std::string> merge = {CCREC_EXPORT_BIN, "manifest", "merge", "--output", dir_ / "all.jsonl"};
  for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
    auto name = entry.path().filename().string();
    if (name.rfind("m-", 0) == 0 && entry.path().extension() == ".jsonl") merge.push_back(entry.path());
  }
  ASSERT_EQ(merge.size(), 7u) << "K's manifest and B's";
  auto merged = ccrec_it::RunProgram(merge);
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  std::set<std::string> ids;
  for (auto const& line : ccrec_it::ManifestRecordLines(dir_ / "all.jsonl")) {
    auto l = ccrec_it::Json(line);
    if (std::string(l["status"].GetString()) == "pending") continue;
    EXPECT_TRUE(ids.insert(std::string(l["task_id"].GetString()) + "/" + l["recording_id"].GetString()).second) << line;
  }
  for (auto const& [id, sha] : truth) EXPECT_EQ(ids.count(id), 1u) << id;
}

// A sub-window with a task whose recording was not available yet (a pending line) was marked done
// like any other, and a done mark is skipped by every instance of the job for 24 h: the next run
// of the job, once the recording existed, listed nothing and exited 0, and the recording was never
// exported. Such a sub-window is released instead, so the next run lists it again.
TEST_F(RedisLeaseCliTest, ASubWindowWithPendingTasksIsListedAgainByTheNextRun) {
  Start({"--settle-pending", "false"});
  auto first = ccrec_it::RunProgram(Args({"--log-level", "info"}), Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::size_t pending = 0;
  for (auto const& entry : std::filesystem::directory_iterator(dir_.Path())) {
    if (entry.path().filename().string().rfind("m-", 0) != 0) continue;
    for (auto const& line : ccrec_it::ManifestRecordLines(entry.path())) {
      if (std::string(ccrec_it::Json(line)["status"].GetString()) == "pending") ++pending;
    }
  }
  ASSERT_GT(pending, 0u) << "the data set has tasks whose recordings are not available yet";
  EXPECT_LT(DoneMarks(), 8u) << "a sub-window with a pending task is not done";
  auto const listed_first = TaskListings().size();
  EXPECT_EQ(listed_first, 8u);

  auto [status, body] = ccrec_it::HttpPost(webex_->Get("base_url") + "/_emulator/config", R"({"settle_pending":true})");
  ASSERT_EQ(status, 200) << body;
  auto second = ccrec_it::RunProgram(Args({"--log-level", "info"}), Env());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto const relisted = TaskListings().size() - listed_first;
  EXPECT_GT(relisted, 0u) << "the sub-windows with pending tasks are listed again";
  EXPECT_LT(relisted, 8u) << "the done ones are not";
  EXPECT_EQ(DoneMarks(), 8u);
  auto truth = Truth();
  ASSERT_GT(truth.size(), 20u);
  auto exported = CheckArchive(truth);  // every recording in a manifest, byte-exact
  for (auto const& [id, sha] : truth) EXPECT_EQ(exported[id], 1) << id << " exported once";
}

TEST_F(RedisLeaseCliTest, FlagsThatCannotGoWithLeaseAreUsageErrors) {
  Start();
  struct Case {
    std::vector<std::string> extra;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--shard", "0/2"}, "--lease and --shard"},
      {{"--dry-run"}, "--dry-run"},
      {{}, "--lease-ttl must be at least 1s"},
  };
  for (auto const& c : cases) {
    auto args = Args(c.extra);
    if (c.extra.empty()) *(std::find(args.begin(), args.end(), "--lease-ttl") + 1) = "500ms";
    auto r = ccrec_it::RunProgram(args, Env());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  auto since = Args({"--since-last-run"});
  since.erase(since.begin() + 8, since.begin() + 12);  // no --from/--to
  auto r = ccrec_it::RunProgram(since, Env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--since-last-run"), std::string::npos) << r.err;
  EXPECT_EQ(TaskListings().size(), 0u) << "nothing ran";
}

}  // namespace
