// SPDX-License-Identifier: Apache-2.0
// UnfinishedRecordings(): what an incremental Huawei run retries (include/ccrec/huawei/recording_source.hpp).
#include <ccrec/huawei/recording_source.hpp>

#include "huawei/awaiting_stop.hpp"

#include <map>

namespace ccrec::huawei {

namespace {
bool StartsWith(std::string const& s, char const* prefix) { return s.rfind(prefix, 0) == 0; }
}  // namespace

std::vector<RecordingReference> UnfinishedRecordings(exporter::Manifest const& manifest) {
  std::vector<RecordingReference> out;
  for (auto const& e : manifest.Entries()) {
    if (e.source != "huawei") continue;
    if (e.status != exporter::ItemStatus::kFailed && e.status != exporter::ItemStatus::kPending) continue;
    if (e.recording_id.empty()) continue;
    // Record events with nothing to download (recording_source.cpp: MakeRecordFailItem,
    // MakeMalformedEventItem) fail the same way every time.
    if (StartsWith(e.recording_id, "malformed-event-") || StartsWith(e.recording_id, "record-fail-")) continue;
    if (e.error.find("AgentMediaEvent_Record_Fail") != std::string::npos) continue;
    RecordingReference r;
    r.file_name = e.recording_id;
    r.call_id = e.task_id;
    // A recording still being recorded when a run ended: its taskId and when that run saw its
    // Record event, so that this run waits for its StopRecordDone (lines of older versions have none).
    if (auto awaiting = detail::ParseAwaitingStopMarker(e.error); awaiting && e.status == exporter::ItemStatus::kPending) {
      r.task_id = std::move(awaiting->task_id);
      r.event_time = awaiting->seen_at;
      r.awaiting_stop_record = true;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RecordingReference> ListedRecordings(std::vector<std::string> const& file_names,
                                                 exporter::Manifest const& manifest) {
  std::map<std::string, RecordingReference> unfinished;  // by fileName; a line with a task first
  for (auto& r : UnfinishedRecordings(manifest)) {
    auto it = unfinished.find(r.file_name);
    if (it == unfinished.end()) {
      unfinished.emplace(r.file_name, std::move(r));
    } else if (it->second.call_id.empty()) {
      it->second = std::move(r);
    }
  }
  std::vector<RecordingReference> out;
  for (auto const& name : file_names) {
    auto it = unfinished.find(name);
    if (it != unfinished.end()) {
      out.push_back(it->second);
      continue;
    }
    RecordingReference r;
    r.file_name = name;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ccrec::huawei
