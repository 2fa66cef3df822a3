// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The HTTP plumbing every vendor client of ccrec takes: transport, clock, sleeper, retry policy
/// and logger, in one base struct of the clients' option structs.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/retry.hpp>

#include <memory>

namespace ccrec {
inline namespace v1 {

/// The fields every HTTP client of ccrec is built with. It is the public base of
/// webex::ClientOptions, webex::TokenClientOptions (so webex::OAuthClientOptions and
/// webex::ServiceAppOptions), webex_legacy::ClientOptions, face::ClientOptions and
/// huawei::AgentSessionOptions: set its fields as theirs (`options.transport = ...`). What a
/// client sends through the transport, which failures its retry policy retries and what it logs
/// are documented with the derived options. Every field may be left as it is: the client fills in
/// the defaults below when it is built.
///
/// @par Thread safety
/// A plain value type. The objects it points to are shared by the client built from it, and
/// must be thread-safe as their interfaces say.
struct CCREC_EXPORT HttpClientOptions {
  /// HTTP transport. Default (null): MakeCurlTransport() with its defaults (TLS verification on).
  std::shared_ptr<HttpTransport> transport;
  /// Time source (token expiry, Retry-After dates, retry deadlines). Default (null):
  /// MakeSystemClock().
  std::shared_ptr<Clock> clock;
  /// Waits between retries (wakes on cancellation). Default (null): MakeRealSleeper().
  std::shared_ptr<Sleeper> sleeper;
  /// When to stop retrying and the backoff curve. Which failures are retried, and whether
  /// CallContext::retry overrides it per call, the derived options say. Default: RetryPolicy{}.
  RetryPolicy retry;
  /// Log sink. Never receives a password, API key or token; what else each client logs, and
  /// hides, its options say. Default: silent.
  Logger logger;
};

}  // namespace v1
}  // namespace ccrec
