// SPDX-License-Identifier: Apache-2.0
// --lease in the Webex source (issue 15 item 3): only leased sub-windows are listed; one held by
// another instance is skipped, waited for after the walk and listed when taken over; one marked
// done meanwhile is never listed; each listed sub-window is marked done once the engine finished
// its items, and a stopped run releases instead of marking done.
#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/sub_window_lease.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
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
  ccrec::exporter::SubWindowLeaserOptions lo;
  lo.store = store;
  lo.ttl = std::chrono::seconds(6);
  lo.background_renewal = false;
  lo.clock = w.clock;
  lo.sleeper = w.sleeper;
  auto leaser = std::make_shared<ccrec::exporter::SubWindowLeaser>(lo);
  w.customize = [&](ccrec::webex::WebexSourceOptions& o) {
    o.sub_window = std::chrono::minutes(10);
    o.lease_sub_windows = leaser;
  };
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

TEST(WebexSourceLease, AStoppedRunReleasesItsSubWindowsInsteadOfMarkingThemDone) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", Bytes(2000, 1)}}});
  auto store = std::make_shared<ScriptedLeaseStoreLst>();
  ccrec::exporter::SubWindowLeaserOptions lo;
  lo.store = store;
  lo.background_renewal = false;
  lo.clock = w.clock;
  lo.sleeper = w.sleeper;
  auto leaser = std::make_shared<ccrec::exporter::SubWindowLeaser>(lo);
  w.customize = [&](ccrec::webex::WebexSourceOptions& o) {
    o.sub_window = std::chrono::minutes(10);
    o.lease_sub_windows = leaser;
  };
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
