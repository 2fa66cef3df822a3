// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Compaction of the JSON Lines manifest: rewrites it with only the lines that decide what a run
/// does, so that a manifest appended to by years of daily runs stays small (issue 14, item 6).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ccrec::exporter {

/// Options of CompactManifest().
struct ManifestCompactOptions {
  /// Keep the manifest as it was before compaction as `PATH.1` (a hard link to the old file,
  /// replacing an older `PATH.1`), so an operator can look back at every line. Default true.
  bool keep_backup = true;
};

/// What CompactManifest() did.
struct ManifestCompaction {
  /// Header and entry lines before (malformed lines not counted).
  std::size_t lines_before = 0;
  /// Header and entry lines written.
  std::size_t lines_after = 0;
  /// Items (source, task_id, recording_id, segment_id) in the manifest; every one is kept.
  std::size_t items = 0;
  /// Torn or garbage lines dropped (Manifest::MalformedLines() of the old file).
  std::size_t malformed_dropped = 0;
  /// File size before and after, in bytes.
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  /// `PATH.1` when ManifestCompactOptions::keep_backup, else empty.
  std::string backup_path;
};

/// Rewrites the JSON Lines manifest `path` with only the lines that decide a later run: its
/// header, and per item its latest line and (when that is not the same line) its last "exported"
/// line, byte for byte and in their original order. Everything Manifest::Latest(),
/// Manifest::LastExported(), Manifest::Entries() and Manifest::Destination() return is the same
/// before and after, so a recording already exported is still skipped and a failed or pending
/// one is still retried; only superseded lines (the "skipped" lines of earlier re-runs, older
/// failures of items exported since) and malformed lines go.
///
/// Safe against crashes and concurrent runs: it holds the manifest's lock (like a run) for the
/// whole compaction, writes `PATH.compact.tmp` with the manifest's permission bits, fsyncs it,
/// renames it over `path` and fsyncs the directory, so `path` is always either the old or the
/// new manifest. A run started meanwhile is refused with kManifestInUse, as it would be by
/// another run.
///
/// Memory: O(items) (the manifest's index, about 70 bytes per item) plus 1 MiB of buffers; time:
/// one pass to load and one to copy.
///
/// @param path an existing JSON Lines manifest (not a SQLite one: that keeps one row per item).
/// @return the figures; kNotFound when `path` does not exist; kInvalidArgument with
/// vendor_code kManifestInUse when a run holds it; kInvalidArgument when it has headers of
/// several destinations (nothing to compact safely: split it by hand); kInternal when reading,
/// writing, fsync or rename fails (then `path` is untouched and no temporary file is left).
///
/// @par Thread safety
/// Safe to call from any thread; do not call it on a manifest this process has open.
CCREC_EXPORT Result<ManifestCompaction> CompactManifest(std::string const& path,
                                                        ManifestCompactOptions const& options = {});

}  // namespace ccrec::exporter
