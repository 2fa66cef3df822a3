// SPDX-License-Identifier: Apache-2.0
// s3_put_bench: streams stdin (length unknown, like `aws s3 cp -` and `rclone rcat`) into one S3
// object through ccrec::s3::MakeS3Sink at default settings (8 MiB parts, 4 in flight, signed
// payload, Content-MD5), then prints one line of figures. Used by bench/s3_upload_bench.sh.
//
//   s3_put_bench --endpoint http://127.0.0.1:PORT --bucket B --key K [--region R]
//                [--chunk-bytes N] [--expected-size N] [--part-size N] [--in-flight N] [--checksum none|crc32c|sha256]
// (--part-size / --in-flight change S3SinkOptions for diagnostics; the benchmark uses defaults.)
// Credentials: the default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ...), like the CLI.
#include <ccrec/core/object_sink.hpp>
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/s3_sink.hpp>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {
int Usage() {
  std::fprintf(stderr,
               "usage: s3_put_bench --endpoint URL --bucket B --key K [--region R] [--chunk-bytes N] "
               "[--expected-size N] [--part-size N] [--in-flight N] [--checksum none|crc32c|sha256]   (object bytes on stdin)\n");
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::string endpoint, bucket, key, region = "us-east-1";
  std::size_t chunk = 256 * 1024;  // the exporter's default copy buffer
  std::optional<std::uint64_t> expected, part_size, in_flight;
  std::string checksum;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    std::string v = argv[++i];
    if (a == "--endpoint") endpoint = v;
    else if (a == "--bucket") bucket = v;
    else if (a == "--key") key = v;
    else if (a == "--region") region = v;
    else if (a == "--chunk-bytes") chunk = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--expected-size") expected = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--part-size") part_size = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--in-flight") in_flight = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--checksum") checksum = v;
    else return Usage();
  }
  if (endpoint.empty() || bucket.empty() || key.empty() || chunk == 0) return Usage();

  ccrec::s3::S3SinkOptions so;  // defaults, except where the endpoint is
  so.bucket = bucket;
  so.region = region;
  so.endpoint = endpoint;
  so.path_style = ccrec::s3::EndpointImpliesPathStyle(endpoint);
  so.credentials = ccrec::s3::MakeDefaultCredentialsChain({});
  if (part_size) so.part_size = so.multipart_threshold = *part_size;
  if (in_flight) so.max_in_flight_parts = static_cast<std::size_t>(*in_flight);
  if (checksum == "none") so.checksum = ccrec::s3::ChecksumAlgorithm::kNone;
  else if (checksum == "crc32c") so.checksum = ccrec::s3::ChecksumAlgorithm::kCrc32c;
  else if (checksum == "sha256") so.checksum = ccrec::s3::ChecksumAlgorithm::kSha256;
  else if (!checksum.empty()) return Usage();
  auto sink = ccrec::s3::MakeS3Sink(so);
  if (!sink) {
    std::fprintf(stderr, "s3_put_bench: %s\n", sink.error().ToString().c_str());
    return 1;
  }
  ccrec::PutOptions po;
  po.expected_size = expected;
  auto t0 = std::chrono::steady_clock::now();
  auto writer = (*sink)->Open(key, po);
  if (!writer) {
    std::fprintf(stderr, "s3_put_bench: open: %s\n", writer.error().ToString().c_str());
    return 1;
  }
  std::vector<char> buf(chunk);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "s3_put_bench: read stdin: %s\n", std::strerror(errno));
      (*writer)->Abort();
      return 1;
    }
    if (n == 0) break;
    auto w = (*writer)->Write(buf.data(), static_cast<std::size_t>(n));
    if (!w) {
      std::fprintf(stderr, "s3_put_bench: write: %s\n", w.error().ToString().c_str());
      return 1;
    }
    total += static_cast<std::uint64_t>(n);
  }
  auto info = (*writer)->Finish();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!info) {
    std::fprintf(stderr, "s3_put_bench: finish: %s\n", info.error().ToString().c_str());
    return 1;
  }
  std::printf("bytes=%llu seconds=%.3f MBps=%.1f sha256=%s etag=%s\n", static_cast<unsigned long long>(total), secs,
              static_cast<double>(total) / 1e6 / secs, info->sha256_hex.value_or("").c_str(),
              info->etag.value_or("").c_str());
  return 0;
}
