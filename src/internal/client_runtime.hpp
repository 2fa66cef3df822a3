// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: what every vendor client's Impl holds to send and retry requests. Not installed.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/retry.hpp>

#include "internal/retry_loop.hpp"

#include <memory>
#include <utility>

namespace ccrec::detail {

/// The transport, clock, sleeper, backoff and logger of one client, with the defaults its options
/// document filled in: a null clock becomes MakeSystemClock(), a null sleeper MakeRealSleeper().
/// The transport must be given (internal may not include transport/, so the caller resolves its
/// default: `ClientRuntime(options, [] { return MakeCurlTransport(); })`). A client's Impl derives from it
/// (so the members read as its own) and passes Env() to RunWithRetries.
///
/// @par Thread safety
/// Immutable after construction except for what its members guard themselves (Backoff's PRNG,
/// the transport), like the clients that hold it.
struct ClientRuntime {
  ClientRuntime(std::shared_ptr<HttpTransport> transport_in, std::shared_ptr<Clock> clock_in,
                std::shared_ptr<Sleeper> sleeper_in, RetryPolicy const& retry, Logger logger_in)
      : transport(std::move(transport_in)),
        clock(clock_in ? std::move(clock_in) : MakeSystemClock()),
        sleeper(sleeper_in ? std::move(sleeper_in) : MakeRealSleeper()),
        backoff(retry),
        logger(std::move(logger_in)) {}
  /// The same from a client's options (the HttpClientOptions every client's options derive from),
  /// a null transport replaced by `make_default_transport()` (the caller's MakeCurlTransport()).
  template <class MakeTransport>
  ClientRuntime(HttpClientOptions const& o, MakeTransport make_default_transport)
      : ClientRuntime(o.transport ? o.transport : make_default_transport(), o.clock, o.sleeper, o.retry, o.logger) {}

  /// What RunWithRetries needs, pointing into this object (valid while it lives).
  RetryEnv Env() const { return RetryEnv{&backoff, clock.get(), sleeper.get(), &logger}; }

  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Sleeper> sleeper;
  Backoff backoff;
  Logger logger;
};

}  // namespace ccrec::detail
