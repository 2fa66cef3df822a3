// SPDX-License-Identifier: Apache-2.0
// SubWindowLeaser against an in-memory lease store on a ManualClock (no sockets, no sleeps): a
// sub-window is marked done only after its listing and every item finished; two instances never
// list one sub-window at once; a dead instance's sub-window is taken over after its lease expired;
// a stopped run, an incomplete listing, a failed or pending item or a destroyed leaser releases
// instead of marking done; a lease lost while working is counted and the sub-window still
// finished; the wait is bounded.
#include <ccrec/exporter/sub_window_lease.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

using ccrec::CancellationToken;
using ccrec::exporter::LeaseTake;
using ccrec::exporter::SubWindow;
using ccrec::exporter::SubWindowLeaser;
using ccrec::exporter::SubWindowLeaserOptions;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using std::chrono::milliseconds;
using std::chrono::seconds;

/// The shared record of every instance: leases (holder, expiry on the manual clock) and done marks.
struct LeaseBoardSwl {
  explicit LeaseBoardSwl(std::shared_ptr<ManualClock> c) : clock(std::move(c)) {}
  std::shared_ptr<ManualClock> clock;
  std::mutex mu;
  struct Lease {
    std::string holder;
    std::chrono::system_clock::time_point expiry;
  };
  std::map<std::int64_t, Lease> leases;
  std::map<std::int64_t, std::string> done;  // index -> who marked it
  std::vector<std::string> log;              // "holder op index"

  bool LiveLocked(std::int64_t index) {
    auto it = leases.find(index);
    if (it == leases.end()) return false;
    if (clock->Now() >= it->second.expiry) {
      leases.erase(it);
      return false;
    }
    return true;
  }
};

/// One instance's view of the board (SubWindowLeaseStore of holder `holder`).
class BoardStoreSwl : public ccrec::exporter::SubWindowLeaseStore {
 public:
  BoardStoreSwl(std::shared_ptr<LeaseBoardSwl> b, std::string holder) : board_(std::move(b)), holder_(std::move(holder)) {}

  ccrec::Result<LeaseTake> TryTake(SubWindow const& w, milliseconds ttl) override {
    std::lock_guard<std::mutex> lock(board_->mu);
    if (fail_) return ccrec::MakeError(ccrec::ErrorCode::kUnavailable, "board down");
    if (board_->done.count(w.index) != 0) return LeaseTake::kDone;
    if (board_->LiveLocked(w.index) && board_->leases[w.index].holder != holder_) return LeaseTake::kHeldByOther;
    board_->leases[w.index] = {holder_, board_->clock->Now() + ttl};
    board_->log.push_back(holder_ + " take " + std::to_string(w.index));
    return LeaseTake::kTaken;
  }
  ccrec::Result<bool> Renew(SubWindow const& w, milliseconds ttl) override {
    std::lock_guard<std::mutex> lock(board_->mu);
    if (!board_->LiveLocked(w.index) || board_->leases[w.index].holder != holder_) return false;
    board_->leases[w.index].expiry = board_->clock->Now() + ttl;
    return true;
  }
  ccrec::Result<void> MarkDone(SubWindow const& w) override {
    std::lock_guard<std::mutex> lock(board_->mu);
    board_->done[w.index] = holder_;
    if (board_->LiveLocked(w.index) && board_->leases[w.index].holder == holder_) board_->leases.erase(w.index);
    board_->log.push_back(holder_ + " done " + std::to_string(w.index));
    return {};
  }
  ccrec::Result<void> Release(SubWindow const& w) override {
    std::lock_guard<std::mutex> lock(board_->mu);
    if (board_->LiveLocked(w.index) && board_->leases[w.index].holder == holder_) board_->leases.erase(w.index);
    board_->log.push_back(holder_ + " release " + std::to_string(w.index));
    return {};
  }
  std::string Describe() const override { return "board"; }
  void SetFailing(bool f) { fail_ = f; }

 private:
  std::shared_ptr<LeaseBoardSwl> board_;
  std::string holder_;
  bool fail_ = false;
};

SubWindow CellSwl(std::int64_t index) {
  SubWindow w;
  w.index = index;
  w.from = std::chrono::system_clock::time_point(std::chrono::hours(index));
  w.to = std::chrono::system_clock::time_point(std::chrono::hours(index + 1));
  return w;
}

class SubWindowLeaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<SubWindowLeaser> Instance(std::string const& holder, milliseconds max_wait = std::chrono::hours(6),
                                            std::function<ccrec::Result<void>()> before_done = {}) {
    SubWindowLeaserOptions o;
    o.before_done = std::move(before_done);
    o.store = std::make_shared<BoardStoreSwl>(board_, holder);
    o.ttl = seconds(6);
    o.max_wait = max_wait;
    o.background_renewal = false;
    o.clock = clock_;
    o.sleeper = sleeper_;
    return std::make_unique<SubWindowLeaser>(o);
  }
  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(board_->mu);
    return board_->log;
  }
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::shared_ptr<ManualSleeper> sleeper_ = std::make_shared<ManualSleeper>(clock_);
  std::shared_ptr<LeaseBoardSwl> board_ = std::make_shared<LeaseBoardSwl>(clock_);
  CancellationToken stop_;
};

TEST_F(SubWindowLeaseTest, DoneOnlyAfterTheListingAndEveryItemFinished) {
  auto a = Instance("a");
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  auto item1 = a->TrackItem(CellSwl(1));
  auto item2 = a->TrackItem(CellSwl(1));
  item1();
  a->Listed(CellSwl(1), true);
  EXPECT_EQ(board_->done.count(1), 0u) << "an item is still being exported";
  a->RenewNow();
  clock_->Advance(seconds(5));
  a->RenewNow();
  clock_->Advance(seconds(5));
  item2();
  EXPECT_EQ(board_->done.count(1), 1u);
  EXPECT_EQ(a->Stats().done, 1u);
  EXPECT_EQ(a->Stats().lost, 0u) << "renewed while worked, so never lost";
  item2();  // a second call changes nothing
  EXPECT_EQ(a->Stats().done, 1u);
}

TEST_F(SubWindowLeaseTest, ASubWindowWithAFailedOrPendingItemIsReleasedNotMarkedDone) {
  // A done mark is skipped by every instance of the job for 24 h: a sub-window whose task is
  // pending (its recording not available yet) or whose recording failed must stay listable, or
  // the next run of the job never looks at it again (exit 0).
  auto a = Instance("a");
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  ASSERT_TRUE(a->Claim(CellSwl(2), stop_).value());
  a->Unfinished(CellSwl(1));  // a task reported pending while sub-window 1 was listed
  a->Listed(CellSwl(1), true);
  auto item = a->TrackItem(CellSwl(2));
  a->Unfinished(CellSwl(2));  // the item's line is "failed", before its on_done
  a->Listed(CellSwl(2), true);
  item();
  a->Unfinished(CellSwl(7));  // not held: ignored
  EXPECT_EQ(board_->done.count(1), 0u);
  EXPECT_EQ(board_->done.count(2), 0u);
  EXPECT_EQ(Log(), (std::vector<std::string>{"a take 1", "a take 2", "a release 1", "a release 2"}));
  auto st = a->Stats();
  EXPECT_EQ(st.done, 0u);
  EXPECT_EQ(st.released, 2u);
  EXPECT_EQ(st.left_unfinished, 2u);
  // Another instance (a later run of the job) lists them again.
  auto b = Instance("b");
  EXPECT_TRUE(b->Claim(CellSwl(1), stop_).value());
  b->Listed(CellSwl(1), true);  // everything exported this time
  EXPECT_EQ(board_->done[1], "b");
  EXPECT_EQ(b->Stats().left_unfinished, 0u);
}

TEST_F(SubWindowLeaseTest, TwoInstancesNeverListOneSubWindowAndTheSecondSkipsDoneOnes) {
  auto a = Instance("a");
  auto b = Instance("b");
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  EXPECT_FALSE(b->Claim(CellSwl(1), stop_).value()) << "leased by a";
  ASSERT_TRUE(b->Claim(CellSwl(2), stop_).value());
  a->Listed(CellSwl(1), true);
  b->Listed(CellSwl(2), true);
  EXPECT_FALSE(a->Claim(CellSwl(2), stop_).value()) << "done by b";
  EXPECT_EQ(a->Stats().already_done, 1u);
  // b's wait for sub-window 1 ends at once: a marked it done.
  auto next = b->NextTakeover(stop_);
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(sleeper_->Sleeps().size(), 0u);
  EXPECT_EQ(Log(), (std::vector<std::string>{"a take 1", "b take 2", "a done 1", "b done 2"}));
}

TEST_F(SubWindowLeaseTest, ADeadInstancesSubWindowIsTakenOverAfterItsLeaseExpired) {
  auto dead = Instance("dead");
  ASSERT_TRUE(dead->Claim(CellSwl(3), stop_).value());  // then never renewed, never released
  auto b = Instance("b");
  EXPECT_FALSE(b->Claim(CellSwl(3), stop_).value());
  auto next = b->NextTakeover(stop_);
  ASSERT_TRUE(next) << next.error().message;
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->index, 3);
  EXPECT_EQ(sleeper_->Total(), seconds(6)) << "polled every ttl/3 until the 6 s lease expired";
  EXPECT_EQ(b->Stats().taken_over, 1u);
  b->Listed(**next, true);
  EXPECT_EQ(board_->done[3], "b");
  auto none = b->NextTakeover(stop_);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(SubWindowLeaseTest, TheManifestIsMadeDurableBeforeASubWindowIsMarkedDone) {
  // Once marked done, every instance skips the sub-window for good: its items' failed and pending
  // lines must be on disk first. A sync that fails releases the lease instead.
  std::vector<std::string> order;
  bool sync_fails = false;
  auto a = Instance("a", std::chrono::hours(6), [&]() -> ccrec::Result<void> {
    order.push_back(board_->done.count(1) == 0 ? "sync before done" : "sync after done");
    if (sync_fails) return ccrec::MakeError(ccrec::ErrorCode::kInternal, "fsync: EIO");
    return {};
  });
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  auto item = a->TrackItem(CellSwl(1));
  a->Listed(CellSwl(1), true);
  item();
  EXPECT_EQ(order, std::vector<std::string>{"sync before done"});
  EXPECT_EQ(board_->done.count(1), 1u);
  sync_fails = true;
  ASSERT_TRUE(a->Claim(CellSwl(2), stop_).value());
  a->Listed(CellSwl(2), true);
  EXPECT_EQ(board_->done.count(2), 0u) << "not durable, so not done: listed again";
  EXPECT_EQ(a->Stats().released, 1u);
}

TEST_F(SubWindowLeaseTest, AStoppedRunOrAnIncompleteListingReleasesInsteadOfMarkingDone) {
  auto a = Instance("a");
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  auto item = a->TrackItem(CellSwl(1));
  a->Listed(CellSwl(1), true);
  stop_.Cancel();  // the run stops: the item's on_done reports "pending, interrupted"
  item();
  EXPECT_EQ(board_->done.count(1), 0u);
  EXPECT_EQ(a->Stats().released, 1u);
  CancellationToken live;
  auto b = Instance("b");
  ASSERT_TRUE(b->Claim(CellSwl(1), live).value()) << "released at once, no need to wait for expiry";
  ASSERT_TRUE(b->Claim(CellSwl(2), live).value());
  b->Listed(CellSwl(2), false);  // the listing failed
  EXPECT_EQ(board_->done.count(2), 0u);
  EXPECT_EQ(b->Stats().released, 1u);
}

TEST_F(SubWindowLeaseTest, TheDestructorReleasesLeasesNotDone) {
  {
    auto a = Instance("a");
    ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
    (void)a->TrackItem(CellSwl(1));  // never finished
  }
  EXPECT_EQ(Log(), (std::vector<std::string>{"a take 1", "a release 1"}));
  auto b = Instance("b");
  EXPECT_TRUE(b->Claim(CellSwl(1), stop_).value());
}

TEST_F(SubWindowLeaseTest, ALeaseLostWhileWorkingIsCountedAndTheSubWindowStillFinished) {
  auto a = Instance("a");
  ASSERT_TRUE(a->Claim(CellSwl(1), stop_).value());
  auto item = a->TrackItem(CellSwl(1));
  clock_->Advance(seconds(7));  // a was paused longer than the lease ttl
  auto b = Instance("b");
  ASSERT_TRUE(b->Claim(CellSwl(1), stop_).value()) << "expired: taken over";
  a->RenewNow();
  EXPECT_EQ(a->Stats().lost, 1u);
  b->RenewNow();
  EXPECT_EQ(b->Stats().lost, 0u) << "a's renewal did not extend b's lease";
  item();
  a->Listed(CellSwl(1), true);
  EXPECT_EQ(board_->done[1], "a") << "a's recordings reached the manifest";
  EXPECT_EQ(board_->leases.count(1), 1u) << "a's done mark did not drop b's lease";
}

TEST_F(SubWindowLeaseTest, TheWaitIsBoundedAndCancellable) {
  auto holder = Instance("holder");
  ASSERT_TRUE(holder->Claim(CellSwl(1), stop_).value());
  auto b = Instance("b", seconds(30));
  EXPECT_FALSE(b->Claim(CellSwl(1), stop_).value());
  // The holder stays alive: it renews whenever b sleeps (every 2 s here).
  struct RenewingSleeper : ccrec::Sleeper {
    std::shared_ptr<ManualSleeper> inner;
    SubWindowLeaser* h = nullptr;
    bool SleepFor(milliseconds d, CancellationToken const& c) override {
      bool ok = inner->SleepFor(d, c);
      h->RenewNow();
      return ok;
    }
  };
  SubWindowLeaserOptions o;
  o.store = std::make_shared<BoardStoreSwl>(board_, "c");
  o.ttl = seconds(6);
  o.max_wait = seconds(30);
  o.background_renewal = false;
  o.clock = clock_;
  auto renewing = std::make_shared<RenewingSleeper>();
  renewing->inner = sleeper_;
  renewing->h = holder.get();
  o.sleeper = renewing;
  SubWindowLeaser c(o);
  EXPECT_FALSE(c.Claim(CellSwl(1), stop_).value());
  auto waited = c.NextTakeover(stop_);
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ccrec::ErrorCode::kDeadlineExceeded);
  EXPECT_NE(waited.error().message.find("sub-window(s) 1 are still leased"), std::string::npos) << waited.error().message;

  CancellationToken cancelled;
  cancelled.Cancel();
  auto stopped = b->NextTakeover(cancelled);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ccrec::ErrorCode::kCancelled);
}

TEST_F(SubWindowLeaseTest, AnUnreachableStoreFailsTheClaim) {
  SubWindowLeaserOptions o;
  auto store = std::make_shared<BoardStoreSwl>(board_, "a");
  store->SetFailing(true);
  o.store = store;
  o.background_renewal = false;
  SubWindowLeaser a(o);
  auto r = a.Claim(CellSwl(1), stop_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot lease sub-window 1 (board): board down"), std::string::npos)
      << r.error().message;
  SubWindowLeaser none(SubWindowLeaserOptions{});
  EXPECT_EQ(none.Claim(CellSwl(1), stop_).error().code, ccrec::ErrorCode::kInvalidArgument);
}

// Containers with a fixed hostname run every instance as PID 1: HOST-PID alone would be one
// holder value for all of them, and each would take every lease as its own.
TEST(SubWindowLease, NewLeaseHoldersOfOneHostAndPidDiffer) {
  std::string const a = ccrec::exporter::NewLeaseHolder();
  std::string const b = ccrec::exporter::NewLeaseHolder();
  EXPECT_NE(a, b);
  auto const pid = "-" + std::to_string(::getpid()) + "-";
  for (auto const& holder : {a, b}) {
    auto const at = holder.rfind(pid);
    ASSERT_NE(at, std::string::npos) << holder;
    EXPECT_GT(at, 0u) << "the host name first: " << holder;
    std::string const random = holder.substr(at + pid.size());
    EXPECT_EQ(random.size(), 8u) << holder;
    EXPECT_EQ(random.find_first_not_of("0123456789abcdef"), std::string::npos) << holder;
  }
}

}  // namespace
