// Consumer check for the per-area targets and the installed fakes (ccrec::testing).
#include <ccrec/core/result.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex/client.hpp>

#include <cstdio>
#include <memory>

int main() {
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
    std::printf("unexpected: %s\n", page ? "wrong page" : page.error().ToString().c_str());
    return 1;
  }
  ccrec::testing::MemorySink sink;
  auto w = sink.Open("k", {});
  if (!w || !(*w)->Write("x", 1) || !(*w)->Finish()) return 2;
  std::printf("consumer_areas: ok\n");
  return 0;
}
