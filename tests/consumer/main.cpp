// SPDX-License-Identifier: Apache-2.0
// Consumer check: public headers compile standalone (no curl/OpenSSL/rapidjson/fmt needed) and
// the umbrella target links and works.
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/client.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main() {
  char dir_template[] = "/tmp/ccrec-consumer-XXXXXX";
  char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return 1;
  auto sink = ccrec::MakeFilesystemSink({dir, true, 0644});
  if (!sink) return 2;
  auto writer = (*sink)->Open("a/b.wav", {});
  if (!writer) return 3;
  std::string data = "RIFF....WAVE";
  if (!(*writer)->Write(data.data(), data.size())) return 4;
  auto info = (*writer)->Finish();
  if (!info || info->bytes != data.size()) return 5;

  auto key = ccrec::exporter::KeyTemplate::Parse("call-detail/{task_id}/{recording_id}{ext}");
  if (!key) return 6;
  ccrec::exporter::KeyFields fields;
  fields.task_id = "t1";
  fields.recording_id = "r1";
  fields.file_name = "x.wav";
  if (key->Render(fields) != "call-detail/t1/r1.wav") return 7;

  auto transport = ccrec::MakeCurlTransport();
  auto region = ccrec::webex::BaseUrlForRegion("eu2");
  if (!region || *region != "https://api.wxcc-eu2.cisco.com") return 8;
  std::printf("consumer_umbrella: ok (%s)\n", info->sha256_hex.value_or("").c_str());
  std::string cmd = std::string("rm -rf ") + dir;
  return std::system(cmd.c_str()) == 0 ? 0 : 9;
}
