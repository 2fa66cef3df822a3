// SPDX-License-Identifier: Apache-2.0
// Issue 11 item 5: a Huawei watch never drops a recording event. Slow uploads back up the event queue;
// the poll keeps the session alive, recording events are kept or reported as failures with their
// fileName, and events still queued when the watch period ends are processed.
#include "unit/core/test_util.hpp"
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;
using ccrec::exporter::Exporter;
using ccrec::exporter::Manifest;
using ccrec::huawei::AgentSession;
using ccrec::huawei::EventPoller;
using ccrec::huawei::EventPollerOptions;
using ccrec::huawei::HuaweiSourceOptions;
using ccrec::testing::MemorySink;
using SteadyClock = std::chrono::steady_clock;

/// A gate that holds every download until opened (the slow uploads of the issue).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  bool Wait(std::chrono::milliseconds limit = 20s) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, limit, [&] { return open; });
  }
};

std::string FileOf(int i) { return "Y:/1/0/20261101/20011/" + std::to_string(1000 + i) + ".V3"; }

EventPollerOptions FastPoller(std::size_t max_queued, std::chrono::milliseconds backlog) {
  EventPollerOptions o;
  o.interval = 1ms;
  o.backlog_poll_interval = backlog;
  o.max_queued_events = max_queued;
  return o;
}

// The regression of the issue: with downloads stuck, the old poller dropped the oldest events once its
// queue was full (recordings included) and the watch abandoned what was still queued at its end.
TEST(HuaweiWatchBacklog, SlowUploadsLoseNoRecordingAndThePollKeepsTheSessionAlive) {
  constexpr int kRecordings = 12;
  Gateway gw;
  for (int i = 0; i < kRecordings; ++i) {
    gw.files[FileOf(i)] = "recording " + std::to_string(i);
    gw.Event(Noise(i));
    gw.Event(Record(std::to_string(i + 1), FileOf(i), "c" + std::to_string(i)));
    gw.Event(Stop(std::to_string(i + 1)));
  }
  Gate gate;
  std::atomic<int> polls_while_stuck{0};
  std::atomic<bool> stuck{true};
  gw.on_download = [&](std::string const&) { gate.Wait(); };
  gw.on_poll = [&](int) {
    if (stuck.load()) ++polls_while_stuck;
  };
  // Opens the downloads once every event was delivered, 20 more polls kept the session alive and the
  // watch period (300 ms) is over.
  auto const opens_after = SteadyClock::now() + 400ms;
  std::thread opener([&] {
    bool kept_alive = WaitFor([&] {
      return gw.Undelivered() == 0 && polls_while_stuck.load() >= 3 * kRecordings + 20 &&
             SteadyClock::now() >= opens_after;
    });
    EXPECT_TRUE(kept_alive) << "the poll stopped while the uploads were stuck (" << polls_while_stuck.load()
                            << " polls, " << gw.Undelivered() << " events not fetched)";
    stuck = false;
    gate.Open();
  });

  ccrec_test::TempDir dir;
  auto manifest = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  HuaweiSourceOptions so;
  so.watch = 300ms;  // ends while the consumer is still stuck: what is queued then must still be handled
  so.poller.interval = 1ms;
  so.poller.backlog_poll_interval = 2ms;
  so.poller.max_queued_events = 4;
  so.logger = log.Logger();
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto sink = std::make_shared<MemorySink>();
  auto eo = EngineOptions();
  eo.concurrency = 1;
  Exporter exporter(source, sink, *manifest, eo);
  auto summary = exporter.Run();
  opener.join();
  ASSERT_TRUE(source->Shutdown());
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();

  // Every announced recording ends exported or as a failed line naming its fileName.
  std::map<std::string, Line> by_file;
  for (auto const& l : ReadManifest(dir / "m.jsonl")) by_file[l.recording_id] = l;
  for (int i = 0; i < kRecordings; ++i) {
    SCOPED_TRACE(FileOf(i));
    ASSERT_EQ(by_file.count(FileOf(i)), 1u) << "recording lost: no manifest line";
    auto const& l = by_file[FileOf(i)];
    if (l.status == "failed") {
      EXPECT_NE(l.error.find("event queue"), std::string::npos) << l.error;
      EXPECT_NE(l.error.find("--record-id"), std::string::npos) << l.error;
    } else {
      EXPECT_EQ(l.status, "exported");
    }
  }
  EXPECT_EQ(summary.exported + summary.failed, static_cast<std::uint64_t>(kRecordings)) << summary.LastLine();
  EXPECT_EQ(summary.pending, 0u);
  EXPECT_GT(summary.failed, 0u) << "the queue of 4 cannot hold 12 recordings: some must overflow";
}

// Ctrl-C during a stuck watch: what the engine has accepted is its business (it leaves no line for
// unfinished items); every recording the source still holds becomes a pending line naming its fileName.
TEST(HuaweiWatchBacklog, ARunStoppedDuringTheWatchReportsHeldRecordingsAsPending) {
  constexpr int kStopped = 6;  // recorded to the end: handed to the engine, whose downloads are stuck
  constexpr int kWaiting = 3;  // no StopRecordDone yet: held by the source
  Gateway gw;
  for (int i = 0; i < kStopped + kWaiting; ++i) {
    gw.files[FileOf(i)] = "recording " + std::to_string(i);
    gw.Event(Record(std::to_string(i + 1), FileOf(i), "c" + std::to_string(i)));
    if (i < kStopped) gw.Event(Stop(std::to_string(i + 1)));
  }
  Gate gate;
  gw.on_download = [&](std::string const&) { gate.Wait(); };
  ccrec::CallContext ctx;
  std::thread ctrl_c([&] {
    EXPECT_TRUE(WaitFor([&] { return gw.Undelivered() == 0 && gw.polls.load() >= 2 * kStopped + kWaiting + 5; }));
    ctx.cancel.Cancel();
    gate.Open();
  });
  ccrec_test::TempDir dir;
  auto manifest = Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  AgentSession session(Options(gw.fake));
  HuaweiSourceOptions so;
  so.watch = std::chrono::hours(1);
  so.poller = FastPoller(100, 2ms);
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto eo = EngineOptions();
  eo.concurrency = 1;
  Exporter exporter(source, std::make_shared<MemorySink>(), *manifest, eo);
  auto summary = exporter.Run(ctx);
  ctrl_c.join();
  ASSERT_TRUE(source->Shutdown());
  EXPECT_TRUE(summary.cancelled);
  std::set<std::string> pending_files;
  std::size_t engine_lines = 0;
  for (auto const& l : ReadManifest(dir / "m.jsonl")) {
    ASSERT_EQ(l.status, "pending");
    if (l.error.find("interrupted: the run stopped before this recording was exported") != std::string::npos) {
      ++engine_lines;  // handed to the engine (1 in flight + 2 queued at concurrency 1)
      continue;
    }
    EXPECT_NE(l.error.find("run stopped before it was exported"), std::string::npos) << l.error;
    auto q = l.error.find('"');
    pending_files.insert(l.error.substr(q + 1, l.error.find('"', q + 1) - q - 1));
  }
  for (int i = kStopped; i < kStopped + kWaiting; ++i) EXPECT_EQ(pending_files.count(FileOf(i)), 1u) << FileOf(i);
  // Every recording the gateway announced is a pending line: those the source still held, and
  // those the engine had taken (in flight or queued) when the run stopped.
  EXPECT_LE(engine_lines, 3u);
  EXPECT_EQ(summary.pending, pending_files.size() + engine_lines);
  EXPECT_EQ(summary.pending, static_cast<std::size_t>(kStopped + kWaiting));
  // Those without a StopRecordDone may still be recording, whether the watch had handled their
  // record event or not: a later run holds them until it comes (or max_recording_duration).
  for (auto const& r : ccrec::huawei::UnfinishedRecordings(**manifest)) {
    bool waiting = false;
    for (int i = kStopped; i < kStopped + kWaiting; ++i) waiting = waiting || r.file_name == FileOf(i);
    EXPECT_EQ(r.awaiting_stop_record, waiting) << r.file_name;
  }
}

// After the period the watch handles what the gateway still delivers until a poll answers empty; a
// gateway that never runs dry does not hold the run forever.
TEST(HuaweiWatchBacklog, TheDrainAfterThePeriodIsBounded) {
  Gateway gw;
  gw.on_poll = [&](int n) { gw.Event(Noise(n)); };  // always one more event
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  HuaweiSourceOptions so;
  so.watch = 100ms;
  so.watch_drain_limit = 200ms;
  so.end_drain_limit = 50ms;
  so.poller = FastPoller(100, 2ms);
  so.logger = log.Logger();
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto const start = SteadyClock::now();
  Exporter exporter(source, std::make_shared<MemorySink>(), nullptr, EngineOptions());
  auto summary = exporter.Run();
  EXPECT_LT(SteadyClock::now() - start, 5s);
  ASSERT_TRUE(source->Shutdown());
  // The end-of-run drain was cut while the gateway still delivered: it may still hold record events,
  // which it drops at sign-out, so the run fails rather than ending clean.
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ccrec::ErrorCode::kUnavailable);
  EXPECT_NE(summary.fatal->message.find("still delivered events when the end-of-run drain limit (50 ms) passed"),
            std::string::npos)
      << summary.fatal->message;
  EXPECT_TRUE(log.Contains("the gateway still delivered events 200 ms after the watch period")) << [&] {
    std::string all;
    for (auto const& l : log.Lines()) all += l + "\n";
    return all;
  }();
}

TEST(HuaweiEventPoller, AFullQueueDiscardsOnlyNonRecordingEventsAndSetsRecordingOnesAside) {
  Gateway gw;
  gw.Event(Noise(1));
  gw.Event(Record("1", "Y:/r1.V3", "c1"));
  gw.Event(Noise(2));
  gw.Event(Record("2", "Y:/r2.V3", "c2"));  // full: evicts noise 1
  gw.Event(Stop("1"));                      // full: evicts noise 2
  gw.Event(Record("3", "Y:/r3.V3", "c3"));  // full of recording events: set aside
  gw.Event(Noise(3));                       // full: discarded
  gw.Event(Record("4", "Y:/r4.V3", "c4"));  // set aside
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  ASSERT_TRUE(session.SignIn());
  auto o = FastPoller(3, 2ms);
  o.logger = log.Logger();
  EventPoller poller(session, o);
  poller.Start();
  // Nobody consumes; the poll goes on (keep-alive) after the gateway's backlog is drained.
  ASSERT_TRUE(WaitFor([&] { return gw.Undelivered() == 0 && gw.polls.load() >= 8 + 10; })) << gw.polls.load();
  EXPECT_TRUE(poller.Running());
  EXPECT_EQ(poller.DiscardedEvents(), 3u);
  EXPECT_EQ(poller.OverflowedEvents(), 2u);
  auto overflowed = poller.TakeOverflowed();
  ASSERT_EQ(overflowed.size(), 2u);
  EXPECT_NE(overflowed[0].content_json.find("Y:/r3.V3"), std::string::npos);
  EXPECT_NE(overflowed[1].content_json.find("Y:/r4.V3"), std::string::npos);
  EXPECT_TRUE(poller.TakeOverflowed().empty()) << "handed out once";
  std::vector<std::string> queued;
  while (auto e = poller.Next(SteadyClock::now())) queued.push_back(e->event_type + " " + e->content_json);
  ASSERT_EQ(queued.size(), 3u);
  EXPECT_NE(queued[0].find("Y:/r1.V3"), std::string::npos);
  EXPECT_NE(queued[1].find("Y:/r2.V3"), std::string::npos);
  EXPECT_EQ(queued[2].rfind("AgentMediaEvent_StopRecordDone", 0), 0u);
  EXPECT_TRUE(log.Contains("set aside"));
  EXPECT_TRUE(log.Contains("Y:/r3.V3"));
  EXPECT_TRUE(log.Contains("polling only every 2 ms to keep the session alive"));
  for (auto const& line : log.Lines()) EXPECT_EQ(line.find("70006"), std::string::npos) << "caller logged: " << line;
  poller.Stop();
}

// Finish() polls on while answers carry events, but not for ever: a gateway that keeps delivering
// (a busy agent) is left after the drain limit, and the drain failed: what the gateway still holds
// is dropped at sign-out.
TEST(HuaweiEventPoller, FinishStopsAfterItsDrainLimitWhileTheGatewayKeepsDelivering) {
  Gateway gw;
  gw.on_poll = [&](int n) { gw.Event(Noise(n)); };  // never runs dry
  AgentSession session(Options(gw.fake));
  ASSERT_TRUE(session.SignIn());
  LogCapture log;
  auto o = FastPoller(10, 1s);
  o.logger = log.Logger();
  EventPoller poller(session, o);
  (void)poller.StopQueuing();
  poller.Start();
  ASSERT_TRUE(WaitFor([&] { return gw.polls.load() >= 3; }));
  poller.Finish(30ms);
  EXPECT_FALSE(poller.Running());
  EXPECT_TRUE(log.Contains("the gateway still delivered events when the end-of-run drain limit (30 ms) passed"))
      << ::testing::PrintToString(log.Lines());
  auto drain = poller.DrainError();
  ASSERT_TRUE(drain);
  EXPECT_EQ(drain->code, ccrec::ErrorCode::kUnavailable);
  EXPECT_NE(drain->message.find("dropped when the agent signs out"), std::string::npos) << drain->message;

  EventPoller never_started(session, o);
  never_started.Finish(1h);  // returns at once
  EXPECT_FALSE(never_started.Running());
}

// Each answer carries one event, and the gateway drops what it still holds at sign-out: Finish()
// polls on, without pause, until an answer without an event.
TEST(HuaweiEventPoller, FinishPollsUntilAnAnswerWithoutAnEvent) {
  Gateway gw;
  LogCapture log;
  std::atomic<int> answers{0};
  gw.deliver = [&](RecordedRequest const&) {
    // The first answer arrives only once Finish() has begun; two more events wait behind it.
    if (answers++ == 0) {
      EXPECT_TRUE(WaitFor([&] { return log.Contains("finishing the event poll"); }));
    }
    return true;
  };
  AgentSession session(Options(gw.fake));
  ASSERT_TRUE(session.SignIn());
  auto o = FastPoller(10, 1s);
  o.logger = log.Logger();
  EventPoller poller(session, o);
  (void)poller.StopQueuing();
  poller.Start();
  gw.Event(Record("1", "Y:/f1.V3", "c1"));
  ASSERT_TRUE(WaitFor([&] { return gw.Undelivered() == 0; }));  // taken: its answer is on its way
  gw.Event(Record("2", "Y:/f2.V3", "c2"));
  gw.Event(Record("3", "Y:/f3.V3", "c3"));
  poller.Finish(10s);
  EXPECT_EQ(poller.TakeLate().size(), 3u) << "events the gateway still held would be dropped at sign-out";
  EXPECT_EQ(gw.Undelivered(), 0u);
  EXPECT_FALSE(poller.Running());
}

TEST(HuaweiEventPoller, AFullQueuePacesThePollToKeepAliveAndResumesWhenThereIsRoom) {
  Gateway gw;
  for (int i = 0; i < 10; ++i) gw.Event(Record(std::to_string(i), "Y:/p" + std::to_string(i) + ".V3", "c"));
  AgentSession session(Options(gw.fake));
  ASSERT_TRUE(session.SignIn());
  EventPoller poller(session, FastPoller(2, std::chrono::hours(1)));  // above 90 s: taken as 90 s
  poller.Start();
  ASSERT_TRUE(WaitFor([&] { return gw.polls.load() >= 2; }));
  // Full after two answers: the next poll waits for room (or the keep-alive interval), it does not spin.
  std::this_thread::sleep_for(100ms);
  int const paced = gw.polls.load();
  EXPECT_EQ(paced, 2) << "polled on although the queue was full";
  EXPECT_EQ(gw.Undelivered(), 8u) << "the backlog stays at the gateway";
  ASSERT_TRUE(poller.Next(SteadyClock::now()));  // room for one more
  EXPECT_TRUE(WaitFor([&] { return gw.polls.load() > paced; }, 5s)) << "the poll did not resume";
  EXPECT_EQ(poller.OverflowedEvents(), 0u);
  EXPECT_EQ(poller.DiscardedEvents(), 0u);
  poller.Stop();
  EXPECT_FALSE(poller.Running());
}

// The gateway delivers each event once: after StopQueuing() the loop only keeps the session alive,
// but a record event it receives then is kept for TakeLate() (the source reports it as pending).
TEST(HuaweiEventPoller, StopQueuingHandsOverTheQueueAndKeepsLaterRecordEventsForTakeLate) {
  Gateway gw;
  gw.Event(Record("1", "Y:/q1.V3", "c1"));
  gw.Event(Noise(1));
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  ASSERT_TRUE(session.SignIn());
  auto o = FastPoller(100, 2ms);
  o.logger = log.Logger();
  EventPoller poller(session, o);
  poller.Start();
  ASSERT_TRUE(WaitFor([&] { return gw.Undelivered() == 0 && gw.polls.load() >= 3; }));
  EXPECT_TRUE(poller.TakeLate().empty()) << "queued events are not late";
  auto rest = poller.StopQueuing();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].event_type, "AgentMediaEvent_Record");
  gw.Event(Record("2", "Y:/late.V3", "c2"));
  gw.Event(Noise(2));
  gw.Event(Stop("2"));
  int const polls = gw.polls.load();
  ASSERT_TRUE(WaitFor([&] { return gw.Undelivered() == 0 && gw.polls.load() >= polls + 4; }));
  EXPECT_FALSE(poller.Next(SteadyClock::now()));
  EXPECT_TRUE(poller.Running()) << "still the keep-alive";
  auto late = poller.TakeLate();
  ASSERT_EQ(late.size(), 1u) << "the record event is kept; the noise and the StopRecordDone are not";
  EXPECT_EQ(late[0].event_type, "AgentMediaEvent_Record");
  EXPECT_NE(late[0].content_json.find("Y:/late.V3"), std::string::npos);
  EXPECT_TRUE(poller.TakeLate().empty()) << "handed out once";
  EXPECT_TRUE(log.Contains("\"Y:/late.V3\" (call c2, task 2) arrived while events are not queued for export"));
  poller.Stop();
}

TEST(HuaweiEventPoller, IsRecordingEvent) {
  EXPECT_TRUE(ccrec::huawei::IsRecordingEvent("AgentMediaEvent_Record"));
  EXPECT_TRUE(ccrec::huawei::IsRecordingEvent("AgentMediaEvent_Record_Fail"));
  EXPECT_TRUE(ccrec::huawei::IsRecordingEvent("AgentMediaEvent_StopRecordDone"));
  EXPECT_FALSE(ccrec::huawei::IsRecordingEvent("AgentState_Busy"));
  EXPECT_FALSE(ccrec::huawei::IsRecordingEvent(""));
}

}  // namespace
