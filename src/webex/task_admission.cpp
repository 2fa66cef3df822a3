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

std::string Created(Task const& task) { return ::ccrec::detail::FormatIso8601(*task.created_time); }

}  // namespace

bool TaskMatches(WebexTaskFilter const& filter, Task const& task) {
  return RefMatches(filter.queues, task.queue) && RefMatches(filter.agents, task.owner) &&
         AnyOf(filter.directions, task.direction) && AnyOf(filter.statuses, task.status);
}

bool IsOpenTask(Task const& task) {
  static std::vector<std::string> const kOpen{"created", "queued", "offered", "assigned"};
  return task.status && AnyOf(kOpen, task.status);
}

exporter::PendingItem PendingTask(Task const& task, PendingAge const& age, bool by_task_id) {
  exporter::PendingItem p{"webex", task.id,
                          by_task_id ? "the Captures API lists nothing for this task id (unknown id, not recorded, or not "
                                       "available yet)"
                          : task.capture_requested ? "capture requested but not available yet"
                                                   : "capture status not known yet (captureRequested is null)",
                          task.created_time};
  if (age.TooOld(task.created_time)) {
    p.given_up = true;
    p.reason = "unavailable after " + FormatAge(age.max_age) + ": " + p.reason + " (task created " + Created(task) +
               "; purged or never recorded?)";
  }
  return p;
}

std::optional<exporter::PendingItem> OpenTaskPending(Task const& task, PendingAge const& age, OpenTaskCase why) {
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
  if (age.TooOld(task.created_time)) {
    p.given_up = true;
    p.reason = "still open after " + FormatAge(age.max_age) + ": " + p.reason + " (task created " + Created(task) +
               (partial       ? "; recordings made after the last run are not exported)"
                : unrequested ? "; no capture requested)"
                              : "; not exported: whether it matches the filters is not known)");
  }
  return p;
}

bool SearchIndexed(SearchTask const* found) { return found != nullptr && found->ended_time.has_value(); }

exporter::PendingItem NotIndexedPending(Task const& task, PendingAge const& age, bool filtered, bool listed) {
  exporter::PendingItem p{"webex", task.id,
                          std::string(listed ? "the Search API returns it without an endedTime (its end is not indexed yet)"
                                             : "the Search API does not return it yet (not indexed)") +
                              (filtered ? ": the Search filters are judged once it is; a later run lists it again"
                                        : ": its sidecar waits for the Search metadata; a later run lists it again"),
                          task.created_time};
  if (age.TooOld(task.created_time)) {
    p.given_up = true;
    p.reason = "not indexed by Search after " + FormatAge(age.max_age) + ": " + p.reason + " (task created " +
               Created(task) +
               (filtered ? "; not exported: whether it matches the Search filters is not known)"
                         : "; exported without the Search metadata)");
  }
  return p;
}

}  // namespace ccrec::webex::detail
