// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Which recording an exported object holds: the `ccrec-id` user metadata written with every
/// object, and the check made before an existing object is skipped.

#include <ccrec/core/export.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ccrec::exporter {

/// The manifest identity of a recording: (source, task_id, recording_id, segment_id).
struct RecordingIdentity {
  std::string source;
  std::string task_id;
  std::string recording_id;
  std::string segment_id;

  bool operator==(RecordingIdentity const& o) const {
    return source == o.source && task_id == o.task_id && recording_id == o.recording_id && segment_id == o.segment_id;
  }
  bool operator!=(RecordingIdentity const& o) const { return !(*this == o); }
  /// "webex task T recording R" (+ " segment S"), for messages.
  CCREC_EXPORT std::string ToString() const;
};

/// User metadata key of the identity (S3 `x-amz-meta-ccrec-id`; the filesystem sink keeps it in
/// `.ccrec-meta/KEY`).
inline constexpr char kIdentityMetadataKey[] = "ccrec-id";

/// The value stored under kIdentityMetadataKey: "v1/SOURCE/TASK/RECORDING/SEGMENT", each part
/// percent-encoded (every byte outside ASCII `[A-Za-z0-9._~-]`), so it is plain ASCII without
/// line breaks, as S3 user metadata must be. A value longer than 1024 bytes is replaced by
/// "v1-sha256/" + the hex SHA-256 of the long form (S3 allows 2 KB of user metadata per object).
CCREC_EXPORT std::string EncodeIdentity(RecordingIdentity const& identity);

/// What a previous export recorded for the recording, used to prove the identity of an object
/// that has no identity metadata (written by ccrec before identity metadata existed).
struct PreviousExport {
  std::string key;
  std::uint64_t bytes = 0;
  std::string sha256;  ///< lower-case hex; empty when unknown
};

/// Decides whether the existing object `existing` at `key` holds `identity`, so that it may be
/// skipped instead of written.
///
/// - Its kIdentityMetadataKey equals EncodeIdentity(identity): yes, unless its size differs from
///   `expected_size` (when known) or its SHA-256 (when the sink reports one) differs from
///   `previous->sha256` (when known): then the recording changed, and it is not overwritten.
/// - It carries another identity: a key collision.
/// - It carries none (written by an older ccrec or by another tool): yes only when `previous`
///   (the last "exported" manifest line of this recording, which older ccrec versions wrote)
///   names the same key with the same size and, when both are known, the same SHA-256.
///
/// @return nothing when the object may be skipped; otherwise kIntegrity whose message names the
/// object (`where`), what it holds and what to do. The object is never to be overwritten then.
/// @par Thread safety
/// Pure function.
CCREC_EXPORT Result<void> CheckExistingObject(ObjectInfo const& existing, std::string const& where,
                                              RecordingIdentity const& identity,
                                              std::optional<std::uint64_t> expected_size,
                                              std::optional<PreviousExport> const& previous);

}  // namespace ccrec::exporter
