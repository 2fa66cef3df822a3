// SPDX-License-Identifier: Apache-2.0
// Consumer check for every per-area target (ccrec::core, transport, sinks, s3, webex, exporter,
// webex_legacy, huawei, face) and the installed fakes (ccrec::testing): one call into each.
#include <ccrec/core/result.hpp>
#include <ccrec/core/time.hpp>
#include <ccrec/core/url.hpp>
#include <ccrec/exporter/checkpoint.hpp>
#include <ccrec/face/criteria.hpp>
#include <ccrec/huawei/errors.hpp>
#include <ccrec/s3/sigv4.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex_legacy/regions.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

int Fail(int code, std::string const& what) {
  std::printf("consumer_areas: %s\n", what.c_str());
  return code;
}

}  // namespace

int main() {
  // ccrec::webex with the ccrec::testing fakes.
  auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
  transport->EnqueueResponse(200, R"({"meta":{"orgId":"o"},"data":[{"id":"t1","attributes":{"createdTime":1793491200000}}]})",
                             {{"Content-Type", "application/json"}});
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  ccrec::webex::ClientOptions options;
  options.base_url = "https://api.wxcc-us1.cisco.com";
  options.tokens = ccrec::webex::MakeStaticAccessTokenSource("token");
  options.transport = transport;
  options.clock = clock;
  options.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  ccrec::webex::Client client(options);
  ccrec::webex::TaskQuery query;
  query.from = clock->Now() - std::chrono::hours(1);
  query.to = clock->Now() + std::chrono::hours(1);
  auto page = client.ListTasksPage(query);
  if (!page || page->size() != 1 || (*page)[0].id != "t1") {
    return Fail(1, page ? "wrong page" : page.error().ToString());
  }
  ccrec::testing::MemorySink sink;
  auto w = sink.Open("k", {});
  if (!w || !(*w)->Write("x", 1) || !(*w)->Finish()) return Fail(2, "MemorySink");

  // ccrec::core: the public time and URL helpers.
  auto from = ccrec::ParseTimestamp("2026-11-01T00:00:00Z");
  auto window = ccrec::ParseDuration("24h");
  if (!from || !window || *window != std::chrono::hours(24)) return Fail(3, "ParseTimestamp/ParseDuration");
  if (ccrec::FormatIso8601(*from + *window) != "2026-11-02T00:00:00Z") return Fail(4, "FormatIso8601");
  if (ccrec::ParseTimestamp("2026-11-01T00:00:00").has_value()) return Fail(5, "a time without zone was accepted");
  auto url = ccrec::ParseHttpUrl("https://10.1.2.3:8043/x?y=1");
  if (!url || url->Origin() != "https://10.1.2.3:8043" || ccrec::ParseHttpUrl("ftp://h")) return Fail(6, "ParseHttpUrl");

  // ccrec::transport and ccrec::sinks.
  if (!ccrec::MakeCurlTransport()) return Fail(7, "MakeCurlTransport");
  char dir_template[] = "/tmp/ccrec-consumer-areas-XXXXXX";
  char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return Fail(8, "mkdtemp");
  auto fs = ccrec::MakeFilesystemSink({dir, true, 0644});
  if (!fs) return Fail(9, fs.error().ToString());

  // ccrec::exporter: the incremental-export checkpoint.
  std::string checkpoint = std::string(dir) + "/m.checkpoint.json";
  if (!ccrec::exporter::WriteCheckpoint(checkpoint, {"webex", *from})) return Fail(10, "WriteCheckpoint");
  auto read = ccrec::exporter::ReadCheckpoint(checkpoint);
  if (!read || !read->has_value() || (*read)->next_from != *from) return Fail(11, "ReadCheckpoint");

  // ccrec::s3, ccrec::webex_legacy, ccrec::huawei, ccrec::face.
  if (ccrec::s3::UriEncode("a b/c", true) != "a%20b/c") return Fail(12, "s3::UriEncode");
  auto legacy = ccrec::webex_legacy::BaseUrlForRegion("us1");
  if (!legacy || legacy->empty()) return Fail(13, "webex_legacy::BaseUrlForRegion");
  if (ccrec::huawei::KnownRetcodes().empty()) return Fail(14, "huawei::KnownRetcodes");
  if (ccrec::face::FormatFaceTime(*from) != "2026-11-01 00:00:00") return Fail(15, "face::FormatFaceTime");

  std::string cmd = std::string("rm -rf ") + dir;
  if (std::system(cmd.c_str()) != 0) return Fail(16, "cleanup");
  std::printf("consumer_areas: ok\n");
  return 0;
}
