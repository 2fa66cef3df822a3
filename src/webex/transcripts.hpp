// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: transcripts as export items (issue 13 item 5). Not installed.

#include <ccrec/webex/models.hpp>

#include <string>

namespace ccrec::webex::detail {

/// The `{kind}` key placeholder: "recording" for recordings, "transcript" for transcripts.
inline constexpr char kKindKey[] = "kind";

/// KEY.json of a transcript: `{"source":"webex","kind":"transcript","task_id","recording_id",
/// "task":{...},"transcription":{...as sent, without filePath}}`.
std::string TranscriptSidecar(Task const& task, Transcription const& transcription, std::string const& item_id);

}  // namespace ccrec::webex::detail
