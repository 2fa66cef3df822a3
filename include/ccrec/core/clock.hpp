// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Time and cancellation: the injectable `Clock` and `Sleeper`, and `CancellationToken`.
/// Tests replace them with `ccrec::testing::ManualClock` / `ManualSleeper` so that no test sleeps.

#include <ccrec/core/export.hpp>
#include <chrono>
#include <memory>

namespace ccrec {
inline namespace v1 {

/// A cooperative cancellation flag shared by copies. Cancelling wakes every `Sleeper` waiting on it.
///
/// A default-constructed token is a live token that nobody else holds; copy it to share.
///
/// @par Thread safety
/// All members are thread-safe.
class CCREC_EXPORT CancellationToken {
 public:
  CancellationToken();
  /// Copies share the cancellation state. There are deliberately no move operations: moving
  /// copies, so a moved-from token (e.g. in a moved-from CallContext) stays a valid token.
  CancellationToken(CancellationToken const&) = default;
  CancellationToken& operator=(CancellationToken const&) = default;
  /// Requests cancellation; idempotent. Wakes sleepers waiting on this token.
  void Cancel() const;
  /// True once Cancel() was called on any copy.
  bool IsCancelled() const noexcept;

  /// Waits until `deadline` or until cancelled, whichever comes first (real time).
  /// @return false when cancelled.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Source of wall-clock time (token expiry, deadlines, presigned-URL expiry).
///
/// @par Thread safety
/// Implementations must be thread-safe.
class CCREC_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

/// Waits between retries. The default waits on the cancellation token, so a cancelled call
/// wakes at once (unlike SDKs with uncancellable sleeps).
///
/// @par Thread safety
/// Implementations must be thread-safe.
class CCREC_EXPORT Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Sleeps for `duration` unless `cancel` fires first.
  /// @return false if cancelled (the caller should stop with ErrorCode::kCancelled).
  virtual bool SleepFor(std::chrono::milliseconds duration, CancellationToken const& cancel) = 0;
};

/// The process's real clock (std::chrono::system_clock).
CCREC_EXPORT std::shared_ptr<Clock> MakeSystemClock();
/// A sleeper that really waits, waking early on cancellation.
CCREC_EXPORT std::shared_ptr<Sleeper> MakeRealSleeper();

}  // namespace v1
}  // namespace ccrec
