// SPDX-License-Identifier: Apache-2.0
// internal/single_flight.hpp: one producer at a time, waiters share its result or error.

#include "internal/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::SingleFlight;
using Lock = std::unique_lock<std::mutex>;

/// A flight whose producer blocks until Release(), run on its own thread.
struct BlockedFlight {
  std::mutex mu;
  SingleFlight<int> flight{std::chrono::milliseconds(1)};
  std::promise<void> release;
  std::atomic<int> produced{0};
  std::thread leader;
  Result<int> leader_result = MakeError(ErrorCode::kInternal, "not run");

  void Start(Result<int> outcome, bool publish = true) {
    std::shared_future<void> go = release.get_future().share();
    leader = std::thread([this, go, outcome, publish] {
      Lock lock(mu);
      leader_result = flight.Run(
          lock,
          [&] {
            ++produced;
            go.wait();
            return outcome;
          },
          [&](Result<int> const&) { return publish; });
    });
    WaitUntil([&] { return flight.Running(); });
  }
  void WaitUntil(std::function<bool()> const& done) {
    for (;;) {
      {
        Lock lock(mu);
        if (done()) return;
      }
      std::this_thread::yield();
    }
  }
  SingleFlight<int>::Awaited Wait(std::function<std::optional<Error>()> interrupt = [] { return std::nullopt; }) {
    Lock lock(mu);
    return flight.Wait(lock, interrupt);
  }
  void Finish() {
    release.set_value();
    leader.join();
  }
};

TEST(SingleFlight, ALoneCallerRunsTheProducerAndPublishes) {
  std::mutex mu;
  SingleFlight<int> flight;
  Lock lock(mu);
  EXPECT_FALSE(flight.Running());
  int settled = 0;
  auto r = flight.Run(
      lock,
      [&] {
        EXPECT_FALSE(lock.owns_lock()) << "the producer runs without the caller's lock";
        return Result<int>(7);
      },
      [&](Result<int> const& result) {
        EXPECT_TRUE(lock.owns_lock()) << "settle runs under the caller's lock";
        settled = *result;
        return true;
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(settled, 7);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_FALSE(flight.Running());
  EXPECT_EQ(flight.Generation(), 1u);
  auto awaited = flight.Wait(lock, [] { return std::optional<Error>(); });
  EXPECT_FALSE(awaited.interrupted);
  EXPECT_FALSE(awaited.result) << "no flight was running: nothing to share";
}

TEST(SingleFlight, WaitersShareTheResultOfOneProducer) {
  BlockedFlight f;
  f.Start(Result<int>(42));
  constexpr int kWaiters = 4;
  std::vector<std::thread> waiters;
  std::vector<SingleFlight<int>::Awaited> got(kWaiters);
  for (int i = 0; i < kWaiters; ++i) waiters.emplace_back([&, i] { got[i] = f.Wait(); });
  f.WaitUntil([&] { return f.flight.Waiters() == kWaiters; });
  f.Finish();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(f.produced.load(), 1);
  ASSERT_TRUE(f.leader_result);
  EXPECT_EQ(*f.leader_result, 42);
  for (auto const& a : got) {
    EXPECT_FALSE(a.interrupted);
    ASSERT_TRUE(a.result);
    ASSERT_TRUE(*a.result);
    EXPECT_EQ(**a.result, 42);
  }
  Lock lock(f.mu);
  EXPECT_EQ(f.flight.Generation(), 1u);
  EXPECT_EQ(f.flight.Waiters(), 0u);
}

TEST(SingleFlight, WaitersShareTheError) {
  BlockedFlight f;
  f.Start(MakeError(ErrorCode::kUnauthenticated, "rejected"));
  SingleFlight<int>::Awaited got;
  std::thread waiter([&] { got = f.Wait(); });
  f.WaitUntil([&] { return f.flight.Waiters() == 1; });
  f.Finish();
  waiter.join();
  ASSERT_TRUE(got.result);
  ASSERT_FALSE(*got.result);
  EXPECT_EQ(got.result->error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(got.result->error().message, "rejected");
}

TEST(SingleFlight, AnInterruptedWaiterLeavesTheFlightRunning) {
  BlockedFlight f;
  f.Start(Result<int>(1));
  std::atomic<bool> cancel{false};
  SingleFlight<int>::Awaited got;
  std::thread waiter([&] {
    got = f.Wait([&]() -> std::optional<Error> {
      if (cancel) return MakeError(ErrorCode::kCancelled, "cancelled");
      return std::nullopt;
    });
  });
  f.WaitUntil([&] { return f.flight.Waiters() == 1; });
  cancel = true;
  waiter.join();  // wakes within the poll interval
  ASSERT_TRUE(got.interrupted);
  EXPECT_EQ(got.interrupted->code, ErrorCode::kCancelled);
  EXPECT_FALSE(got.result);
  {
    Lock lock(f.mu);
    EXPECT_TRUE(f.flight.Running());
    EXPECT_EQ(f.flight.Waiters(), 0u);
  }
  f.Finish();
  EXPECT_EQ(f.produced.load(), 1);
}

TEST(SingleFlight, AFlightThatDoesNotPublishLeavesWaitersEmptyHanded) {
  BlockedFlight f;
  f.Start(Result<int>(5), /*publish=*/false);
  SingleFlight<int>::Awaited got;
  std::thread waiter([&] { got = f.Wait(); });
  f.WaitUntil([&] { return f.flight.Waiters() == 1; });
  f.Finish();
  waiter.join();
  EXPECT_FALSE(got.interrupted);
  EXPECT_FALSE(got.result) << "the waiter looks at the caller's state again instead";
  ASSERT_TRUE(f.leader_result);
  EXPECT_EQ(*f.leader_result, 5) << "the leader still gets its own result";
  Lock lock(f.mu);
  EXPECT_EQ(f.flight.Generation(), 0u);
}

TEST(SingleFlight, AThrowingProducerEndsTheFlight) {
  std::mutex mu;
  SingleFlight<int> flight;
  Lock lock(mu);
  EXPECT_THROW(flight.Run(
                   lock, []() -> Result<int> { throw std::runtime_error("boom"); },
                   [](Result<int> const&) { return true; }),
               std::runtime_error);
  EXPECT_TRUE(lock.owns_lock());
  EXPECT_FALSE(flight.Running()) << "waiters are not left waiting for a flight that is gone";
  EXPECT_EQ(flight.Generation(), 0u);
}

}  // namespace
}  // namespace ccrec
