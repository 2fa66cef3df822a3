// SPDX-License-Identifier: Apache-2.0
// Total per-attempt timeouts of Huawei AgentGateway calls: sign-in and the other API calls get
// request_timeout, the event poll (a long poll the gateway holds ~10 s) poll_timeout, downloads none.

#include "huawei_test_util.hpp"

#include <gtest/gtest.h>

namespace {

using namespace huawei_test;
using namespace std::chrono_literals;
using ccrec::Result;
using ccrec::huawei::AgentSession;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::RecordedRequest;

TEST(HuaweiTimeouts, ApiCallsPollsAndDownloadsCarryTheirTimeouts) {
  for (bool configured : {false, true}) {
    auto fake = std::make_shared<FakeHttpTransport>();
    auto o = Options(fake);
    if (configured) {
      o.request_timeout = 1500ms;
      o.poll_timeout = 12s;
    }
    AgentSession s(o);
    fake->Enqueue([](RecordedRequest const&) -> Result<ccrec::HttpResponse> { return SignInOk("G1"); });
    ASSERT_TRUE(s.SignIn());
    fake->Enqueue([](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
      return Envelope("0", R"("event":null)");
    });
    ASSERT_TRUE(s.PollEvents());
    fake->Enqueue([](RecordedRequest const&) -> Result<ccrec::HttpResponse> { return Envelope("0"); });
    ASSERT_TRUE(s.Heartbeat());
    fake->Enqueue([](RecordedRequest const&) -> Result<ccrec::HttpResponse> { return File("RIFFdata"); });
    ASSERT_TRUE(s.OpenRecordFile({"Y:/6/0/20161025/20011/1902050.V3"}));
    auto requests = fake->Requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(requests[0].timeout, configured ? 1500ms : 30s) << "sign-in";
    EXPECT_EQ(requests[1].timeout, configured ? 12s : 30s) << "event poll";
    EXPECT_EQ(requests[2].timeout, configured ? 1500ms : 30s) << "heartbeat";
    EXPECT_FALSE(requests[3].timeout) << "downloads keep the low-speed floor only";
  }
}

}  // namespace
