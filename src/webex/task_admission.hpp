// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: which listed tasks go on to Captures, and which stay pending for a
// later run (the Webex recording source, recording_source.cpp). Not installed.

#include <ccrec/core/clock.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/webex/models.hpp>
#include <ccrec/webex/recording_source.hpp>
#include <ccrec/webex/search.hpp>

#include "internal/pending_age.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::webex::detail {

/// Whether `task` passes the task filters of `filter` (queues, agents, directions, statuses;
/// duration bounds are per recording and not looked at). Each list is "any of", an empty list
/// admits every task, and a task that lacks the filtered attribute fails a non-empty list.
/// Names and the direction and status values compare case-insensitively; ids exactly.
bool TaskMatches(WebexTaskFilter const& filter, Task const& task);

/// Whether `task` was still open when listed: its status is created, queued, offered or assigned
/// (Webex CC reference §4.2; case-insensitive). A task without status is not taken as open.
bool IsOpenTask(Task const& task);

/// How long a task may stay unfinished (WebexSourceOptions::pending_max_age), and FormatAge():
/// shared with the FACE source (internal/pending_age.hpp).
using ::ccrec::detail::FormatAge;
using ::ccrec::detail::PendingAge;

/// The end of the Tasks window that listed a task (the `to` of its sub-window), or nullopt for a
/// task given by id (WebexSourceOptions::task_ids). A task's pending age counts from its
/// createdTime; a listed task without one (the spec has it, a server may omit it) was created
/// before the end of its window, so its age counts from there instead: it is given up, never
/// early, rather than held pending (and the resume point with it) for ever. A task given by id
/// without createdTime has no age and is never given up.
using ListedBefore = std::optional<std::chrono::system_clock::time_point>;

/// A task without anything to export yet (captureRequested true or null, or listed by id, and an
/// empty capture): pending with the reason, or given up (PendingItem::given_up, reason
/// "unavailable after <age>: ...") once older than `age`. `by_task_id`: the task was given with
/// WebexSourceOptions::task_ids, not listed.
exporter::PendingItem PendingTask(Task const& task, PendingAge const& age, bool by_task_id, ListedBefore listed_before);

/// Why an open task stays pending.
enum class OpenTaskCase {
  /// Its capture already has entries, which are exported now (reference §4.4, §5.1: Captures
  /// answers for open tasks): a later run lists it again for what follows.
  kPartialCapture,
  /// It does not match the task filters or the Search filters (yet): status, last agent and last
  /// queue change until the task ends, and Search has no totals before then, so the filters are
  /// judged once it has ended; skipping it now would move the resume point past it for good.
  kNotMatchingYet,
  /// Its captureRequested is false. The spec reads false as "no capture will be made available",
  /// but whether a call is recorded is decided while it runs (flow, queue): until it has ended a
  /// false is taken as "not yet", so the resume point stays before it. The caller skips it
  /// instead once the pending item is given up (still open after pending_max_age): a task that
  /// asked for no recording is never a failure, nor holds the resume point for ever.
  kCaptureNotRequestedYet,
};

/// The pending item of a task listed while still open (IsOpenTask()), or nullopt for any other
/// task; given up (reason "still open after <age>: ...") once older than `age`, like PendingTask().
std::optional<exporter::PendingItem> OpenTaskPending(Task const& task, PendingAge const& age, OpenTaskCase why,
                                                     ListedBefore listed_before);

/// Whether the Search answer has a task in its final state: `found` (its record in the answer,
/// or null when the answer lacks it) is not null and has an endedTime. A task that has ended by
/// the Tasks API's account but that Search returns without an endedTime (or not at all) has not
/// been indexed yet, or not since it ended: its totals, wrap-up and CAD variables may still be
/// missing or change. Webex CC reference §6; the spec's example Search task carries endedTime.
bool SearchIndexed(SearchTask const* found);

/// The pending item of a task that has ended (not IsOpenTask()) but that Search has not indexed
/// (SearchIndexed() false; `listed`: the answer has it, without endedTime), with enrich_search.
/// `filtered`: Search filters are set, which cannot be judged before Search has the task;
/// otherwise the sidecar waits for the Search metadata. The reason names the case and that a
/// later run lists it again; once the task is older than `age` (see ListedBefore)
/// PendingItem::given_up is set and the reason starts "not indexed by Search
/// after <age>: ". With `filtered` the caller reports it (one failed line: whether it matches is
/// not known); without, the caller exports it without the Search metadata instead.
exporter::PendingItem NotIndexedPending(Task const& task, PendingAge const& age, bool filtered, bool listed,
                                        ListedBefore listed_before);

}  // namespace ccrec::webex::detail
