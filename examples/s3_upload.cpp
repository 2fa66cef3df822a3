// SPDX-License-Identifier: Apache-2.0
// Streams standard input into an S3 object (single PutObject or multipart, integrity-checked),
// with credentials from the AWS environment/profile chain.
//
//   some-producer | s3_upload BUCKET KEY [ENDPOINT]
#include <ccrec/s3/s3_sink.hpp>

#include <cstdio>
#include <iostream>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: s3_upload BUCKET KEY [ENDPOINT]\n";
    return 2;
  }
  ccrec::s3::S3SinkOptions options;
  options.bucket = argv[1];
  if (argc > 3) {
    options.endpoint = argv[3];
    options.path_style = ccrec::s3::EndpointImpliesPathStyle(options.endpoint);
  }
  auto sink = ccrec::s3::MakeS3Sink(options);
  if (!sink) {
    std::cerr << sink.error().ToString() << "\n";
    return 2;
  }
  auto writer = (*sink)->Open(argv[2], ccrec::PutOptions{});
  if (!writer) {
    std::cerr << writer.error().ToString() << "\n";
    return 1;
  }
  std::vector<char> buffer(1 << 20);
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), stdin)) > 0) {
    if (auto written = (*writer)->Write(buffer.data(), n); !written) {
      std::cerr << written.error().ToString() << "\n";
      return 1;  // the writer aborts the upload: nothing appears under the key
    }
  }
  auto info = (*writer)->Finish();
  if (!info) {
    std::cerr << info.error().ToString() << "\n";
    return 1;
  }
  std::cout << (*sink)->Describe(argv[2]) << " " << info->bytes << " bytes sha256 " << info->sha256_hex.value_or("")
            << "\n";
  return 0;
}
