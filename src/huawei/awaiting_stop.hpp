// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::huawei: recordings announced by AgentMediaEvent_Record whose
// AgentMediaEvent_StopRecordDone has not arrived yet (a file still being written is incomplete,
// reference huawei-cc-gateway.md §5, unconfirmed): the watch's waiting set, and the marker that
// carries such a recording's taskId and announcement time from one run to the next in the reason
// of its pending manifest line. Not installed.

#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/huawei/models.hpp>

#include <chrono>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::huawei::detail {

/// What a later run needs of a recording still awaiting its StopRecordDone.
struct AwaitingStop {
  /// `taskId` of its AgentMediaEvent_Record (pairs it with the StopRecordDone). Never empty.
  std::string task_id;
  /// When the source saw its AgentMediaEvent_Record (HuaweiSourceOptions::clock), to the millisecond.
  std::chrono::system_clock::time_point seen_at;
};

/// The marker that ends the reason of a pending line of a recording awaiting its StopRecordDone:
/// ` [ccrec-awaiting-stop taskId=<id> seen=<time>]`, where `<id>` is the taskId with every byte
/// outside `[A-Za-z0-9._-]` written `%XX` (upper-case hex) and `<time>` ISO-8601 UTC with
/// milliseconds when non-zero (`2026-11-01T08:00:00.250Z`). Written and read by the Huawei
/// adapter only (ParseAwaitingStopMarker()); the manifest format does not change.
std::string AwaitingStopMarker(AwaitingStop const& awaiting);

/// The AwaitingStop of a reason that ends with AwaitingStopMarker() (trailing blanks allowed);
/// nullopt for any other reason (lines of older ccrec versions, a malformed or empty taskId, a time
/// that does not parse).
std::optional<AwaitingStop> ParseAwaitingStopMarker(std::string_view reason);

/// The pending line of recording `r` (task `awaiting.task_id`) that awaits its StopRecordDone:
/// recording_id its fileName and task_id its callId (the identity its export will have, so that
/// --since-last-run retries it), the reason "recording \"<fileName>\" (task <taskId>) " + `what` +
/// AwaitingStopMarker(awaiting).
exporter::PendingItem AwaitingStopPending(RecordingReference const& r, AwaitingStop const& awaiting,
                                          std::string const& what);

/// `now` + `after`, without overflow: at most about 10 years later (a negative `after` is `now`).
std::chrono::steady_clock::time_point DueAfter(std::chrono::steady_clock::time_point now,
                                               std::chrono::milliseconds after);

/// How long ago `since` was at `now` (negative when `since` is later).
std::chrono::milliseconds AgeAt(std::chrono::system_clock::time_point since,
                                std::chrono::system_clock::time_point now);

/// The warning for a recording presumed finished without its StopRecordDone: names its fileName,
/// taskId and age, and what happens (exported now; the sidecar says stop_record_seen false).
std::string PresumedFinishedWarning(RecordingReference const& r, std::chrono::milliseconds age,
                                    std::chrono::milliseconds max_recording_duration);

/// The taskIds of AgentMediaEvent_StopRecordDone events that came before their task's
/// AgentMediaEvent_Record (or whose Record this run never sees), so that a Record arriving later is
/// exported at once. Holds at most `capacity` taskIds: adding one more forgets the oldest (a Record
/// whose stop was forgotten waits, at worst, until max_recording_duration; it is never lost). Not
/// thread-safe: one watch.
class EarlyStops {
 public:
  /// `capacity`: how many taskIds are kept (at least 1).
  explicit EarlyStops(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  /// Remembers `task` (non-empty) as the newest; a task remembered already stays where it is.
  void Add(std::string const& task);
  /// Forgets `task`; true when it was remembered.
  bool Take(std::string const& task);
  /// Whether `task` is remembered.
  bool Contains(std::string const& task) const { return tasks_.count(task) > 0; }
  /// How many taskIds are remembered.
  std::size_t Size() const { return order_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::string> order_;  // oldest first
  std::map<std::string, std::list<std::string>::iterator, std::less<>> tasks_;
};

/// The recordings of a watch that wait for their task's StopRecordDone, by taskId (a task may
/// announce several files, e.g. audio and video [U]). Each knows when it was announced (its
/// AwaitingStop::seen_at, by HuaweiSourceOptions::clock); the set also keeps, in order of due time,
/// when to warn that the StopRecordDone is overdue (stop_record_timeout, steady time) and when a
/// recording is presumed finished (max_recording_duration after seen_at). Not thread-safe: one watch.
class WaitingRecordings {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using SysTime = std::chrono::system_clock::time_point;

  /// `max_recording_duration` as HuaweiSourceOptions (0 or less: presumed finished at once).
  explicit WaitingRecordings(std::chrono::milliseconds max_recording_duration)
      : max_recording_duration_(max_recording_duration) {}

  /// Adds `ref` (non-empty task_id and file_name, not waiting yet) announced at `seen_at`; `warn_at`:
  /// when to warn that its StopRecordDone is overdue (none: never).
  void Add(RecordingReference ref, SysTime seen_at, std::optional<SteadyTime> warn_at);
  /// True when `file_name` of task `task` waits.
  bool Contains(std::string const& task, std::string const& file_name) const;
  /// Removes and returns every recording of task `task` (its StopRecordDone came), in announcement order.
  std::vector<RecordingReference> TakeTask(std::string const& task);
  /// Removes `file_name` of task `task` (its AgentMediaEvent_Record_Fail came).
  void Erase(std::string const& task, std::string const& file_name);
  /// The recordings (taskId, fileName) whose overdue warning is due at `now` and that still wait, each once.
  std::vector<std::pair<std::string, std::string>> TakeOverdue(SteadyTime now);
  /// Removes and returns the recordings presumed finished at `now` (max_recording_duration after
  /// their seen_at), each with its seen_at.
  std::vector<std::pair<RecordingReference, SysTime>> TakeExpired(SysTime now);
  /// The earliest steady time at which TakeOverdue() or TakeExpired() may return something, counting
  /// from `steady_now` / `clock_now`; nullopt when neither can.
  std::optional<SteadyTime> NextDue(SteadyTime steady_now, SysTime clock_now) const;
  /// Removes and returns every waiting recording with its AwaitingStop.
  std::vector<std::pair<RecordingReference, AwaitingStop>> TakeAll();

 private:
  struct Entry {
    RecordingReference ref;
    SysTime seen_at;
  };
  struct Due {
    std::string task, file_name;
  };
  bool EraseEntry(std::string const& task, std::string const& file_name, Entry* out);

  std::chrono::milliseconds max_recording_duration_;
  std::multimap<std::string, Entry> by_task_;
  std::multimap<SteadyTime, Due> warn_;  // stale entries (no longer waiting) are skipped
  std::multimap<SysTime, Due> expire_;   // likewise
};

}  // namespace ccrec::huawei::detail
