// SPDX-License-Identifier: Apache-2.0
#include "exporter/sidecar.hpp"

#include <utility>

namespace ccrec::exporter::detail {

RecordingIdentity IdentityOf(ExportItem const& item) {
  return RecordingIdentity{item.source, item.task_id, item.recording_id, item.segment_id};
}

void AddIdentity(PutOptions& put, ExportItem const& item) {
  put.if_none_match = true;
  put.metadata["ccrec-source"] = item.source;
  put.metadata[kIdentityMetadataKey] = EncodeIdentity(IdentityOf(item));
}

Result<void> CheckSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, ObjectInfo const& sidecar,
                          bool legacy_recording) {
  auto it = sidecar.metadata.find(kIdentityMetadataKey);
  if (it == sidecar.metadata.end()) {
    if (legacy_recording) return {};  // written with the recording by a ccrec without identity metadata
    return MakeError(ErrorCode::kIntegrity,
                     "the sidecar " + sink.Describe(key + ".json") + " of " + IdentityOf(item).ToString() +
                         " already exists and has no " + kIdentityMetadataKey +
                         " metadata (written by another tool or an older ccrec), so it may be another recording's "
                         "object; it was not overwritten. Delete or move it, or export to another destination");
  }
  if (it->second == EncodeIdentity(IdentityOf(item))) return {};
  return MakeError(ErrorCode::kIntegrity, "the sidecar " + sink.Describe(key + ".json") + " of " +
                                              IdentityOf(item).ToString() + " already exists and belongs to another "
                                              "recording (" + it->second + "); it was not overwritten");
}

Result<void> WriteSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, SidecarWrite how,
                          CallContext const& ctx) {
  auto const sidecar_key = key + ".json";
  if (how.stat_first) {
    auto there = sink.Stat(sidecar_key, ctx);
    if (!there) return std::move(there).error();
    if (there->has_value()) return CheckSidecar(sink, item, key, **there, how.legacy_recording);
  }
  PutOptions options;
  options.content_type = "application/json";
  options.expected_size = item.metadata_json.size();
  AddIdentity(options, item);
  auto writer = sink.Open(sidecar_key, options, ctx);
  if (!writer) return std::move(writer).error();
  if (auto written = (*writer)->Write(item.metadata_json.data(), item.metadata_json.size()); !written) {
    return std::move(written).error();
  }
  auto finished = (*writer)->Finish();
  if (finished) return {};
  if (finished.error().vendor_code == "PreconditionFailed") {
    // A sidecar appeared meanwhile (or a previous export left it): keep it if it is ours.
    auto there = sink.Stat(sidecar_key, ctx);
    if (there && there->has_value()) return CheckSidecar(sink, item, key, **there, how.legacy_recording);
  }
  return std::move(finished).error();
}

}  // namespace ccrec::exporter::detail
