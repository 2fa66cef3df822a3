// SPDX-License-Identifier: Apache-2.0
// The export window shared by the subcommands (cli_window.hpp).
#include "cli_window.hpp"

#include <ccrec/core/time.hpp>
#include <ccrec/exporter/checkpoint.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace ccrec_cli {

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
      if (!found.empty() && found != source && !older) {
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
        w.checkpoint = (*read)->next_from;
      }
    }
  }
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
  auto written = ccrec::exporter::WriteCheckpoint(w.checkpoint_path, ccrec::exporter::Checkpoint{source, next},
                                                  FileMode(common));
  if (!written) logger.Warn("cannot write checkpoint " + w.checkpoint_path + ": " + written.error().message);
}

std::optional<ccrec::exporter::ShardSpec> ParseShardFlag(std::string const& text) {
  if (text.empty()) return std::nullopt;
  auto spec = ccrec::exporter::ParseShardSpec(text, std::getenv("JOB_COMPLETION_INDEX"));
  if (!spec) throw UsageError{"--shard: " + spec.error().message};
  return *spec;
}

void ApplyShardToManifest(CommonOptions& common, std::optional<ccrec::exporter::ShardSpec> const& shard,
                          bool since_last_run) {
  std::string const placeholder = "{shard}";
  auto at = common.manifest.find(placeholder);
  if (at == std::string::npos && shard && since_last_run) {
    throw UsageError{"--shard with --since-last-run needs {shard} in --manifest (e.g. webex-{shard}.jsonl): each "
                     "shard keeps its own checkpoint, and shards sharing one would skip each other's sub-windows"};
  }
  if (at == std::string::npos) return;
  if (!shard) throw UsageError{"--manifest " + common.manifest + ": {shard} needs --shard I/N"};
  for (; at != std::string::npos; at = common.manifest.find(placeholder, at)) {
    common.manifest.replace(at, placeholder.size(), std::to_string(shard->index));
  }
}

}  // namespace ccrec_cli
