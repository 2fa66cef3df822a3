// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: transcripts as export items (issue 13 item 5). Not installed.

#include <ccrec/webex/models.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace ccrec::webex::detail {

/// The `{kind}` key placeholder: "recording" for recordings, "transcript" for transcripts.
inline constexpr char kKindKey[] = "kind";

/// The item id (manifest recording_id, {recording_id}) of entry `index` of one task's capture
/// list (`recording[]` or `transcription[]`; Entry has a std::string `id`, empty when the server
/// sent none, or one that is neither a string nor an integer): `id_prefix` + id when no other entry of the list has that id;
/// `id_prefix` + id + "-" + (index + 1) when another one does; `position_prefix` + (index + 1)
/// when the id is empty (or `index` is out of range). Distinct for every entry of a list, and the
/// same on every query as long as the server lists the entries in the same order (an assumption:
/// Cisco documents no order). One rule for recordings and transcripts (RecordingItemId(),
/// TranscriptItemId()).
template <class Entry>
std::string CaptureEntryId(std::vector<Entry> const& list, std::size_t index, std::string const& id_prefix,
                           std::string const& position_prefix) {
  if (index >= list.size() || list[index].id.empty()) return position_prefix + std::to_string(index + 1);
  auto const& id = list[index].id;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != index && list[i].id == id) return id_prefix + id + "-" + std::to_string(index + 1);
  }
  return id_prefix + id;
}

/// Whether CaptureEntryId() of entry `index` is derived from its position (its id is empty or
/// shared with another entry), so that a re-query must check it is still the same entry.
template <class Entry>
bool CaptureEntryIdIsPositional(std::vector<Entry> const& list, std::size_t index) {
  if (index >= list.size() || list[index].id.empty()) return true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != index && list[i].id == list[index].id) return true;
  }
  return false;
}

/// KEY.json of a transcript: `{"source":"webex","kind":"transcript","task_id","recording_id",
/// "task":{...},"transcription":{...as sent, without filePath}}`.
std::string TranscriptSidecar(Task const& task, Transcription const& transcription, std::string const& item_id);

}  // namespace ccrec::webex::detail
