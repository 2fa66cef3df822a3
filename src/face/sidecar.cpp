// SPDX-License-Identifier: Apache-2.0
// The FACE sidecar (KEY.json) beside each exported object.

#include "face/sidecar.hpp"

#include "internal/json.hpp"

#include <rapidjson/document.h>

#include <string_view>
#include <unordered_set>

namespace ccrec::face::detail {

namespace util = ::ccrec::detail;

namespace {

rapidjson::Value Str(std::string const& s, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

void AddString(rapidjson::Value& obj, char const* key, std::optional<std::string> const& value,
               rapidjson::Document::AllocatorType& a) {
  if (!value) return;
  obj.AddMember(rapidjson::Value(key, a), Str(*value, a), a);
}

/// {name: value} of the custom data, first entry of a name wins. One hash-set probe per entry:
/// rapidjson's HasMember is a linear scan, so probing the object being built made this quadratic.
rapidjson::Value CustomDataObject(std::vector<CustomData> const& entries, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value custom(rapidjson::kObjectType);
  std::unordered_set<std::string_view> seen;
  seen.reserve(entries.size());
  for (auto const& cd : entries) {
    if (!seen.insert(cd.name).second) continue;
    custom.AddMember(Str(cd.name, a), Str(cd.value, a), a);
  }
  return custom;
}

}  // namespace

std::string Sidecar(Recording const& recording, Segment const* segment, std::string const& concatenation_note) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  AddString(doc, "source", std::string(kSource), a);
  AddString(doc, "recordingId", recording.recording_id, a);
  if (segment != nullptr) {
    AddString(doc, "segmentId", segment->segment_id, a);
    if (segment->sequence) doc.AddMember("sequence", rapidjson::Value(static_cast<std::int64_t>(*segment->sequence)), a);
    AddString(doc, "filename", segment->filename, a);
  } else {
    rapidjson::Value ids(rapidjson::kArrayType);
    for (auto const& s : recording.segments) ids.PushBack(Str(s.segment_id, a), a);
    doc.AddMember("segmentIds", ids, a);
  }
  doc.AddMember("segmentCount", rapidjson::Value(static_cast<std::uint64_t>(recording.segments.size())), a);
  AddString(doc, "ani", recording.ani, a);
  AddString(doc, "dnis", recording.dnis, a);
  AddString(doc, "isrUcid", recording.isr_ucid, a);
  AddString(doc, "startTime", segment != nullptr && segment->start_text ? segment->start_text : recording.start_time_text, a);
  if (segment != nullptr) AddString(doc, "endTime", segment->end_text, a);
  doc.AddMember("customData", CustomDataObject(recording.custom_data, a), a);
  if (!concatenation_note.empty()) AddString(doc, "concatenation", concatenation_note, a);
  // ccrec's own members above; then FACE's recording (without its segments) and segment objects as
  // the server sent them, byte for byte (issue 12), spliced in before the closing brace.
  std::string out = util::ToJson(doc);
  out.pop_back();
  if (auto raw = util::ParseJsonWithSpans(recording.raw_json, "recording"); raw && raw->Doc().IsObject()) {
    out += ",\"recording\":" + raw->RawWithoutMember(raw->Doc(), "segments");
  }
  if (segment != nullptr) {
    if (auto raw = util::ParseJsonWithSpans(segment->raw_json, "segment"); raw && raw->Doc().IsObject()) {
      out += ",\"segment\":" + segment->raw_json;
    }
  }
  return out + "}\n";
}

}  // namespace ccrec::face::detail
