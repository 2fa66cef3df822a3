// SPDX-License-Identifier: Apache-2.0
// ccrec-export: copies contact-center call recordings and their metadata into S3 or a
// directory. The reference program of the ccrec SDK.
#include "cli_help_groups.hpp"
#include "cli_settings.hpp"
#include "commands.hpp"

#include <ccrec/version.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace {

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t Distance(std::string const& a, std::string const& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t const up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// The closest of `names` to `word` (at most 3 edits, or a prefix), or "".
std::string Closest(std::string const& word, std::vector<std::string> const& names) {
  std::string best;
  std::size_t best_distance = 4;
  for (auto const& name : names) {
    std::size_t d = name.rfind(word, 0) == 0 && word.size() >= 3 ? 1 : Distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::string Joined(std::vector<std::string> const& names) {
  std::string out;
  for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The long option names of `app` and of the subcommands that were parsed, if any.
std::vector<std::string> OptionNames(CLI::App& app) {
  std::vector<std::string> names;
  std::vector<CLI::App*> scopes{&app};
  for (std::size_t i = 0; i < scopes.size(); ++i) {  // nested ones too (webex login)
    for (auto* sub : scopes[i]->get_subcommands()) scopes.push_back(sub);
  }
  for (auto* scope : scopes) {
    for (auto const* option : scope->get_options()) {
      for (auto const& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  return names;
}

/// Prints a line per `--flag` of argv that neither the program nor its subcommand knows, with
/// the closest known flag; returns how many there were.
int ReportUnknownFlags(CLI::App& app, int argc, char** argv) {
  auto names = OptionNames(app);
  int unknown = 0;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.rfind("--", 0) != 0 || word == "--") continue;
    word = word.substr(0, word.find('='));
    if (std::find(names.begin(), names.end(), word) != names.end()) continue;
    ++unknown;
    std::string guess = Closest(word, names);
    std::cerr << "ccrec-export: error: unknown flag " << word
              << (guess.empty() ? "" : "; did you mean " + guess + "?") << "\n";
  }
  return unknown;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ccrec_cli;
#if defined(__GLIBC__)
  // glibc gives each worker thread its own malloc arena (up to 8 per core), which let peak RSS
  // grow with --concurrency (bench/RESULTS.md: 65 MiB at 8 workers, 45 MiB with 2 arenas). Two
  // arenas keep memory bounded; an explicit MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
  // Named, so that usage lines say "ccrec-export" whatever path it was started by.
  CLI::App app{"ccrec-export: export contact-center call recordings and metadata to S3 or a directory", "ccrec-export"};
  // The version of the ccrec library loaded at run time (help2man reads this line).
  app.set_version_flag("--version", std::string("ccrec-export ") + ccrec::Version());
  app.require_subcommand(1);
  // A subcommand's unknown flags go to the program: `ccrec-export face ... --config FILE` works.
  app.fallthrough();
  // A config file key that is no flag is a mistake to report, not to ignore.
  app.allow_config_extras(CLI::config_extras_mode::error);
  // (subcommand name, action), one per vendor; see commands.hpp.
  std::vector<std::pair<std::string, std::function<int()>>> commands;
  auto add = [&](std::string name, void (*register_command)(CLI::App&, std::function<int()>&)) {
    commands.emplace_back(std::move(name), nullptr);
    register_command(app, commands.back().second);
  };
  add("webex", RegisterWebex);
  add("huawei", RegisterHuawei);
  add("face", RegisterFace);
  add("webex-legacy", RegisterWebexLegacy);
  add("s3-presign", RegisterS3Presign);
  add("manifest", RegisterManifest);
  GroupHelpSections(app);  // Source, Window, Destination, S3, Output, Tuning
  std::vector<std::string> subcommands;
  for (auto const& [name, action] : commands) subcommands.push_back(name);
  // Flags from a config file (TOML or INI; one [section] per subcommand) and, above it, from
  // CCREC_* environment variables: flag > environment > file > default (docs/cli.md).
  app.set_config("--config", DefaultConfigFile(),
                 "TOML/INI file of flags (default $XDG_CONFIG_HOME/ccrec/ccrec-export.toml, then "
                 "/etc/ccrec/ccrec-export.toml); [SUBCOMMAND] sections hold its flags");
  // `ccrec-export help [SUBCOMMAND]` is --help; an unknown first word gets a suggestion.
  std::vector<std::string> words(argv + 1, argv + argc);
  if (!words.empty() && words[0] == "help") {
    words.erase(words.begin());
    words.push_back("--help");
  } else if (argc >= 2 && argv[1][0] != '-' &&
             std::find(subcommands.begin(), subcommands.end(), argv[1]) == subcommands.end()) {
    std::string word = argv[1];
    std::string guess = Closest(word, subcommands);
    std::cerr << "ccrec-export: error: \"" << word << "\" is not a subcommand"
              << (guess.empty() ? "" : "; did you mean \"" + guess + "\"?") << "\n"
              << "Subcommands: " << Joined(subcommands) << " (ccrec-export SUBCOMMAND --help)\n";
    return kExitUsage;
  }
  words = WithEnvironment(app, std::move(words),
                          {"client-id", "client-secret", "password", "api-key", "applications-token"});
  try {
    std::reverse(words.begin(), words.end());  // CLI11 takes the arguments as a stack
    app.parse(words);
  } catch (CLI::CallForHelp const& e) {
    return app.exit(e);
  } catch (CLI::CallForAllHelp const& e) {
    return app.exit(e);
  } catch (CLI::CallForVersion const& e) {
    return app.exit(e);
  } catch (CLI::ParseError const& e) {
    // An unknown flag is the first thing to fix (CLI11 reports missing required ones first).
    if (ReportUnknownFlags(app, argc, argv) > 0) {
      std::cerr << "Run with --help for usage.\n";
      return kExitUsage;
    }
    if (app.get_subcommands().empty()) {
      std::cerr << "ccrec-export: error: no subcommand given; one of " << Joined(subcommands)
                << " (ccrec-export SUBCOMMAND --help)\n";
    } else {
      std::cerr << "ccrec-export: error: " << e.what() << "\nRun with --help for usage.\n";
    }
    return kExitUsage;
  }
  try {
    for (auto& [name, action] : commands) {
      if (app.got_subcommand(name)) return action();
    }
  } catch (UsageError const& e) {
    std::cerr << "ccrec-export: error: " << e.message << "\n";
    return kExitUsage;
  } catch (std::exception const& e) {
    std::cerr << "ccrec-export: fatal: " << e.what() << "\n";
    return kExitFatal;
  }
  std::cerr << "ccrec-export: error: no subcommand\n";
  return kExitUsage;
}
