// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 items 2 and 3): eventNotify and StartScreenCapture/StopScreenCapture
// against tests/emulators/face_server.py, which accepts exactly the ISR guide's parameters and
// answers the guide's `<response><Code>0</Code>..` shape (XML, and its JSON twin): the exact
// queries the emulator received, what it recorded, and one request per command even when it fails.

#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;

class FaceControlIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { face_ = ServerProcess::Start("face_server.py", {"--recordings", "8"}).release(); }
  static void TearDownTestSuite() {
    delete face_;
    face_ = nullptr;
  }

  static rapidjson::Document Control(std::string const& path, std::string const& body = {}) {
    auto const url = face_->Get("base_url") + "/_emulator/" + path;
    auto [status, text] = body.empty() ? ccrec_it::HttpGet(url, face_->Get("ca_file"))
                                       : ccrec_it::HttpPost(url, body, "application/json", face_->Get("ca_file"));
    EXPECT_EQ(status, 200) << path << " " << text;
    rapidjson::Document d;
    d.Parse(text.c_str());
    EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
    return d;
  }

  static ccrec::face::Client MakeClient() {
    ccrec::face::ClientOptions o;
    o.base_url = face_->Get("base_url");
    o.user_email = face_->Get("user_email");
    o.password = face_->Get("password");
    ccrec::CurlOptions co;
    co.ca_file = face_->Get("ca_file");
    o.transport = ccrec::MakeCurlTransport(co);
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    o.retry.max_backoff = std::chrono::milliseconds(5);
    o.retry.max_attempts = 3;
    return ccrec::face::Client(o);
  }

  /// The queries (token redacted) the emulator received for `command`, oldest first.
  static std::vector<std::string> Queries(std::string const& command) {
    std::vector<std::string> out;
    auto log = Control("requests");
    for (auto const& r : log["requests"].GetArray()) {
      if (r["command"].IsString() && command == r["command"].GetString()) out.emplace_back(r["query"].GetString());
    }
    return out;
  }

  static ServerProcess* face_;
};

ServerProcess* FaceControlIntegrationTest::face_ = nullptr;

TEST_F(FaceControlIntegrationTest, EventNotifyAndScreenCaptureAsDocumented) {
  for (std::string mode : {"off", "utf-8", "utf-16le"}) {  // JSON twin, then the guide's XML
    SCOPED_TRACE("xml mode " + mode);
    Control("config", R"({"xml":")" + mode + R"("})");
    auto client = MakeClient();
    std::string const ucid = "x-isr-ucid-1-" + mode + "@1.2.3.5";
    ccrec::face::EventNotifyParams ev;
    ev.event = "AudioRecordingStarted";
    ev.ucid = ucid;
    ev.called_aors = {"sip:agentX@example.com", "sip:agentY@example.com"};
    auto notified = client.EventNotify(ev);
    ASSERT_TRUE(notified) << notified.error().ToString();
    EXPECT_EQ(notified->message, "success");

    ccrec::face::ScreenCaptureParams start;
    start.isr_id = ucid;
    start.agent_id = "6789";
    auto started = client.StartScreenCapture(start);
    ASSERT_TRUE(started) << started.error().ToString();
    EXPECT_EQ(started->message, "ACK");
    ccrec::face::ScreenCaptureParams by_ip;
    by_ip.isr_id = ucid;
    by_ip.screen_ip = "10.0.0.7";
    ASSERT_TRUE(client.StartScreenCapture(by_ip));
    auto stats = Control("stats");
    EXPECT_EQ(std::string(stats["screen_captures"]["AgentId=6789"].GetString()), ucid);
    auto const& events = stats["events"].GetArray();
    ASSERT_GT(events.Size(), 0u);
    auto const& last = events[events.Size() - 1];
    EXPECT_EQ(std::string(last["event"].GetString()), "AudioRecordingStarted");
    EXPECT_EQ(std::string(last["ucid"].GetString()), ucid);
    ASSERT_EQ(last["calledAors"].Size(), 2u);
    EXPECT_EQ(std::string(last["calledAors"][1].GetString()), "sip:agentY@example.com");

    ccrec::face::ScreenCaptureParams stop;
    stop.agent_id = "6789";
    ASSERT_TRUE(client.StopScreenCapture(stop));
    ccrec::face::ScreenCaptureParams stop_ip;
    stop_ip.screen_ip = "10.0.0.7";
    ASSERT_TRUE(client.StopScreenCapture(stop_ip));
    EXPECT_EQ(Control("stats")["screen_captures"].MemberCount(), 0u);

    auto notify_queries = Queries("eventNotify");
    ASSERT_FALSE(notify_queries.empty());
    std::string encoded_ucid = ucid;
    encoded_ucid.replace(encoded_ucid.find('@'), 1, "%40");
    EXPECT_EQ(notify_queries.back(), "token=***&event=AudioRecordingStarted&ucid=" + encoded_ucid +
                                         "&calledAors=sip%3AagentX%40example.com,sip%3AagentY%40example.com");
    auto start_queries = Queries("StartScreenCapture");
    ASSERT_GE(start_queries.size(), 2u);
    EXPECT_EQ(start_queries[start_queries.size() - 2], "token=***&IsrId=" + encoded_ucid + "&AgentId=6789");
    EXPECT_EQ(start_queries.back(), "token=***&IsrId=" + encoded_ucid + "&ScreenIP=10.0.0.7");
    EXPECT_EQ(Queries("StopScreenCapture").back(), "token=***&ScreenIP=10.0.0.7");
  }
  Control("config", R"({"xml":"off"})");
}

TEST_F(FaceControlIntegrationTest, FailuresAreNotRetried) {
  auto client = MakeClient();
  ASSERT_TRUE(client.Login());
  std::size_t const before = Queries("StopScreenCapture").size();
  Control("inject", R"({"endpoint":"StopScreenCapture","code":10,"http_status":503,"count":5})");
  ccrec::face::ScreenCaptureParams stop;
  stop.agent_id = "6789";
  auto r = client.StopScreenCapture(stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().vendor_code, "10");
  EXPECT_EQ(Queries("StopScreenCapture").size(), before + 1) << "a control command is sent once";
  Control("inject", R"({"endpoint":"any","code":0,"count":0})");
}

}  // namespace
