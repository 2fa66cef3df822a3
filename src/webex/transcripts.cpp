// SPDX-License-Identifier: Apache-2.0
#include "transcripts.hpp"

#include <ccrec/webex/recording_source.hpp>

#include "internal/json.hpp"

namespace ccrec::webex {

std::string TranscriptItemId(std::vector<Transcription> const& transcriptions, std::size_t index) {
  return detail::CaptureEntryId(transcriptions, index, "transcript-", "transcript-");
}

std::string RecordingItemId(std::vector<Recording> const& recordings, std::size_t index) {
  return detail::CaptureEntryId(recordings, index, "", "recording-");
}

std::vector<std::string> WebexExtraKeyNames() { return {detail::kKindKey}; }

namespace detail {

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
