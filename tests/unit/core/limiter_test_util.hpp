// SPDX-License-Identifier: Apache-2.0
#pragma once
// A Sleeper for the rate limiter tests: runs a hook inside the next SleepFor (another worker's
// 429 or a cancellation arriving while a caller waits for its slot), then advances the clock like
// ManualSleeper. A sleep cancelled by the hook returns false without advancing.

#include <ccrec/core/clock.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace ccrec_test {

class HookSleeper : public ccrec::Sleeper {
 public:
  explicit HookSleeper(std::shared_ptr<ccrec::testing::ManualClock> clock) : clock_(std::move(clock)) {}
  bool SleepFor(std::chrono::milliseconds d, ccrec::CancellationToken const& cancel) override {
    sleeps.push_back(d);
    if (hook) std::exchange(hook, nullptr)();
    if (cancel.IsCancelled()) return false;
    clock_->Advance(d);
    return true;
  }
  std::function<void()> hook;  // runs once, at the next sleep
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  std::shared_ptr<ccrec::testing::ManualClock> clock_;
};

}  // namespace ccrec_test
