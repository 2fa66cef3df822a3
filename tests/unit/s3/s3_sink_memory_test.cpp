// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport): the sink's peak memory
// (part_size x max_in_flight_parts), measured with /proc/self/status. No sockets, no sleeps.
#include "unit/s3/s3_sink_test_util.hpp"

#include <cstring>
#include <fstream>
#include <iostream>

namespace s3_sink_test {
namespace {

// Answers S3 calls without keeping bodies (FakeHttpTransport records them, which would hide the
// sink's own memory use).
class NullS3Transport : public ccrec::HttpTransport {
 public:
  ccrec::Result<ccrec::HttpResponse> Send(ccrec::HttpRequest const& request, ccrec::CallContext const&) override {
    if (request.body) {
      char buf[65536];
      (void)request.body->Rewind();
      while (true) {
        auto n = request.body->Read(buf, sizeof buf);
        if (!n || *n == 0) break;
      }
    }
    if (request.method == "POST" && request.url.find("uploads=") != std::string::npos) {
      return ccrec::testing::MakeResponse(
          200, "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>");
    }
    if (request.method == "POST") {
      return ccrec::testing::MakeResponse(
          200, "<CompleteMultipartUploadResult><ETag>\"e-1\"</ETag></CompleteMultipartUploadResult>");
    }
    return ccrec::testing::MakeResponse(200, "", {{"ETag", "\"etag\""}});
  }
};

std::size_t ReadStatusKiB(char const* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoul(line.substr(std::strlen(field)));
  }
  return 0;
}

// Measures the documented bound: part_size × max_in_flight_parts (+ small constant).
TEST(S3SinkMemory, PeakMemoryIsPartSizeTimesInFlight) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "RSS is not meaningful under sanitizers";
#endif
  std::ofstream clear("/proc/self/clear_refs");
  if (!clear) GTEST_SKIP() << "/proc/self/clear_refs not available";
  S3SinkOptions o;
  o.bucket = "b";
  o.endpoint = "http://127.0.0.1:1";
  o.transport = std::make_shared<NullS3Transport>();
  o.credentials = MakeStaticCredentialsProvider({"AK", "SK", "", std::nullopt});
  o.verify_etag = false;
  o.part_size = 8 * kMiB;
  o.multipart_threshold = 8 * kMiB;
  o.max_in_flight_parts = 4;
  auto sink = MakeS3Sink(o);
  ASSERT_TRUE(sink);
  std::string chunk = Pattern(kMiB, 9);
  auto const baseline = ReadStatusKiB("VmRSS:");
  clear << "5" << std::flush;  // reset VmHWM to the current RSS
  auto w = (*sink)->Open("m.bin", {});
  ASSERT_TRUE(w);
  std::uint64_t const total = 192 * kMiB;
  for (std::uint64_t done = 0; done < total; done += chunk.size()) {
    ASSERT_TRUE((*w)->Write(chunk.data(), chunk.size()));
  }
  auto info = (*w)->Finish();
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->bytes, total);
  auto const peak = ReadStatusKiB("VmHWM:");
  auto const growth_mib = (peak > baseline ? peak - baseline : 0) / 1024.0;
  std::cout << "[ MEASURED ] 192 MiB upload, 8 MiB x 4 parts: peak RSS growth " << growth_mib << " MiB\n";
  EXPECT_LT(growth_mib, 44.0);  // 32 MiB of part buffers + hashing state, arenas and thread stacks
}

}  // namespace
}  // namespace s3_sink_test
