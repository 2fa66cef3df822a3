// SPDX-License-Identifier: Apache-2.0
// The export window shared by the subcommands (cli_window.hpp).
#include "cli_window.hpp"

#include <ccrec/core/time.hpp>
#include <ccrec/exporter/checkpoint.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace ccrec_cli {

namespace {

using ccrec::exporter::ShardLayout;

/// A --sub-window length as the flag takes it: 1d, 6h, 15m, 30s, else 1500ms.
std::string DurationText(std::chrono::milliseconds d) {
  struct Unit {
    std::int64_t ms;
    char const* name;
  };
  for (Unit u : {Unit{86400000, "d"}, Unit{3600000, "h"}, Unit{60000, "m"}, Unit{1000, "s"}}) {
    if (d.count() > 0 && d.count() % u.ms == 0) return std::to_string(d.count() / u.ms) + u.name;
  }
  return std::to_string(d.count()) + "ms";
}

/// The flags of shard `index` under `layout`: "--shard 0/4 --sub-window 1d", or "no --shard".
std::string LayoutFlags(std::uint32_t index, ShardLayout const& layout) {
  if (layout.count <= 1) return "no --shard";
  return "--shard " + std::to_string(index) + "/" + std::to_string(layout.count) + " --sub-window " +
         DurationText(layout.sub_window);
}

/// A checkpoint naming `found` is this run's: no source (an old file), `source`, or the older name.
bool IsOwnSource(std::string const& found, std::string const& source, CheckpointMatch const& match) {
  return found.empty() || found == source || (!match.older_source.empty() && found == match.older_source);
}

std::string ShardCheckpointPath(std::string const& manifest_template, std::uint32_t index) {
  return ReplaceShardPlaceholder(manifest_template, std::to_string(index)) + ".checkpoint.json";
}

/// Why checkpoint `path`, written under `old` by shard `old_index`, does not hold for this run,
/// and (with `fix`) what to do: run with the old flags, or start the new layout under new
/// manifests from the earliest checkpoint of the old layout's shards (read here when they all
/// can be).
std::string LayoutChange(std::string const& path, std::uint32_t old_index, ccrec::exporter::Checkpoint const& found,
                         CheckpointMatch const& match, std::string const& source, bool fix) {
  ShardLayout const& old = *found.layout;
  std::string why = "checkpoint " + path + " was written by a run with " + LayoutFlags(old_index, old) +
                    ", this run has " + LayoutFlags(match.shard_index, *match.layout) +
                    ": under another shard count or sub-window length a shard lists other sub-windows, which that "
                    "checkpoint does not cover (their pending or failed recordings would not be listed again)";
  if (!fix) return why;
  std::optional<std::chrono::system_clock::time_point> earliest;
  if (old.count <= 1) earliest = found.next_from;  // one old checkpoint: this one
  std::string unknown = "EARLIEST, the earliest next_from of the old layout's checkpoints";
  if (old.count > 1 && old.count <= 1000 && !match.manifest_template.empty()) {
    for (std::uint32_t i = 0; i < old.count; ++i) {
      std::string const p = ShardCheckpointPath(match.manifest_template, i);
      auto read = ccrec::exporter::ReadCheckpoint(p);
      bool const usable = read && *read && IsOwnSource((*read)->source, source, match) && (*read)->layout &&
                          ccrec::exporter::SameShardCoverage(*(*read)->layout, old);
      if (!usable) {
        earliest.reset();
        unknown += " (" + p + " is missing or not of that layout)";
        break;
      }
      earliest = earliest ? std::min(*earliest, (*read)->next_from) : (*read)->next_from;
    }
  }
  std::string from = unknown;
  if (earliest) {
    from = ccrec::FormatIso8601(*earliest, true) +
           (old.count <= 1 ? std::string(", the old checkpoint")
                           : ", the earliest checkpoint of the " + std::to_string(old.count) + " old shards");
  }
  return why + ". Run with " + LayoutFlags(old_index, old) +
         " again, or move every shard to the new layout at once: new --manifest names (e.g. webex-n" +
         std::to_string(match.layout->count) + "-{shard}.jsonl), each new shard's first run with --since-last-run "
         "--from " + from + "; see docs/scale.md#changing---shard-n-or---sub-window";
}

/// Why this run's layout does not match the checkpoint `found` at `path` (empty when it does):
/// its own, or shard 0's on a shard's first run (`own` false). A checkpoint without a layout is
/// taken as this run's, with a warning when sharded.
std::string CheckLayout(std::string const& path, ccrec::exporter::Checkpoint const& found, bool own,
                        CheckpointMatch const& match, std::string const& source, bool fix) {
  if (!match.layout) return {};
  auto const old_index = own ? match.shard_index : 0;
  if (!found.layout) {
    if (own && match.layout->count > 1) {
      std::cerr << "ccrec-export: warning: checkpoint " << path
                << " does not record its shard layout (an older ccrec-export wrote it): it is taken as written by "
                << LayoutFlags(match.shard_index, *match.layout)
                << ", this run's flags; if --shard N or --sub-window changed since, stop and see "
                   "docs/scale.md#changing---shard-n-or---sub-window (the run that moves it records the layout)\n";
    }
    return {};
  }
  if (ccrec::exporter::SameShardCoverage(*found.layout, *match.layout)) return {};
  return LayoutChange(path, old_index, found, match, source, fix);
}

}  // namespace

void AddWindowFlags(CLI::App& cmd, WindowFlags& f, std::string const& what) {
  auto* from = cmd.add_option("--from", f.from,
                              "window start on " + what + ": ISO-8601 UTC (2026-11-01T00:00:00Z) or epoch ms");
  auto* to = cmd.add_option("--to", f.to, "window end (exclusive)");
  auto* days = cmd.add_option("--days-back", f.days_back, "window = the last N days")->check(CLI::Range(1, 3650));
  days->excludes(from)->excludes(to);
  cmd.add_flag("--since-last-run", f.since_last_run,
               "start where the last run left off (checkpoint beside --manifest; first run: --days-back N or --from)");
  cmd.add_option("--until-now-minus", f.until_now_minus,
                 "end the window this long before now (room for late recordings), e.g. 30m, 2h");
}

void AddPendingMaxAgeFlag(CLI::App& cmd, std::string& value, std::string const& what) {
  cmd.add_option("--pending-max-age", value,
                 "give up on " + what + ": record it as failed once and let --since-last-run move on (0 = wait forever)")
      ->capture_default_str();
}

std::chrono::milliseconds ParsePendingMaxAge(std::string const& value) {
  return ParseDurationFlag("--pending-max-age", value);
}

ExportWindow ResolveWindow(WindowFlags const& f, CommonOptions const& common, std::string const& source,
                           CheckpointMatch const& match) {
  using std::chrono::system_clock;
  ExportWindow w;
  std::chrono::milliseconds lag{0};
  if (!f.until_now_minus.empty()) lag = ParseDurationFlag("--until-now-minus", f.until_now_minus);
  w.started = system_clock::now();
  w.checkpoint_path = common.manifest.empty() ? std::string() : common.manifest + ".checkpoint.json";
  if (f.since_last_run && common.manifest.empty()) {
    throw UsageError{"--since-last-run needs --manifest (the checkpoint is kept beside it)"};
  }
  // Every run with --manifest reads the checkpoint: one that does not start from it must not move
  // it past a window it did not list (AdvanceCheckpoint).
  if (!common.manifest.empty()) {
    auto read = ccrec::exporter::ReadCheckpoint(w.checkpoint_path);
    if (!read && f.since_last_run) throw UsageError{read.error().message};
    if (!read) w.keep_checkpoint = read.error().message;
    if (read && *read) {
      auto const& found = (*read)->source;
      bool const older = !match.older_source.empty() && found == match.older_source;
      if (!IsOwnSource(found, source, match)) {
        std::string const why = "checkpoint " + w.checkpoint_path + " belongs to source \"" + found + "\", not \"" +
                                source + "\"";
        if (f.since_last_run) throw UsageError{why + "; " + match.other_source_fix};
        w.keep_checkpoint = why;
      } else {
        if (older) {
          std::cerr << "ccrec-export: warning: checkpoint " << w.checkpoint_path << " names source \"" << found
                    << "\" (written by an older ccrec-export), which cannot tell which stream wrote it; it is taken "
                       "as \""
                    << source << "\"'s and rewritten with that name when this run moves it\n";
        }
        w.keep_checkpoint = CheckLayout(w.checkpoint_path, **read, true, match, source, f.since_last_run);
        if (w.keep_checkpoint.empty()) w.checkpoint = (*read)->next_from;
      }
    } else if (read && match.layout && match.layout->count > 1 && match.shard_index != 0 &&
               !match.manifest_template.empty()) {
      // This shard's first run: shard 0's checkpoint tells whether the job ran under another
      // layout (its shards' unfinished sub-windows are not all behind this run's --from).
      std::string const zero = ShardCheckpointPath(match.manifest_template, 0);
      auto first = ccrec::exporter::ReadCheckpoint(zero);
      if (first && *first && IsOwnSource((*first)->source, source, match)) {
        w.keep_checkpoint = CheckLayout(zero, **first, false, match, source, f.since_last_run);
      }
    }
    if (!w.keep_checkpoint.empty() && f.since_last_run) throw UsageError{w.keep_checkpoint};
  }
  w.layout = match.layout;
  std::optional<system_clock::time_point> checkpoint;
  if (f.since_last_run) {
    checkpoint = w.checkpoint;
    if (checkpoint && (!f.from.empty() || f.days_back > 0)) {
      throw UsageError{"--since-last-run continues from " + w.checkpoint_path +
                       "; --from/--days-back apply only to the first run (delete the checkpoint to start over)"};
    }
  }
  if (f.days_back > 0 && (!f.from.empty() || !f.to.empty())) {
    throw UsageError{"use either --days-back or --from/--to, not both"};
  }
  w.to = !f.to.empty() ? ParseTimeFlag("--to", f.to) : system_clock::now() - lag;
  if (checkpoint) {
    w.from = *checkpoint;
  } else if (f.days_back > 0) {
    w.from = w.to - std::chrono::hours(24) * f.days_back;
  } else if (!f.from.empty()) {
    w.from = ParseTimeFlag("--from", f.from);
  } else {
    throw UsageError{f.since_last_run ? "no checkpoint yet: the first --since-last-run run needs --from or --days-back"
                                      : "--from and --to (or --days-back N, or --since-last-run) are required"};
  }
  if (!(w.from < w.to)) {
    if (!checkpoint) throw UsageError{"--from must be earlier than --to"};
    std::cerr << "ccrec-export: nothing to do: the checkpoint (" << ccrec::FormatIso8601(w.from, true)
              << ") is not before the window end\n";
    std::cout << ccrec::exporter::ExportSummary{}.LastLine() << std::endl;  // the contract's last line
    w.nothing_to_do = true;
  }
  return w;
}

void AdvanceCheckpoint(ExportWindow const& w, std::string const& source, CommonOptions const& common,
                       ccrec::exporter::ExportSummary const& summary, int signal_number, ccrec::Logger const& logger) {
  if (w.checkpoint_path.empty() || common.dry_run || summary.fatal || summary.cancelled || signal_number != 0) return;
  if (!w.keep_checkpoint.empty()) {
    logger.Warn("the checkpoint is left as it is: " + w.keep_checkpoint);
    return;
  }
  // How far this run proves everything done: its window end, but never past its own start (what
  // was created later was not listed); with an existing checkpoint C, from C on only when the
  // window starts at or before C (else [C, from) was never listed: C stays).
  auto covered = std::min(w.to, w.started);
  if (w.checkpoint) {
    if (w.from <= *w.checkpoint) {
      covered = std::max(covered, *w.checkpoint);
    } else {
      covered = *w.checkpoint;
      logger.Info("the window starts after the checkpoint (" + ccrec::FormatIso8601(covered, true) +
                  "): the checkpoint stays, so that the next --since-last-run run lists the time between");
    }
  }
  auto next = summary.earliest_unfinished ? std::min(*summary.earliest_unfinished, covered) : covered;
  if (summary.unfinished_without_window_time > 0) {
    // Failed or pending items without a time (the server sent none): their place in the window is
    // unknown, so the checkpoint stays at the window's start and the next run lists it again.
    next = std::min(next, w.from);
    logger.Warn(std::to_string(summary.unfinished_without_window_time) +
                " unfinished item(s) have no time in the window; the checkpoint stays at " +
                ccrec::FormatIso8601(next, true));
  }
  auto written = ccrec::exporter::WriteCheckpoint(w.checkpoint_path,
                                                  ccrec::exporter::Checkpoint{source, next, w.layout}, FileMode(common));
  if (!written) logger.Warn("cannot write checkpoint " + w.checkpoint_path + ": " + written.error().message);
}

std::optional<ccrec::exporter::ShardSpec> ParseShardFlag(std::string const& text) {
  if (text.empty()) return std::nullopt;
  auto spec = ccrec::exporter::ParseShardSpec(text, std::getenv("JOB_COMPLETION_INDEX"));
  if (!spec) throw UsageError{"--shard: " + spec.error().message};
  return *spec;
}

std::string ApplyShardToManifest(CommonOptions& common, std::optional<ccrec::exporter::ShardSpec> const& shard,
                                 bool since_last_run) {
  std::string const given = common.manifest;
  std::string const placeholder = "{shard}";
  auto at = common.manifest.find(placeholder);
  if (at == std::string::npos && shard && since_last_run) {
    throw UsageError{"--shard with --since-last-run needs {shard} in --manifest (e.g. webex-{shard}.jsonl): each "
                     "shard keeps its own checkpoint, and shards sharing one would skip each other's sub-windows"};
  }
  if (at == std::string::npos) return {};
  if (!shard) throw UsageError{"--manifest " + common.manifest + ": {shard} needs --shard I/N"};
  common.manifest = ReplaceShardPlaceholder(given, std::to_string(shard->index));
  return given;
}

std::string ReplaceShardPlaceholder(std::string text, std::string const& value) {
  std::string const placeholder = "{shard}";
  for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

}  // namespace ccrec_cli
