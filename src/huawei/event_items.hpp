// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::huawei: the key id of a recording and the export items of record events that
// cannot be downloaded (issue 11: every record event ends as a manifest line). Not installed.
// Reference huawei-cc-gateway.md §5.

#include <ccrec/core/error.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/models.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace ccrec::huawei::detail {

/// The key's {recording_id}: the path without extension, each byte outside `[A-Za-z0-9._-]` replaced
/// by '_' (a leading '.' too), cut at 180 bytes, + "-" + 8 hex of SHA-256(fileName). Already safe, so
/// exporter::SanitizeKeyComponent() keeps it as it is (keys of earlier versions stay the same).
std::string KeyId(std::string const& file_name);

/// The failed item of a recording whose record event overflowed the poller's queue: same identity and
/// key as its export would have had; its opener fails at once (not retried), so the engine writes a
/// manifest "failed" line that names the fileName and counts it in the summary.
exporter::ExportItem MakeOverflowedItem(AgentSession session, RecordingReference const& reference, int file_type,
                                        std::size_t queue_size);

/// A string member of the event's content when it parses (numbers exactly as written), else "".
std::string ContentField(std::string const& content_json, char const* key);

/// An AgentMediaEvent_Record (or _Record_Fail) whose content cannot be used: failed, with what was
/// wrong, the call id when it can be recovered and the (redacted) content. recording_id is the
/// fileName when a Record event names one (e.g. its locationId is not a number): the identity its
/// export will have, so that --since-last-run (UnfinishedRecordings()) downloads it by that name;
/// otherwise "malformed-event-" + 12 hex of SHA-256 of the event (never retried), so the same event
/// delivered twice is one identity.
exporter::ExportItem MakeMalformedEventItem(std::string const& agent_id, AgentEvent const& event, Error const& why);

/// What an AgentMediaEvent_Record_Fail names: all its fields when it parses, else (no fileName, or an
/// unusable locationId) the call, task and fileName that can still be read.
RecordingReference RecordFailReference(AgentEvent const& event);

/// An AgentMediaEvent_Record_Fail: the gateway reports that recording the call failed, so there is no
/// file to download. Failed, naming the call, agent, task and fileName and the event's other fields.
exporter::ExportItem MakeRecordFailItem(std::string const& agent_id, AgentEvent const& event,
                                        RecordingReference const& r);

/// The pending line of a failed item (above) that the engine no longer takes because the run is
/// stopping: same identity, the reason says so and quotes the failure.
exporter::PendingItem PendingForUnreportedFailure(exporter::ExportItem const& item);

/// The pending line of a recording whose AgentMediaEvent_Record arrived `when` (e.g. "after the
/// watch ended"), so that it is not downloaded in this run: recording_id its fileName, the identity its
/// export will have, so that --since-last-run (UnfinishedRecordings()) downloads it.
exporter::PendingItem LateRecordPending(RecordingReference const& r, std::string const& when);

/// The pending line of a recording announced during the watch that the run stopped before exporting
/// (logged as a warning on `log`): recording_id its fileName, as LateRecordPending().
exporter::PendingItem StoppedRecordPending(RecordingReference const& r, Logger const& log);

}  // namespace ccrec::huawei::detail
