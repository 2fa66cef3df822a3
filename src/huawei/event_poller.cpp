// SPDX-License-Identifier: Apache-2.0
// huawei::EventPoller: the per-agent poll thread (reference huawei-cc-gateway.md §4). The poll is also the
// session's keep-alive, so a slow consumer never stops it; a full queue paces it instead, and recording
// events are never dropped (issue 11: nothing lost).

#include <ccrec/huawei/event_poller.hpp>

#include "huawei/wire.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ccrec::huawei {

namespace {

/// The longest pause between polls while the queue is full: the gateway signs an agent out after 2
/// minutes without a poll, and a poll may be held 10 s (reference §4).
constexpr std::chrono::milliseconds kMaxBacklogPollInterval{std::chrono::seconds(90)};

/// "AgentMediaEvent_Record for "Y:/…" (call …)" — never the caller or called number.
std::string Describe(AgentEvent const& e) {
  if (e.event_type == kRecordEvent || e.event_type == kRecordFailEvent) {
    if (auto ref = ParseRecordEvent(e)) {
      return e.event_type + " for \"" + ref->file_name + "\" (call " + ref->call_id + ", task " + ref->task_id + ")";
    }
  } else if (auto stop = ParseStopRecordDone(e)) {
    return e.event_type + " of task " + stop->task_id;
  }
  return e.event_type;
}

}  // namespace

bool IsRecordingEvent(std::string_view event_type) noexcept {
  return event_type == kRecordEvent || event_type == kRecordFailEvent || event_type == kStopRecordDoneEvent;
}

struct EventPoller::State {
  State(AgentSession s, EventPollerOptions o)
      : session(std::move(s)), options(std::move(o)), who("Huawei agent " + session.AgentId()),
        queuing(options.queue_events) {}
  AgentSession session;
  EventPollerOptions options;
  std::string const who;
  CancellationToken stop;
  std::thread thread;
  mutable std::mutex mu;
  std::condition_variable cv;  // queue changes and Stop(); waited on by Next() and the loop's pauses
  std::deque<AgentEvent> queue;
  std::vector<AgentEvent> overflow;
  std::vector<AgentEvent> late;  // record events received after StopQueuing(), for TakeLate()
  std::optional<Error> fatal;
  bool queuing;
  bool keep_late = false;  // StopQueuing() was called
  bool backlogged = false;
  bool started = false;
  bool finished = false;
  bool finishing = false;  // Finish(): poll on until an answer without an event, or finish_by
  std::chrono::steady_clock::time_point finish_by;
  std::chrono::milliseconds drain_limit{0};
  std::optional<Error> drain_error;  // why Finish() could not drain: see DrainError()
  std::optional<Error> last_unreadable;  // the last answer that arrived but could not be read
  std::atomic<std::uint64_t> polls{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> empty{0};
  std::atomic<std::uint64_t> discarded{0};
  std::atomic<std::uint64_t> overflowed{0};
  std::atomic<std::uint64_t> unreadable{0};

  static bool IsFatal(Error const& e) {
    return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied ||
           e.code == ErrorCode::kInvalidArgument;
  }

  /// After an answer (`drained`: without an event): whether Finish() ends the loop now. The answer
  /// in flight is always awaited; polling goes on while answers carry events, until finish_by. When
  /// the limit passes while answers still carry events, the drain failed (DrainError(), a warning):
  /// the gateway may still hold record events, and it drops them at sign-out.
  bool EndsFinish(bool drained) {
    std::lock_guard<std::mutex> lock(mu);
    if (!finishing || drained) return finishing;
    if (std::chrono::steady_clock::now() < finish_by) return false;
    Error failed = MakeError(ErrorCode::kUnavailable,
                             who + ": the gateway still delivered events when the end-of-run drain limit (" +
                                 std::to_string(drain_limit.count()) +
                                 " ms) passed; events it still holds are dropped when the agent signs out, and a "
                                 "recording announced among them is in no manifest line (raise the drain limit, or "
                                 "export such a recording by its fileName)");
    options.logger.Warn(failed.message);
    drain_error = std::move(failed);
    return true;
  }

  /// After a poll failed (not for good): whether Finish() ends the loop now. While the drain limit has
  /// not passed the poll is retried (the failure said nothing about what the gateway still holds);
  /// after it, the drain failed: DrainError() says why, and a warning.
  bool DrainFailed(Error const& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!finishing || std::chrono::steady_clock::now() < finish_by) return false;
    Error failed = e;
    failed.message = who + ": the event poll still failed when its end-of-run drain limit (" +
                     std::to_string(drain_limit.count()) + " ms) passed (last: " + e.message +
                     "); events the gateway still holds are dropped when the agent signs out";
    options.logger.Warn(failed.message);
    drain_error = std::move(failed);
    return true;
  }

  std::size_t Capacity() const { return std::max<std::size_t>(1, options.max_queued_events); }
  bool FullLocked() const { return queuing && queue.size() >= Capacity(); }

  void DiscardLocked(AgentEvent const& e) {
    if (discarded.fetch_add(1) == 0) {
      options.logger.Warn(who + ": event queue full (" + std::to_string(Capacity()) +
                          " events); discarding events that concern no recording (first: " + e.event_type + ")");
    } else {
      options.logger.Debug(who + ": event queue full; discarded " + e.event_type);
    }
  }

  /// Queues one answered event (mu held). Recording events are never discarded.
  void AdmitLocked(AgentEvent e) {
    auto const& log = options.logger;
    if (!queuing && keep_late && (e.event_type == kRecordEvent || e.event_type == kRecordFailEvent)) {
      log.Warn(who + ": " + Describe(e) + " arrived while events are not queued for export; kept to be " +
               "reported as not exported in this run");
      late.push_back(std::move(e));
      return;
    }
    if (!queuing) {
      if (e.event_type == kRecordEvent) {
        log.Warn(who + ": " + Describe(e) + " arrived while events are not collected (keep-alive only); " +
                 "not exported — export it later by its fileName (--record-id)");
      } else if (IsRecordingEvent(e.event_type)) {
        log.Info(who + ": " + Describe(e) + " arrived while events are not collected (keep-alive only)");
      }
      return;
    }
    if (queue.size() < Capacity()) {
      queue.push_back(std::move(e));
      return;
    }
    if (!IsRecordingEvent(e.event_type)) return DiscardLocked(e);
    auto victim = std::find_if(queue.begin(), queue.end(),
                               [](AgentEvent const& q) { return !IsRecordingEvent(q.event_type); });
    if (victim != queue.end()) {
      DiscardLocked(*victim);
      queue.erase(victim);
      queue.push_back(std::move(e));
      return;
    }
    overflowed.fetch_add(1);
    log.Error(who + ": event queue full of recording events (" + std::to_string(Capacity()) + "); " + Describe(e) +
              " set aside to be reported as not exported");
    overflow.push_back(std::move(e));
  }

  /// Waits `pause` after an answer, then — while the queue is full — until it has room or
  /// backlog_poll_interval has passed since the answer (the next poll is then a keep-alive).
  /// Finish() called meanwhile ends the pause at once (the first drain poll follows without delay);
  /// during the drain each pause is `pause` as usual (the gateway wants 200–500 ms between polls and
  /// answers polls repeated too fast with 000-007), cut at the drain limit, without backlog pacing.
  /// @return false when stopping.
  bool Pause(std::chrono::milliseconds pause) {
    std::unique_lock<std::mutex> lock(mu);
    auto const answered = std::chrono::steady_clock::now();
    if (finishing) {
      cv.wait_until(lock, std::min(answered + pause, finish_by), [&] { return stop.IsCancelled(); });
      return !stop.IsCancelled();
    }
    if (cv.wait_until(lock, answered + pause, [&] { return stop.IsCancelled() || finishing; })) {
      return !stop.IsCancelled();
    }
    if (!FullLocked()) {
      if (backlogged) options.logger.Info(who + ": event queue has room again; polling at the normal pace");
      backlogged = false;
      return true;
    }
    auto const backlog = std::min(options.backlog_poll_interval, kMaxBacklogPollInterval);
    if (!backlogged) {
      options.logger.Warn(who + ": event queue full (" + std::to_string(Capacity()) + " events, the export is behind); " +
                          "polling only every " + std::to_string(backlog.count()) +
                          " ms to keep the session alive until there is room");
      backlogged = true;
    }
    cv.wait_until(lock, answered + backlog, [&] { return stop.IsCancelled() || finishing || !FullLocked(); });
    return !stop.IsCancelled();
  }

  void Loop() {
    int failures = 0;
    auto const& log = options.logger;
    while (!stop.IsCancelled()) {
      CallContext ctx;
      ctx.cancel = stop;
      auto result = session.PollEvents(ctx);
      if (result && !result->empty()) {
        // Admitted even when Stop() came meanwhile: the gateway delivers each event once.
        events.fetch_add(result->size());
        std::lock_guard<std::mutex> lock(mu);
        for (auto& e : *result) AdmitLocked(std::move(e));
        cv.notify_all();
      }
      if (stop.IsCancelled()) break;
      if (result) {
        polls.fetch_add(1);
        if (result->empty()) empty.fetch_add(1);
      }
      std::chrono::milliseconds pause = options.interval;
      if (result) {
        // Finish(): done once the gateway holds nothing more (an answer without an event), or the
        // drain limit has passed. A failed poll is retried below, as at any time.
        if (EndsFinish(result->empty())) break;
        if (failures > 0) log.Info(who + ": event poll works again");
        failures = 0;
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
        if (detail::IsUnreadableAnswer(e)) {
          // The gateway answered, and took what it delivered off its queue: its events are lost.
          unreadable.fetch_add(1);
          log.Error(who + ": an event poll answer arrived but could not be read (" + e.ToString() +
                    "); the events it carried, if any, are lost; polling on");
          std::lock_guard<std::mutex> lock(mu);
          last_unreadable = e;
        } else {
          (failures == 1 ? log.Warn(who + ": event poll failed (" + e.ToString() + "); retrying")
                         : log.Debug(who + ": event poll failed again (" + e.ToString() + ")"));
        }
        auto backoff = options.error_backoff * (1LL << std::min(failures - 1, 10));
        pause = std::min<std::chrono::milliseconds>(backoff, options.max_error_backoff);
        if (DrainFailed(e)) break;
      }
      if (!Pause(pause)) break;
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

void EventPoller::Finish(std::chrono::milliseconds drain_limit) {
  state_->options.logger.Debug(state_->who + ": finishing the event poll: polling until an answer without an " +
                               "event (for at most " + std::to_string(drain_limit.count()) + " ms)");
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    if (!state_->finishing) {
      state_->finish_by = std::chrono::steady_clock::now() + drain_limit;
      state_->drain_limit = drain_limit;
    }
    state_->finishing = true;
    state_->cv.notify_all();
    if (state_->started) state_->cv.wait(lock, [&] { return state_->finished; });
    // A loop stopped for good (now or before) drained nothing either.
    if (state_->started && state_->fatal && !state_->drain_error) state_->drain_error = state_->fatal;
  }
  Stop();  // joins the thread (at once: the loop has ended)
}

bool EventPoller::Running() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->started && !state_->finished;
}

std::optional<AgentEvent> EventPoller::Next(std::chrono::steady_clock::time_point deadline,
                                            CancellationToken const& cancel) {
  std::unique_lock<std::mutex> lock(state_->mu);
  for (;;) {
    if (!state_->queue.empty()) {
      bool const was_full = state_->FullLocked();
      AgentEvent e = std::move(state_->queue.front());
      state_->queue.pop_front();
      if (was_full) state_->cv.notify_all();  // a paced poll loop may poll again now
      return e;
    }
    auto now = std::chrono::steady_clock::now();
    if (state_->finished || cancel.IsCancelled() || now >= deadline) return std::nullopt;
    // Wake periodically to notice the caller's cancellation (the token has no condition variable).
    state_->cv.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)));
  }
}

std::vector<AgentEvent> EventPoller::TakeOverflowed() {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<AgentEvent> out;
  out.swap(state_->overflow);
  return out;
}

std::vector<AgentEvent> EventPoller::TakeLate() {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<AgentEvent> out;
  out.swap(state_->late);
  return out;
}

std::vector<AgentEvent> EventPoller::StopQueuing() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->queuing = false;
  state_->keep_late = true;
  std::vector<AgentEvent> out(std::make_move_iterator(state_->queue.begin()),
                              std::make_move_iterator(state_->queue.end()));
  state_->queue.clear();
  state_->cv.notify_all();
  return out;
}

std::optional<Error> EventPoller::FatalError() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->fatal;
}

std::optional<Error> EventPoller::DrainError() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->drain_error;
}

std::optional<Error> EventPoller::UnreadableAnswerError() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto const n = state_->unreadable.load();
  if (n == 0 || !state_->last_unreadable) return std::nullopt;
  Error e = *state_->last_unreadable;
  e.message = state_->who + ": " + std::to_string(n) + " event poll answer(s) arrived but could not be read (last: " +
              e.message + "); the gateway delivers each event once, so the recordings they announced (if any) " +
              "were not exported: find them on the gateway and export them by their fileName with --record-id";
  return e;
}

std::uint64_t EventPoller::UnreadableAnswers() const { return state_->unreadable.load(); }
std::uint64_t EventPoller::Polls() const { return state_->polls.load(); }
std::uint64_t EventPoller::Events() const { return state_->events.load(); }
std::uint64_t EventPoller::EmptyAnswers() const { return state_->empty.load(); }
std::uint64_t EventPoller::DiscardedEvents() const { return state_->discarded.load(); }
std::uint64_t EventPoller::OverflowedEvents() const { return state_->overflowed.load(); }

}  // namespace ccrec::huawei
