// SPDX-License-Identifier: Apache-2.0
// download_bench: streams one presigned recording URL to nowhere through the same path
// ccrec-export uses (MakeCurlTransport + webex::Client::OpenRecording, reading the body with the
// exporter's default 256 KiB copy buffer) and prints one line of figures. Compared with
// `curl -o /dev/null` on the same URL by bench/export_bench.sh.
//
//   download_bench --url URL [--ca-file PEM] [--buffer-bytes N]
#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string url, ca_file;
  std::size_t buffer_bytes = 256 * 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--url") url = v;
    else if (a == "--ca-file") ca_file = v;
    else if (a == "--buffer-bytes") buffer_bytes = std::strtoull(v.c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "download_bench: unknown flag %s\n", a.c_str());
      return 2;
    }
  }
  if (url.empty() || buffer_bytes == 0) {
    std::fprintf(stderr, "usage: download_bench --url URL [--ca-file PEM] [--buffer-bytes N]\n");
    return 2;
  }
  ccrec::CurlOptions co;  // what ccrec-export uses: defaults plus --ca-file
  co.ca_file = ca_file;
  ccrec::webex::ClientOptions wo;
  wo.base_url = "https://127.0.0.1";  // not used by OpenRecording
  wo.tokens = ccrec::webex::MakeStaticAccessTokenSource("unused");
  wo.transport = ccrec::MakeCurlTransport(co);
  wo.allow_http_media = true;  // part C of export_bench.sh also measures the emulator over plain http
  ccrec::webex::Client client(wo);

  auto t0 = std::chrono::steady_clock::now();
  auto resp = client.OpenRecording(url);
  if (!resp) {
    std::fprintf(stderr, "download_bench: %s\n", resp.error().ToString().c_str());
    return 1;
  }
  std::vector<char> buf(buffer_bytes);
  std::uint64_t total = 0;
  for (;;) {
    auto n = resp->body->Read(buf.data(), buf.size());
    if (!n) {
      std::fprintf(stderr, "download_bench: read: %s\n", n.error().ToString().c_str());
      return 1;
    }
    if (*n == 0) break;
    total += *n;
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("bytes=%llu seconds=%.3f MBps=%.1f\n", static_cast<unsigned long long>(total), secs,
              static_cast<double>(total) / 1e6 / secs);
  return 0;
}
