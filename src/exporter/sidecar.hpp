// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal piece of the export engine (exporter.cpp): the identity metadata of written objects
// and the sidecar KEY.json. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/object_identity.hpp>
#include <ccrec/exporter/recording_source.hpp>

#include <string>

namespace ccrec::exporter::detail {

/// The item's identity as RecordingIdentity.
RecordingIdentity IdentityOf(ExportItem const& item);

/// Sets if_none_match and the identity metadata (kIdentityMetadataKey, "ccrec-source") of an
/// object the engine writes for `item`.
void AddIdentity(PutOptions& put, ExportItem const& item);

/// How WriteSidecar() finds and judges an object already at the sidecar key.
struct SidecarWrite {
  /// Stat() the sidecar key first and write only when nothing is there: needed on a sink that
  /// does not enforce if_none_match (ObjectSink::EnforcesIfNoneMatch() false), which would
  /// replace it. Without it the conditional write is the check (one round trip).
  bool stat_first = true;
  /// The recording at the key is an older ccrec's object without identity metadata (the manifest
  /// proved it): a sidecar without identity metadata is then taken for its own.
  bool legacy_recording = false;
};

/// An existing object at the sidecar key (`key` + ".json") is the item's sidecar when its
/// identity metadata names the item, or when it carries none and `legacy_recording` (both were
/// written by a ccrec that wrote no identity). Otherwise it is another recording's object or a
/// foreign one: kIntegrity naming it (it is not to be overwritten).
Result<void> CheckSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, ObjectInfo const& sidecar,
                          bool legacy_recording);

/// Writes the item's sidecar `key` + ".json" (ExportItem::metadata_json) with AddIdentity(),
/// unless an object is there already (found by Stat() first with `how.stat_first`, else by the
/// refused conditional write, "PreconditionFailed"): that one is kept when CheckSidecar()
/// accepts it, and the item fails otherwise; it is not overwritten (on a sink that ignores
/// if_none_match, only an object created between the Stat() and the write could be, the same
/// window a recording has). Returns the sink's error otherwise (the caller judges credential
/// errors).
Result<void> WriteSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, SidecarWrite how,
                          CallContext const& ctx);

}  // namespace ccrec::exporter::detail
