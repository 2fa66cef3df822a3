// SPDX-License-Identifier: Apache-2.0
// huawei::MakeHuaweiExportItem() and HuaweiKeyIdentity(): the export item (identity, key fields,
// sidecar, opener) of one Huawei recording (reference huawei-cc-gateway.md §5, §6).

#include <ccrec/huawei/recording_source.hpp>

#include <ccrec/exporter/key_template.hpp>

#include "huawei/event_items.hpp"
#include "huawei/wire.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

namespace ccrec::huawei {

namespace {

namespace util = ::ccrec::detail;

std::string Quoted(std::string const& s) { return "\"" + util::JsonEscape(s) + "\""; }

std::string Sidecar(std::string const& agent_id, RecordingReference const& r, int file_type, bool stop_seen) {
  std::string out = "{\"source\":\"huawei\"";
  out += ",\"agent_id\":" + Quoted(agent_id);
  out += ",\"file_name\":" + Quoted(r.file_name);
  out += ",\"location_id\":" + (r.location_id.empty() ? std::string("null") : Quoted(r.location_id));
  out += ",\"file_type\":" + std::to_string(file_type);
  out += ",\"record_serial\":" + (r.record_serial.empty() ? std::string("null") : Quoted(r.record_serial));
  out += ",\"call_id\":" + (r.call_id.empty() ? std::string("null") : Quoted(r.call_id));
  out += ",\"caller\":" + (r.caller.empty() ? std::string("null") : Quoted(r.caller));
  out += ",\"called\":" + (r.called.empty() ? std::string("null") : Quoted(r.called));
  out += ",\"file_media_type\":" + (r.file_media_type ? std::to_string(*r.file_media_type) : std::string("null"));
  out += ",\"task_id\":" + (r.task_id.empty() ? std::string("null") : Quoted(r.task_id));
  out += ",\"event_time\":" + (r.event_time ? Quoted(util::FormatIso8601(*r.event_time, true)) : std::string("null"));
  out += ",\"stop_record_seen\":" + std::string(stop_seen ? "true" : "false");
  out += ",\"event\":" + (r.content_json.empty() ? std::string("null") : r.content_json);
  out += "}\n";
  return out;
}

}  // namespace

exporter::KeyIdentityRule HuaweiKeyIdentity() { return exporter::KeyIdentityRule{"huawei", {{"recording_id"}, {"file_name"}}}; }

exporter::ExportItem MakeHuaweiExportItem(AgentSession session, RecordingReference const& reference, int file_type,
                                          bool stop_record_seen) {
  exporter::ExportItem item;
  item.source = "huawei";
  item.task_id = reference.call_id;
  item.recording_id = reference.file_name;
  item.key_fields.task_id = reference.call_id;
  item.key_fields.recording_id = detail::KeyId(reference.file_name);
  item.key_fields.file_name = reference.file_name;
  item.key_fields.ext = exporter::FileExtension(reference.file_name, ".bin");
  item.key_fields.time = detail::DateFromPath(reference.file_name);
  if (!item.key_fields.time) item.key_fields.time = reference.event_time;
  item.key_fields.extra["agent_id"] = session.AgentId();
  item.key_fields.extra["call_id"] = reference.call_id;
  item.key_fields.extra["location_id"] = reference.location_id;
  item.metadata_json = Sidecar(session.AgentId(), reference, file_type, stop_record_seen);
  RecordFileRequest request{reference.file_name, file_type, reference.location_id};
  item.open = [session = std::move(session), request](CallContext const& ctx, std::uint64_t) {
    // The gateway documents no Range support: every attempt downloads the whole file and the engine
    // skips what it already has.
    return session.OpenRecordFile(request, ctx);
  };
  return item;
}

}  // namespace ccrec::huawei
