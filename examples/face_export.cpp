// SPDX-License-Identifier: Apache-2.0
// Exports the Oracle ISR FACE recordings started in a time window into a directory, with a JSON
// Lines manifest: the smallest embedding of ccrec::face. The API user's password comes from
// CCREC_FACE_PASSWORD, never from argv.
//
//   CCREC_FACE_PASSWORD=... face_export FACE_URL USER_EMAIL FROM TO DEST_DIR
//   e.g. face_export https://isr.example.com:8443 api@example.com 2026-11-01 2026-11-02 /data/face
// FROM and TO: ISO-8601 with a zone, a date (midnight UTC) or epoch milliseconds.
// Exit status: 0 done, 1 fatal (login failed, ...), 2 usage, 3 some recordings failed.
#include <ccrec/core/log.hpp>
#include <ccrec/core/time.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/face/client.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>

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
  auto from = ccrec::ParseTimestamp(argv[3]);
  auto to = ccrec::ParseTimestamp(argv[4]);
  if (!from || !to) {
    std::cerr << "FROM/TO: " << (!from ? from.error() : to.error()).message << "\n";
    return 2;
  }
  std::string const dest = argv[5];
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

  ccrec::FilesystemSinkOptions fo;
  fo.root = dest;
  auto sink = ccrec::MakeFilesystemSink(fo);
  if (!sink) {
    std::cerr << sink.error().ToString() << "\n";
    return 2;
  }
  auto manifest = ccrec::exporter::Manifest::Open(dest + "/manifest.jsonl");
  if (!manifest) {
    std::cerr << manifest.error().ToString() << "\n";
    return 2;
  }

  ccrec::face::FaceSourceOptions so;
  so.from = *from;
  so.to = *to;
  so.logger = logger;
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::face::MakeFaceSource(client, so);

  ccrec::exporter::ExporterOptions eo;
  eo.concurrency = 2;  // Oracle asks for FACE requests "in a controlled manner"
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  eo.logger = logger;
  ccrec::exporter::Exporter exporter(source, *sink, *manifest, eo);
  auto summary = exporter.Run();
  std::cout << summary.LastLine() << "\n";
  if (summary.fatal) {
    std::cerr << summary.fatal->ToString() << "\n";
    return 1;
  }
  return summary.failed > 0 ? 3 : 0;
}
