// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: single-flight coordination for a value that one thread produces for all (a login
// token, an OAuth refresh). Not installed.

#include <ccrec/core/result.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace ccrec::detail {

/// Lets one caller at a time run a producer (a "flight") while the others wait for it and share
/// its result or error.
///
/// The caller owns the mutex: it guards both the caller's own state (the cached token, sticky
/// errors, ...) and this object, and every member is called with it held through `lock`. The
/// caller decides what is usable and when to produce; SingleFlight only runs one producer at a
/// time, lets waiters sleep on a condition variable, and counts finished flights (generation).
///
/// A typical caller:
/// @code
///   std::unique_lock<std::mutex> lock(mu);
///   for (;;) {
///     if (cached is usable) return cached;
///     if (flight.Running()) {
///       auto awaited = flight.Wait(lock, [&] { return CheckContext(ctx, clock->Now()); });
///       if (awaited.interrupted) return *awaited.interrupted;
///       if (awaited.result && !*awaited.result) return awaited.result->error();
///       continue;  // look at the new state
///     }
///     return flight.Run(lock, [&] { return Produce(); },
///                       [&](Result<T> const& r) { if (r) cached = *r; return true; });
///   }
/// @endcode
///
/// @par Thread safety
/// Thread-safe when every call holds the caller's mutex, as required.
template <typename T>
class SingleFlight {
 public:
  /// How long a waiter sleeps before it checks `interrupt` again (cancellation and deadlines
  /// are observed at least this often; a finished flight wakes waiters at once).
  static constexpr std::chrono::milliseconds kDefaultPoll{20};

  /// What Wait ended with.
  struct Awaited {
    /// Set when `interrupt` returned an error: this waiter gave up (the flight goes on).
    std::optional<Error> interrupted;
    /// The shared result of the latest flight to publish one, when a flight published since the
    /// wait began; nothing when the awaited flight ended without publishing (see Run).
    std::optional<Result<T>> result;
  };

  explicit SingleFlight(std::chrono::milliseconds poll = kDefaultPoll) : poll_(poll) {}
  SingleFlight(SingleFlight const&) = delete;
  SingleFlight& operator=(SingleFlight const&) = delete;

  /// True while a producer runs. Requires the caller's lock.
  bool Running() const noexcept { return running_; }
  /// Flights that published a result so far. Requires the caller's lock.
  std::uint64_t Generation() const noexcept { return generation_; }
  /// Callers blocked in Wait. Requires the caller's lock (for tests and diagnostics).
  std::size_t Waiters() const noexcept { return waiters_; }

  /// Waits, with `lock` held on entry and on return (released while sleeping), until the running
  /// flight ends, calling `interrupt()` (returning std::optional<Error>) after every wake-up; its
  /// error ends the wait early. Returns at once when no flight runs.
  template <typename Interrupt>
  Awaited Wait(std::unique_lock<std::mutex>& lock, Interrupt&& interrupt) {
    Awaited out;
    auto const awaited = generation_;
    ++waiters_;
    while (running_ && generation_ == awaited) {
      cv_.wait_for(lock, poll_);
      if (std::optional<Error> e = interrupt()) {
        out.interrupted = std::move(e);
        break;
      }
    }
    --waiters_;
    if (!out.interrupted && generation_ != awaited && last_) out.result = *last_;
    return out;
  }

  /// Runs `produce()` (returning Result<T>) as the one flight: marks the flight running, releases
  /// `lock` while `produce` runs, takes it again, then calls `settle(result)` under the lock so
  /// the caller can update its state before any waiter looks at it. When `settle` returns true
  /// the result is published (generation advances, waiters get a copy in Awaited::result); when
  /// it returns false the flight ends without a result (waiters just look at the state again).
  /// Either way the waiters are woken. Returns the result. Requires !Running().
  template <typename Produce, typename Settle>
  Result<T> Run(std::unique_lock<std::mutex>& lock, Produce&& produce, Settle&& settle) {
    running_ = true;
    lock.unlock();
    std::optional<Result<T>> result;
    try {
      result.emplace(produce());
    } catch (...) {
      lock.lock();
      running_ = false;
      cv_.notify_all();
      throw;
    }
    lock.lock();
    running_ = false;
    if (settle(static_cast<Result<T> const&>(*result))) {
      ++generation_;
      last_ = *result;
    }
    cv_.notify_all();
    return std::move(*result);
  }

 private:
  std::chrono::milliseconds poll_;
  std::condition_variable cv_;
  bool running_ = false;
  std::uint64_t generation_ = 0;
  std::size_t waiters_ = 0;
  std::optional<Result<T>> last_;
};

}  // namespace ccrec::detail
