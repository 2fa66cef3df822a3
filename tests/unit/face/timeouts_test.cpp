// SPDX-License-Identifier: Apache-2.0
// Total per-attempt timeouts of FACE control-plane requests (login, searches, commands, version);
// none on recording downloads.

#include "face_test_util.hpp"

#include <gtest/gtest.h>

#include <set>

namespace face_test {
namespace {

using ccrec::face::Client;
using ccrec::face::SearchCriteria;
using namespace std::chrono_literals;

Result<HttpResponse> Ok(RecordedRequest const& r) {
  if (r.url.find("/Face/login") != std::string::npos) {
    return MakeResponse(200, Result0(R"("token":"t","expiration":"3600seconds")"), JsonHeaders());
  }
  if (r.url.find("/download") != std::string::npos) {
    return MakeResponse(200, "RIFFdata", {{"Content-Type", "audio/wav"}});
  }
  if (r.url.find("/Face/version") != std::string::npos) {
    return MakeResponse(200, R"({"result":{"code":0,"message":"ok","version":"9.1"}})", JsonHeaders());
  }
  if (r.url.find("/Face/audioRecording/details") != std::string::npos) {
    return MakeResponse(200, R"({"result":{"code":19,"message":"No recording found"}})", JsonHeaders());
  }
  return MakeResponse(200, R"({"result":{"code":0,"message":"ok","recordingId":77}})", JsonHeaders());
}

TEST(FaceTimeouts, EveryCommandCarriesTheRequestTimeoutAndDownloadsNone) {
  for (auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional<std::chrono::milliseconds>{1500ms}}) {
    Env env;
    env.transport->Route("", "/Face/", Ok);
    auto o = env.Options();
    if (timeout) o.request_timeout = *timeout;
    Client client(o);
    (void)client.Version();
    SearchCriteria c;
    c.ani = "7777";
    ASSERT_TRUE(client.SearchRecordings(c));
    SearchCriteria target;
    target.recording_id = "77";
    ASSERT_TRUE(client.Delete(target));
    ASSERT_TRUE(client.DownloadRecording("77"));
    std::set<std::string> seen;
    for (auto const& r : env.transport->Requests()) {
      std::string command = Command(r.url);
      seen.insert(command);
      if (command.find("download") != std::string::npos) {
        EXPECT_FALSE(r.timeout) << command << ": downloads keep the low-speed floor only";
      } else {
        EXPECT_EQ(r.timeout, timeout.value_or(60s)) << command << " (default 60 s)";
      }
    }
    EXPECT_EQ(seen, (std::set<std::string>{"version", "login", "audioRecording/details", "audioRecording/delete",
                                           "audioRecording/download"}));
  }
}

TEST(FaceTimeouts, ZeroLeavesTheTransportsOwnTimeout) {
  Env env;
  env.transport->Route("", "/Face/", Ok);
  auto o = env.Options();
  o.request_timeout = 0ms;
  SearchCriteria c;
  c.ani = "7777";
  ASSERT_TRUE(Client(o).SearchRecordings(c));
  for (auto const& r : env.transport->Requests()) EXPECT_FALSE(r.timeout) << r.url;
}

}  // namespace
}  // namespace face_test
