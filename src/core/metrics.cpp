// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/metrics.hpp>

#include <utility>

namespace ccrec {
inline namespace v1 {

std::uint64_t RequestMetrics::Snapshot::TooManyRequests() const {
  auto it = responses.find(429);
  return it == responses.end() ? 0 : it->second;
}

std::uint64_t RequestMetrics::Snapshot::Requests() const {
  std::uint64_t total = transport_errors;
  for (auto const& [status, count] : responses) total += count;
  return total;
}

void RequestMetrics::RecordResponse(int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.responses[status];
}

void RequestMetrics::RecordTransportError() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.transport_errors;
}

void RequestMetrics::RecordLimiterWait(std::chrono::nanoseconds waited) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.limiter_acquires;
  if (waited > std::chrono::nanoseconds::zero()) counters_.limiter_wait += waited;
}

RequestMetrics::Snapshot RequestMetrics::Read() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

namespace {

class MeteredTransport : public HttpTransport {
 public:
  MeteredTransport(std::shared_ptr<HttpTransport> inner, std::shared_ptr<RequestMetrics> metrics)
      : inner_(std::move(inner)), metrics_(std::move(metrics)) {}

  Result<HttpResponse> Send(HttpRequest const& request, CallContext const& ctx) override {
    auto response = inner_->Send(request, ctx);
    if (response) {
      metrics_->RecordResponse(response->status);
    } else {
      metrics_->RecordTransportError();
    }
    return response;
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::shared_ptr<RequestMetrics> metrics_;
};

class MeteredRateLimiter : public RateLimiter {
 public:
  MeteredRateLimiter(std::shared_ptr<RateLimiter> inner, std::shared_ptr<RequestMetrics> metrics,
                     std::shared_ptr<Clock> clock)
      : inner_(std::move(inner)), metrics_(std::move(metrics)), clock_(clock ? std::move(clock) : MakeSystemClock()) {}

  Result<void> Acquire(CallContext const& ctx) override {
    auto start = clock_->Now();
    auto admitted = inner_->Acquire(ctx);
    metrics_->RecordLimiterWait(clock_->Now() - start);
    return admitted;
  }

  void PauseUntil(std::chrono::system_clock::time_point until) override { inner_->PauseUntil(until); }

 private:
  std::shared_ptr<RateLimiter> inner_;
  std::shared_ptr<RequestMetrics> metrics_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace

std::shared_ptr<HttpTransport> MakeMeteredTransport(std::shared_ptr<HttpTransport> inner,
                                                    std::shared_ptr<RequestMetrics> metrics) {
  return std::make_shared<MeteredTransport>(std::move(inner), std::move(metrics));
}

std::shared_ptr<RateLimiter> MakeMeteredRateLimiter(std::shared_ptr<RateLimiter> inner,
                                                    std::shared_ptr<RequestMetrics> metrics,
                                                    std::shared_ptr<Clock> clock) {
  return std::make_shared<MeteredRateLimiter>(std::move(inner), std::move(metrics), std::move(clock));
}

}  // namespace v1
}  // namespace ccrec
