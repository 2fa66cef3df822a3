// SPDX-License-Identifier: Apache-2.0
// ccrec-export manifest compact --manifest FILE [--no-backup]: rewrites a JSON Lines manifest
// with only the lines a later run reads (ccrec::exporter::CompactManifest), e.g. weekly from cron
// or a systemd timer (docs/operations.md).
#include "commands.hpp"

#include <ccrec/exporter/manifest_compact.hpp>

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

}  // namespace

void RegisterManifest(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("manifest", "maintain a manifest (compact)");
  cmd->require_subcommand(1);
  auto f = std::make_shared<CompactFlags>();
  auto* compact = cmd->add_subcommand(
      "compact",
      "rewrite a JSON Lines manifest with only each item's latest and last exported line (nothing a run "
      "reads is lost; the old file is kept as MANIFEST.1). Refused while a run holds the manifest");
  compact->add_option("--manifest", f->manifest, "the JSON Lines manifest to compact")->required();
  compact->add_flag("--no-backup", f->no_backup, "do not keep the previous file as MANIFEST.1");
  action = [f] { return RunCompact(*f); };
}

}  // namespace ccrec_cli
