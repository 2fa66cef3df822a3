// SPDX-License-Identifier: Apache-2.0
#pragma once
// The export window of a subcommand: --from/--to, --days-back N, --since-last-run (a checkpoint
// beside --manifest) and --until-now-minus, shared by webex, face and webex-legacy.

#include "cli_common.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/sub_window.hpp>

#include <chrono>
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

/// A resolved window and where its checkpoint lives.
struct ExportWindow {
  std::chrono::system_clock::time_point from{}, to{};
  /// "<manifest>.checkpoint.json" when --manifest is given, else "".
  std::string checkpoint_path;
  /// --since-last-run found the checkpoint at or after the window end: nothing to do (the message
  /// and the empty summary line are printed already; exit 0).
  bool nothing_to_do = false;
};

/// Which checkpoints a subcommand takes as its own besides those of its `source`.
struct CheckpointMatch {
  /// The source name an older ccrec-export wrote for this stream (a checkpoint without the record
  /// type and format, e.g. "webex-legacy"): accepted, with a warning that it cannot tell which
  /// stream wrote it, and replaced by `source` when the run moves the checkpoint. Empty: none.
  std::string older_source;
  /// What the usage error for a checkpoint of another source tells the user to do.
  std::string other_source_fix = "use another --manifest";
};

/// Resolves the window: to = --to, else now - --until-now-minus; from = the checkpoint of
/// `source` (--since-last-run, once one exists), else to - N days (--days-back), else --from.
/// Throws UsageError for a missing or contradictory window, or a checkpoint of another source
/// (naming both sources and `match.other_source_fix`).
ExportWindow ResolveWindow(WindowFlags const& flags, CommonOptions const& common, std::string const& source,
                           CheckpointMatch const& match = {});

/// After a run: moves the checkpoint (when there is one) to the first unfinished item
/// (ExportSummary::earliest_unfinished), else the window end; to the window start when an
/// unfinished item had no time (ExportSummary::unfinished_without_window_time) — not after a dry run, a fatal error
/// or an interruption. A write failure is a warning.
void AdvanceCheckpoint(ExportWindow const& window, std::string const& source, CommonOptions const& common,
                       ccrec::exporter::ExportSummary const& summary, int signal_number, ccrec::Logger const& logger);

/// --shard I/N ("index/N": I from $JOB_COMPLETION_INDEX), or nothing when `text` is empty. Throws
/// UsageError naming the flag.
std::optional<ccrec::exporter::ShardSpec> ParseShardFlag(std::string const& text);

/// Replaces `{shard}` in --manifest with the shard index, so that each instance writes its own
/// manifest and checkpoint. `{shard}` without --shard is a UsageError.
void ApplyShardToManifest(CommonOptions& common, std::optional<ccrec::exporter::ShardSpec> const& shard);

}  // namespace ccrec_cli
