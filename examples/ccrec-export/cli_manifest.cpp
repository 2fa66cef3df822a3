// SPDX-License-Identifier: Apache-2.0
// --manifest and --manifest-format: a JSON Lines manifest, or a SQLite one (ccrec::manifest_sqlite,
// when this program was built with it).
#include "cli_common.hpp"

#include <ccrec/exporter/manifest.hpp>
#if defined(CCREC_EXPORT_HAVE_MANIFEST_SQLITE)
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>
#endif

#include <iostream>
#include <string>

namespace ccrec_cli {
namespace {
bool EndsWith(std::string const& s, std::string const& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::string ManifestFormat(CommonOptions const& o) {
  std::string format = o.manifest_format;
  if (format == "auto") format = EndsWith(o.manifest, ".sqlite") || EndsWith(o.manifest, ".db") ? "sqlite" : "jsonl";
  if (format != "jsonl" && format != "sqlite") {
    throw UsageError{"--manifest-format must be auto, jsonl or sqlite, got \"" + o.manifest_format + "\""};
  }
#if !defined(CCREC_EXPORT_HAVE_MANIFEST_SQLITE)
  if (format == "sqlite" && !o.manifest.empty()) {
    throw UsageError{"--manifest " + o.manifest + ": a SQLite manifest needs a ccrec-export built with SQLite 3 "
                     "(ccrec::manifest_sqlite); use a JSON Lines manifest (--manifest-format jsonl)"};
  }
#endif
  return format;
}

std::shared_ptr<ccrec::exporter::Manifest> OpenManifest(CommonOptions const& o, ccrec::ObjectSink const& sink) {
  if (o.manifest.empty()) return ccrec::exporter::Manifest::Null();
  ccrec::exporter::ManifestOptions mo;
  mo.file_mode = FileMode(o);
  ccrec::Result<std::shared_ptr<ccrec::exporter::Manifest>> m = ccrec::exporter::Manifest::Null();
#if defined(CCREC_EXPORT_HAVE_MANIFEST_SQLITE)
  if (ManifestFormat(o) == "sqlite") {
    m = ccrec::manifest_sqlite::OpenSqliteManifest(o.manifest, mo);
  } else {
    m = ccrec::exporter::Manifest::Open(o.manifest, mo);
  }
#else
  (void)ManifestFormat(o);
  m = ccrec::exporter::Manifest::Open(o.manifest, mo);
#endif
  if (!m) throw UsageError{"--manifest: " + m.error().message};
  auto bound = o.dry_run || o.validate_only ? (*m)->CheckDestination(sink.Uri(""), o.key_template)
                         : (*m)->Bind(sink.Uri(""), o.key_template);
  if (!bound) throw UsageError{"--manifest: " + bound.error().message};
  if ((*m)->MalformedLines() > 0) {
    std::cerr << "ccrec-export: warning: ignored " << (*m)->MalformedLines() << " malformed line(s) in "
              << o.manifest << "\n";
  }
  return *m;
}

}  // namespace ccrec_cli
