// SPDX-License-Identifier: Apache-2.0
// Exports the Oracle ISR FACE recordings started in a time window into a directory, with a JSON
// Lines manifest: the smallest embedding of ccrec::face. The API user's password comes from
// CCREC_FACE_PASSWORD, never from argv.
//
//   CCREC_FACE_PASSWORD=... face_export FACE_URL USER_EMAIL FROM TO DEST_DIR
//   e.g. face_export https://isr.example.com:8443 api@example.com 2026-11-01 2026-11-02 /data/face
// FROM and TO: ISO-8601 with a zone, a date (midnight UTC) or epoch milliseconds.
// Exit status: 0 done, 1 fatal (login failed, ...), 2 usage, 3 some recordings failed.
#include "example_util.hpp"

#include <ccrec/core/log.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/client.hpp>
#include <ccrec/face/recording_source.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  char const* password = std::getenv("CCREC_FACE_PASSWORD");
  if (argc != 6 || password == nullptr) {
    std::cerr << "usage: CCREC_FACE_PASSWORD=... face_export FACE_URL USER_EMAIL FROM TO DEST_DIR\n";
    return 2;
  }
  auto window = example_util::ParseWindow(argv[3], argv[4]);
  if (!window) return 2;
  ccrec::Logger logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kInfo);

  ccrec::face::ClientOptions co;
  co.base_url = argv[1];
  co.user_email = argv[2];
  co.password = password;
  co.logger = logger;
  ccrec::face::Client client(co);
  if (auto login = client.Login(); !login) {  // fail before anything is written
    std::cerr << "login failed: " << login.error().ToString() << "\n";
    return 1;
  }

  auto dest = example_util::OpenDestination(argv[5]);
  if (!dest) return 2;

  ccrec::face::FaceSourceOptions so;
  so.from = window->from;
  so.to = window->to;
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::face::MakeFaceSource(client, so);

  ccrec::exporter::ExporterOptions eo;
  eo.concurrency = 2;  // Oracle asks for FACE requests "in a controlled manner"
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  eo.logger = logger;
  ccrec::exporter::Exporter exporter(source, dest->sink, dest->manifest, eo);
  return example_util::Report(exporter.Run());
}
