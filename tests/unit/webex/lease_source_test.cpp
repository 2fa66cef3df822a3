// SPDX-License-Identifier: Apache-2.0
// --lease in the Webex source (issue 15 item 3): only leased sub-windows are listed; one held by
// another instance is skipped, waited for after the walk and listed when taken over; one marked
// done meanwhile is never listed; each listed sub-window is marked done once the engine finished
// its items, and a stopped run, a pending task or a failed recording releases instead.
#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/sub_window_lease.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace exporter_test {
namespace {

using ccrec::exporter::LeaseTake;
using ccrec::exporter::SubWindow;

/// TryTake answers from a per-index script (kTaken once it is used up); every call is logged.
class ScriptedLeaseStoreLst : public ccrec::exporter::SubWindowLeaseStore {
 public:
  std::map<std::int64_t, std::deque<LeaseTake>> script;

  Result<LeaseTake> TryTake(SubWindow const& w, std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back("take " + std::to_string(w.index));
    auto& s = script[w.index];
    if (s.empty()) return LeaseTake::kTaken;
    auto r = s.front();
    s.pop_front();
    return r;
  }
  Result<bool> Renew(SubWindow const&, std::chrono::milliseconds) override { return true; }
  Result<void> MarkDone(SubWindow const& w) override { return Log("done " + std::to_string(w.index)); }
  Result<void> Release(SubWindow const& w) override { return Log("release " + std::to_string(w.index)); }
  std::string Describe() const override { return "scripted"; }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  Result<void> Log(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(s));
    return {};
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

constexpr std::int64_t kCellLst = 600000;  // --sub-window 10m

std::vector<std::int64_t> ListedCellsLst(FakeWebex const& w) {
  std::vector<std::int64_t> out;
  for (auto const& r : w.transport->Requests()) {
    if (r.url.find("/v1/tasks") == std::string::npos) continue;
    out.push_back((std::stoll(webex_test::QueryOf(r.url).at("from")) + 1) / kCellLst);
  }
  return out;
}

/// A leaser over `store` (ttl 6 s, renewed by hand, on `w`'s clock), given to `w`'s source with
/// 10-minute sub-windows.
std::shared_ptr<ccrec::exporter::SubWindowLeaser> LeaseLst(FakeWebex& w, std::shared_ptr<ScriptedLeaseStoreLst> store) {
  ccrec::exporter::SubWindowLeaserOptions lo;
  lo.store = std::move(store);
  lo.ttl = std::chrono::seconds(6);
  lo.background_renewal = false;
  lo.clock = w.clock;
  lo.sleeper = w.sleeper;
  auto leaser = std::make_shared<ccrec::exporter::SubWindowLeaser>(lo);
  w.customize = [weak = std::weak_ptr<ccrec::exporter::SubWindowLeaser>(leaser)](ccrec::webex::WebexSourceOptions& o) {
    o.sub_window = std::chrono::minutes(10);
    o.lease_sub_windows = weak.lock();
  };
  return leaser;
}

TEST(WebexSourceLease, ListsLeasedSubWindowsTakesOverHeldOnesAndMarksEachDoneAfterItsItems) {
  FakeWebex w;
  // t1 and t2 are created at 23:00:01 and 23:00:02: in the first sub-window (the fake lists a task
  // only for the window it falls in).
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", Bytes(2000, 1)}}});
  w.tasks.push_back({"t2", true, {{"r2", "b.wav", "main", Bytes(3000, 2)}}});
  auto store = std::make_shared<ScriptedLeaseStoreLst>();
  std::int64_t const first = kFromMs / kCellLst;  // 23:00; six cells to 24:00
  store->script[first + 2] = {LeaseTake::kHeldByOther, LeaseTake::kHeldByOther, LeaseTake::kTaken};
  store->script[first + 4] = {LeaseTake::kHeldByOther, LeaseTake::kDone};
  store->script[first + 5] = {LeaseTake::kDone};
  auto leaser = LeaseLst(w, store);
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions eo;
  eo.concurrency = 2;
  eo.sleeper = std::make_shared<ManualSleeper>();
  eo.write_sidecars = false;
  auto summary = ccrec::exporter::Exporter(w.Source(), memory, nullptr, eo).Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 2u);

  EXPECT_EQ(ListedCellsLst(w), (std::vector<std::int64_t>{first, first, first + 1, first + 3, first + 2}))
      << "the first cell twice (its short page of t1 and t2 is probed for a server-side page cap), cell +2 "
         "after the walk (taken over), +4 and +5 never (done by another instance)";
  auto calls = store->Calls();
  for (auto cell : {first, first + 1, first + 2, first + 3}) {
    EXPECT_EQ(std::count(calls.begin(), calls.end(), "done " + std::to_string(cell)), 1) << cell;
  }
  EXPECT_EQ(std::count_if(calls.begin(), calls.end(), [](std::string const& c) { return c.rfind("release", 0) == 0; }),
            0);
  auto st = leaser->Stats();
  EXPECT_EQ(st.taken, 4u);
  EXPECT_EQ(st.taken_over, 1u);
  EXPECT_EQ(st.already_done, 1u);
  EXPECT_EQ(st.held_by_others, 2u);
  EXPECT_EQ(st.done, 4u);
  EXPECT_EQ(w.sleeper->Total(), std::chrono::seconds(2)) << "one poll (ttl/3) while cell +2 was still held";
}

/// The store's calls for the six cells of the hour: "done N" / "release N" (N relative to the first).
std::vector<std::string> EndsLst(ScriptedLeaseStoreLst& store) {
  std::vector<std::string> out;
  for (auto const& c : store.Calls()) {
    if (c.rfind("take", 0) == 0) continue;
    auto space = c.find(' ');
    out.push_back(c.substr(0, space + 1) + std::to_string(std::stoll(c.substr(space + 1)) - kFromMs / kCellLst));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Exports FakeWebex `w` in leased 10-minute sub-windows and checks that only the first one, which
/// holds the task or recording left unfinished, is released; every other one is marked done.
ccrec::exporter::ExportSummary ExportReleasingTheFirstLst(FakeWebex& w) {
  auto store = std::make_shared<ScriptedLeaseStoreLst>();
  auto leaser = LeaseLst(w, store);
  ccrec::exporter::ExporterOptions eo;
  eo.sleeper = std::make_shared<ManualSleeper>();
  eo.write_sidecars = false;
  auto summary = ccrec::exporter::Exporter(w.Source(), std::make_shared<MemorySink>(), nullptr, eo).Run();
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(EndsLst(*store), (std::vector<std::string>{"done 1", "done 2", "done 3", "done 4", "done 5", "release 0"}));
  EXPECT_EQ(leaser->Stats().left_unfinished, 1u);
  return summary;
}

// A done mark is skipped by every instance of the job for 24 h: a sub-window with a task whose
// recording is not available yet was marked done, so the next run of the job (exit 0 both times)
// never listed it again and the recording was never exported. It is released now.
TEST(WebexSourceLease, ASubWindowWithAPendingTaskIsReleasedNotMarkedDone) {
  FakeWebex w;
  w.honor_window = true;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", Bytes(2000, 1)}}});
  w.tasks.push_back({"t2", true, {}});  // no recording yet: pending
  auto summary = ExportReleasingTheFirstLst(w);
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.pending, 1u);
}

// The same for a failed recording: exit 3 on the first run, but a retry of the job found the
// sub-window done and exited 0 without retrying it.
TEST(WebexSourceLease, ASubWindowWithAFailedRecordingIsReleasedNotMarkedDone) {
  FakeWebex w;
  w.honor_window = true;
  // A Tasks element without id (a failed item, not retried) created in the first sub-window.
  w.extra_task_elements = {R"({"attributes":{"channelType":"telephony","createdTime":)" + std::to_string(kFromMs + 5000) +
                           R"(,"captureRequested":true}})"};
  EXPECT_EQ(ExportReleasingTheFirstLst(w).failed, 1u);
}

TEST(WebexSourceLease, AStoppedRunReleasesItsSubWindowsInsteadOfMarkingThemDone) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", Bytes(2000, 1)}}});
  auto store = std::make_shared<ScriptedLeaseStoreLst>();
  auto leaser = LeaseLst(w, store);
  ccrec::CancellationToken cancel;
  cancel.Cancel();  // stopped before anything is exported
  ccrec::CallContext ctx;
  ctx.cancel = cancel;
  ccrec::exporter::ExporterOptions eo;
  eo.sleeper = std::make_shared<ManualSleeper>();
  auto summary = ccrec::exporter::Exporter(w.Source(), std::make_shared<MemorySink>(), nullptr, eo).Run(ctx);
  EXPECT_TRUE(summary.cancelled);
  leaser.reset();  // the source (and so the leaser) is gone with the Exporter
  auto calls = store->Calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), "take " + std::to_string(kFromMs / kCellLst));
  EXPECT_NE(std::find(calls.begin(), calls.end(), "release " + std::to_string(kFromMs / kCellLst)), calls.end());
  for (auto const& c : calls) EXPECT_NE(c.rfind("done", 0), 0u) << c;
}

}  // namespace
}  // namespace exporter_test
