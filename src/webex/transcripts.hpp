// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: transcripts as export items (issue 13 item 5). Not installed.

#include <ccrec/webex/models.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace ccrec::webex::detail {

/// The `{kind}` key placeholder: "recording" for recordings, "transcript" for transcripts.
inline constexpr char kKindKey[] = "kind";

/// Whether entry `index` of `list` shares its (non-empty) id with another entry.
template <class Entry>
bool CaptureEntryIdIsShared(std::vector<Entry> const& list, std::size_t index) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != index && list[i].id == list[index].id) return true;
  }
  return false;
}

/// The item ids (manifest recording_id, {recording_id}) of the entries of one task's capture
/// list (`recording[]` or `transcription[]`; Entry has a std::string `id`, empty when the server
/// sent none, or one that is neither a string nor an integer), in list order:
/// - `id_prefix` + id when no other entry of the list has that id (the entry's own id);
/// - `id_prefix` + id + "-" + (index + 1) when another one does;
/// - `position_prefix` + (index + 1) when the id is empty.
/// A derived id (the last two) never takes an entry's own id nor an earlier derived one (a
/// hostile list: `"id":"recording-1"` beside an entry without id): it gets "-" + (index + 1)
/// again until it is free. So the ids are distinct, and the same on every query as long as the
/// server lists the entries in the same order (an assumption: Cisco documents no order).
template <class Entry>
std::vector<std::string> CaptureEntryIds(std::vector<Entry> const& list, std::string const& id_prefix,
                                         std::string const& position_prefix) {
  std::vector<std::string> ids(list.size());
  std::set<std::string> taken;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].id.empty() && !CaptureEntryIdIsShared(list, i)) taken.insert(ids[i] = id_prefix + list[i].id);
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!ids[i].empty()) continue;
    std::string const n = std::to_string(i + 1);
    std::string id = list[i].id.empty() ? position_prefix + n : id_prefix + list[i].id + "-" + n;
    while (!taken.insert(id).second) id += "-" + n;
    ids[i] = std::move(id);
  }
  return ids;
}

/// CaptureEntryIds()[index]; `position_prefix` + (index + 1) when `index` is out of range. One
/// rule for recordings and transcripts (RecordingItemId(), TranscriptItemId()).
template <class Entry>
std::string CaptureEntryId(std::vector<Entry> const& list, std::size_t index, std::string const& id_prefix,
                           std::string const& position_prefix) {
  if (index >= list.size()) return position_prefix + std::to_string(index + 1);
  return CaptureEntryIds(list, id_prefix, position_prefix)[index];
}

/// Whether CaptureEntryId() of entry `index` is derived from its position (its id is empty or
/// shared with another entry), so that a re-query must check it is still the same entry.
template <class Entry>
bool CaptureEntryIdIsPositional(std::vector<Entry> const& list, std::size_t index) {
  return index >= list.size() || list[index].id.empty() || CaptureEntryIdIsShared(list, index);
}

/// KEY.json of a transcript: `{"source":"webex","kind":"transcript","task_id","recording_id",
/// "task":{...},"transcription":{...as sent, without filePath}}`.
std::string TranscriptSidecar(Task const& task, Transcription const& transcription, std::string const& item_id);

}  // namespace ccrec::webex::detail
