// SPDX-License-Identifier: Apache-2.0
#include "cli_help_groups.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace ccrec_cli {
namespace {

// Flag (long name without "--") -> section. Flags of every subcommand share one table, so a flag
// sits in the same section wherever it appears.
std::map<std::string, std::string> const& Sections() {
  static std::map<std::string, std::string> const sections = [] {
    std::map<std::string, std::string> m;
    auto put = [&m](std::string const& section, std::vector<std::string> const& flags) {
      for (auto const& f : flags) m[f] = section;
    };
    put("Window", {"from", "to", "days-back", "since-last-run", "until-now-minus", "pending-max-age", "sub-window", "shard",
                   "lease", "lease-ttl", "lease-wait", "window", "settle", "watch", "max-recording-duration"});
    put("Destination", {"dest", "manifest", "manifest-format", "key-template", "dry-run", "file-mode", "dir-mode"});
    put("S3", {"s3-endpoint", "s3-region", "s3-path-style", "profile", "s3-checksum", "s3-conditional-writes", "sse", "sse-kms-key-id",
               "storage-class", "tag"});
    put("Output", {"log-level", "log-format", "progress", "metrics-textfile", "metrics-job"});
    put("Tuning", {"concurrency", "request-timeout", "bwlimit", "rate-limit", "rate-limiter", "rate-limit-store",
                   "downloads-per-agent",
                   "max-list-length", "number-of-records"});
    return m;
  }();
  return sections;
}

std::vector<std::string> const kOrder = {"Options", "Source", "Window", "Destination", "S3", "Output", "Tuning"};

/// CLI11's help layout with the sections in kOrder (CLI11 orders them by first flag), then any other.
class SectionedFormatter : public CLI::Formatter {
 public:
  std::string make_help(CLI::App const* app, std::string name, CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::stringstream out;
    out << make_description(app) << make_usage(app, name) << make_positionals(app);
    auto groups = app->get_groups();
    std::stable_sort(groups.begin(), groups.end(), [](std::string const& a, std::string const& b) {
      auto rank = [](std::string const& g) { return std::find(kOrder.begin(), kOrder.end(), g) - kOrder.begin(); };
      return rank(a) < rank(b);
    });
    for (auto const& group : groups) {
      auto opts = app->get_options([&group](CLI::Option const* o) { return o->get_group() == group && o->nonpositional(); });
      if (!group.empty() && !opts.empty()) out << make_group(group, false, opts) << "\n";
    }
    out << make_subcommands(app, mode) << '\n' << make_footer(app);
    return out.str();
  }
};

void Group(CLI::App& app) {
  static auto const formatter = std::make_shared<SectionedFormatter>();
  app.formatter(formatter);
  for (auto* option : app.get_options()) {
    if (option->get_group() != "Options") continue;  // CLI11's default; a chosen section stays
    auto const& names = option->get_lnames();
    if (names.empty() || names.front() == "help") continue;
    auto it = Sections().find(names.front());
    option->group(it == Sections().end() ? "Source" : it->second);
  }
  for (auto* sub : app.get_subcommands([](CLI::App*) { return true; })) Group(*sub);
}

}  // namespace

void GroupHelpSections(CLI::App& app) {
  for (auto* sub : app.get_subcommands([](CLI::App*) { return true; })) Group(*sub);
}

}  // namespace ccrec_cli
