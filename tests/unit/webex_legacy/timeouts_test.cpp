// SPDX-License-Identifier: Apache-2.0
// Total per-attempt timeout of Webex CC v1 queries (JSON pages and CSV tables).
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>

#include "internal/time_util.hpp"
#include "unit/webex_legacy/fake_v1_server.hpp"

namespace {

using namespace ccrec::webex_legacy;
using namespace std::chrono_literals;
using ccrec::detail::FromEpochMs;
using legacy_test::kDay;

TEST(LegacyTimeouts, JsonAndCsvQueriesCarryTheRequestTimeout) {
  for (auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional<std::chrono::milliseconds>{1500ms},
                       std::optional<std::chrono::milliseconds>{0ms}}) {
    auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
    auto clock = std::make_shared<ccrec::testing::ManualClock>();
    legacy_test::FakeV1Server server(legacy_test::Spread("a", kDay, 1000, 3));
    server.Install(*transport);
    ClientOptions o;
    o.base_url = "https://rest.example.test";
    o.credentials = {"userID@portal-controlhub.com", "myRandomApiKeY", "11894", true};
    o.transport = transport;
    o.clock = clock;
    o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
    if (timeout) o.request_timeout = *timeout;
    Client client(o);
    Query q;
    q.date_begin = FromEpochMs(kDay);
    q.date_end = FromEpochMs(kDay + 1000);
    auto page = client.QueryPage(RecordType::kCsr, q);
    ASSERT_TRUE(page) << page.error().ToString();
    auto csv = client.QueryCsvPage(RecordType::kCsr, q);
    ASSERT_TRUE(csv) << csv.error().ToString();
    auto requests = transport->Requests();
    ASSERT_EQ(requests.size(), 2u);
    for (auto const& r : requests) {
      if (timeout && timeout->count() == 0) {
        EXPECT_FALSE(r.timeout) << "0 = the transport's own";
      } else {
        EXPECT_EQ(r.timeout, timeout.value_or(60s)) << r.url << " (default 60 s)";
      }
    }
  }
}

}  // namespace
