// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `ManualClock` and `ManualSleeper`: time that only moves when a test moves it.

#include <ccrec/core/export.hpp>
#include <ccrec/core/clock.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace ccrec::testing {

/// A clock set by the test. Starts at 2026-11-01T00:00:00Z unless told otherwise.
///
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT ManualClock : public Clock {
 public:
  ManualClock();
  explicit ManualClock(std::chrono::system_clock::time_point start);
  std::chrono::system_clock::time_point Now() const override;
  void Set(std::chrono::system_clock::time_point now);
  void Advance(std::chrono::milliseconds by);

 private:
  std::atomic<std::int64_t> now_ms_;
};

/// A sleeper that never blocks: it records each requested duration and, when built with a
/// ManualClock, advances it by that much. Returns false at once if the token is cancelled.
///
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT ManualSleeper : public Sleeper {
 public:
  ManualSleeper() = default;
  explicit ManualSleeper(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  bool SleepFor(std::chrono::milliseconds duration, CancellationToken const& cancel) override;
  std::vector<std::chrono::milliseconds> Sleeps() const;
  std::chrono::milliseconds Total() const;

 private:
  std::shared_ptr<ManualClock> clock_;
  mutable std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace ccrec::testing
