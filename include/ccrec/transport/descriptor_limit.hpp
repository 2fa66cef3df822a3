// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Fitting a planned number of concurrent transfers into the process's open-file limit
/// (RLIMIT_NOFILE), so that a run raises the limit or lowers its concurrency at start instead of
/// failing mid-run with EMFILE ("Too many open files").

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ccrec {
inline namespace v1 {

/// File descriptors one in-flight request of the libcurl transport (MakeCurlTransport) holds in
/// steady state: its connection socket plus both ends of the wakeup socketpair of the request's
/// own libcurl multi handle (libcurl creates that pair in curl_multi_init for curl_multi_poll /
/// curl_multi_wakeup; no option turns it off). Measured with libcurl 7.88 on Linux by
/// tests/integration/transport/curl_descriptors_test.cpp; newer libcurl on Linux may use one
/// eventfd instead of the pair, so this is an upper bound there.
inline constexpr std::size_t kCurlDescriptorsPerTransfer = 3;
/// File descriptors one idle pooled connection (CurlOptions::max_idle_connections) holds: the
/// same three, since the connection stays cached in its multi handle.
inline constexpr std::size_t kCurlDescriptorsPerIdleConnection = 3;
/// Extra descriptors budgeted per transfer for what a transfer holds only briefly while it
/// resolves and connects (the threaded resolver's socketpair, a second Happy Eyeballs socket).
inline constexpr std::size_t kCurlTransferHeadroom = 1;

/// What a program plans to run at once, in units of "workers" (e.g. the exporter's
/// --concurrency), each with the same shape.
struct DescriptorPlan {
  /// Workers planned. Default 1.
  std::size_t workers = 1;
  /// HTTP transfers one worker has in flight at once, e.g. one download plus the S3 sink's
  /// max_in_flight_parts uploads. Default 1.
  std::size_t transfers_per_worker = 1;
  /// Other files one worker holds open (e.g. a filesystem sink's temporary file). Default 0.
  std::size_t files_per_worker = 0;
  /// Idle connections the transport may keep (CurlOptions::max_idle_connections). Default 64.
  std::size_t idle_connections = 64;
  /// Descriptors for everything else: standard streams, log and manifest files, listing
  /// requests, libraries. Default 64.
  std::size_t reserved = 64;
};

/// Descriptors `plan` needs with `workers` workers (plan.workers is ignored):
/// `reserved + idle_connections × kCurlDescriptorsPerIdleConnection + workers ×
/// (transfers_per_worker × (kCurlDescriptorsPerTransfer + kCurlTransferHeadroom) + files_per_worker)`.
/// Saturates at UINT64_MAX instead of overflowing.
/// @par Thread safety
/// Pure function.
CCREC_EXPORT std::uint64_t DescriptorsNeeded(DescriptorPlan const& plan, std::size_t workers);

/// The outcome of fitting a DescriptorPlan into an open-file limit.
struct DescriptorLimitDecision {
  /// Descriptors needed for plan.workers (DescriptorsNeeded).
  std::uint64_t needed = 0;
  /// The soft and hard limits found (UINT64_MAX = unlimited).
  std::uint64_t soft_limit = 0;
  std::uint64_t hard_limit = 0;
  /// The soft limit to run with: soft_limit when it already suffices, else raised towards
  /// `needed` but never above hard_limit.
  std::uint64_t new_soft_limit = 0;
  /// plan.workers when they fit in new_soft_limit, else the largest number that fits (at least 1).
  std::size_t workers = 0;
  /// Empty when nothing changed; otherwise one sentence for the log: the raise, or the lowered
  /// concurrency with the numbers and what to do (raise the hard limit: `ulimit -Hn`, systemd
  /// LimitNOFILE=, docker --ulimit nofile=).
  std::string message;
  /// True when new_soft_limit > soft_limit.
  bool raised = false;
  /// True when workers < plan.workers (the message is then a warning).
  bool lowered = false;
};

/// Decides, without touching the process, how `plan` fits limits `soft` and `hard`
/// (UINT64_MAX = unlimited). A plan with workers == 0 is treated as 1.
/// @par Thread safety
/// Pure function.
CCREC_EXPORT DescriptorLimitDecision DecideDescriptorLimit(DescriptorPlan const& plan, std::uint64_t soft,
                                                           std::uint64_t hard);

/// Reads RLIMIT_NOFILE, decides with DecideDescriptorLimit(), and raises the soft limit
/// (setrlimit) when the decision says so. Call once at program start, before transfers begin,
/// and run with the returned `workers`. When setrlimit refuses the raise (e.g. above
/// /proc/sys/fs/nr_open), decides again as if the hard limit were the current soft limit and
/// says so in the message.
/// @return the decision; kInternal when getrlimit fails (nothing changed then).
/// @par Thread safety
/// Changes a process-wide limit: call from one thread, before others open descriptors.
CCREC_EXPORT Result<DescriptorLimitDecision> FitDescriptorLimit(DescriptorPlan const& plan);

}  // namespace v1
}  // namespace ccrec
