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

namespace ccrec {
inline namespace v1 {
namespace huawei {

/// Options of EventPoller.
struct CCREC_EXPORT EventPollerOptions {
  /// Pause after each poll answer before the next poll. Default 200 ms (reference §4: 200–500 ms).
  std::chrono::milliseconds interval{200};
  /// First pause after a failed poll; doubles per consecutive failure up to max_error_backoff.
  /// Default 500 ms.
  std::chrono::milliseconds error_backoff{500};
  /// Longest pause after failures; keep it well below the gateway's 2-minute sign-out. Default 5 s.
  std::chrono::milliseconds max_error_backoff{std::chrono::seconds(5)};
  /// Keep received events for Next(). False: events are dropped (keep-alive only). Default true.
  bool queue_events = true;
  /// Largest number of queued events; older ones are dropped (logged). Default 10000.
  std::size_t max_queued_events = 10000;
  /// Log sink. Default silent.
  Logger logger;
};

/// Polls one agent's events on a background thread from Start() until Stop().
///
/// Each answer's events are queued for Next(). A failed poll is logged and retried after a growing
/// pause; a lost session is recovered by AgentSession itself. An error that ends the session for good
/// (kUnauthenticated after a failed re-sign-in, kPermissionDenied, kInvalidArgument) stops the loop
/// and is available from fatal_error().
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
  /// Stops the loop: cancels the poll in flight and joins the thread. Idempotent.
  void Stop();
  /// Whether the loop is running (started, not stopped, no fatal error).
  bool running() const;

  /// Waits for the next queued event until `deadline`, `cancel` fires, the loop stops or fails.
  /// @return the event, or nullopt.
  std::optional<AgentEvent> Next(std::chrono::steady_clock::time_point deadline,
                                 CancellationToken const& cancel = {});

  /// The error that stopped the loop, if any.
  std::optional<Error> fatal_error() const;
  /// Polls answered so far (successfully).
  std::uint64_t polls() const;
  /// Events received so far.
  std::uint64_t events() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace huawei
}  // namespace v1
}  // namespace ccrec
