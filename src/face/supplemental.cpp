// SPDX-License-Identifier: Apache-2.0
// Supplemental files beside their recording (issue 16 item 7): `file/download` by
// supplementalFileId (or filename) and type (reference oracle-face.md §1, §5.1).

#include "face/supplemental.hpp"

#include "face/sidecar.hpp"
#include "internal/crypto.hpp"
#include "internal/json.hpp"

#include <rapidjson/document.h>

#include <utility>

namespace ccrec::face::detail {

namespace util = ::ccrec::detail;

std::string SupplementalItemId(SupplementalFile const& file, std::size_t index) {
  if (file.supplemental_file_id && !file.supplemental_file_id->empty()) {
    return "supplemental-" + *file.supplemental_file_id;
  }
  // A server name may hold anything ("../x"): its hash keeps the id stable and key-safe.
  if (file.filename && !file.filename->empty()) {
    return "supplemental-name-" + util::Sha256Hex(*file.filename).substr(0, 16);
  }
  return "supplemental-" + std::to_string(index + 1);
}

exporter::ExportItem SupplementalItem(Client const& client, exporter::ExportItem base, Recording const& recording,
                                      SupplementalFile const& file, std::size_t index, bool concatenated) {
  exporter::ExportItem item = std::move(base);
  std::string id = SupplementalItemId(file, index);
  item.segment_id = id;
  item.key_fields.segment_id = id;
  item.key_fields.file_name = file.filename.value_or(id);
  item.key_fields.extra[kKindKey] = "supplemental";
  if (concatenated) {
    item.key_fields.recording_id = recording.recording_id + "_" + id;
    item.key_fields.task_id = item.key_fields.recording_id;
  }
  // The file's name decides the extension; a name without one gets ".bin", never ".wav".
  item.key_fields.ext = exporter::FileExtension(item.key_fields.file_name, ".bin");
  item.metadata_json = SupplementalSidecar(recording, file);
  FileSelector selector;
  if (file.supplemental_file_id && !file.supplemental_file_id->empty()) {
    selector.supplemental_file_id = file.supplemental_file_id;
  } else if (file.filename && !file.filename->empty()) {
    selector.filename = file.filename;
  } else {
    Error e = MakeError(ErrorCode::kParse, "FACE recording " + recording.recording_id + ": supplemental file #" +
                                               std::to_string(index + 1) +
                                               " has neither supplementalFileId nor filename; it cannot be downloaded");
    item.open = exporter::FailingOpener(std::move(e));
    return item;
  }
  selector.video = file.IsVideo();
  item.open = [client, selector](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
    return client.DownloadFile(selector, ctx);
  };
  return item;
}

std::string SupplementalSidecar(Recording const& recording, SupplementalFile const& file) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  auto add = [&](char const* key, std::optional<std::string> const& v) {
    if (!v) return;
    doc.AddMember(rapidjson::Value(key, a), rapidjson::Value(v->data(), static_cast<rapidjson::SizeType>(v->size()), a),
                  a);
  };
  add("source", std::string(kSource));
  add("recordingId", recording.recording_id);
  add("supplementalFileId", file.supplemental_file_id);
  add("filename", file.filename);
  add("type", file.type);
  if (file.size) doc.AddMember("size", rapidjson::Value(static_cast<std::uint64_t>(*file.size)), a);
  add("isrUcid", recording.isr_ucid);
  add("ani", recording.ani);
  add("dnis", recording.dnis);
  add("startTime", recording.start_time_text);
  std::string out = util::ToJson(doc);
  out.pop_back();
  if (auto raw = util::ParseJsonWithSpans(file.raw_json, "supplementalFile"); raw && raw->Doc().IsObject()) {
    out += ",\"supplementalFile\":" + file.raw_json;
  }
  return out + "}\n";
}

}  // namespace ccrec::face::detail
