// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The checkpoint of incremental exports: where the next run's window starts. `ccrec-export webex
/// --since-last-run` keeps it beside the manifest as `MANIFEST.checkpoint.json`; a scheduler of
/// its own (cron, a service loop) can use the same file and the same rule.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/sub_window.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ccrec::exporter {

/// Where the next incremental run starts.
///
/// The rule `ccrec-export` follows after a run over [from, to): when the run was not a dry run,
/// had no fatal error and was not cancelled, write `next_from =
/// min(ExportSummary::earliest_unfinished, to)` (just `to` when nothing was left unfinished), or
/// `from` itself when ExportSummary::unfinished_without_window_time is non-zero (an unfinished
/// item whose place in [from, to) is unknown: the whole window is listed again);
/// otherwise leave the checkpoint alone. The next run then lists [next_from, its own end), so a
/// task still pending or failed is listed again, and a task already exported is skipped by the
/// manifest.
///
/// A sharded run (`--shard I/N`) lists only its own sub-windows, so its checkpoint holds only for
/// runs of the same layout (SameShardCoverage()): `ccrec-export` records it in `layout` and
/// refuses a `--since-last-run` run under another one (docs/scale.md).
///
/// @par Thread safety
/// A plain value type; distinct objects may be used from distinct threads.
struct Checkpoint {
  /// The source the checkpoint belongs to, as in the manifest's lines (e.g. "webex"); a source
  /// with several streams in one manifest names the stream (`ccrec-export webex-legacy` writes
  /// "webex-legacy/<record type>/<format>", e.g. "webex-legacy/csrs/json").
  std::string source;
  /// Start of the next window (inclusive). Stored with millisecond precision.
  std::chrono::system_clock::time_point next_from{};
  /// The shard layout of the run that wrote it. nullopt: not recorded (a file written before
  /// ccrec-export recorded layouts, or by a source without shards, e.g. face).
  std::optional<ShardLayout> layout{};
};

/// Reads a checkpoint file written by WriteCheckpoint().
///
/// The file is one JSON object: `{"source":"webex","next_from_ms":1793491200000,
/// "next_from":"2026-11-01T00:00:00Z","shard_count":4,"sub_window_ms":86400000}`. `next_from_ms`
/// (integer epoch milliseconds) is the value read; `next_from` is for people; `source` may be
/// missing (then empty); `shard_count` (1 to 100000) and `sub_window_ms` (>= 0, default 0) are
/// Checkpoint::layout, missing in older files (then nullopt).
///
/// @param path the file, e.g. MANIFEST + ".checkpoint.json".
/// @return the checkpoint; nullopt (not an error) when the file does not exist: the first run.
/// kParse when the file is not a JSON object with an integer `next_from_ms`, or has a
/// `shard_count` or `sub_window_ms` out of range or not an integer (the message names the file
/// and says to delete it to start over); kInvalidArgument when it is larger than 64 KiB;
/// kInternal with the system's reason when it cannot be read (permissions, a directory).
///
/// @par Thread safety
/// Safe to call from any thread; the file is read once, without locking. Do not run two
/// incremental exports over the same checkpoint at the same time.
CCREC_EXPORT Result<std::optional<Checkpoint>> ReadCheckpoint(std::string const& path);

/// Replaces a checkpoint file atomically and durably.
///
/// Writes the JSON object described at ReadCheckpoint() to a temporary file in the same
/// directory, fsyncs it, renames it over `path` and fsyncs the directory: after a crash the file
/// holds the old or the new checkpoint, never a mix. The directory must exist.
///
/// @param path the file, e.g. MANIFEST + ".checkpoint.json".
/// @param checkpoint what to store; `next_from` is truncated to milliseconds; `layout`, when set,
///   is written as `shard_count` and `sub_window_ms`.
/// @param file_mode permission bits the file is created with; the process umask applies
///   (mode & ~umask), as for the exported files. Default 0600, FilesystemSinkOptions::file_mode's
///   default (`ccrec-export` passes its `--file-mode`).
/// @return nothing; on failure (kInternal with the system's reason, e.g. a missing directory or
/// a full disk) `path` is untouched and no temporary file is left.
///
/// @par Thread safety
/// Safe to call from any thread for distinct paths; concurrent writers of one path leave one of
/// their checkpoints, not a mix.
CCREC_EXPORT Result<void> WriteCheckpoint(std::string const& path, Checkpoint const& checkpoint,
                                          std::uint32_t file_mode = 0600);

}  // namespace ccrec::exporter
