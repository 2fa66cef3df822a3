// huawei::EventPoller: the per-agent poll thread (reference huawei-cc-gateway.md §4).

#include <ccrec/huawei/event_poller.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ccrec {
inline namespace v1 {
namespace huawei {

struct EventPoller::State {
  State(AgentSession s, EventPollerOptions o) : session(std::move(s)), options(std::move(o)) {}
  AgentSession session;
  EventPollerOptions options;
  CancellationToken stop;
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<AgentEvent> queue;
  std::optional<Error> fatal;
  bool started = false;
  bool finished = false;
  std::atomic<std::uint64_t> polls{0};
  std::atomic<std::uint64_t> events{0};

  static bool IsFatal(Error const& e) {
    return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied ||
           e.code == ErrorCode::kInvalidArgument;
  }

  void Loop() {
    int failures = 0;
    auto const& log = options.logger;
    std::string const who = "Huawei agent " + session.agent_id();
    while (!stop.IsCancelled()) {
      CallContext ctx;
      ctx.cancel = stop;
      auto result = session.PollEvents(ctx);
      if (stop.IsCancelled()) break;
      std::chrono::milliseconds pause = options.interval;
      if (result) {
        polls.fetch_add(1);
        if (failures > 0) log.Info(who + ": event poll works again");
        failures = 0;
        if (!result->empty()) {
          events.fetch_add(result->size());
          if (options.queue_events) {
            std::lock_guard<std::mutex> lock(mu);
            for (auto& e : *result) {
              if (queue.size() >= std::max<std::size_t>(1, options.max_queued_events)) {
                log.Warn(who + ": event queue full; dropping the oldest event (" + queue.front().event_type + ")");
                queue.pop_front();
              }
              queue.push_back(std::move(e));
            }
            cv.notify_all();
          }
        }
      } else {
        Error const& e = result.error();
        if (e.code == ErrorCode::kCancelled) break;
        if (IsFatal(e)) {
          log.Error(who + ": event poll stopped: " + e.ToString());
          std::lock_guard<std::mutex> lock(mu);
          fatal = e;
          break;
        }
        ++failures;
        auto backoff = options.error_backoff * (1LL << std::min(failures - 1, 10));
        pause = std::min<std::chrono::milliseconds>(backoff, options.max_error_backoff);
        (failures == 1 ? log.Warn(who + ": event poll failed (" + e.ToString() + "); retrying")
                       : log.Debug(who + ": event poll failed again (" + e.ToString() + ")"));
      }
      if (!stop.WaitUntil(std::chrono::steady_clock::now() + pause)) break;
    }
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
    cv.notify_all();
  }
};

EventPoller::EventPoller(AgentSession session, EventPollerOptions options)
    : state_(std::make_shared<State>(std::move(session), std::move(options))) {}

EventPoller::~EventPoller() { Stop(); }

void EventPoller::Start() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->started) return;
  state_->started = true;
  auto state = state_;
  state_->thread = std::thread([state] { state->Loop(); });
}

void EventPoller::Stop() {
  state_->stop.Cancel();
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    t = std::move(state_->thread);
    state_->cv.notify_all();
  }
  if (t.joinable()) t.join();
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->finished = true;
  state_->cv.notify_all();
}

bool EventPoller::running() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->started && !state_->finished;
}

std::optional<AgentEvent> EventPoller::Next(std::chrono::steady_clock::time_point deadline,
                                            CancellationToken const& cancel) {
  std::unique_lock<std::mutex> lock(state_->mu);
  for (;;) {
    if (!state_->queue.empty()) {
      AgentEvent e = std::move(state_->queue.front());
      state_->queue.pop_front();
      return e;
    }
    auto now = std::chrono::steady_clock::now();
    if (state_->finished || cancel.IsCancelled() || now >= deadline) return std::nullopt;
    // Wake periodically to notice the caller's cancellation (the token has no condition variable).
    state_->cv.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)));
  }
}

std::optional<Error> EventPoller::fatal_error() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->fatal;
}

std::uint64_t EventPoller::polls() const { return state_->polls.load(); }
std::uint64_t EventPoller::events() const { return state_->events.load(); }

}  // namespace huawei
}  // namespace v1
}  // namespace ccrec
