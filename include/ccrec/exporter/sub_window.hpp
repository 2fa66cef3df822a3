// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Sub-windows of a time range on a fixed grid, and static sharding of them across instances
/// (`ccrec-export --shard I/N`; Kubernetes Indexed Jobs number their pods with
/// `JOB_COMPLETION_INDEX`, https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace ccrec::exporter {

/// One cell of the sub-window grid: [from, to). The grid is aligned to the Unix epoch, so cell
/// `index` is [index × length, (index + 1) × length) whatever range is being listed: every
/// instance, and every run of one instance (`--since-last-run` moves the range's start), numbers
/// a given stretch of time alike. `from`/`to` are clipped to the range being listed.
struct SubWindow {
  /// floor(cell start / length) since the Unix epoch; a day-long grid numbers UTC days.
  std::int64_t index = 0;
  std::chrono::system_clock::time_point from{};
  std::chrono::system_clock::time_point to{};
};

/// Decides whether this instance lists a sub-window: true to list it, false to leave it to
/// another instance. Called in time order, once per sub-window, from the thread that enumerates.
using SubWindowClaim = std::function<bool(SubWindow const&)>;

/// The grid cell of `length` (> 0) that contains `t`, clipped to [range_from, range_to).
/// Precondition: range_from <= t < range_to.
CCREC_EXPORT SubWindow SubWindowAt(std::chrono::system_clock::time_point t, std::chrono::milliseconds length,
                                   std::chrono::system_clock::time_point range_from,
                                   std::chrono::system_clock::time_point range_to);

/// A static shard: instance `index` of `count` lists the sub-windows whose grid index is
/// `index` modulo `count` (`I, I+N, I+2N, …`). The `count` instances together list every
/// sub-window exactly once, so no API call is spent twice and no recording is exported by two
/// instances (a task belongs to the one sub-window that holds its creation time).
struct ShardSpec {
  std::uint32_t index = 0;  ///< 0-based, < count
  std::uint32_t count = 1;  ///< >= 1
};

/// Parses "I/N" (0 <= I < N, 1 <= N <= 100000). `I` may be `$JOB_COMPLETION_INDEX`'s value passed
/// through `env_index` when the text's index part is the word `index` ("index/N"): then
/// `env_index` must hold the number (Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX).
/// @return kInvalidArgument naming what is wrong ("shard 4/4: index must be below the count").
CCREC_EXPORT Result<ShardSpec> ParseShardSpec(std::string const& text, char const* env_index = nullptr);

/// The claim of shard `spec`: `sub_window.index mod spec.count == spec.index` (for negative
/// indexes too, i.e. before 1970).
CCREC_EXPORT SubWindowClaim MakeShardClaim(ShardSpec spec);

/// Which sub-windows each shard index lists: the shard count N and the grid's cell length.
/// Shard I of (N, length) lists cells I, I+N, I+2N, … of the `length` grid, so a
/// `--since-last-run` checkpoint of shard I says nothing about the cells shard I lists under
/// another N or another length; Checkpoint::layout records the layout it was written under.
///
/// @par Thread safety
/// A plain value type; distinct objects may be used from distinct threads.
struct ShardLayout {
  /// N of `--shard I/N`; 1: not sharded (every sub-window is listed). Default 1.
  std::uint32_t count = 1;
  /// The grid's cell length (`--sub-window`; ccrec-export's default 24 h). Only meaningful when
  /// count > 1. Default 0 (unknown).
  std::chrono::milliseconds sub_window{0};
};

/// The rule for a checkpoint written under `written` and read by a run under `now`: true when
/// each shard index lists the same sub-windows under both, i.e. the counts are equal and, when
/// sharded (count > 1), so are the sub-window lengths. Not sharded, the length does not matter
/// (every sub-window is listed whatever its length). False: the checkpoint does not hold for
/// the run (a shard would resume past another layout's unfinished sub-windows).
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT bool SameShardCoverage(ShardLayout const& written, ShardLayout const& now);

}  // namespace ccrec::exporter
