// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the one retry loop every client uses (STYLE.md §6). Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ccrec::detail {

/// What a client needs to retry: backoff (policy + PRNG), clock and sleeper.
struct RetryEnv {
  Backoff const* backoff = nullptr;  // required
  Clock const* clock = nullptr;      // required
  Sleeper* sleeper = nullptr;        // required
  Logger const* logger = nullptr;    // optional
};

/// kCancelled / kDeadlineExceeded for `ctx` at `now`, if applicable.
std::optional<Error> CheckContext(CallContext const& ctx, std::chrono::system_clock::time_point now);

/// When `error` carries a Retry-After longer than policy.max_retry_after (the reason the retry
/// loop stops without waiting): the same error (same code: kRateLimited for a 429) with the
/// reason appended to its message. Otherwise nothing.
std::optional<Error> RetryAfterBeyondPolicy(Error const& error, RetryPolicy const& policy);

/// The pause a shared RateLimiter should record for `error`: its Retry-After, cut to
/// policy.max_retry_after (a longer request is not waited for, and must not stall other callers
/// for longer either). Nothing when the error has no Retry-After.
std::optional<std::chrono::milliseconds> SharedPauseFor(Error const& error, RetryPolicy const& policy);

/// Calls `attempt(n)` (n = 1, 2, ...) until it succeeds, fails with a non-retryable error, the
/// request is not idempotent, or the policy (ctx.retry overrides env.backoff's) says stop.
/// Sleeps through env.sleeper, waking on cancellation; never sleeps past ctx.deadline. A
/// Retry-After above the policy's max_retry_after stops at once (a 429 fails with kRateLimited),
/// the message saying how long the server asked to wait.
/// `what` names the operation in log lines ("Webex GET /v1/tasks").
template <typename F>
auto RunWithRetries(RetryEnv const& env, CallContext const& ctx, bool idempotent, std::string_view what,
                    F&& attempt) -> decltype(attempt(1)) {
  using R = decltype(attempt(1));
  auto const start = env.clock->Now();
  std::optional<Backoff> override_backoff;
  if (ctx.retry) override_backoff.emplace(*ctx.retry);
  Backoff const& backoff = override_backoff ? *override_backoff : *env.backoff;
  for (int n = 1;; ++n) {
    if (auto e = CheckContext(ctx, env.clock->Now())) return R(std::move(*e));
    R result = attempt(n);
    if (result.has_value() || !idempotent) return result;
    auto const now = env.clock->Now();
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    auto delay = backoff.NextDelay(result.error(), n, elapsed);
    if (!delay) {
      if (auto e = RetryAfterBeyondPolicy(result.error(), backoff.Policy())) return R(std::move(*e));
      return result;
    }
    if (ctx.deadline && now + *delay >= *ctx.deadline) return result;
    if (env.logger && env.logger->Enabled(LogLevel::kInfo)) {
      env.logger->Info(std::string(what) + ": attempt " + std::to_string(n) + " failed (" +
                       result.error().ToString() + "); retrying in " + std::to_string(delay->count()) + " ms");
    }
    if (!env.sleeper->SleepFor(*delay, ctx.cancel)) {
      return R(MakeError(ErrorCode::kCancelled, std::string(what) + ": cancelled while waiting to retry"));
    }
  }
}

}  // namespace ccrec::detail
