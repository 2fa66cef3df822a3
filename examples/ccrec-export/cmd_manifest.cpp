// SPDX-License-Identifier: Apache-2.0
// ccrec-export manifest merge --output OUT IN...: one de-duplicated manifest from the manifests of
// several instances (--shard with {shard} in --manifest).
// ccrec-export manifest compact --manifest FILE [--no-backup]: rewrites a JSON Lines manifest
// with only the lines a later run reads (ccrec::exporter::CompactManifest), e.g. weekly from cron
// or a systemd timer (docs/operations.md).
#include "commands.hpp"

#include <ccrec/exporter/manifest_compact.hpp>
#include <ccrec/exporter/manifest_merge.hpp>
#if defined(CCREC_EXPORT_HAVE_MANIFEST_SQLITE)
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>
#endif

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace ccrec_cli {

namespace {

struct CompactFlags {
  std::string manifest;
  bool no_backup = false;
};

int RunCompact(CompactFlags const& f) {
  ccrec::exporter::ManifestCompactOptions options;
  options.keep_backup = !f.no_backup;
  auto done = ccrec::exporter::CompactManifest(f.manifest, options);
  if (!done) {
    auto const& e = done.error();
    // A missing file or a run holding the manifest: nothing was changed; say so like a usage error.
    if (e.code == ccrec::ErrorCode::kNotFound || e.code == ccrec::ErrorCode::kInvalidArgument) {
      throw UsageError{"--manifest: " + e.message};
    }
    std::cerr << "ccrec-export: error: " << e.ToString() << "\n";
    return kExitFatal;
  }
  std::cout << "manifest " << f.manifest << ": " << done->lines_before << " lines -> " << done->lines_after
            << " lines (" << done->items << " items, " << done->malformed_dropped << " malformed dropped), "
            << done->bytes_before << " -> " << done->bytes_after << " bytes";
  if (!done->backup_path.empty()) std::cout << "; the previous file is " << done->backup_path;
  std::cout << std::endl;
  return kExitOk;
}

struct MergeFlags {
  std::string output;
  std::vector<std::string> inputs;
};

bool IsSqlitePath(std::string const& path) {
  auto ends = [&](std::string const& suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".sqlite") || ends(".db");
}

// Opens `path` (JSON Lines, or SQLite by extension) with its lock held: a manifest a running
// export still appends to is refused rather than merged half-written.
std::shared_ptr<ccrec::exporter::Manifest> OpenForMerge(std::string const& path, std::string const& role) {
  ccrec::exporter::ManifestOptions mo;
  ccrec::Result<std::shared_ptr<ccrec::exporter::Manifest>> m = ccrec::exporter::Manifest::Null();
  if (IsSqlitePath(path)) {
#if defined(CCREC_EXPORT_HAVE_MANIFEST_SQLITE)
    m = ccrec::manifest_sqlite::OpenSqliteManifest(path, mo);
#else
    throw UsageError{role + " " + path + ": a SQLite manifest needs a ccrec-export built with SQLite 3"};
#endif
  } else {
    m = ccrec::exporter::Manifest::Open(path, mo);
  }
  if (!m) {
    if (m.error().vendor_code == ccrec::exporter::kManifestInUse) {
      throw UsageError{role + " " + path + " is in use by a running export; merge it after that run ends"};
    }
    throw UsageError{role + " " + path + ": " + m.error().message};
  }
  return *m;
}

int RunMerge(MergeFlags const& f) {
  struct stat st {};
  if (::stat(f.output.c_str(), &st) == 0) {
    throw UsageError{"--output " + f.output + " exists; merge into a new file (nothing was written)"};
  }
  std::vector<std::shared_ptr<ccrec::exporter::Manifest>> inputs;
  for (auto const& in : f.inputs) {
    if (::stat(in.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) throw UsageError{"input manifest " + in + " does not exist"};
    if (in == f.output) throw UsageError{"--output must not be one of the inputs"};
    inputs.push_back(OpenForMerge(in, "input manifest"));
  }
  // Written beside --output and renamed over it only when complete: a failed merge leaves no
  // half-written manifest behind.
  std::string const tmp = f.output + ".merge-" + std::to_string(::getpid()) + ".tmp";
  auto remove_tmp = [&] {
    std::remove(tmp.c_str());
    std::remove((tmp + "-journal").c_str());
  };
  ccrec::Result<ccrec::exporter::ManifestMergeReport> report = ccrec::exporter::ManifestMergeReport{};
  {
    std::shared_ptr<ccrec::exporter::Manifest> out;
    try {
      out = OpenForMerge(tmp, "--output");
    } catch (UsageError const&) {
      remove_tmp();
      throw;
    }
    report = ccrec::exporter::MergeManifests(inputs, *out);
  }
  if (!report) {
    remove_tmp();
    if (report.error().code == ccrec::ErrorCode::kInvalidArgument) throw UsageError{report.error().message};
    std::cerr << "ccrec-export: error: " << report.error().message << "\n";
    return kExitFatal;
  }
  if (std::rename(tmp.c_str(), f.output.c_str()) != 0) {
    remove_tmp();
    std::cerr << "ccrec-export: error: cannot rename " << tmp << " to " << f.output << "\n";
    return kExitFatal;
  }
  auto const& r = *report;
  std::cerr << "merged " << f.inputs.size() << " manifest(s) into " << f.output << ": " << r.items << " item(s), "
            << r.duplicates << " in more than one input";
  if (r.conflicting_exports > 0) {
    std::cerr << "; warning: " << r.conflicting_exports
              << " recording(s) were exported by two instances to different keys (both objects remain)";
  }
  std::cerr << "\n";
  std::cout << r.Line() << std::endl;
  return kExitOk;
}

}  // namespace

void RegisterManifest(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("manifest", "work with manifests: merge, compact");
  cmd->require_subcommand(1);
  auto m = std::make_shared<MergeFlags>();
  auto* merge = cmd->add_subcommand(
      "merge", "write one de-duplicated manifest from the manifests of several instances (--shard): per recording, "
               "exported wins over skipped over failed/pending");
  merge->add_option("--output", m->output, "the merged manifest to create (must not exist; .sqlite/.db: SQLite)")
      ->required();
  merge->add_option("inputs", m->inputs, "the manifests to merge (same destination and key template)")->required();
  auto c = std::make_shared<CompactFlags>();
  auto* compact = cmd->add_subcommand(
      "compact",
      "rewrite a JSON Lines manifest with only each item's latest and last exported line (nothing a run "
      "reads is lost; the old file is kept as MANIFEST.1). Refused while a run holds the manifest");
  compact->add_option("--manifest", c->manifest, "the JSON Lines manifest to compact")->required();
  compact->add_flag("--no-backup", c->no_backup, "do not keep the previous file as MANIFEST.1");
  action = [m, c, merge] { return merge->parsed() ? RunMerge(*m) : RunCompact(*c); };
}

}  // namespace ccrec_cli
