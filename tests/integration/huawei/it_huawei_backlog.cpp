// SPDX-License-Identifier: Apache-2.0
// Huawei CC-Gateway end-to-end, issue 11 item 5 ("nothing lost"): a watch whose export falls behind keeps
// the session alive and loses no record event — tests/emulators/huawei_gateway.py on 127.0.0.1.
#include "integration/harness.hpp"
#include "integration/huawei/huawei_it.hpp"

#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/models.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

namespace {

using namespace huawei_it;

// Issue 11 item 5: nobody takes events for longer than the gateway's session timeout, the queue fills
// up; the poll keeps the session alive at the backlog pace and every record event is still delivered
// (queued or set aside), only non-recording events are discarded.
TEST_F(HuaweiIt, AFullEventQueueKeepsTheSessionAliveAndLosesNoRecordEvent) {
  Control("config", R"({"session_timeout_seconds":1.5,"poll_hold_seconds":0.2,"noise_events":true,)"
                    R"("record_duration_ms":0})");
  ccrec::huawei::AgentSession s(SessionOptions());
  ASSERT_TRUE(s.SignIn());
  ccrec::huawei::EventPollerOptions po;
  po.interval = std::chrono::milliseconds(20);
  po.max_queued_events = 2;
  po.backlog_poll_interval = std::chrono::milliseconds(300);  // the keep-alive pace, below the 1.5 s timeout
  ccrec::huawei::EventPoller poller(s, po);
  poller.Start();
  auto expired = Stat("sessions_expired");
  std::set<std::string> announced;
  for (int i = 0; i < 6; ++i) {  // each: AgentMediaEvent_Record, AgentState_Busy, StopRecordDone
    auto r = Control("record", R"({"agent_id":"20011","size":1000,"delay_ms":0,"index":)" + std::to_string(i) + "}");
    announced.insert(r["fileName"].GetString());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // a stuck consumer, > 2x the timeout
  EXPECT_EQ(Stat("sessions_expired") - expired, 0) << "the session expired while the queue was full";
  EXPECT_EQ(s.Stats().re_sign_ins, 0u);
  EXPECT_GE(poller.Polls(), 5u);
  std::set<std::string> seen;
  auto take = [&](ccrec::huawei::AgentEvent const& e) {
    if (e.event_type != ccrec::huawei::kRecordEvent) return;
    auto ref = ccrec::huawei::ParseRecordEvent(e);
    ASSERT_TRUE(ref) << e.raw_json;
    seen.insert(ref->file_name);
  };
  auto const deadline = Clock::now() + std::chrono::seconds(15);
  while (seen != announced && Clock::now() < deadline) {
    for (auto const& e : poller.TakeOverflowed()) take(e);
    if (auto e = poller.Next(Clock::now() + std::chrono::milliseconds(100))) take(*e);
  }
  EXPECT_EQ(seen, announced) << "record events lost";
  EXPECT_GE(poller.DiscardedEvents(), 1u);
  EXPECT_GE(poller.OverflowedEvents(), 1u);
  poller.Stop();
  EXPECT_FALSE(poller.FatalError());
  EXPECT_EQ(Stat("sessions_expired") - expired, 0);
  ASSERT_TRUE(s.SignOut());
}

// Issue 11 item 5: slow uploads, and the watch period ends while record events are still queued: they
// are exported too (they used to be abandoned without a manifest line).
TEST_F(HuaweiIt, CliWatchEndingWhileTheExportIsBehindExportsEveryAnnouncedRecording) {
  Control("config", R"({"download_chunk_delay_ms":250,"record_duration_ms":100})");
  std::set<std::string> announced;
  for (int i = 0; i < 8; ++i) {
    auto r = Control("record", R"({"agent_id":"20011","size":150000,"delay_ms":)" + std::to_string(100 + 40 * i) +
                                   R"(,"index":)" + std::to_string(i) + "}");
    announced.insert(r["fileName"].GetString());
  }
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/w.jsonl";
  auto args = Cli(out.Path() + "/w", manifest);
  args.insert(args.end(), {"--watch", "1200ms", "--concurrency", "1", "--log-level", "info"});
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=8 skipped=0 failed=0 pending=0", 0), 0u) << run.LastLine() << run.err;
  std::set<std::string> exported;
  for (auto const& l : ManifestLines(manifest)) {
    std::string name = l["recording_id"].GetString();
    EXPECT_EQ(std::string(l["sha256"].GetString()), ExpectedSha(name)) << name;
    exported.insert(name);
  }
  EXPECT_EQ(exported, announced);
  EXPECT_EQ(run.err.find("not exported"), std::string::npos) << run.err;
}

// A record event the gateway delivers after the watch and its drain, while a download of the watch
// still runs: it used to be only logged (the recording lost, exit 0). Now it is a pending line naming
// its fileName, and `--since-last-run` downloads it once the call can no longer be going on.
TEST_F(HuaweiIt, CliRecordEventAfterTheWatchIsPendingAndSinceLastRunExportsIt) {
  Control("config", R"({"download_chunk_delay_ms":200,"record_duration_ms":100,"poll_hold_seconds":0.3})");
  // Relative to now: the slow one (about 38 chunks of 64 KiB, 200 ms each: 7.6 s) is announced
  // during the 800 ms watch, the late one after the watch and its drain (a poll held 0.3 s
  // answering empty) while the slow download still runs. The margins allow the program 2 s to
  // start and sign in on a loaded machine (a 2.5 s delay was once not late enough).
  auto slow = Control("record", R"({"agent_id":"20011","size":2500000,"delay_ms":300,"index":0})");
  auto late = Control("record", R"({"agent_id":"20011","size":3000,"delay_ms":4000,"index":1})");
  std::string const slow_name = slow["fileName"].GetString();
  std::string const late_name = late["fileName"].GetString();
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/w.jsonl";
  auto base = Cli(out.Path() + "/w", manifest);
  auto args = base;
  args.insert(args.end(), {"--watch", "800ms", "--log-level", "info"});
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=1 skipped=0 failed=0 pending=1", 0), 0u) << run.LastLine() << run.err;
  std::map<std::string, std::string> status;
  for (auto const& l : ManifestLines(manifest)) status[l["recording_id"].GetString()] = l["status"].GetString();
  EXPECT_EQ(status[slow_name], "exported");
  EXPECT_EQ(status[late_name], "pending") << "the late recording has no pending line: lost\n" << run.err;
  EXPECT_NE(run.err.find("announced after the watch ended"), std::string::npos) << run.err;

  Control("config", R"({"download_chunk_delay_ms":0})");
  auto since = base;
  since.push_back("--since-last-run");
  // Its StopRecordDone came after the poll stopped collecting: for all the next run knows, the call
  // may still be going on, so it is held (pending again, nothing downloaded) until its
  // --max-recording-duration has passed; 0s takes it as finished.
  auto held = ccrec_it::RunProgram(since, Env());
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(held.LastLine().rfind("exported=0 skipped=0 failed=0 pending=1", 0), 0u) << held.LastLine() << held.err;
  since.insert(since.end(), {"--max-recording-duration", "0s"});
  auto retry = ccrec_it::RunProgram(since, Env());
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(retry.LastLine().rfind("exported=1 skipped=0 failed=0 pending=0", 0), 0u) << retry.LastLine() << retry.err;
  bool exported = false;
  for (auto const& l : ManifestLines(manifest)) {
    if (l["recording_id"].GetString() != late_name || std::string(l["status"].GetString()) != "exported") continue;
    EXPECT_EQ(std::string(l["sha256"].GetString()), ExpectedSha(late_name));
    exported = true;
  }
  EXPECT_TRUE(exported);
  EXPECT_EQ(Stat("active_sessions"), 0);
}

// A run without --watch (a --record-id download) ends while the gateway still holds record events
// for the agent: each answer carries one event, and the gateway drops what it holds at sign-out.
// The run now polls on until an answer without an event, so every announced recording ends as a
// pending line (before, the keep-alive poll was stopped as soon as the download was done).
TEST_F(HuaweiIt, CliListRunTakesEveryEventTheGatewayStillHoldsBeforeSigningOut) {
  Control("config", R"({"noise_events":false})");
  std::string const listed = SmallPresetRecording();
  ASSERT_FALSE(listed.empty());
  std::set<std::string> announced;
  for (int i = 0; i < 5; ++i) {
    auto rec = Control("record", R"({"agent_id":"20011","size":2000,"delay_ms":0,"index":)" + std::to_string(i) + "}");
    announced.insert(rec["fileName"].GetString());
  }
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/m.jsonl";
  auto args = Cli(out.Path() + "/d", manifest);
  args.insert(args.end(), {"--record-id", listed, "--log-level", "debug"});
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=1 skipped=0 failed=0 pending=5", 0), 0u) << run.LastLine() << run.err;
  std::map<std::string, std::string> status;
  for (auto const& l : ManifestLines(manifest)) status[l["recording_id"].GetString()] = l["status"].GetString();
  EXPECT_EQ(status[listed], "exported");
  for (auto const& name : announced) EXPECT_EQ(status[name], "pending") << name << " lost\n" << run.err;
  EXPECT_NE(run.err.find("finishing the event poll"), std::string::npos) << run.err;
  EXPECT_EQ(Stat("active_sessions"), 0);
}

// The end-of-run drain is cut while the gateway still delivers events (many were announced at once,
// one per poll answer): what it still holds is dropped at sign-out, recordings among them, so the run
// fails (it used to end 0 with a warning). What it did take is exported or pending, as always.
TEST_F(HuaweiIt, CliRunEndingWhileTheGatewayStillDeliversEventsFails) {
  Control("config", R"({"noise_events":false})");
  std::string const listed = SmallPresetRecording();
  ASSERT_FALSE(listed.empty());
  std::set<std::string> announced;
  for (int i = 0; i < 40; ++i) {  // 120 events: far more than 300 ms of polls can take
    auto rec = Control("record", R"({"agent_id":"20011","size":500,"delay_ms":0,"index":)" + std::to_string(i) + "}");
    announced.insert(rec["fileName"].GetString());
  }
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/m.jsonl";
  auto args = Cli(out.Path() + "/d", manifest);
  args.insert(args.end(), {"--record-id", listed, "--end-drain-limit", "300ms"});
  auto run = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("still delivered events when the end-of-run drain limit (300 ms) passed"), std::string::npos)
      << run.err;
  std::map<std::string, std::string> status;
  for (auto const& l : ManifestLines(manifest)) status[l["recording_id"].GetString()] = l["status"].GetString();
  EXPECT_EQ(status[listed], "exported");
  for (auto const& [name, line_status] : status) {
    if (name != listed) {
      EXPECT_TRUE(announced.count(name) == 1 && line_status == "pending") << name << " " << line_status;
    }
  }
  EXPECT_LT(status.size(), announced.size() + 1) << "the gateway was still delivering when the drain ended";
  EXPECT_EQ(Stat("active_sessions"), 0);
}

}  // namespace
