// SPDX-License-Identifier: Apache-2.0
// Exports the Webex Contact Center legacy (v1) records of a time range — CSRs by default, one
// JSON Lines object per time window — into a directory, with a JSON Lines manifest: the smallest
// embedding of ccrec::webex_legacy. The API key comes from CCREC_WEBEX_API_KEY, never from argv.
//
//   CCREC_WEBEX_API_KEY=... webex_legacy_export BASE_URL USER_ID FROM TO DEST_DIR [csrs|cars|asrs|aars]
//   e.g. webex_legacy_export https://rest.cjp.cisco.com api@example.com 2026-11-01 2026-11-02 /data/csr
// Exit status: 0 done, 1 fatal (credentials rejected, ...), 2 usage, 3 some windows failed.
#include "example_util.hpp"

#include <ccrec/core/log.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/recording_source.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace legacy = ccrec::webex_legacy;

int main(int argc, char** argv) {
  char const* api_key = std::getenv("CCREC_WEBEX_API_KEY");
  if (argc < 6 || argc > 7 || api_key == nullptr) {
    std::cerr << "usage: CCREC_WEBEX_API_KEY=... webex_legacy_export BASE_URL USER_ID FROM TO DEST_DIR "
                 "[csrs|cars|asrs|aars]\n";
    return 2;
  }
  auto window = example_util::ParseWindow(argv[3], argv[4]);
  if (!window) return 2;
  auto type = legacy::ParseRecordType(argc == 7 ? argv[6] : "csrs");
  if (!type) {
    std::cerr << "record type must be csrs, cars, asrs or aars\n";
    return 2;
  }
  ccrec::Logger logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kInfo);
  auto dest = example_util::OpenDestination(argv[5]);
  if (!dest) return 2;

  legacy::ClientOptions co;
  co.base_url = argv[1];
  co.credentials.user_id = argv[2];
  co.credentials.api_key = api_key;
  co.logger = logger;
  legacy::Client client(co);

  legacy::WebexLegacySourceOptions so;
  so.record_type = *type;
  so.range = legacy::TimeWindow{window->from, window->to};
  // Windows an earlier run exported (per the manifest) are not fetched again.
  so.exported_windows = legacy::ExportedWindows(*dest->manifest, so.record_type, so.format);
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = legacy::MakeWebexLegacySource(client, so);

  ccrec::exporter::ExporterOptions eo;
  eo.key_template = legacy::kDefaultKeyTemplate;
  eo.write_sidecars = false;
  eo.logger = logger;
  ccrec::exporter::Exporter exporter(source, dest->sink, dest->manifest, eo);
  return example_util::Report(exporter.Run(), " (windows)");
}
