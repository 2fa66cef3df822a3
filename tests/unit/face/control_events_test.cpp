// SPDX-License-Identifier: Apache-2.0
// Issue 16 items 2 and 3: eventNotify and StartScreenCapture/StopScreenCapture with the parameters
// the ISR API guide documents (exact query strings), the guide's `<response><Code>0</Code>..`
// answer in XML and JSON besides the usual `result` shape, no retries, and the local checks.

#include "face_test_util.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::EventNotifyParams;
using ccrec::face::ScreenCaptureParams;

constexpr char kGuideEventAnswer[] = "<response><Code>0</Code><message>success</message></response>";
constexpr char kGuideAckAnswer[] = "<response><Code>0</Code><message>ACK</message></response>";

/// An environment answering login and, for every other command, `answer`.
struct ControlEnv : Env {
  int calls = 0;
  explicit ControlEnv(std::function<Result<HttpResponse>()> answer) {
    transport->Route("POST", "/Face/login", [](RecordedRequest const&) -> Result<HttpResponse> {
      return MakeResponse(200, Result0(R"("token":"t","expiration":"3600seconds")"), JsonHeaders());
    });
    transport->Route("", "/Face/", [this, answer](RecordedRequest const&) {
      ++calls;
      return answer();
    });
  }
  /// URLs sent, without the logins.
  std::vector<std::string> Sent() const {
    std::vector<std::string> out;
    for (auto& r : transport->Requests()) {
      if (r.url.find("/Face/login") == std::string::npos) out.push_back(r.url);
    }
    return out;
  }
};

std::function<Result<HttpResponse>()> Answer(int status, std::string body, HttpHeaders headers) {
  return [=] { return Result<HttpResponse>(MakeResponse(status, body, headers)); };
}

TEST(FaceControlEvents, EventNotifySendsTheGuideParametersExactly) {
  ControlEnv env(Answer(200, kGuideEventAnswer, XmlHeaders()));
  auto client = env.MakeClient();
  EventNotifyParams ev;
  ev.event = "AudioRecordingStarted";
  ev.ucid = "x-isr-ucid-1-2@1.2.3.5";
  ev.called_aors = {"sip:agentX@example.com", "sip:agent Y+1@example.com"};
  auto r = client.EventNotify(ev);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->code, 0);
  EXPECT_EQ(r->message, "success");
  EXPECT_EQ(r->raw_json, R"({"Code":0,"message":"success"})") << "the response object, in its JSON form";
  EventNotifyParams minimal;
  minimal.event = "MyCustomEvent";  // custom events can be configured on the ISR
  ASSERT_TRUE(client.EventNotify(minimal));
  EventNotifyParams with_target;
  with_target.event = "AudioRecordingEnded";
  with_target.target.ani = "+1 555";
  ASSERT_TRUE(client.EventNotify(with_target));
  auto sent = env.Sent();
  ASSERT_EQ(sent.size(), 3u);
  // The ',' between AORs stays literal as in the guide's example; ':' '@' ' ' '+' inside are encoded.
  EXPECT_EQ(sent[0], std::string(kBaseUrl) +
                         "/Face/eventNotify?token=t&event=AudioRecordingStarted&ucid=x-isr-ucid-1-2%401.2.3.5"
                         "&calledAors=sip%3AagentX%40example.com,sip%3Aagent%20Y%2B1%40example.com");
  EXPECT_EQ(sent[1], std::string(kBaseUrl) + "/Face/eventNotify?token=t&event=MyCustomEvent");
  EXPECT_EQ(sent[2], std::string(kBaseUrl) + "/Face/eventNotify?token=t&event=AudioRecordingEnded&ani=%2B1%20555");
}

TEST(FaceControlEvents, ScreenCaptureSendsTheGuideParametersExactly) {
  ControlEnv env(Answer(200, kGuideAckAnswer, XmlHeaders()));
  auto client = env.MakeClient();
  ScreenCaptureParams by_agent;
  by_agent.isr_id = "x-isr-ucid-1-3@1.2.3.5";
  by_agent.agent_id = "6789";
  auto started = client.StartScreenCapture(by_agent);
  ASSERT_TRUE(started) << started.error().ToString();
  EXPECT_EQ(started->message, "ACK");
  ScreenCaptureParams by_ip;
  by_ip.isr_id = "u2";
  by_ip.screen_ip = "10.0.0.7";
  ASSERT_TRUE(client.StartScreenCapture(by_ip));
  ScreenCaptureParams stop_agent;
  stop_agent.agent_id = "6789";
  ASSERT_TRUE(client.StopScreenCapture(stop_agent));
  ScreenCaptureParams stop_ip;
  stop_ip.screen_ip = "10.0.0.7";
  ASSERT_TRUE(client.StopScreenCapture(stop_ip));
  auto sent = env.Sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0], std::string(kBaseUrl) + "/Face/StartScreenCapture?token=t&IsrId=x-isr-ucid-1-3%401.2.3.5&AgentId=6789");
  EXPECT_EQ(sent[1], std::string(kBaseUrl) + "/Face/StartScreenCapture?token=t&IsrId=u2&ScreenIP=10.0.0.7");
  EXPECT_EQ(sent[2], std::string(kBaseUrl) + "/Face/StopScreenCapture?token=t&AgentId=6789");
  EXPECT_EQ(sent[3], std::string(kBaseUrl) + "/Face/StopScreenCapture?token=t&ScreenIP=10.0.0.7");
}

struct Shape {
  char const* name;
  std::string body;
  HttpHeaders headers;
};

std::vector<Shape> AckShapes() {
  std::string const utf16_decl = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>";
  std::string utf16le = "\xFF\xFE";
  for (char c : utf16_decl + kGuideAckAnswer) {
    utf16le.push_back(c);
    utf16le.push_back('\0');
  }
  return {
      {"guide XML", kGuideAckAnswer, XmlHeaders()},
      {"guide XML, declaration, no Content-Type", "<?xml version=\"1.0\"?>\n" + std::string(kGuideAckAnswer), {}},
      {"guide XML, UTF-16LE", utf16le, {{"Content-Type", "application/xml;charset=UTF-16"}}},
      {"guide JSON (assumed mirror)", R"({"response":{"Code":0,"message":"ACK"}})", JsonHeaders()},
      {"result XML", "<result><code>0</code><message>ACK</message></result>", XmlHeaders()},
      {"result JSON", R"({"result":{"code":0,"message":"ACK"}})", JsonHeaders()},
  };
}

TEST(FaceControlEvents, BothAnswerShapesInXmlAndJson) {
  for (auto const& shape : AckShapes()) {
    SCOPED_TRACE(shape.name);
    ControlEnv env(Answer(200, shape.body, shape.headers));
    auto client = env.MakeClient();
    ScreenCaptureParams p;
    p.isr_id = "u";
    p.agent_id = "6789";
    auto r = client.StartScreenCapture(p);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->code, 0);
    EXPECT_EQ(r->message, "ACK");
    EventNotifyParams ev;
    ev.event = "AudioRecordingEnded";
    auto e = client.EventNotify(ev);
    ASSERT_TRUE(e) << e.error().ToString();
    EXPECT_EQ(e->message, "ACK");
  }
}

TEST(FaceControlEvents, ErrorCodesInTheResponseShapeAreFailures) {
  for (auto const& [body, headers] : std::vector<std::pair<std::string, HttpHeaders>>{
           {"<response><Code>3</Code><message>Parameter Missing</message></response>", XmlHeaders()},
           {R"({"response":{"Code":3,"message":"Parameter Missing"}})", JsonHeaders()}}) {
    SCOPED_TRACE(body);
    ControlEnv env(Answer(200, body, headers));
    ScreenCaptureParams p;
    p.agent_id = "6789";
    auto r = env.MakeClient().StopScreenCapture(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().vendor_code, "3");
    EXPECT_NE(r.error().message.find("Parameter Missing"), std::string::npos) << r.error().message;
    EXPECT_EQ(env.calls, 1);
  }
  // A response without Code is not a success.
  ControlEnv env(Answer(200, "<response><message>ACK</message></response>", XmlHeaders()));
  EventNotifyParams ev;
  ev.event = "AudioRecordingStarted";
  auto r = env.MakeClient().EventNotify(ev);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

TEST(FaceControlEvents, NeverRetried) {
  for (auto const& answer :
       {Answer(503, "", {}), Answer(200, "<response><Code>10</Code><message>Error establishing database connection"
                                         "</message></response>",
                                    XmlHeaders())}) {
    ControlEnv env(answer);
    auto client = env.MakeClient();
    EventNotifyParams ev;
    ev.event = "AudioRecordingStarted";
    EXPECT_FALSE(client.EventNotify(ev));
    EXPECT_EQ(env.calls, 1) << "eventNotify is not retried";
    ScreenCaptureParams start;
    start.isr_id = "u";
    start.agent_id = "6789";
    EXPECT_FALSE(client.StartScreenCapture(start));
    EXPECT_EQ(env.calls, 2) << "StartScreenCapture is not retried";
    ScreenCaptureParams stop;
    stop.agent_id = "6789";
    EXPECT_FALSE(client.StopScreenCapture(stop));
    EXPECT_EQ(env.calls, 3) << "StopScreenCapture is not retried";
    EXPECT_EQ(env.sleeper->Sleeps().size(), 0u);
  }
}

TEST(FaceControlEvents, BadParametersFailLocally) {
  ControlEnv env(Answer(200, kGuideAckAnswer, XmlHeaders()));
  auto client = env.MakeClient();
  auto expect_invalid = [](auto const& r, std::string const& needle) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  EventNotifyParams ev;
  expect_invalid(client.EventNotify(ev), "event is empty");
  ev.event = "AudioRecordingStarted";
  ev.ucid = "";
  expect_invalid(client.EventNotify(ev), "ucid");
  ev.ucid.reset();
  ev.called_aors = {"sip:a@b", ""};
  expect_invalid(client.EventNotify(ev), "called_aors");
  ev.called_aors = {"sip:a@b,sip:c@d"};
  expect_invalid(client.EventNotify(ev), "contains ','");

  ScreenCaptureParams p;
  expect_invalid(client.StartScreenCapture(p), "isr_id");
  p.isr_id = "u";
  expect_invalid(client.StartScreenCapture(p), "set agent_id");
  p.agent_id = "6789";
  p.screen_ip = "10.0.0.7";
  expect_invalid(client.StartScreenCapture(p), "not both");
  p.screen_ip.reset();
  p.isr_id = "";
  expect_invalid(client.StartScreenCapture(p), "isr_id");
  p.isr_id = "u";
  p.agent_id = "";
  expect_invalid(client.StartScreenCapture(p), "agent_id is empty");

  ScreenCaptureParams s;
  expect_invalid(client.StopScreenCapture(s), "set agent_id");
  s.agent_id = "6789";
  s.screen_ip = "10.0.0.7";
  expect_invalid(client.StopScreenCapture(s), "not both");
  s.screen_ip.reset();
  s.isr_id = "u";
  expect_invalid(client.StopScreenCapture(s), "no isr_id");
  s.isr_id.reset();
  s.agent_id.reset();
  s.screen_ip = "";
  expect_invalid(client.StopScreenCapture(s), "screen_ip is empty");
  EXPECT_TRUE(env.Sent().empty()) << "nothing is sent for bad parameters";
}

}  // namespace
}  // namespace face_test
