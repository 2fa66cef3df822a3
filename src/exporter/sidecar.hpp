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

/// An existing sidecar (`key` + ".json") belongs to the item unless its identity metadata names
/// another recording (sidecars of older ccrec versions carry none and are kept); else
/// kIntegrity naming it.
Result<void> CheckSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, ObjectInfo const& sidecar);

/// Writes the item's sidecar `key` + ".json" (ExportItem::metadata_json) with AddIdentity(). A
/// sidecar that exists already (PreconditionFailed) is kept when CheckSidecar() accepts it.
/// Returns the sink's error otherwise (the caller judges credential errors).
Result<void> WriteSidecar(ObjectSink& sink, ExportItem const& item, std::string const& key, CallContext const& ctx);

}  // namespace ccrec::exporter::detail
