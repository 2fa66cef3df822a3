// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/clock.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace ccrec {
inline namespace v1 {

struct CancellationToken::State {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> cancelled{false};
};

CancellationToken::CancellationToken() : state_(std::make_shared<State>()) {}

void CancellationToken::Cancel() const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->cancelled.store(true);
  }
  state_->cv.notify_all();
}

bool CancellationToken::IsCancelled() const noexcept { return state_->cancelled.load(); }

bool CancellationToken::WaitUntil(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_until(lock, deadline, [&] { return state_->cancelled.load(); });
  return !state_->cancelled.load();
}

namespace {

class SystemClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
};

class RealSleeper : public Sleeper {
 public:
  bool SleepFor(std::chrono::milliseconds duration, CancellationToken const& cancel) override {
    return cancel.WaitUntil(std::chrono::steady_clock::now() + duration);
  }
};

}  // namespace

std::shared_ptr<Clock> MakeSystemClock() { return std::make_shared<SystemClock>(); }
std::shared_ptr<Sleeper> MakeRealSleeper() { return std::make_shared<RealSleeper>(); }

}  // namespace v1
}  // namespace ccrec
