// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers for ccrec::huawei unit tests: scripted CC-Gateway answers over FakeHttpTransport.

#include <ccrec/core/log.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/json.hpp"
#include "internal/url.hpp"
#include "unit/core/test_util.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace huawei_test {

using ccrec::HttpHeaders;
using ccrec::HttpResponse;
using ccrec::testing::MakeResponse;
using ccrec::testing::RecordedRequest;

inline constexpr char kGateway[] = "https://gw.example:8043";
inline constexpr char kRoot[] = "https://gw.example:8043/agentgateway/resource/";
inline constexpr char kAgent[] = "20011";
inline constexpr char kPassword[] = "S3cr\"et+pw&#";
inline constexpr char kPhone[] = "70006";

/// A JSON envelope answer with HTTP 200 and the gateway's JSON Content-Type.
inline HttpResponse Envelope(std::string const& retcode, std::string const& tail = "\"result\":\"\"",
                             HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  return MakeResponse(200, "{\"message\":\"m\",\"retcode\":\"" + retcode + "\"," + tail + "}", std::move(headers));
}

/// A successful sign-in answer with Set-GUID and two cookies.
inline HttpResponse SignInOk(std::string const& guid, std::string const& cookie_suffix = "1") {
  return Envelope("0",
                  "\"result\":{\"vdnid\":1,\"workno\":\"20011\",\"mediatype\":\"TFF\",\"loginTime\":1793491200000,"
                  "\"isForceChange\":\"false\",\"serverName\":\"AgentGateway0\",\"timeRemaining\":\"\"}",
                  {{"Set-GUID", "JSESSIONID=" + guid},
                   {"Guid", guid},
                   {"Set-Cookie", "SERVERID=agw" + cookie_suffix + "; Path=/agentgateway; Secure"},
                   {"Set-Cookie", "AGW_SESSION=s" + cookie_suffix +
                                      "; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/; Secure; HttpOnly"}});
}

/// A file answer (octet-stream).
inline HttpResponse File(std::string const& data, HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/octet-stream;charset=utf-8");
  return MakeResponse(200, data, std::move(headers));
}

/// The decoded value of query parameter `name` in `url` (Java-style: '+' is a space).
inline std::string QueryValue(std::string const& url, std::string const& name) {
  auto q = url.find('?');
  if (q == std::string::npos) return {};
  for (auto const& [k, v] : ccrec::detail::ParseQuery(url.substr(q + 1), true)) {
    if (k == name) return v;
  }
  return {};
}

/// Collects log lines (thread-safe).
struct LogCapture {
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  ccrec::Logger Logger() const {
    auto m = mu;
    auto l = lines;
    return ccrec::Logger(ccrec::LogLevel::kDebug, [m, l](ccrec::LogLevel level, std::string_view text) {
      std::lock_guard<std::mutex> lock(*m);
      l->push_back(std::string(ccrec::ToString(level)) + " " + std::string(text));
    });
  }
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(*mu);
    return *lines;
  }
  bool Contains(std::string const& fragment) const {
    for (auto const& l : Lines()) {
      if (l.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
};

/// Options wired to the fake transport, a manual clock and a sleeper that never blocks.
inline ccrec::huawei::AgentSessionOptions Options(std::shared_ptr<ccrec::testing::FakeHttpTransport> transport,
                                                  LogCapture const& log = {}) {
  ccrec::huawei::AgentSessionOptions o;
  o.gateway_url = kGateway;
  o.agent_id = kAgent;
  o.password = kPassword;
  o.phone_number = kPhone;
  o.transport = std::move(transport);
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  o.clock = clock;
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  o.logger = log.Logger();
  return o;
}

/// One manifest entry line, the fields these tests check ("" when absent).
struct Line {
  std::string status, task_id, recording_id, error;
};

/// The entry lines of a manifest file (header left out); unparsable lines are skipped.
inline std::vector<Line> ReadManifest(std::string const& path) {
  std::vector<Line> out;
  for (auto const& text : ccrec_test::ManifestRecordLines(path)) {
    auto doc = ccrec::detail::ParseJson(text, "manifest line");
    if (!doc) continue;
    Line l;
    l.status = (*doc)["status"].GetString();
    if (doc->HasMember("task_id")) l.task_id = (*doc)["task_id"].GetString();
    if (doc->HasMember("recording_id")) l.recording_id = (*doc)["recording_id"].GetString();
    if (doc->HasMember("error")) l.error = (*doc)["error"].GetString();
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace huawei_test
