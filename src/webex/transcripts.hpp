// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: transcripts as export items (issue 13 item 5). Not installed.

#include <ccrec/webex/models.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ccrec::webex::detail {

/// The `{kind}` key placeholder: "recording" for recordings, "transcript" for transcripts.
inline constexpr char kKindKey[] = "kind";

/// The presigned URL of a capture entry (`filePath`).
inline std::optional<std::string> const& FilePathOf(Recording const& r) { return r.attributes.file_path; }
inline std::optional<std::string> const& FilePathOf(Transcription const& t) { return t.file_path; }

/// What tells a capture entry from its siblings when its item id is derived from its position
/// (CaptureEntryIdIsPositional()): everything but the id and the presigned URL.
std::string FingerprintOf(Recording const& recording);
std::string FingerprintOf(Transcription const& transcription);

/// Whether `later` is `earlier` listed a second time: the same non-empty id, the same attributes
/// (FingerprintOf()) and the same presigned object (both filePaths present and equal without
/// their queries, which differ per signature). Such a repeat is the same item, exported once.
bool SameCaptureEntry(Recording const& earlier, Recording const& later);
bool SameCaptureEntry(Transcription const& earlier, Transcription const& later);

/// Per entry of `list`: the index of the earlier entry it repeats (SameCaptureEntry(), found by
/// argument-dependent lookup), or `list.size()` when it is no repeat.
template <class Entry>
std::vector<std::size_t> CaptureEntryRepeats(std::vector<Entry> const& list) {
  std::vector<std::size_t> repeat_of(list.size(), list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].id.empty()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (repeat_of[j] == list.size() && list[j].id == list[i].id && SameCaptureEntry(list[j], list[i])) {
        repeat_of[i] = j;
        break;
      }
    }
  }
  return repeat_of;
}

/// Whether entry `index` of `list` shares its (non-empty) id with another entry that is no
/// repeat of it; `repeat_of` is CaptureEntryRepeats(list).
template <class Entry>
bool CaptureEntryIdIsShared(std::vector<Entry> const& list, std::vector<std::size_t> const& repeat_of,
                            std::size_t index) {
  std::size_t const self = repeat_of[index] == list.size() ? index : repeat_of[index];
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != self && repeat_of[i] == list.size() && list[i].id == list[self].id) return true;
  }
  return false;
}

/// The item ids (manifest recording_id, {recording_id}) of the entries of one task's capture
/// list (`recording[]` or `transcription[]`; Entry has a std::string `id`, empty when the server
/// sent none, or one that is neither a string nor an integer), in list order:
/// - the id of the entry it repeats, for an entry listed a second time (CaptureEntryRepeats());
/// - `id_prefix` + id when no other entry of the list has that id (the entry's own id);
/// - `id_prefix` + id + "-" + (index + 1) when another one does;
/// - `position_prefix` + (index + 1) when the id is empty.
/// A derived id (the last two) never takes an entry's own id nor an earlier derived one (a
/// hostile list: `"id":"recording-1"` beside an entry without id): it gets "-" + (index + 1)
/// again until it is free. So distinct entries have distinct ids, the same on every query as long
/// as the server lists the entries in the same order (an assumption: Cisco documents no order).
template <class Entry>
std::vector<std::string> CaptureEntryIds(std::vector<Entry> const& list, std::string const& id_prefix,
                                         std::string const& position_prefix) {
  auto const repeat_of = CaptureEntryRepeats(list);
  std::vector<std::string> ids(list.size());
  std::set<std::string> taken;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (repeat_of[i] == list.size() && !list[i].id.empty() && !CaptureEntryIdIsShared(list, repeat_of, i)) {
      taken.insert(ids[i] = id_prefix + list[i].id);
    }
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!ids[i].empty() || repeat_of[i] != list.size()) continue;
    std::string const n = std::to_string(i + 1);
    std::string id = list[i].id.empty() ? position_prefix + n : id_prefix + list[i].id + "-" + n;
    while (!taken.insert(id).second) id += "-" + n;
    ids[i] = std::move(id);
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (repeat_of[i] != list.size()) ids[i] = ids[repeat_of[i]];
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

/// Whether entry `index` repeats an earlier entry of `list` (CaptureEntryRepeats()): it is not
/// exported again.
template <class Entry>
bool CaptureEntryIsRepeat(std::vector<Entry> const& list, std::size_t index) {
  return index < list.size() && CaptureEntryRepeats(list)[index] != list.size();
}

/// Whether CaptureEntryId() of entry `index` is derived from its position (its id is empty or
/// shared with another entry), so that a re-query must check it is still the same entry.
template <class Entry>
bool CaptureEntryIdIsPositional(std::vector<Entry> const& list, std::size_t index) {
  return index >= list.size() || list[index].id.empty() ||
         CaptureEntryIdIsShared(list, CaptureEntryRepeats(list), index);
}

/// KEY.json of a transcript: `{"source":"webex","kind":"transcript","task_id","recording_id",
/// "task":{...},"transcription":{...as sent, without filePath}}`.
std::string TranscriptSidecar(Task const& task, Transcription const& transcription, std::string const& item_id);

}  // namespace ccrec::webex::detail
