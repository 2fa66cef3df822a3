// SPDX-License-Identifier: Apache-2.0
#include <ccrec/testing/manual_clock.hpp>

namespace ccrec::testing {

namespace {
constexpr std::int64_t kDefaultStartMs = 1793491200000;  // 2026-11-01T00:00:00Z
std::int64_t ToMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

ManualClock::ManualClock() : now_ms_(kDefaultStartMs) {}
ManualClock::ManualClock(std::chrono::system_clock::time_point start) : now_ms_(ToMs(start)) {}

std::chrono::system_clock::time_point ManualClock::Now() const {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(now_ms_.load())));
}

void ManualClock::Set(std::chrono::system_clock::time_point now) { now_ms_.store(ToMs(now)); }
void ManualClock::Advance(std::chrono::milliseconds by) { now_ms_.fetch_add(by.count()); }

bool ManualSleeper::SleepFor(std::chrono::milliseconds duration, CancellationToken const& cancel) {
  if (cancel.IsCancelled()) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(duration);
  }
  if (clock_) clock_->Advance(duration);
  return !cancel.IsCancelled();
}

std::vector<std::chrono::milliseconds> ManualSleeper::Sleeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

std::chrono::milliseconds ManualSleeper::Total() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::chrono::milliseconds total{0};
  for (auto d : sleeps_) total += d;
  return total;
}

}  // namespace ccrec::testing
