// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: export items for a recording's supplemental files
// (`include_supplemental`, issue 16 item 7). Not installed.

#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/face/client.hpp>

#include <string>

namespace ccrec::face::detail {

/// The `{kind}` key placeholder: "audio" for recordings and segments, "supplemental" for files.
inline constexpr char kKindKey[] = "kind";

/// The manifest's segment_id of a supplemental file: "supplemental-<supplementalFileId>" (else
/// "supplemental-name-<16 hex digits of the SHA-256 of its filename>", else
/// "supplemental-<index + 1>"), never a FACE segmentId (those are numbers).
std::string SupplementalItemId(SupplementalFile const& file, std::size_t index);

/// The item exporting `file` of `recording`, made from `base` (identity and window time of the
/// recording). Its key fields: {segment_id} = SupplementalItemId(), {file_name} the server's file
/// name, {kind} "supplemental"; with `concatenated` (templates without {segment_id}),
/// {recording_id}/{task_id} = "<recordingId>_<SupplementalItemId()>". Downloads with
/// `file/download?supplementalFileId=` (else `filename=`), plus `type=video` for a video file. A
/// file with neither id nor name makes an item that fails saying so.
exporter::ExportItem SupplementalItem(Client const& client, exporter::ExportItem base,
                                                   Recording const& recording, SupplementalFile const& file,
                                                   std::size_t index, bool concatenated);

/// KEY.json of a supplemental file: `{"source":"face","recordingId","supplementalFileId",
/// "filename","type","size","isrUcid","ani","dnis","startTime","supplementalFile":{...as sent}}`.
std::string SupplementalSidecar(Recording const& recording, SupplementalFile const& file);

}  // namespace ccrec::face::detail
