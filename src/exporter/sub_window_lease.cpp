// SPDX-License-Identifier: Apache-2.0
// SubWindowLeaser: the lease life cycle of one instance's sub-windows (sub_window_lease.hpp).

#include <ccrec/exporter/sub_window_lease.hpp>

#include "internal/crypto.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace ccrec::exporter {

namespace {

using std::chrono::milliseconds;

std::string Name(SubWindow const& w) { return "sub-window " + std::to_string(w.index); }

}  // namespace

std::string NewLeaseHolder() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "host");
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" +
         ::ccrec::detail::HexEncode(::ccrec::detail::RandomBytes(4));
}

namespace {
// std::thread's state for a callable is a template instantiated on the callable's type, with
// vague linkage: for a lambda in a member of SubWindowLeaser::Impl it would be exported from the
// library (abi.exported_symbols). Wrapping the callable in a type with internal linkage keeps it
// local to this file.
struct InternalCallable {
  std::function<void()> run;
  void operator()() const { run(); }
};
}  // namespace

struct SubWindowLeaser::Impl {
  /// One held sub-window, until it is finished (done or released). Nested here rather than in the
  /// anonymous namespace: a member of Impl may not have a type with internal linkage.
  struct HeldCell {
    SubWindow window;
    CancellationToken stop;
    std::size_t outstanding = 0;  // items handed over whose on_done has not run
    bool listed = false;          // Listed() was called
    bool complete = false;        // ... with complete = true
    bool lost = false;            // a renewal found the lease gone
    std::size_t unfinished = 0;   // items or tasks that ended failed or pending (Unfinished())
  };

  explicit Impl(SubWindowLeaserOptions o)
      : options(std::move(o)),
        ttl(std::max(options.ttl, milliseconds(100))),
        renew_every(options.renew_interval.count() > 0 ? options.renew_interval : ttl / 3),
        poll_every(options.poll_interval.count() > 0 ? options.poll_interval : ttl / 3),
        clock(options.clock ? options.clock : MakeSystemClock()),
        sleeper(options.sleeper ? options.sleeper : MakeRealSleeper()) {}

  SubWindowLeaserOptions options;
  milliseconds ttl, renew_every, poll_every;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Sleeper> sleeper;
  CancellationToken shutdown;
  std::thread renewer;  // started with the first lease (background_renewal)

  mutable std::mutex mu;
  std::map<std::int64_t, HeldCell> held;  // guarded by mu
  SubWindowLeaseStats stats;              // guarded by mu
  std::vector<SubWindow> waiting;         // enumerating thread only: first-pass cells others held
  std::optional<std::chrono::system_clock::time_point> wait_deadline;  // enumerating thread only

  void Hold(SubWindow const& w, CancellationToken const& stop, bool takeover) {
    {
      std::lock_guard<std::mutex> lock(mu);
      HeldCell cell;
      cell.window = w;
      cell.stop = stop;
      held[w.index] = std::move(cell);
      ++stats.taken;
      if (takeover) ++stats.taken_over;
    }
    if (options.background_renewal && !renewer.joinable()) {
      renewer = std::thread(InternalCallable{[this] { RenewLoop(); }});
    }
  }

  /// The background renewer: renews every `renew_every` until shutdown.
  void RenewLoop() {
    while (sleeper->SleepFor(renew_every, shutdown)) RenewNow();
  }

  /// Finishes `index` if it is listed and has no outstanding item: marks it done, or releases it.
  void MaybeFinish(std::int64_t index) {
    SubWindow w;
    bool done = false;
    std::size_t unfinished = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = held.find(index);
      if (it == held.end() || !it->second.listed || it->second.outstanding > 0) return;
      w = it->second.window;
      unfinished = it->second.unfinished;
      done = it->second.complete && !it->second.stop.IsCancelled();
      held.erase(it);
    }
    // A done mark is skipped for good: an item left to retry keeps the sub-window listable.
    bool const retry = done && unfinished > 0;
    if (retry) {
      done = false;
      options.logger.Info(Name(w) + ": " + std::to_string(unfinished) +
                          " recording(s) or task(s) ended failed or pending; not marking it done, so that it is "
                          "listed again (by an instance waiting for it, or the next run of the job)");
    }
    if (done) done = Durable(w);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++(done ? stats.done : stats.released);
      if (retry) ++stats.left_unfinished;
    }
    Finish(w, done);
  }

  /// SubWindowLeaserOptions::before_done (the manifest's lines on disk): false, logged, when it failed.
  bool Durable(SubWindow const& w) {
    if (!options.before_done) return true;
    auto durable = options.before_done();
    if (!durable) {
      options.logger.Warn("cannot mark " + Name(w) + " done: its manifest lines are not durable (" +
                          durable.error().message + "); releasing it instead, so that it is listed again");
    }
    return durable.has_value();
  }

  void Finish(SubWindow const& w, bool done) {
    auto const where = " (" + options.store->Describe() + ")";
    if (done) {
      auto r = options.store->MarkDone(w);
      if (!r) {
        options.logger.Warn("cannot mark " + Name(w) + " done" + where + ": " + r.error().message +
                            "; its lease expires and another instance lists it again (its recordings are skipped)");
      } else {
        options.logger.Debug(Name(w) + " done" + where);
      }
      return;
    }
    auto r = options.store->Release(w);
    if (!r) {
      options.logger.Warn("cannot release the lease of " + Name(w) + where + ": " + r.error().message +
                          "; another instance takes it over when the lease expires");
    } else {
      options.logger.Info("released the lease of unfinished " + Name(w) + ": another instance (or the next run) "
                          "lists it again");
    }
  }

  void RenewNow() {
    std::vector<SubWindow> cells;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto const& [index, cell] : held) {
        if (!cell.lost) cells.push_back(cell.window);
      }
    }
    for (auto const& w : cells) {
      auto r = options.store->Renew(w, ttl);
      if (!r) {
        options.logger.Warn("cannot renew the lease of " + Name(w) + " (" + options.store->Describe() +
                            "): " + r.error().message + "; it expires " + std::to_string(ttl.count()) +
                            " ms after the last renewal unless a later renewal succeeds");
        continue;
      }
      if (*r) continue;
      {
        std::lock_guard<std::mutex> lock(mu);
        auto it = held.find(w.index);
        if (it == held.end()) continue;  // finished meanwhile
        it->second.lost = true;
        ++stats.lost;
      }
      options.logger.Warn("lost the lease of " + Name(w) + " (" + options.store->Describe() +
                          "): it expired (this instance was paused or cut off longer than the lease ttl) and another "
                          "instance may be listing it; this instance finishes it anyway: a recording both export is "
                          "stored once (Stat and conditional PUT), and each manifest records its outcome");
    }
  }
};

SubWindowLeaser::SubWindowLeaser(SubWindowLeaserOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

SubWindowLeaser::~SubWindowLeaser() {
  impl_->shutdown.Cancel();
  if (impl_->renewer.joinable()) impl_->renewer.join();
  std::vector<SubWindow> unfinished;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto const& [index, cell] : impl_->held) unfinished.push_back(cell.window);
    impl_->stats.released += unfinished.size();
    impl_->held.clear();
  }
  for (auto const& w : unfinished) impl_->Finish(w, false);
}

Result<bool> SubWindowLeaser::Claim(SubWindow const& window, CancellationToken const& stop) {
  if (!impl_->options.store) return MakeError(ErrorCode::kInvalidArgument, "sub-window leases: no lease store given");
  auto r = impl_->options.store->TryTake(window, impl_->ttl);
  if (!r) {
    Error e = std::move(r).error();
    e.message = "cannot lease " + Name(window) + " (" + impl_->options.store->Describe() + "): " + e.message;
    return e;
  }
  switch (*r) {
    case LeaseTake::kTaken:
      impl_->Hold(window, stop, false);
      return true;
    case LeaseTake::kDone: {
      std::lock_guard<std::mutex> lock(impl_->mu);
      ++impl_->stats.already_done;
    }
      impl_->options.logger.Debug(Name(window) + " is done already (" + impl_->options.store->Describe() + ")");
      return false;
    case LeaseTake::kHeldByOther: {
      std::lock_guard<std::mutex> lock(impl_->mu);
      ++impl_->stats.held_by_others;
    }
      impl_->waiting.push_back(window);
      impl_->options.logger.Debug(Name(window) + " is leased by another instance");
      return false;
  }
  return false;
}

std::function<void()> SubWindowLeaser::TrackItem(SubWindow const& window) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->held.find(window.index);
    if (it == impl_->held.end()) return [] {};
    ++it->second.outstanding;
  }
  auto impl = impl_;
  auto const index = window.index;
  return [impl, index] {
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      auto it = impl->held.find(index);
      if (it == impl->held.end()) return;
      if (it->second.outstanding > 0) --it->second.outstanding;
    }
    impl->MaybeFinish(index);
  };
}

void SubWindowLeaser::Unfinished(SubWindow const& window) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->held.find(window.index);
  if (it != impl_->held.end()) ++it->second.unfinished;
}

void SubWindowLeaser::Listed(SubWindow const& window, bool complete) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->held.find(window.index);
    if (it == impl_->held.end()) return;
    it->second.listed = true;
    it->second.complete = complete;
  }
  impl_->MaybeFinish(window.index);
}

Result<std::optional<SubWindow>> SubWindowLeaser::NextTakeover(CancellationToken const& stop) {
  auto& impl = *impl_;
  if (impl.waiting.empty()) return std::optional<SubWindow>();
  if (!impl.wait_deadline) {
    if (impl.options.max_wait.count() > 0) impl.wait_deadline = impl.clock->Now() + impl.options.max_wait;
    impl.options.logger.Info(std::to_string(impl.waiting.size()) +
                             " sub-window(s) are leased by other instances; waiting until they are done, or taking "
                             "them over once a lease expires (ttl " + std::to_string(impl.ttl.count()) + " ms)");
  }
  for (;;) {
    for (auto it = impl.waiting.begin(); it != impl.waiting.end();) {
      if (stop.IsCancelled()) return MakeError(ErrorCode::kCancelled, "cancelled while waiting for leased sub-windows");
      auto r = impl.options.store->TryTake(*it, impl.ttl);
      if (!r) {
        Error e = std::move(r).error();
        e.message = "cannot lease " + Name(*it) + " (" + impl.options.store->Describe() + "): " + e.message;
        return e;
      }
      if (*r == LeaseTake::kHeldByOther) {
        ++it;
        continue;
      }
      if (*r == LeaseTake::kDone) {
        it = impl.waiting.erase(it);
        continue;
      }
      SubWindow w = *it;
      impl.waiting.erase(it);
      impl.Hold(w, stop, true);
      impl.options.logger.Info("took over " + Name(w) + ": the instance that held it released it or stopped renewing");
      return std::optional<SubWindow>(w);
    }
    if (impl.waiting.empty()) return std::optional<SubWindow>();
    if (impl.wait_deadline && impl.clock->Now() >= *impl.wait_deadline) {
      std::string names;
      for (auto const& w : impl.waiting) names += (names.empty() ? "" : ", ") + std::to_string(w.index);
      return MakeError(ErrorCode::kDeadlineExceeded,
                       "sub-window(s) " + names + " are still leased by other instances after " +
                           std::to_string(impl.options.max_wait.count() / 1000) +
                           " s; this instance did not list them (see the other instances' manifests, or run again)");
    }
    if (!impl.sleeper->SleepFor(impl.poll_every, stop)) {
      return MakeError(ErrorCode::kCancelled, "cancelled while waiting for leased sub-windows");
    }
  }
}

void SubWindowLeaser::RenewNow() { impl_->RenewNow(); }

SubWindowLeaseStats SubWindowLeaser::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

}  // namespace ccrec::exporter
