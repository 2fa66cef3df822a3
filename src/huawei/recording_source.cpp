// SPDX-License-Identifier: Apache-2.0
// huawei::MakeHuaweiSource(): listed recordings, or recordings announced by AgentMediaEvent_Record
// while watching (reference huawei-cc-gateway.md §5, §6, §7).

#include <ccrec/huawei/recording_source.hpp>

#include "huawei/awaiting_stop.hpp"
#include "huawei/event_items.hpp"
#include "huawei/wire.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace ccrec::huawei {

namespace {

constexpr std::size_t kMaxRememberedStops = 4096;

using detail::AgeAt;
using detail::AwaitingStop;
using detail::AwaitingStopPending;
using detail::LateRecordPending;
using detail::MakeMalformedEventItem;
using detail::MakeOverflowedItem;
using detail::MakeRecordFailItem;
using detail::PendingForUnreportedFailure;
using detail::RecordFailReference;
using detail::StoppedRecordPending;

/// The items handed to the engine and not done yet (ExportItem::on_done): a watch returns only
/// once they are, since its poll is their keep-alive and may still deliver record events.
struct InFlight {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t items = 0;
  void Add() {
    std::lock_guard<std::mutex> lock(mu);
    ++items;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu);
    --items;
    cv.notify_all();
  }
  /// True when none is in flight, waiting at most `limit`.
  bool WaitIdle(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, limit, [&] { return items == 0; });
  }
};

/// The source MakeHuaweiSource() returns; its members are defined below.
class HuaweiSource final : public HuaweiRecordingSource {
 public:
  HuaweiSource(AgentSession session, HuaweiSourceOptions options);
  ~HuaweiSource() override;

  Result<void> Enumerate(std::function<bool(exporter::ExportItem)> const& on_item,
                         std::function<void(exporter::PendingItem)> const& on_pending,
                         CallContext const& ctx) override;
  exporter::KeyIdentityRule KeyIdentity() const override { return HuaweiKeyIdentity(); }
  Result<void> Shutdown() override;

 private:
  Result<void> Watch(std::function<bool(exporter::ExportItem)> const& on_item,
                     std::function<void(exporter::PendingItem)> const& on_pending, CallContext const& ctx);
  /// After the watch (or the listed recordings): waits until the engine is done with every item (the
  /// poll is their keep-alive), reporting each record event delivered meanwhile
  /// (EventPoller::TakeLate()) as pending (announced `when`), then stops the poll. False when the run
  /// stops (then the caller reports what is left). An error when the poll stopped for good
  /// (EventPoller::FatalError()) or its end drain failed (EventPoller::DrainError()): events the
  /// gateway held are lost at sign-out, so the run must fail (Enumerate() returns it); likewise when
  /// poll answers arrived but could not be read (EventPoller::UnreadableAnswerError()).
  Result<bool> AfterWatch(std::function<bool(AgentEvent const&, Error const&)> const& report_malformed,
                          std::function<bool(AgentEvent const&)> const& report_record_fail,
                          std::function<void(exporter::PendingItem)> const& on_pending, std::string const& when,
                          CallContext const& ctx);
  /// Reports each record event EventPoller::TakeLate() returns: a Record as a pending line (announced
  /// `when`), a Record_Fail or a malformed one through its reporter. False when a reporter returned false.
  bool TakeLate(std::function<bool(AgentEvent const&, Error const&)> const& report_malformed,
                std::function<bool(AgentEvent const&)> const& report_record_fail,
                std::function<void(exporter::PendingItem)> const& on_pending, std::string const& when);
  /// List mode with the keep-alive poll: the record events it consumed during the run (the gateway
  /// delivers each once) end as manifest lines, as after a watch: a Record pending, a Record_Fail or a
  /// malformed one failed (pending when the engine no longer takes items). `stopping`: the run is
  /// stopping already (then each is a pending line at once).
  Result<void> AfterList(std::function<bool(exporter::ExportItem)> const& on_item,
                         std::function<void(exporter::PendingItem)> const& on_pending, bool stopping,
                         CallContext const& ctx);

  /// `pending` (a recording announced but not exported in this run, identity fileName) with
  /// AwaitingStopMarker() added to its reason when the recording has a taskId and
  /// wait_for_stop_record is set: its call may still be going on, so a later run holds it until its
  /// StopRecordDone or max_recording_duration after now (HuaweiSourceOptions::clock).
  exporter::PendingItem UnexportedPending(RecordingReference const& r, exporter::PendingItem pending) const;
  /// A listed recording still awaiting its StopRecordDone (RecordingReference::awaiting_stop_record)
  /// and younger than max_recording_duration is not downloaded: in watch mode it joins the watch's
  /// waiting set (held_), in list mode it is a pending item again.
  void Hold(RecordingReference r, std::chrono::milliseconds age,
            std::function<void(exporter::PendingItem)> const& on_pending);

  AgentSession session_;
  HuaweiSourceOptions options_;
  std::shared_ptr<Clock> clock_;
  std::vector<RecordingReference> held_;  // listed, awaiting their StopRecordDone in the watch
  std::unique_ptr<EventPoller> poller_;
  std::set<std::string> seen_;
  std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  std::atomic<bool> shut_down_{false};
};

}  // namespace

HuaweiSource::HuaweiSource(AgentSession session, HuaweiSourceOptions options)
    : session_(std::move(session)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : MakeSystemClock()) {}

HuaweiSource::~HuaweiSource() {
  if (poller_) poller_->Stop();
}

Result<void> HuaweiSource::Enumerate(std::function<bool(exporter::ExportItem)> const& on_item,
                                     std::function<void(exporter::PendingItem)> const& on_pending,
                                     CallContext const& ctx) {
  if (shut_down_.load()) {
    return MakeError(ErrorCode::kInvalidArgument, "Huawei source: Enumerate() after Shutdown()");
  }
  if (!session_.SignedIn()) {
    auto signed_in = session_.SignIn(ctx);
    if (!signed_in) return std::move(signed_in).error();
  }
  // Every item is counted until the engine is done with it (see InFlight).
  std::function<bool(exporter::ExportItem)> const tracked = [this, &on_item](exporter::ExportItem item) {
    in_flight_->Add();
    item.on_done = [in_flight = in_flight_, next = std::move(item.on_done)] {
      if (next) next();
      in_flight->Done();
    };
    if (on_item(std::move(item))) return true;
    in_flight_->Done();  // refused: the engine is stopping and never calls on_done
    return false;
  };
  if ((options_.keep_alive || options_.watch) && !poller_) {
    EventPollerOptions po = options_.poller;
    po.queue_events = options_.watch.has_value();
    po.logger = options_.logger;
    poller_ = std::make_unique<EventPoller>(session_, po);
    if (!options_.watch) (void)poller_->StopQueuing();  // keep-alive only, but record events are kept (AfterList)
    poller_->Start();
  }
  bool stopping = false;  // cancelled, or the engine refused an item
  std::set<std::string> held;  // fileNames of the listed recordings held (not in seen_: not exported yet)
  for (auto const& listed : options_.recordings) {
    stopping = ctx.cancel.IsCancelled();
    if (stopping) break;
    RecordingReference r = listed;
    r.agent_id = session_.AgentId();
    if (r.location_id.empty()) r.location_id = options_.location_id;
    if (held.count(r.file_name) > 0 || !seen_.insert(r.file_name).second) {
      options_.logger.Info("Huawei: \"" + r.file_name + "\" is listed twice; exporting it once");
      continue;
    }
    // A recording still being recorded when an earlier run ended waits for its StopRecordDone (a
    // file still being written is incomplete, §5) until it is max_recording_duration old.
    bool const awaiting = r.awaiting_stop_record && !r.task_id.empty();
    if (awaiting && options_.wait_for_stop_record) {
      auto const now = clock_->Now();
      if (!r.event_time) r.event_time = now;
      auto const age = AgeAt(*r.event_time, now);
      if (age < options_.max_recording_duration) {
        seen_.erase(r.file_name);
        held.insert(r.file_name);
        Hold(std::move(r), age, on_pending);
        continue;
      }
      options_.logger.Warn(detail::PresumedFinishedWarning(r, age, options_.max_recording_duration));
    }
    stopping = !tracked(MakeHuaweiExportItem(session_, r, options_.file_type, !awaiting));
    if (stopping) break;
  }
  if (stopping) {  // the held recordings were not exported either
    for (auto& r : held_) {
      on_pending(AwaitingStopPending(r, AwaitingStop{r.task_id, *r.event_time},
                                     "was listed while still awaiting its AgentMediaEvent_StopRecordDone, but the run "
                                     "stopped first; export it later by listing its fileName (or --since-last-run)"));
    }
    held_.clear();
  }
  if (!options_.watch) return poller_ ? AfterList(tracked, on_pending, stopping, ctx) : Result<void>{};
  if (stopping) return {};
  return Watch(tracked, on_pending, ctx);
}

void HuaweiSource::Hold(RecordingReference r, std::chrono::milliseconds age,
                        std::function<void(exporter::PendingItem)> const& on_pending) {
  std::string const what = "has had no AgentMediaEvent_StopRecordDone in the " + std::to_string(age.count() / 1000) +
                           " s since its AgentMediaEvent_Record (the call may still be going on; the maximum "
                           "recording duration is " +
                           std::to_string(options_.max_recording_duration.count()) + " ms)";
  if (options_.watch) {
    options_.logger.Info("Huawei: \"" + r.file_name + "\" (task " + r.task_id + ") " + what +
                         "; waiting for it during this watch");
    held_.push_back(std::move(r));
    return;
  }
  options_.logger.Info("Huawei: \"" + r.file_name + "\" (task " + r.task_id + ") " + what +
                       "; not downloaded, reported as pending again");
  on_pending(AwaitingStopPending(r, AwaitingStop{r.task_id, *r.event_time},
                                 what + "; not downloaded: a --watch run exports it when its StopRecordDone "
                                        "arrives, any run once it is older than the maximum recording duration"));
}

Result<void> HuaweiSource::Watch(std::function<bool(exporter::ExportItem)> const& on_item,
                                 std::function<void(exporter::PendingItem)> const& on_pending,
                                 CallContext const& ctx) {
  using SteadyClock = std::chrono::steady_clock;
  auto const& log = options_.logger;
  auto const end = SteadyClock::now() + *options_.watch;
  auto const drain_end = end + options_.watch_drain_limit;
  // By taskId; one task may announce several files (audio and video?) [U]: each is kept until the
  // task's StopRecordDone (a file still being written is incomplete, §5), or until it is
  // max_recording_duration old — also the listed ones an earlier run left waiting (held_).
  detail::WaitingRecordings waiting(options_.max_recording_duration);
  for (auto& r : held_) {
    auto const seen_at = *r.event_time;  // set by Enumerate()
    waiting.Add(std::move(r), seen_at, std::nullopt);  // warned about in the run that saw it
  }
  held_.clear();
  detail::EarlyStops stopped{kMaxRememberedStops};  // StopRecordDone seen before its Record event
  std::vector<RecordingReference> refused;  // offered while the engine was stopping (not queued)
  std::deque<AgentEvent> rest;             // queued when the period ended, not handled yet
  log.Info("Huawei agent " + session_.AgentId() + ": watching record events for " +
           std::to_string(options_.watch->count()) + " ms");

  auto emit = [&](RecordingReference const& r, bool stop_seen) -> bool {
    if (!seen_.insert(r.file_name).second) {
      log.Debug("Huawei: record event for \"" + r.file_name + "\" seen again; already exported");
      return true;
    }
    log.Info("Huawei: exporting \"" + r.file_name + "\" (call " + r.call_id + ")");
    if (on_item(MakeHuaweiExportItem(session_, r, options_.file_type, stop_seen))) return true;
    refused.push_back(r);
    return false;
  };

  // Emits each of `refs`; once the engine refuses one, the rest are refused too (pending lines).
  auto emit_all = [&](std::vector<RecordingReference>& refs, bool stop_seen) -> bool {
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (emit(refs[i], stop_seen)) continue;
      refused.insert(refused.end(), std::make_move_iterator(refs.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                     std::make_move_iterator(refs.end()));
      return false;
    }
    return true;
  };

  // Record events that cannot be exported still end as failed manifest lines (issue 11).
  std::set<std::string> reported;  // identities of the failure lines already handed to the engine
  std::vector<exporter::ExportItem> refused_failures;  // offered while the engine was stopping
  auto report = [&](exporter::ExportItem item) -> bool {
    if (!reported.insert(item.task_id + "\n" + item.recording_id).second) return true;
    if (on_item(item)) return true;
    refused_failures.push_back(std::move(item));
    return false;
  };
  // The engine is stopping (it writes no failed line now): a pending line that says what it was.
  auto failure_as_pending = [&](exporter::ExportItem const& item) { on_pending(PendingForUnreportedFailure(item)); };
  auto report_malformed = [&](AgentEvent const& event, Error const& why) -> bool {
    log.Warn("Huawei: malformed record event (" + event.event_type + ") reported as failed: " + why.message);
    return report(MakeMalformedEventItem(session_.AgentId(), event, why));
  };
  auto report_record_fail = [&](AgentEvent const& event) -> bool {
    RecordingReference ref = RecordFailReference(event);
    log.Warn("Huawei: recording failed for \"" + ref.file_name + "\" (call " + ref.call_id +
             ") (AgentMediaEvent_Record_Fail); reported as failed");
    // The failed file is no longer waited for. One that names no file erases none: the task's
    // other files (audio when only the video failed) are still exported after its StopRecordDone,
    // and a file that really failed then ends as a failed line naming it.
    if (!ref.task_id.empty() && !ref.file_name.empty()) waiting.Erase(ref.task_id, ref.file_name);
    return report(MakeRecordFailItem(session_.AgentId(), event, ref));
  };

  // One event from the queue (or set aside by the poller); false when the engine is stopping.
  auto handle = [&](AgentEvent const& event) -> bool {
    if (event.event_type == kRecordEvent) {
      auto ref = ParseRecordEvent(event);
      if (!ref) return report_malformed(event, ref.error());
      if (ref->location_id.empty()) ref->location_id = options_.location_id;
      bool stop_seen = !ref->task_id.empty() && stopped.Take(ref->task_id);
      if (!options_.wait_for_stop_record || ref->task_id.empty() || stop_seen) return emit(*ref, stop_seen);
      if (seen_.count(ref->file_name) > 0 || waiting.Contains(ref->task_id, ref->file_name)) {
        log.Debug("Huawei: record event for \"" + ref->file_name + "\" seen again; already exported or waiting");
        return true;
      }
      log.Debug("Huawei: \"" + ref->file_name + "\" is being recorded (task " + ref->task_id +
                "); waiting for AgentMediaEvent_StopRecordDone");
      auto due = detail::DueAfter(SteadyClock::now(), options_.stop_record_timeout);
      waiting.Add(std::move(*ref), clock_->Now(), due < drain_end ? std::optional(due) : std::nullopt);
    } else if (event.event_type == kRecordFailEvent) {
      return report_record_fail(event);
    } else if (auto stop = ParseStopRecordDone(event)) {
      auto done = waiting.TakeTask(stop->task_id);
      if (!done.empty()) return emit_all(done, true);  // every file of the task is complete
      stopped.Add(stop->task_id);
    } else {
      log.Debug("Huawei: ignoring event " + event.event_type);
    }
    return true;
  };

  // Recording events the poller set aside because its queue was full of recording events (the export
  // is far behind). A Record becomes a failed item that names its fileName — not a download, so the
  // backlog can shrink — and the others are handled as usual (they add no download of their own).
  auto handle_overflowed = [&]() -> bool {
    auto overflowed = poller_->TakeOverflowed();
    for (std::size_t i = 0; i < overflowed.size(); ++i) {
      AgentEvent const& event = overflowed[i];
      bool go_on = true;
      if (event.event_type != kRecordEvent) {
        go_on = handle(event);
      } else if (auto ref = ParseRecordEvent(event); !ref) {
        go_on = report_malformed(event, ref.error());
      } else if (seen_.insert(ref->file_name).second) {
        if (ref->location_id.empty()) ref->location_id = options_.location_id;
        if (!ref->task_id.empty()) (void)stopped.Take(ref->task_id);
        log.Error("Huawei: \"" + ref->file_name + "\" (call " + ref->call_id +
                  ") not exported: its record event overflowed the event queue; it is reported as failed");
        if (!on_item(MakeOverflowedItem(session_, *ref, options_.file_type, options_.poller.max_queued_events))) {
          refused.push_back(std::move(*ref));
          go_on = false;
        }
      }
      if (!go_on) {  // the rest is reported by stopped_early()
        rest.insert(rest.end(), std::make_move_iterator(overflowed.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                    std::make_move_iterator(overflowed.end()));
        return false;
      }
    }
    return true;
  };

  // The run stops early (cancelled, or a fatal error in the engine): every recording announced during
  // the watch and not handed to the engine yet becomes a pending line naming its fileName.
  auto stopped_early = [&]() -> Result<void> {
    for (auto& e : poller_->StopQueuing()) rest.push_back(std::move(e));
    poller_->Stop();  // the engine is stopping: no download needs the keep-alive any more
    for (auto& e : poller_->TakeLate()) rest.push_back(std::move(e));
    for (auto& e : poller_->TakeOverflowed()) rest.push_back(std::move(e));
    std::vector<RecordingReference> left = std::move(refused);
    std::vector<RecordingReference> unhandled;  // record events never handled: maybe still recording
    for (auto const& e : rest) {
      if (auto stop = ParseStopRecordDone(e)) stopped.Add(stop->task_id);
    }
    for (auto const& e : rest) {
      if (e.event_type != kRecordEvent && e.event_type != kRecordFailEvent) continue;
      auto ref = ParseRecordEvent(e);
      if (e.event_type == kRecordEvent && ref) {
        // Not handled: unless its StopRecordDone is known, the call may still be going on.
        if (!ref->task_id.empty() && !stopped.Contains(ref->task_id)) {
          if (seen_.insert(ref->file_name).second) unhandled.push_back(std::move(*ref));
        } else if (seen_.insert(ref->file_name).second) {
          left.push_back(std::move(*ref));
        }
        continue;
      }
      // A Record_Fail or a malformed record event the run had no time to report as failed.
      auto item = e.event_type == kRecordFailEvent ? MakeRecordFailItem(session_.AgentId(), e, RecordFailReference(e))
                                                   : MakeMalformedEventItem(session_.AgentId(), e, ref.error());
      if (reported.insert(item.task_id + "\n" + item.recording_id).second) failure_as_pending(item);
    }
    for (auto const& item : refused_failures) failure_as_pending(item);
    refused_failures.clear();
    for (auto& [w, awaiting] : waiting.TakeAll()) {
      log.Warn("Huawei: \"" + w.file_name + "\" (call " + w.call_id + ") was announced but the run stopped before " +
               "its AgentMediaEvent_StopRecordDone arrived; reported as pending");
      on_pending(AwaitingStopPending(w, awaiting,
                                     "was announced but the run stopped before it was exported (no "
                                     "AgentMediaEvent_StopRecordDone yet); export it later by listing its fileName "
                                     "(or --since-last-run)"));
    }
    for (auto const& r : left) on_pending(StoppedRecordPending(r, log));
    for (auto const& r : unhandled) on_pending(UnexportedPending(r, StoppedRecordPending(r, log)));
    return {};
  };

  // After the period, events the gateway announced during it may still be undelivered (one event per
  // poll answer) or queued here: the watch goes on until a poll answers empty after the end (the gateway
  // has caught up) and the queue is empty, for at most watch_drain_limit.
  std::optional<std::uint64_t> empty_at_end;
  for (;;) {
    if (ctx.cancel.IsCancelled()) return stopped_early();
    if (!handle_overflowed()) return stopped_early();
    auto now = SteadyClock::now();
    if (now >= end && !empty_at_end) {
      empty_at_end = poller_->EmptyAnswers();
      log.Info("Huawei agent " + session_.AgentId() +
               ": the watch period is over; handling what the gateway still delivers until it has no more events");
    }
    if (now >= drain_end) {
      if (options_.watch_drain_limit.count() > 0) {
        log.Warn("Huawei agent " + session_.AgentId() + ": the gateway still delivered events " +
                 std::to_string(options_.watch_drain_limit.count()) +
                 " ms after the watch period; recordings announced from now on are reported as pending, to be "
                 "exported by the next --since-last-run run");
      }
      break;
    }
    // A recording whose StopRecordDone is overdue (a long call, or a gateway that sends none) is
    // still not downloaded: one warning, and it keeps waiting (a pending line if the watch ends first).
    for (auto const& [task, file_name] : waiting.TakeOverdue(now)) {
      log.Warn("Huawei: no AgentMediaEvent_StopRecordDone for \"" + file_name + "\" (task " + task + ") after " +
               std::to_string(options_.stop_record_timeout.count()) +
               " ms; still waiting for it, since a file still being recorded is incomplete: it is exported when "
               "the stop event arrives, or reported as pending if the watch ends first");
    }
    // One still waiting max_recording_duration after its Record event is presumed finished, as a
    // listed one that old is (Enumerate()): exported now, with a warning.
    auto const clock_now = clock_->Now();
    std::vector<RecordingReference> expired;
    for (auto& [ref, seen_at] : waiting.TakeExpired(clock_now)) {
      log.Warn(detail::PresumedFinishedWarning(ref, AgeAt(seen_at, clock_now), options_.max_recording_duration));
      expired.push_back(std::move(ref));
    }
    if (!emit_all(expired, false)) return stopped_early();
    auto wake = now >= end ? std::min(now + std::chrono::milliseconds(50), drain_end) : end;
    if (auto next = waiting.NextDue(now, clock_now)) wake = std::min(wake, *next);
    auto event = poller_->Next(wake, ctx.cancel);
    if (!event) {
      if (auto fatal = poller_->FatalError()) {
        (void)stopped_early();
        return *fatal;
      }
      if (!poller_->Running() && !ctx.cancel.IsCancelled()) {
        (void)stopped_early();
        return MakeError(ErrorCode::kInternal, "Huawei: the event poll stopped during the watch");
      }
      if (empty_at_end && poller_->EmptyAnswers() > *empty_at_end) break;  // caught up, queue empty
      continue;
    }
    if (!handle(*event)) return stopped_early();
  }
  // Events still queued (received before the poll stopped collecting) are handled; the poll goes on
  // as a keep-alive for the downloads but collects nothing more.
  for (auto& e : poller_->StopQueuing()) rest.push_back(std::move(e));
  if (!rest.empty()) {
    log.Info("Huawei: the watch ended with " + std::to_string(rest.size()) +
             " events still queued; handling them before the export ends");
  }
  while (!rest.empty()) {
    if (ctx.cancel.IsCancelled()) return stopped_early();
    AgentEvent event = std::move(rest.front());
    rest.pop_front();
    if (!handle(event)) return stopped_early();
  }
  if (!handle_overflowed()) return stopped_early();
  for (auto& [w, awaiting] : waiting.TakeAll()) {
    log.Warn("Huawei: \"" + w.file_name + "\" was still being recorded when the watch ended; not exported");
    on_pending(AwaitingStopPending(
        w, awaiting,
        "was still being recorded when the watch ended (no AgentMediaEvent_StopRecordDone); export it later by "
        "listing its fileName (or --since-last-run): that run waits for its StopRecordDone during its --watch, or "
        "exports it once it is older than the maximum recording duration"));
  }
  auto drained = AfterWatch(report_malformed, report_record_fail, on_pending,
                            "after the watch ended (AgentMediaEvent_Record delivered once the watch period and "
                            "its drain were over)",
                            ctx);
  if (!drained) {
    (void)stopped_early();
    return std::move(drained).error();
  }
  return *drained ? Result<void>{} : stopped_early();
}

Result<bool> HuaweiSource::AfterWatch(std::function<bool(AgentEvent const&, Error const&)> const& report_malformed,
                                      std::function<bool(AgentEvent const&)> const& report_record_fail,
                                      std::function<void(exporter::PendingItem)> const& on_pending,
                                      std::string const& when, CallContext const& ctx) {
  // A record event delivered now cannot be exported in this run (the engine would wait for it, and
  // the next one, for ever): it is a pending line with the identity its export will have, so that
  // --since-last-run (UnfinishedRecordings) downloads it — the gateway delivers it only once.
  auto take_late = [&]() -> bool {  // every event ends as a line, even once the engine is stopping
    return TakeLate(report_malformed, report_record_fail, on_pending, when);
  };
  // The downloads still need the session: the poll goes on until the engine is done with every item.
  // A poll stopped for good (e.g. HTTP 403) ends the run at once, as during the watch.
  while (!in_flight_->WaitIdle(std::chrono::milliseconds(50))) {
    if (ctx.cancel.IsCancelled() || !take_late()) return false;
    if (auto fatal = poller_->FatalError()) return *fatal;
  }
  if (auto fatal = poller_->FatalError()) {
    (void)take_late();
    return *fatal;
  }
  // Not Stop(): cancelling the poll in flight would drop its answer, whose event the gateway has
  // already taken off its queue; and what the gateway still holds is dropped at sign-out.
  options_.logger.Debug("Huawei: downloads done; stopping the event poll once the gateway has no more events");
  poller_->Finish(options_.end_drain_limit);
  if (ctx.cancel.IsCancelled()) return false;
  bool const taken = take_late();
  if (auto failed = poller_->DrainError()) return *failed;  // logged by the poller
  // Answers that arrived but could not be read lost what they carried: the run must not end clean.
  if (auto unreadable = poller_->UnreadableAnswerError()) return *unreadable;
  return taken;
}

exporter::PendingItem HuaweiSource::UnexportedPending(RecordingReference const& r,
                                                     exporter::PendingItem pending) const {
  if (options_.wait_for_stop_record && !r.task_id.empty()) {
    pending.reason += detail::AwaitingStopMarker(AwaitingStop{r.task_id, clock_->Now()});
  }
  return pending;
}

bool HuaweiSource::TakeLate(std::function<bool(AgentEvent const&, Error const&)> const& report_malformed,
                            std::function<bool(AgentEvent const&)> const& report_record_fail,
                            std::function<void(exporter::PendingItem)> const& on_pending, std::string const& when) {
  bool go_on = true;
  for (auto const& e : poller_->TakeLate()) {
    if (e.event_type == kRecordFailEvent) {
      go_on = report_record_fail(e) && go_on;
      continue;
    }
    auto ref = ParseRecordEvent(e);
    if (!ref) {
      go_on = report_malformed(e, ref.error()) && go_on;
      continue;
    }
    if (!seen_.insert(ref->file_name).second) continue;
    options_.logger.Warn("Huawei: \"" + ref->file_name + "\" (call " + ref->call_id + ") was announced " + when +
                         "; reported as pending for the next run");
    on_pending(UnexportedPending(*ref, LateRecordPending(*ref, when)));
  }
  return go_on;
}

Result<void> HuaweiSource::AfterList(std::function<bool(exporter::ExportItem)> const& on_item,
                                     std::function<void(exporter::PendingItem)> const& on_pending, bool stopping,
                                     CallContext const& ctx) {
  std::set<std::string> reported;  // identities of the failure lines already handed out
  bool stopped = stopping;  // the engine takes no more items: failures become pending lines
  auto report = [&](exporter::ExportItem item) -> bool {
    if (!reported.insert(item.task_id + "\n" + item.recording_id).second) return true;
    if (!stopped && on_item(item)) return true;
    stopped = true;
    on_pending(PendingForUnreportedFailure(item));
    return false;
  };
  auto report_malformed = [&](AgentEvent const& event, Error const& why) -> bool {
    options_.logger.Warn("Huawei: malformed record event (" + event.event_type + ") reported as failed: " + why.message);
    return report(MakeMalformedEventItem(session_.AgentId(), event, why));
  };
  auto report_record_fail = [&](AgentEvent const& event) -> bool {
    RecordingReference ref = RecordFailReference(event);
    options_.logger.Warn("Huawei: recording failed for \"" + ref.file_name + "\" (call " + ref.call_id +
                         ") (AgentMediaEvent_Record_Fail); reported as failed");
    return report(MakeRecordFailItem(session_.AgentId(), event, ref));
  };
  std::string const when = "during a run without --watch (AgentMediaEvent_Record consumed by the keep-alive poll)";
  auto done = stopping ? Result<bool>(false) : AfterWatch(report_malformed, report_record_fail, on_pending, when, ctx);
  if (done && *done) return {};
  // The run stops (or the poll failed): every record event still held becomes a pending line.
  stopped = true;
  poller_->Stop();
  (void)TakeLate(report_malformed, report_record_fail, on_pending, when);
  if (!done) return std::move(done).error();
  return {};
}

Result<void> HuaweiSource::Shutdown() {
  if (shut_down_.exchange(true)) return {};
  if (poller_) poller_->Stop();
  CallContext ctx;  // deliberately not the run's context: Ctrl-C must still sign out
  ctx.deadline = std::chrono::system_clock::now() + options_.sign_out_timeout;
  return session_.SignOut(ctx);
}

std::unique_ptr<HuaweiRecordingSource> MakeHuaweiSource(AgentSession session, HuaweiSourceOptions options) {
  return std::make_unique<HuaweiSource>(std::move(session), std::move(options));
}

}  // namespace ccrec::huawei
