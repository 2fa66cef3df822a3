// SPDX-License-Identifier: Apache-2.0
// Fitting planned transfers into RLIMIT_NOFILE (include/ccrec/transport/descriptor_limit.hpp).

#include <ccrec/transport/descriptor_limit.hpp>

#include <ccrec/core/error.hpp>

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace {

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

std::uint64_t SatMul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kUnlimited / a) return kUnlimited;
  return a * b;
}

std::uint64_t SatAdd(std::uint64_t a, std::uint64_t b) { return b > kUnlimited - a ? kUnlimited : a + b; }

std::string LimitText(std::uint64_t limit) { return limit == kUnlimited ? "unlimited" : std::to_string(limit); }

std::uint64_t FromRlim(rlim_t value) {
  return value == RLIM_INFINITY ? kUnlimited : static_cast<std::uint64_t>(value);
}

rlim_t ToRlim(std::uint64_t value) {
  return value == kUnlimited ? RLIM_INFINITY : static_cast<rlim_t>(value);
}

}  // namespace

std::uint64_t DescriptorsNeeded(DescriptorPlan const& plan, std::size_t workers) {
  std::uint64_t const per_worker =
      SatAdd(SatMul(plan.transfers_per_worker, kCurlDescriptorsPerTransfer + kCurlTransferHeadroom),
             plan.files_per_worker);
  std::uint64_t needed = plan.reserved;
  needed = SatAdd(needed, SatMul(plan.idle_connections, kCurlDescriptorsPerIdleConnection));
  return SatAdd(needed, SatMul(workers, per_worker));
}

DescriptorLimitDecision DecideDescriptorLimit(DescriptorPlan const& plan, std::uint64_t soft, std::uint64_t hard) {
  std::size_t const planned = plan.workers == 0 ? 1 : plan.workers;
  DescriptorLimitDecision d;
  d.soft_limit = soft;
  d.hard_limit = hard;
  d.needed = DescriptorsNeeded(plan, planned);
  d.new_soft_limit = soft;
  d.workers = planned;
  if (d.needed <= soft) return d;

  // Raise the soft limit as far as needed, never past the hard limit (an unprivileged process
  // may raise its soft limit up to the hard one).
  std::uint64_t const target = d.needed <= hard ? d.needed : hard;
  if (target > soft) {
    d.new_soft_limit = target;
    d.raised = true;
  }
  std::string const shape = std::to_string(plan.transfers_per_worker) + " transfer(s) per worker at up to " +
                            std::to_string(kCurlDescriptorsPerTransfer + kCurlTransferHeadroom) +
                            " descriptors each";
  if (d.needed <= d.new_soft_limit) {
    d.message = "raised the open-file soft limit (RLIMIT_NOFILE) from " + LimitText(soft) + " to " +
                LimitText(d.new_soft_limit) + ": " + std::to_string(planned) + " worker(s) need about " +
                std::to_string(d.needed) + " descriptors (" + shape + ")";
    return d;
  }

  // Even the hard limit is too low: the largest worker count that fits.
  std::uint64_t const fixed = DescriptorsNeeded(plan, 0);
  std::uint64_t const per_worker = DescriptorsNeeded(plan, 1) - fixed;
  std::uint64_t fits = 0;
  if (d.new_soft_limit > fixed && per_worker > 0) fits = (d.new_soft_limit - fixed) / per_worker;
  d.workers = static_cast<std::size_t>(fits < 1 ? 1 : (fits < planned ? fits : planned));
  d.lowered = d.workers < planned;
  d.message = "the open-file limit (RLIMIT_NOFILE soft " + LimitText(soft) + ", hard " + LimitText(hard) +
              ") is too low for " + std::to_string(planned) + " worker(s), which need about " +
              std::to_string(d.needed) + " descriptors (" + shape + "); ";
  if (d.raised) d.message += "raised the soft limit to " + LimitText(d.new_soft_limit) + " and ";
  if (fits >= 1) {
    d.message += "lowering the concurrency to " + std::to_string(d.workers);
  } else {
    d.message += "even 1 worker may run out of descriptors (\"Too many open files\")";
  }
  d.message += ". To run as planned, raise the hard limit (ulimit -Hn, systemd LimitNOFILE=, docker --ulimit "
               "nofile=) to at least " + std::to_string(d.needed);
  return d;
}

Result<DescriptorLimitDecision> FitDescriptorLimit(DescriptorPlan const& plan) {
  rlimit current{};
  if (::getrlimit(RLIMIT_NOFILE, &current) != 0) {
    int const err = errno;
    return MakeError(ErrorCode::kInternal, std::string("getrlimit(RLIMIT_NOFILE) failed: ") + std::strerror(err));
  }
  std::uint64_t const soft = FromRlim(current.rlim_cur);
  std::uint64_t const hard = FromRlim(current.rlim_max);
  DescriptorLimitDecision d = DecideDescriptorLimit(plan, soft, hard);
  if (!d.raised) return d;
  rlimit raised = current;
  raised.rlim_cur = ToRlim(d.new_soft_limit);
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return d;
  int const err = errno;
  // The kernel refused (e.g. above fs.nr_open): fit into what we have.
  d = DecideDescriptorLimit(plan, soft, soft);
  d.hard_limit = hard;
  d.message = "could not raise the open-file soft limit to " + std::to_string(raised.rlim_cur) + " (" +
              std::strerror(err) + "); " + d.message;
  return d;
}

}  // namespace v1
}  // namespace ccrec
