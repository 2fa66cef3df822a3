// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `huawei::EventPoller`: the background event-poll loop of one agent, which is also its keep-alive.
///
/// Source: ccrec reference `huawei-cc-gateway.md` §4 (polling, 200–500 ms between polls, no poll for
/// 2 minutes signs the agent out).

#include <ccrec/core/clock.hpp>
#include <ccrec/core/error.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/models.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace ccrec::huawei {

/// Whether an event of this `eventType` concerns a recording (kRecordEvent, kRecordFailEvent,
/// kStopRecordDoneEvent). EventPoller never discards such an event.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT bool IsRecordingEvent(std::string_view event_type) noexcept;

/// Options of EventPoller.
struct CCREC_EXPORT EventPollerOptions {
  /// Pause after each poll answer before the next poll. Default 200 ms (reference §4: 200–500 ms).
  std::chrono::milliseconds interval{200};
  /// First pause after a failed poll; doubles per consecutive failure up to max_error_backoff.
  /// Default 500 ms.
  std::chrono::milliseconds error_backoff{500};
  /// Longest pause after failures; keep it well below the gateway's 2-minute sign-out. Default 5 s.
  std::chrono::milliseconds max_error_backoff{std::chrono::seconds(5)};
  /// Keep received events for Next(). False: events are not kept (keep-alive only); a recording event
  /// (IsRecordingEvent) that arrives then is logged as a warning naming its fileName (after
  /// StopQueuing(), record events are kept for TakeLate() instead). Default true.
  bool queue_events = true;
  /// Largest number of queued events. Default 10000 (at least 1). When the queue is full:
  /// - the loop polls only every backlog_poll_interval (a keep-alive: the gateway holds the backlog),
  ///   and again at once when Next() makes room;
  /// - a non-recording event is discarded (DiscardedEvents()); a recording event takes the place of
  ///   the oldest queued non-recording event, which is discarded instead;
  /// - a recording event that finds only recording events queued is never dropped: it is set aside for
  ///   TakeOverflowed() and counted in OverflowedEvents().
  std::size_t max_queued_events = 10000;
  /// Pause between polls while the queue is full. Each poll then fetches at most one answer's events,
  /// so a stuck consumer makes the queue grow by one answer per interval at most, while the session
  /// stays signed in. Default 30 s (the push-mode heartbeat period, reference §4); values above 90 s
  /// are taken as 90 s so that the 2-minute sign-out (plus the poll's 10-second hold) is never reached.
  std::chrono::milliseconds backlog_poll_interval{std::chrono::seconds(30)};
  /// Log sink. Default silent.
  Logger logger;
};

/// Polls one agent's events on a background thread from Start() until Stop().
///
/// Each answer's events are queued for Next(). A failed poll is logged and retried after a growing
/// pause (an answer that arrived but could not be read is also counted: UnreadableAnswers()); a lost session is recovered by AgentSession itself. An error that ends the session for good
/// (kUnauthenticated after a failed re-sign-in, kPermissionDenied, kInvalidArgument) stops the loop
/// and is available from FatalError().
///
/// A slow consumer never stops the poll (it is the session's keep-alive: the gateway signs the agent
/// out after 2 minutes without one, reference §4), and a recording event the gateway returned is never
/// dropped: see EventPollerOptions::max_queued_events. A consumer that must not lose recordings calls
/// TakeOverflowed() between Next() calls and reports what it gets (HuaweiRecordingSource turns each
/// overflowed AgentMediaEvent_Record into a failed export item).
///
/// @par Thread safety
/// All methods are thread-safe. Stop() (or the destructor) cancels a poll in flight and joins.
class CCREC_EXPORT EventPoller {
 public:
  /// @param session a signed-in session (polls fail with kUnauthenticated otherwise).
  EventPoller(AgentSession session, EventPollerOptions options = {});
  ~EventPoller();
  EventPoller(EventPoller const&) = delete;
  EventPoller& operator=(EventPoller const&) = delete;

  /// Starts the loop; a second call does nothing.
  void Start();
  /// Stops the loop: cancels the poll in flight and joins the thread; the events of an answer that
  /// arrived meanwhile are still admitted (queued, or kept for TakeLate()). Idempotent.
  void Stop();
  /// Stops the loop once the gateway has nothing more to deliver, instead of cancelling the poll
  /// in flight: the gateway takes an event off its queue when it answers and delivers it only once,
  /// and drops what it still holds when the agent signs out. So the answer of the poll in flight is
  /// awaited, and polling goes on while answers carry events — the next poll at once, later ones
  /// after the usual `interval` — until one answers without an event (with the gateway's long poll,
  /// after its 10 s hold at most: reference huawei-cc-gateway.md §4) or `drain_limit` has passed (a
  /// warning then says that the gateway was still delivering). A failed poll is retried after the
  /// usual backoff until `drain_limit`; when it still fails then, or fails for good (FatalError()),
  /// the drain has failed: DrainError() says why. Every event received is admitted (queued, or kept
  /// for TakeLate() after StopQueuing()). Blocks until the loop has ended: at most `drain_limit` plus
  /// one poll (AgentSessionOptions::poll_timeout bounds it). Never cancels a poll; Stop() from
  /// another thread does. Returns at once on a poller that was never started. Idempotent.
  void Finish(std::chrono::milliseconds drain_limit);
  /// Whether the loop is running (started, not stopped, no fatal error).
  bool Running() const;

  /// Waits for the next queued event until `deadline`, `cancel` fires, the loop stops or fails.
  /// @return the event, or nullopt.
  std::optional<AgentEvent> Next(std::chrono::steady_clock::time_point deadline,
                                 CancellationToken const& cancel = {});

  /// The recording events set aside because the queue was full of recording events, oldest first;
  /// each is returned once. Empty when nothing overflowed.
  std::vector<AgentEvent> TakeOverflowed();

  /// Stops queuing for Next(): from now on the loop keeps the session alive and discards what it
  /// receives, except `AgentMediaEvent_Record` and `AgentMediaEvent_Record_Fail` events, which it
  /// keeps for TakeLate() (logged as warnings): the gateway delivers each event once, so a consumer
  /// that must not lose recordings reports them. May be called before Start(): a keep-alive poll
  /// (queue_events false) then keeps those record events from the first answer on.
  /// @return the events still queued, oldest first (TakeOverflowed() still returns the overflowed ones).
  std::vector<AgentEvent> StopQueuing();

  /// The record events (`AgentMediaEvent_Record`, `AgentMediaEvent_Record_Fail`) received after
  /// StopQueuing(), oldest first; each is returned once. They are kept until taken (one per
  /// recording of the agent: take them while the loop runs). Also the events of an answer that
  /// arrived while Stop() was cancelling its poll: call it after Stop() too.
  std::vector<AgentEvent> TakeLate();

  /// The error that stopped the loop, if any.
  std::optional<Error> FatalError() const;
  /// Why Finish() could not take everything the gateway held: the poll still failed when
  /// `drain_limit` passed (the last failure, its message saying so), answers still carried events
  /// when it passed (kUnavailable, "the gateway still delivered events …"), or the loop had stopped
  /// for good (FatalError()). Events the gateway still holds are then dropped when the agent signs
  /// out, so a caller that must not lose recordings reports it as a failure. nullopt otherwise.
  std::optional<Error> DrainError() const;
  /// Poll answers that arrived (HTTP 2xx) but could not be read so far: cut off or timed out after
  /// their headers, over the 1 MiB cap, not JSON, or without `retcode`. The gateway takes an event off
  /// its queue when it answers and delivers it once, so an AgentMediaEvent_Record such an answer
  /// carried is lost. Each is logged as an error; the loop polls on (as after any failed poll). A
  /// poll that failed before an answer arrived (refused, reset, timeout) is not counted.
  std::uint64_t UnreadableAnswers() const;
  /// When UnreadableAnswers() is not 0: an error naming how many and the last one's cause, and that
  /// the recordings they announced (if any) must be found on the gateway and exported by fileName
  /// (--record-id). A caller that must not lose recordings fails the run with it. nullopt otherwise.
  std::optional<Error> UnreadableAnswerError() const;
  /// Polls answered so far (successfully).
  std::uint64_t Polls() const;
  /// Events received so far.
  std::uint64_t Events() const;
  /// Polls answered without an event so far (the gateway had nothing to deliver: it has caught up).
  std::uint64_t EmptyAnswers() const;
  /// Non-recording events discarded because the queue was full.
  std::uint64_t DiscardedEvents() const;
  /// Recording events set aside because the queue was full of recording events.
  std::uint64_t OverflowedEvents() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ccrec::huawei
