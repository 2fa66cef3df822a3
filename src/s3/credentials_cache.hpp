// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: caches temporary credentials and refreshes them ahead of expiry, one refresh at a
// time. Shared by every provider whose credentials expire. Not installed.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/s3/credentials.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace s3 {
namespace detail {

/// Holds the last credentials; Get() returns them until `refresh_before_expiry` before their
/// Expiration (for ever without one), then calls `refresh` under the lock (single-flight:
/// concurrent callers wait for that one refresh). A failed refresh returns the cached
/// credentials while they are still valid, with a warning.
/// @par Thread safety
/// Thread-safe.
class CredentialsCache {
 public:
  CredentialsCache(std::shared_ptr<Clock> clock, std::chrono::seconds refresh_before_expiry, Logger logger)
      : clock_(clock ? std::move(clock) : MakeSystemClock()),
        refresh_before_expiry_(refresh_before_expiry),
        logger_(std::move(logger)) {}

  template <class Refresh>
  Result<AwsCredentials> Get(Refresh&& refresh, std::string const& describe) {
    using SysTime = std::chrono::system_clock::time_point;
    std::lock_guard<std::mutex> lock(mu_);
    auto const now = clock_->Now();
    if (cached_ && now < next_refresh_) return *cached_;
    Result<AwsCredentials> fresh = refresh();
    if (fresh) {
      cached_ = *fresh;
      next_refresh_ = SysTime::max();
      if (fresh->expiration) {
        auto const exp = *fresh->expiration;
        next_refresh_ = exp - refresh_before_expiry_;
        if (next_refresh_ <= now) {
          // Already inside the refresh window: use them for half their remaining life (at most 1 min).
          auto half = (exp - now) / 2;
          next_refresh_ = now + std::min<SysTime::duration>(half, std::chrono::minutes(1));
        }
      }
      return fresh;
    }
    if (cached_ && cached_->expiration && now < *cached_->expiration) {
      logger_.Warn(describe + ": refreshing credentials failed (" + fresh.error().ToString() +
                   "); using the cached ones until they expire");
      return *cached_;
    }
    return fresh;
  }

  Clock& clock() const { return *clock_; }

 private:
  std::shared_ptr<Clock> clock_;
  std::chrono::seconds refresh_before_expiry_;
  Logger logger_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
  std::chrono::system_clock::time_point next_refresh_{};
};

}  // namespace detail
}  // namespace s3
}  // namespace v1
}  // namespace ccrec
