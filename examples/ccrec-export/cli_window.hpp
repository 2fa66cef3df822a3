// SPDX-License-Identifier: Apache-2.0
#pragma once
// The export window of a subcommand: --from/--to, --days-back N, --since-last-run (a checkpoint
// beside --manifest) and --until-now-minus, shared by webex, face and webex-legacy; and
// --pending-max-age (webex, face), which decides how long a pending item holds the checkpoint.

#include "cli_common.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/sub_window.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ccrec_cli {

/// The window flags of one subcommand.
struct WindowFlags {
  std::string from, to;
  int days_back = 0;
  bool since_last_run = false;
  std::string until_now_minus;
};

/// Registers --from, --to, --days-back, --since-last-run and --until-now-minus; `what` names what
/// the window is on ("the task's creation time").
void AddWindowFlags(CLI::App& cmd, WindowFlags& flags, std::string const& what);

/// The default of --pending-max-age: 3 days, as the sources' pending_max_age
/// (WebexSourceOptions, FaceSourceOptions).
inline constexpr char kDefaultPendingMaxAge[] = "3d";

/// Registers --pending-max-age (webex, face: how long an item may stay pending before the source
/// gives up on it, so that it no longer holds the --since-last-run checkpoint); `what` says what
/// is given up and from when ("a task still without a recording this long after it was created").
void AddPendingMaxAgeFlag(CLI::App& cmd, std::string& value, std::string const& what);

/// The value of --pending-max-age (0 = wait forever); throws UsageError naming the flag.
std::chrono::milliseconds ParsePendingMaxAge(std::string const& value);

/// A resolved window and where its checkpoint lives.
struct ExportWindow {
  std::chrono::system_clock::time_point from{}, to{};
  /// "<manifest>.checkpoint.json" when --manifest is given, else "".
  std::string checkpoint_path;
  /// --since-last-run found the checkpoint at or after the window end: nothing to do (the message
  /// and the empty summary line are printed already; exit 0).
  bool nothing_to_do = false;
  /// When the window was resolved, before any listing: what was created later is not listed, so
  /// the checkpoint never passes it (a --to in the future).
  std::chrono::system_clock::time_point started{};
  /// This stream's checkpoint as found beside --manifest (any run, --since-last-run or not).
  std::optional<std::chrono::system_clock::time_point> checkpoint;
  /// Why this run must leave the checkpoint file alone (it names another source or another shard
  /// layout, or cannot be read); empty when it may move it.
  std::string keep_checkpoint;
  /// The shard layout the checkpoint is written with (CheckpointMatch::layout).
  std::optional<ccrec::exporter::ShardLayout> layout;
};

/// Which checkpoints a subcommand takes as its own besides those of its `source`.
struct CheckpointMatch {
  /// The source name an older ccrec-export wrote for this stream (a checkpoint without the record
  /// type and format, e.g. "webex-legacy"): accepted, with a warning that it cannot tell which
  /// stream wrote it, and replaced by `source` when the run moves the checkpoint. Empty: none.
  std::string older_source;
  /// What the usage error for a checkpoint of another source tells the user to do.
  std::string other_source_fix = "use another --manifest";
  /// This run's shard layout (webex: --shard's N, 1 without, and --sub-window); nullopt for a
  /// source without shards (nothing recorded or checked). It is written into the checkpoint, and
  /// a checkpoint of another layout (ccrec::exporter::SameShardCoverage) is refused with
  /// --since-last-run (exit 2: the message names both layouts and the earliest checkpoint of the
  /// old one) and left alone otherwise. A checkpoint without a layout (an older ccrec-export) is
  /// taken as this layout's, with a warning when sharded.
  std::optional<ccrec::exporter::ShardLayout> layout;
  /// With --shard: this instance's index and --manifest before {shard} was replaced, through
  /// which the other shards' checkpoints are read: shard 0's on this shard's first run (a layout
  /// change there is refused too), all of the old layout's for the earliest in the message.
  std::uint32_t shard_index = 0;
  std::string manifest_template;
};

/// Resolves the window: to = --to, else now - --until-now-minus; from = the checkpoint of
/// `source` (--since-last-run, once one exists), else to - N days (--days-back), else --from.
/// Throws UsageError for a missing or contradictory window, a checkpoint of another source
/// (naming both sources and `match.other_source_fix`), or, with --since-last-run, one of another
/// shard layout (CheckpointMatch::layout).
ExportWindow ResolveWindow(WindowFlags const& flags, CommonOptions const& common, std::string const& source,
                           CheckpointMatch const& match = {});

/// After a run: moves the checkpoint (when there is one) to the first unfinished item
/// (ExportSummary::earliest_unfinished), else the window end or the run's start, whichever is
/// earlier; to the window start when an unfinished item had no time
/// (ExportSummary::unfinished_without_window_time) — not after a dry run, a fatal error or an
/// interruption. A run that did not start from an existing checkpoint never moves it past what it
/// covered: a window that starts after the checkpoint leaves it where it is (the gap between was
/// never listed), and one that ends before it moves it back only to an unfinished item. A
/// checkpoint of another source or shard layout, or one that cannot be read, is left alone with a
/// warning. The checkpoint is written with ExportWindow::layout. A write failure is a warning.
void AdvanceCheckpoint(ExportWindow const& window, std::string const& source, CommonOptions const& common,
                       ccrec::exporter::ExportSummary const& summary, int signal_number, ccrec::Logger const& logger);

/// --shard I/N ("index/N": I from $JOB_COMPLETION_INDEX), or nothing when `text` is empty. Throws
/// UsageError naming the flag.
std::optional<ccrec::exporter::ShardSpec> ParseShardFlag(std::string const& text);

/// Replaces `{shard}` in --manifest with the shard index, so that each instance writes its own
/// manifest and checkpoint. `{shard}` without --shard is a UsageError; so is --shard with
/// `since_last_run` and a --manifest without `{shard}` (shards would share one checkpoint, and
/// each would move it past the sub-windows of the others). Returns --manifest as given when it
/// holds `{shard}` (CheckpointMatch::manifest_template), else "".
std::string ApplyShardToManifest(CommonOptions& common, std::optional<ccrec::exporter::ShardSpec> const& shard,
                                 bool since_last_run);

/// `text` with every `{shard}` replaced by `value` (a shard index, or --lease's instance name).
std::string ReplaceShardPlaceholder(std::string text, std::string const& value);

}  // namespace ccrec_cli
