// SPDX-License-Identifier: Apache-2.0
// Exports Huawei CC-Gateway recordings named by their record ids (the fileName of
// AgentMediaEvent_Record) into a directory, with a JSON Lines manifest: the smallest embedding of
// ccrec::huawei. The agent's password comes from CCREC_HUAWEI_PASSWORD, never from argv.
//
//   CCREC_HUAWEI_PASSWORD=... huawei_export GATEWAY_URL AGENT_ID PHONE DEST_DIR RECORD_ID...
//   e.g. huawei_export https://10.1.2.3:8043 1001 70001 /data/huawei /rec/2026/11/01/0001.wav
// Exit status: 0 done, 1 fatal (sign-in failed, ...), 2 usage, 3 some recordings failed.
#include "example_util.hpp"

#include <ccrec/core/log.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/recording_source.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  char const* password = std::getenv("CCREC_HUAWEI_PASSWORD");
  if (argc < 6 || password == nullptr) {
    std::cerr << "usage: CCREC_HUAWEI_PASSWORD=... huawei_export GATEWAY_URL AGENT_ID PHONE DEST_DIR RECORD_ID...\n";
    return 2;
  }
  ccrec::Logger logger = ccrec::MakeStderrLogger(ccrec::LogLevel::kInfo);
  auto dest = example_util::OpenDestination(argv[4]);
  if (!dest) return 2;

  ccrec::huawei::AgentSessionOptions so;
  so.gateway_url = argv[1];
  so.agent_id = argv[2];
  so.phone_number = argv[3];
  so.password = password;
  so.logger = logger;
  ccrec::huawei::AgentSession session(so);
  if (auto signed_in = session.SignIn(); !signed_in) {
    std::cerr << "sign-in failed: " << signed_in.error().ToString() << "\n";
    return 1;
  }

  ccrec::huawei::HuaweiSourceOptions src;
  for (int i = 5; i < argc; ++i) {
    ccrec::huawei::RecordingReference r;
    r.file_name = argv[i];
    src.recordings.push_back(std::move(r));
  }
  src.logger = logger;
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, src);

  ccrec::exporter::ExporterOptions eo;
  eo.key_template = ccrec::huawei::kDefaultKeyTemplate;
  eo.logger = logger;
  ccrec::exporter::Exporter exporter(source, dest->sink, dest->manifest, eo);
  auto summary = exporter.Run();
  (void)source->Shutdown();  // sign out
  return example_util::Report(summary);
}
