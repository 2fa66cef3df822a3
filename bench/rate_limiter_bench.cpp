// SPDX-License-Identifier: Apache-2.0
// Acquire() cost of the two RateLimiters (token bucket with burst 1, sliding window), both set to
// Webex's 300 requests per 60 s, uncontended and with 8 threads. Time is simulated: the clock
// only moves when a caller "sleeps" (the sleeper advances it at once), so the figures are the
// limiter's own bookkeeping and locking, not waiting. At 300/60 s the token bucket sleeps on
// every call (200 ms apart); the sliding window admits 300 and then sleeps once per 300.
#include <ccrec/core/rate_limiter.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace {

using std::chrono::system_clock;

class SimClock : public ccrec::Clock {
 public:
  system_clock::time_point Now() const override {
    return system_clock::time_point(system_clock::duration(now_.load(std::memory_order_relaxed)));
  }
  void Advance(std::chrono::milliseconds d) {
    now_.fetch_add(std::chrono::duration_cast<system_clock::duration>(d).count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<system_clock::rep> now_{
      std::chrono::duration_cast<system_clock::duration>(std::chrono::hours(24 * 365 * 56)).count()};
};

// Like ccrec::testing::ManualSleeper with a clock, without recording every sleep (which would
// grow a vector by one entry per call and measure that instead).
class SimSleeper : public ccrec::Sleeper {
 public:
  explicit SimSleeper(std::shared_ptr<SimClock> clock) : clock_(std::move(clock)) {}
  bool SleepFor(std::chrono::milliseconds d, ccrec::CancellationToken const& cancel) override {
    if (cancel.IsCancelled()) return false;
    clock_->Advance(d);
    return true;
  }

 private:
  std::shared_ptr<SimClock> clock_;
};

enum class Kind { kTokenBucket, kSlidingWindow };

std::shared_ptr<ccrec::RateLimiter> MakeLimiter(Kind kind) {
  auto clock = std::make_shared<SimClock>();
  auto sleeper = std::make_shared<SimSleeper>(clock);
  if (kind == Kind::kTokenBucket) {
    ccrec::TokenBucketOptions o;  // 300 per minute, burst 1
    o.clock = clock;
    o.sleeper = sleeper;
    return ccrec::MakeTokenBucketRateLimiter(o);
  }
  ccrec::SlidingWindowOptions o;  // 300 in any 60 s
  o.clock = clock;
  o.sleeper = sleeper;
  return ccrec::MakeSlidingWindowRateLimiter(o);
}

// Shared by the threads of one run: thread 0 builds it before the timed loop (the threads start
// the loop together) and drops it after (they end it together).
std::shared_ptr<ccrec::RateLimiter> g_limiter;

template <Kind kKind>
void BM_Acquire(benchmark::State& state) {
  if (state.thread_index() == 0) g_limiter = MakeLimiter(kKind);
  ccrec::CallContext const ctx;
  for (auto _ : state) {
    auto r = g_limiter->Acquire(ctx);
    if (!r) state.SkipWithError("Acquire failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) g_limiter.reset();
}

void BM_TokenBucketAcquire(benchmark::State& state) { BM_Acquire<Kind::kTokenBucket>(state); }
void BM_SlidingWindowAcquire(benchmark::State& state) { BM_Acquire<Kind::kSlidingWindow>(state); }
BENCHMARK(BM_TokenBucketAcquire)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_SlidingWindowAcquire)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
