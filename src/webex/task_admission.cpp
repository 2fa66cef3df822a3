// SPDX-License-Identifier: Apache-2.0
#include "task_admission.hpp"

#include "internal/ascii.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <vector>

namespace ccrec::webex::detail {

namespace {

bool AnyOf(std::vector<std::string> const& wanted, std::optional<std::string> const& value) {
  if (wanted.empty()) return true;
  if (!value) return false;
  return std::any_of(wanted.begin(), wanted.end(),
                     [&](std::string const& w) { return ::ccrec::detail::EqualsIgnoreCase(w, *value); });
}

bool RefMatches(std::vector<std::string> const& wanted, std::optional<NamedRef> const& ref) {
  if (wanted.empty()) return true;
  if (!ref) return false;
  return std::any_of(wanted.begin(), wanted.end(), [&](std::string const& w) {
    return (ref->id && *ref->id == w) || (ref->name && ::ccrec::detail::EqualsIgnoreCase(*ref->name, w));
  });
}

// When a task's pending age counts from: its createdTime, or without one the end of the Tasks
// window that listed it (it was created before then).
std::optional<std::chrono::system_clock::time_point> AgeFrom(Task const& task, ListedBefore listed_before) {
  return task.created_time ? task.created_time : listed_before;
}

// "task created <time>", for the reason of a task given up (AgeFrom() is set).
std::string Created(Task const& task, ListedBefore listed_before) {
  if (task.created_time) return "task created " + ::ccrec::detail::FormatIso8601(*task.created_time);
  return "task without createdTime, listed by a Tasks window ending " + ::ccrec::detail::FormatIso8601(*listed_before);
}

}  // namespace

bool TaskMatches(WebexTaskFilter const& filter, Task const& task) {
  return RefMatches(filter.queues, task.queue) && RefMatches(filter.agents, task.owner) &&
         AnyOf(filter.directions, task.direction) && AnyOf(filter.statuses, task.status);
}

bool IsOpenTask(Task const& task) {
  static std::vector<std::string> const kOpen{"created", "queued", "offered", "assigned"};
  return task.status && AnyOf(kOpen, task.status);
}

exporter::PendingItem PendingTask(Task const& task, PendingAge const& age, bool by_task_id, ListedBefore listed_before) {
  exporter::PendingItem p{"webex", task.id,
                          by_task_id ? "the Captures API lists nothing for this task id (unknown id, not recorded, or not "
                                       "available yet)"
                          : task.capture_requested ? "capture requested but not available yet"
                                                   : "capture status not known yet (captureRequested is null)",
                          task.created_time};
  if (age.TooOld(AgeFrom(task, listed_before))) {
    p.given_up = true;
    p.reason = "unavailable after " + FormatAge(age.max_age) + ": " + p.reason + " (" + Created(task, listed_before) +
               "; purged or never recorded?)";
  }
  return p;
}

std::optional<exporter::PendingItem> OpenTaskPending(Task const& task, PendingAge const& age, OpenTaskCase why,
                                                     ListedBefore listed_before) {
  if (!IsOpenTask(task)) return std::nullopt;
  bool const partial = why == OpenTaskCase::kPartialCapture;
  bool const unrequested = why == OpenTaskCase::kCaptureNotRequestedYet;
  exporter::PendingItem p{
      "webex", task.id,
      "task still open (status " + *task.status + ") when listed: " +
          (partial       ? "its capture may be partial; what it had was exported, a later run lists it again"
           : unrequested ? "its captureRequested is false, which is judged once it has ended; a later run lists it "
                           "again"
                         : "the task and Search filters are judged once it has ended; a later run lists it again"),
      task.created_time};
  if (age.TooOld(AgeFrom(task, listed_before))) {
    p.given_up = true;
    p.reason = "still open after " + FormatAge(age.max_age) + ": " + p.reason + " (" + Created(task, listed_before) +
               (partial       ? "; recordings made after the last run are not exported)"
                : unrequested ? "; no capture requested)"
                              : "; not exported: whether it matches the filters is not known)");
  }
  return p;
}

bool SearchIndexed(SearchTask const* found) { return found != nullptr && found->ended_time.has_value(); }

exporter::PendingItem NotIndexedPending(Task const& task, PendingAge const& age, bool filtered, bool listed,
                                        ListedBefore listed_before) {
  exporter::PendingItem p{"webex", task.id,
                          std::string(listed ? "the Search API returns it without an endedTime (its end is not indexed yet)"
                                             : "the Search API does not return it yet (not indexed)") +
                              (filtered ? ": the Search filters are judged once it is; a later run lists it again"
                                        : ": its sidecar waits for the Search metadata; a later run lists it again"),
                          task.created_time};
  if (age.TooOld(AgeFrom(task, listed_before))) {
    p.given_up = true;
    p.reason = "not indexed by Search after " + FormatAge(age.max_age) + ": " + p.reason + " (" +
               Created(task, listed_before) +
               (filtered ? "; not exported: whether it matches the Search filters is not known)"
                         : "; exported without the Search metadata)");
  }
  return p;
}

}  // namespace ccrec::webex::detail
