// SPDX-License-Identifier: Apache-2.0
// MakeRedisSubWindowLease against a real redis-server: one holder at a time, renew and release
// only by the holder (a stale instance cannot extend nor drop another's lease), expiry on the
// server's clock, done marks, namespaced keys; and SubWindowLeaser on top of it taking over a
// sub-window whose holder stopped renewing.
#include "integration/redis/redis_server.hpp"

#include <ccrec/redis/redis_sub_window_lease.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace {

using namespace std::chrono_literals;
using ccrec::exporter::LeaseTake;
using ccrec::exporter::SubWindow;

SubWindow CellRswl(std::int64_t index) {
  SubWindow w;
  w.index = index;
  w.from = std::chrono::system_clock::time_point(std::chrono::hours(index));
  w.to = std::chrono::system_clock::time_point(std::chrono::hours(index + 1));
  return w;
}

class RedisSubWindowLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override { redis_ = ccrec_it::RedisServer::Start(); }

  std::shared_ptr<ccrec::exporter::SubWindowLeaseStore> Store(std::string const& holder,
                                                               std::string const& key = "t:lease:job") {
    ccrec::redis::RedisSubWindowLeaseOptions o;
    o.server.port = redis_->Port();
    o.key = key;
    o.holder = holder;
    o.done_ttl = 5s;
    return ccrec::redis::MakeRedisSubWindowLease(o);
  }
  std::string LeaseKeyOf(std::int64_t index) const {
    return "t:lease:job:" + std::to_string(index) + ":" + std::to_string(index * 3600000) + "-" +
           std::to_string((index + 1) * 3600000);
  }

  std::unique_ptr<ccrec_it::RedisServer> redis_;
};

TEST_F(RedisSubWindowLeaseTest, OneHolderAtATimeAndOnlyTheHolderRenewsOrReleases) {
  auto a = Store("a");
  auto b = Store("b");
  EXPECT_EQ(a->TryTake(CellRswl(7), 10s).value(), LeaseTake::kTaken);
  EXPECT_EQ(a->TryTake(CellRswl(7), 10s).value(), LeaseTake::kTaken) << "the holder may take again";
  EXPECT_EQ(b->TryTake(CellRswl(7), 10s).value(), LeaseTake::kHeldByOther);
  EXPECT_EQ(redis_->Command({"GET", LeaseKeyOf(7)}).value_or(""), "a");
  EXPECT_FALSE(b->Renew(CellRswl(7), 60s).value()) << "not b's lease";
  ASSERT_TRUE(b->Release(CellRswl(7)));
  EXPECT_EQ(redis_->Command({"GET", LeaseKeyOf(7)}).value_or(""), "a") << "b cannot drop a's lease";
  EXPECT_LE(std::stoll(redis_->Command({"PTTL", LeaseKeyOf(7)}).value_or("0")), 10000) << "b did not extend it";
  EXPECT_TRUE(a->Renew(CellRswl(7), 60s).value());
  EXPECT_GT(std::stoll(redis_->Command({"PTTL", LeaseKeyOf(7)}).value_or("0")), 10000);
  ASSERT_TRUE(a->Release(CellRswl(7)));
  EXPECT_FALSE(redis_->Command({"GET", LeaseKeyOf(7)}).has_value());
  EXPECT_EQ(b->TryTake(CellRswl(7), 10s).value(), LeaseTake::kTaken);
  // Done: marked by the holder, seen by everyone, kept done_ttl; the lease is gone.
  ASSERT_TRUE(b->MarkDone(CellRswl(7)));
  EXPECT_FALSE(redis_->Command({"GET", LeaseKeyOf(7)}).has_value());
  EXPECT_EQ(a->TryTake(CellRswl(7), 10s).value(), LeaseTake::kDone);
  auto done_ttl = std::stoll(redis_->Command({"PTTL", LeaseKeyOf(7) + ":done"}).value_or("0"));
  EXPECT_GT(done_ttl, 3000);
  EXPECT_LE(done_ttl, 5000);
  // Another job's namespace is not affected.
  EXPECT_EQ(Store("a", "t:lease:other")->TryTake(CellRswl(7), 10s).value(), LeaseTake::kTaken);
}

TEST_F(RedisSubWindowLeaseTest, AnExpiredLeaseIsTakenOverAndTheOldHolderCannotRenewIt) {
  auto a = Store("a");
  auto b = Store("b");
  ASSERT_EQ(a->TryTake(CellRswl(1), 300ms).value(), LeaseTake::kTaken);
  EXPECT_EQ(b->TryTake(CellRswl(1), 300ms).value(), LeaseTake::kHeldByOther);
  std::this_thread::sleep_for(450ms);
  EXPECT_EQ(b->TryTake(CellRswl(1), 10s).value(), LeaseTake::kTaken);
  EXPECT_FALSE(a->Renew(CellRswl(1), 10s).value()) << "a's lease expired and is b's now";
  ASSERT_TRUE(a->MarkDone(CellRswl(1)));
  EXPECT_EQ(redis_->Command({"GET", LeaseKeyOf(1)}).value_or(""), "b") << "a's done mark left b's lease alone";
}

TEST_F(RedisSubWindowLeaseTest, TheLeaserTakesOverFromAHolderThatStoppedRenewing) {
  // A "killed" instance: its lease exists and is never renewed.
  ASSERT_EQ(Store("killed")->TryTake(CellRswl(2), 1s).value(), LeaseTake::kTaken);
  ccrec::exporter::SubWindowLeaserOptions o;
  o.store = Store("b");
  o.ttl = 1s;
  auto leaser = std::make_unique<ccrec::exporter::SubWindowLeaser>(o);
  ccrec::CancellationToken stop;
  ASSERT_TRUE(leaser->Claim(CellRswl(1), stop).value());
  EXPECT_FALSE(leaser->Claim(CellRswl(2), stop).value());
  leaser->Listed(CellRswl(1), true);
  auto t0 = std::chrono::steady_clock::now();
  auto next = leaser->NextTakeover(stop);
  ASSERT_TRUE(next) << next.error().message;
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->index, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  // Held across several ttls by the background renewal while its item is worked.
  auto item = leaser->TrackItem(CellRswl(2));
  leaser->Listed(CellRswl(2), true);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(redis_->Command({"GET", LeaseKeyOf(2)}).value_or(""), "b");
  item();
  EXPECT_EQ(redis_->Command({"GET", LeaseKeyOf(2) + ":done"}).value_or(""), "b");
  EXPECT_EQ(leaser->Stats().lost, 0u);
  EXPECT_EQ(leaser->Stats().done, 2u);
}

TEST_F(RedisSubWindowLeaseTest, KeysAreNamespacedByAHashOfTheJob) {
  auto k = ccrec::redis::RedisSubWindowLeaseKey("ccrec", "webex\ndest=s3://b/p\n");
  EXPECT_EQ(k.rfind("ccrec:lease:", 0), 0u) << k;
  EXPECT_EQ(k.size(), std::string("ccrec:lease:").size() + 16);
  EXPECT_EQ(k, ccrec::redis::RedisSubWindowLeaseKey("ccrec", "webex\ndest=s3://b/p\n"));
  EXPECT_NE(k, ccrec::redis::RedisSubWindowLeaseKey("ccrec", "webex\ndest=s3://b/q\n"));
  EXPECT_EQ(k.find("s3://"), std::string::npos);
}

TEST_F(RedisSubWindowLeaseTest, AnUnreachableServerIsUnavailable) {
  ccrec::redis::RedisSubWindowLeaseOptions o;
  o.server.port = redis_->Port();
  redis_.reset();  // stopped
  o.server.connect_timeout = 500ms;
  auto r = ccrec::redis::MakeRedisSubWindowLease(o)->TryTake(CellRswl(1), 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ccrec::ErrorCode::kUnavailable);
}

}  // namespace
