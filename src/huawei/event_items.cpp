// SPDX-License-Identifier: Apache-2.0
// The key id of a Huawei recording and the failed items of record events that cannot be downloaded
// (reference huawei-cc-gateway.md §5; issue 11).

#include "huawei/event_items.hpp"

#include <ccrec/huawei/recording_source.hpp>

#include "huawei/wire.hpp"
#include "internal/crypto.hpp"
#include "internal/json.hpp"

#include <algorithm>
#include <vector>

namespace ccrec::huawei::detail {

namespace util = ::ccrec::detail;

namespace {

/// The event's content for an error message: its text as sent with every caller and called number
/// replaced (they identify people; duplicate keys too), cut to 300 characters; unparseable content
/// with its digit runs of 5 or more masked.
std::string RedactedContent(std::string const& content_json) {
  constexpr std::size_t kMax = 300;
  std::string out;
  if (auto doc = util::ParseJsonWithSpans(content_json, "event content"); doc && doc->Doc().IsObject()) {
    std::vector<util::JsonWithSpans::Replacement> redacted;
    for (auto const& m : doc->Doc().GetObject()) {
      if (m.name == "caller" || m.name == "called") redacted.push_back({&m.value, "\"[redacted]\""});
    }
    out = doc->RawReplacing(doc->Doc(), redacted);
  } else {
    std::size_t run = 0;
    for (char c : content_json) {
      bool digit = c >= '0' && c <= '9';
      run = digit ? run + 1 : 0;
      out += c;
      if (run == 5) out.replace(out.size() - 5, 5, "*****");
      else if (run > 5) out.back() = '*';
    }
  }
  if (out.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    out = out.substr(0, cut) + "...";
  }
  return out.empty() ? std::string("(empty)") : out;
}

/// A failed item that names a record event the gateway delivered but that cannot be exported (issue
/// 11: every record event ends as a manifest line). Its key never matches an object (suffix), its
/// opener fails at once with `error` (not retried), so the engine writes one "failed" line counted in
/// the summary.
exporter::ExportItem MakeEventFailureItem(std::string const& agent_id, std::string const& call_id,
                                          std::string const& recording_id, char const* suffix,
                                          std::optional<std::chrono::system_clock::time_point> when, Error error) {
  exporter::ExportItem item;
  item.source = "huawei";
  item.task_id = call_id;
  item.recording_id = recording_id;
  item.key_fields.task_id = call_id;
  item.key_fields.recording_id = KeyId(recording_id) + suffix;
  item.key_fields.file_name = recording_id;
  item.key_fields.ext = ".bin";
  item.key_fields.time = DateFromPath(recording_id);
  if (!item.key_fields.time) item.key_fields.time = when;
  item.key_fields.extra["agent_id"] = agent_id;
  item.key_fields.extra["call_id"] = call_id;
  item.key_fields.extra["location_id"] = "";
  item.window_time = when;
  item.open = exporter::FailingOpener(std::move(error));
  return item;
}

}  // namespace

std::string KeyId(std::string const& file_name) {
  std::string ext = exporter::FileExtension(file_name, "");
  std::string stem;
  for (unsigned char c : file_name.substr(0, file_name.size() - ext.size())) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
              c == '-';
    stem += ok ? static_cast<char>(c) : '_';
    if (stem.size() >= 180) break;
  }
  if (stem.empty()) stem = "_";
  if (stem.front() == '.') stem.front() = '_';
  return stem + "-" + util::Sha256Hex(file_name).substr(0, 8);
}

exporter::ExportItem MakeOverflowedItem(AgentSession session, RecordingReference const& reference, int file_type,
                                        std::size_t queue_size) {
  exporter::ExportItem item = MakeHuaweiExportItem(std::move(session), reference, file_type, false);
  Error error = MakeError(ErrorCode::kInternal,
                          "Huawei: recording \"" + reference.file_name + "\" (call " + reference.call_id +
                              ") was not downloaded: its AgentMediaEvent_Record arrived while the event queue was full "
                              "of " + std::to_string(std::max<std::size_t>(1, queue_size)) +
                              " recording events (the export could not keep up); export it by its fileName "
                              "(--record-id, HuaweiSourceOptions::recordings)");
  item.open = exporter::FailingOpener(error);
  return item;
}

std::string ContentField(std::string const& content_json, char const* key) {
  auto doc = util::ParseJsonWithSpans(content_json, "event content");
  if (!doc || !doc->Doc().IsObject()) return {};
  auto it = doc->Doc().FindMember(key);
  if (it == doc->Doc().MemberEnd()) return {};
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsNumber()) return std::string(doc->Raw(it->value));
  return {};
}

exporter::ExportItem MakeMalformedEventItem(std::string const& agent_id, AgentEvent const& event, Error const& why) {
  std::string call_id = ContentField(event.content_json, "callId");
  // A record event that names its file (e.g. with an unusable locationId) can still be downloaded by
  // that name: the line takes the identity the export will have, so --since-last-run retries it.
  std::string const file_name = event.event_type == kRecordEvent ? ContentField(event.content_json, "fileName") : "";
  std::string id = !file_name.empty() ? file_name
                                      : "malformed-event-" +
                                            util::Sha256Hex(event.raw_json.empty() ? event.content_json : event.raw_json)
                                                .substr(0, 12);
  Error error = MakeError(ErrorCode::kParse, "Huawei: the gateway delivered an " + event.event_type + " event (agent " +
                                                 (event.work_no.empty() ? agent_id : event.work_no) +
                                                 (call_id.empty() ? std::string() : ", call " + call_id) +
                                                 ") that cannot be used: " + why.message +
                                                 (file_name.empty() ? std::string()
                                                                    : "; --since-last-run retries it by its fileName "
                                                                      "(give --location-id in CTI pool mode)") +
                                                 "; event content: " + RedactedContent(event.content_json));
  return MakeEventFailureItem(agent_id, call_id, id, ".malformed", event.generated_at, std::move(error));
}

RecordingReference RecordFailReference(AgentEvent const& event) {
  if (auto ref = ParseRecordEvent(event)) return std::move(*ref);
  RecordingReference r;
  r.call_id = ContentField(event.content_json, "callId");
  r.task_id = ContentField(event.content_json, "taskId");
  r.file_name = ContentField(event.content_json, "fileName");
  return r;
}

exporter::ExportItem MakeRecordFailItem(std::string const& agent_id, AgentEvent const& event,
                                        RecordingReference const& r) {
  std::string id = !r.file_name.empty() ? r.file_name
                   : !r.task_id.empty()  ? "record-fail-task-" + r.task_id
                                         : "record-fail-" + util::Sha256Hex(event.raw_json + event.content_json).substr(0, 12);
  Error error = MakeError(ErrorCode::kNotFound,
                          "Huawei: the gateway reported AgentMediaEvent_Record_Fail (the recording failed; nothing to "
                          "download) for call " + (r.call_id.empty() ? std::string("(none)") : r.call_id) +
                              ", agent " + (event.work_no.empty() ? agent_id : event.work_no) + ", task " +
                              (r.task_id.empty() ? std::string("(none)") : r.task_id) + ", fileName \"" + r.file_name +
                              "\"; event content: " + RedactedContent(event.content_json));
  return MakeEventFailureItem(agent_id, r.call_id, id, ".record-fail", event.generated_at, std::move(error));
}

exporter::PendingItem PendingForUnreportedFailure(exporter::ExportItem const& item) {
  auto why = item.open(CallContext{}, 0);
  exporter::PendingItem p{"huawei", item.task_id,
                          "the run stopped before this record event was reported: " + why.error().message};
  p.recording_id = item.recording_id;
  p.window_time = item.window_time;
  return p;
}

exporter::PendingItem LateRecordPending(RecordingReference const& r, std::string const& when) {
  exporter::PendingItem p{"huawei", r.call_id,
                          "recording \"" + r.file_name + "\" (task " + r.task_id + ") was announced " + when +
                              "; not exported in this run: the next --since-last-run run exports it (or list "
                              "its fileName with --record-id)"};
  p.recording_id = r.file_name;
  return p;
}

exporter::PendingItem StoppedRecordPending(RecordingReference const& r, Logger const& log) {
  log.Warn("Huawei: \"" + r.file_name + "\" (call " + r.call_id + ") was announced but the run stopped before " +
           "it was exported; reported as pending");
  exporter::PendingItem p{"huawei", r.call_id,
                          "recording \"" + r.file_name +
                              "\" was announced during the watch but the run stopped before it was "
                              "exported; export it later by listing its fileName (or --since-last-run)"};
  p.recording_id = r.file_name;  // the identity its export will have: --since-last-run retries it
  return p;
}

}  // namespace ccrec::huawei::detail
