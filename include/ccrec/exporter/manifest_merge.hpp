// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// One de-duplicated manifest from the manifests of several instances (`--shard`, `{shard}` in
/// `--manifest`): `ccrec-export manifest merge`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/manifest.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace ccrec::exporter {

/// What MergeManifests() wrote. The ItemStatusCounts count the items written by the status of
/// the entry kept.
struct ManifestMergeReport : ItemStatusCounts {
  /// Items written to the output (one entry per item identity).
  std::uint64_t items = 0;
  /// Items present in more than one input (one entry kept for each).
  std::uint64_t duplicates = 0;
  /// Items exported by more than one input to different keys: two objects hold the recording.
  /// Both stay in the sink; the entry of the earlier input is kept. Zero when instances were
  /// sharded or wrote with conditional PUTs.
  std::uint64_t conflicting_exports = 0;
};

/// Writes into `output` one entry per item identity (source, task_id, recording_id, segment_id)
/// of `inputs` (each input's Manifest::Entries(), i.e. its latest entry per item), in identity
/// order, binding `output` to the inputs' destination and key template.
///
/// Which entry is kept when inputs disagree: one proving the object is in the sink wins over one
/// that does not — `exported` over `skipped` (it carries the key, bytes and checksum the run
/// wrote) over `failed` and `pending`; among equals, the first input's (in the order given).
///
/// @return kInvalidArgument when `inputs` is empty, an input is Manifest::Null(), the inputs are
///         bound to different destinations or key templates (naming both), or an input does not
///         expose its key template; `output`'s Bind()/Append() errors as they come (the caller
///         then discards `output`). Unbound inputs (no run has bound them yet) must be empty and
///         are skipped.
/// @par Thread safety
/// The inputs may be read concurrently by others; nobody may append to `output` meanwhile.
CCREC_EXPORT Result<ManifestMergeReport> MergeManifests(std::vector<std::shared_ptr<Manifest>> const& inputs,
                                                        Manifest& output);

}  // namespace ccrec::exporter
