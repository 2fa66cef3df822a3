// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the base of every credentials provider whose credentials expire (STS, the container and
// instance-metadata endpoints, credential_process): it caches them and refreshes them ahead of
// expiry, one refresh at a time. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/credentials.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace ccrec::s3::detail {

/// A provider that caches what Refresh() returns (CredentialsRefreshOptions). Get() returns the
/// cached credentials until `refresh_before_expiry` before their Expiration (for ever without
/// one), then calls Refresh() under the lock (single-flight: concurrent callers wait for that one
/// refresh). A failed refresh returns the cached credentials while they are still valid, with a
/// warning naming Describe().
/// @par Thread safety
/// Thread-safe. Refresh() runs under the lock: state that only Refresh() uses needs no other guard.
class RefreshingProvider : public CredentialsProvider {
 public:
  explicit RefreshingProvider(CredentialsRefreshOptions const& options)
      : clock_(options.clock ? options.clock : MakeSystemClock()),
        refresh_before_expiry_(options.refresh_before_expiry),
        logger_(options.logger) {}

  Result<AwsCredentials> Get(CallContext const& ctx) final {
    using SysTime = std::chrono::system_clock::time_point;
    std::lock_guard<std::mutex> lock(mu_);
    auto const now = clock_->Now();
    if (cached_ && now < next_refresh_) return *cached_;
    Result<AwsCredentials> fresh = Refresh(ctx);
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
      logger_.Warn(Describe() + ": refreshing credentials failed (" + fresh.error().ToString() +
                   "); using the cached ones until they expire");
      return *cached_;
    }
    return fresh;
  }

 protected:
  /// Fetches new credentials (called by Get(), under its lock).
  virtual Result<AwsCredentials> Refresh(CallContext const& ctx) = 0;

 private:
  std::shared_ptr<Clock> const clock_;
  std::chrono::seconds const refresh_before_expiry_;
  Logger const logger_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
  std::chrono::system_clock::time_point next_refresh_{};
};

}  // namespace ccrec::s3::detail
