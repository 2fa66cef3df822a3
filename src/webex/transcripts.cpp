// SPDX-License-Identifier: Apache-2.0
#include "transcripts.hpp"

#include <ccrec/webex/recording_source.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <chrono>
#include <optional>

namespace ccrec::webex {

std::string TranscriptItemId(std::vector<Transcription> const& transcriptions, std::size_t index) {
  return detail::CaptureEntryId(transcriptions, index, "transcript-", "transcript-");
}

std::string RecordingItemId(std::vector<Recording> const& recordings, std::size_t index) {
  return detail::CaptureEntryId(recordings, index, "", "recording-");
}

std::vector<std::string> WebexExtraKeyNames() { return {detail::kKindKey}; }

namespace detail {

namespace {

std::string MsText(std::optional<std::chrono::system_clock::time_point> const& t) {
  return t ? std::to_string(::ccrec::detail::ToEpochMs(*t)) : std::string("-");
}

/// Both presigned URLs name the same object: equal up to their queries (the signature differs
/// per Captures answer). Not when either is missing: nothing then shows it is the same object.
bool SameObject(std::optional<std::string> const& a, std::optional<std::string> const& b) {
  return a && b && a->substr(0, a->find('?')) == b->substr(0, b->find('?'));
}

template <class Entry>
bool SameEntry(Entry const& earlier, Entry const& later) {
  return !earlier.id.empty() && earlier.id == later.id && FingerprintOf(earlier) == FingerprintOf(later) &&
         SameObject(FilePathOf(earlier), FilePathOf(later));
}

}  // namespace

std::string FingerprintOf(Recording const& r) {
  auto const& a = r.attributes;
  return a.file_name.value_or("") + '\n' + MsText(a.start_time) + '\n' + MsText(a.stop_time) + '\n' +
         a.call_type.value_or("") + '\n' + a.channel1.value_or("") + '\n' + a.channel2.value_or("") + '\n' +
         (r.segment ? (*r.segment ? "1" : "0") : "-");
}

std::string FingerprintOf(Transcription const& t) {
  return t.file_name.value_or("") + '\n' + MsText(t.start_time) + '\n' + t.source.value_or("") + '\n' +
         t.provider.value_or("") + '\n' + t.language_code.value_or("");
}

bool SameCaptureEntry(Recording const& earlier, Recording const& later) { return SameEntry(earlier, later); }
bool SameCaptureEntry(Transcription const& earlier, Transcription const& later) { return SameEntry(earlier, later); }

std::string TranscriptSidecar(Task const& task, Transcription const& transcription, std::string const& item_id) {
  // The entry's own bytes minus every top-level filePath (the presigned URL, a bearer secret).
  std::string entry = "{\"id\":\"" + ::ccrec::detail::JsonEscape(transcription.id) + "\"}";
  if (auto doc = ::ccrec::detail::ParseJsonWithSpans(transcription.raw_json, "transcription");
      doc && doc->Doc().IsObject()) {
    entry = doc->RawWithoutMember(doc->Doc(), "filePath");
  }
  std::string task_json =
      task.raw_json.empty() ? "{\"id\":\"" + ::ccrec::detail::JsonEscape(task.id) + "\"}" : task.raw_json;
  return "{\"source\":\"webex\",\"kind\":\"transcript\",\"task_id\":\"" + ::ccrec::detail::JsonEscape(task.id) +
         "\",\"recording_id\":\"" + ::ccrec::detail::JsonEscape(item_id) + "\",\"task\":" + task_json +
         ",\"transcription\":" + entry + "}\n";
}

}  // namespace detail
}  // namespace ccrec::webex
