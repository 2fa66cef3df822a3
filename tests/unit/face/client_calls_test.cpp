// SPDX-License-Identifier: Apache-2.0
// face::Client: searches (transient codes, XML answers), downloads (selection, errors, sniffing,
// re-login), redirects and control commands. Login and tokens: client_test.cpp.

#include "face_test_util.hpp"

#include <gtest/gtest.h>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::Client;
using ccrec::face::SearchCriteria;

TEST(FaceClient, TransientCodesAreRetriedOthersAreNot) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  int calls = 0;
  env.transport->Route("GET", "/Face/audioRecording/details", [&calls](RecordedRequest const&) -> Result<HttpResponse> {
    if (++calls < 3) return MakeResponse(200, R"({"result":{"code":10,"message":"Error establishing database connection"}})", JsonHeaders());
    return MakeResponse(200, R"({"result":{"code":19,"message":"none"}})", JsonHeaders());
  });
  auto client = env.MakeClient();
  SearchCriteria c;
  c.ani = "1";
  ASSERT_TRUE(client.SearchRecordings(c));
  EXPECT_EQ(calls, 3);
  Env env2;
  env2.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  int calls2 = 0;
  env2.transport->Route("GET", "/Face/audioRecording/details", [&calls2](RecordedRequest const&) {
    ++calls2;
    return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":2,"message":"Host Not Authorized"}})", JsonHeaders()));
  });
  auto r = env2.MakeClient().SearchRecordings(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().vendor_code, "2");
  EXPECT_EQ(calls2, 1);
}

TEST(FaceClient, XmlSearchAnswerIsRead) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>19</code><message>No recording found</message></result>",
        XmlHeaders()));
  });
  SearchCriteria c;
  c.ani = "1";
  auto r = env.MakeClient().SearchRecordings(c);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->code, 19);
  EXPECT_FALSE(r->recording);
}

TEST(FaceClient, GetRecordingFallsBackToSegmentDetailsForAList) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":-1,"message":"Returning all matches.","matches":[
          {"match":{"recordingId":7,"from":"7777","to":"5555","start":"2026-11-01 10:00:00"}},
          {"match":{"recordingId":8,"from":"1","to":"2","start":"2026-11-01 11:00:00"}}]}})",
        JsonHeaders()));
  });
  env.transport->Route("GET", "/Face/audioRecording/segment/details", [](RecordedRequest const& r) {
    EXPECT_EQ(Params(r.url)["recordingId"], "7");
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":-1,"message":"Returning all matches.","matches":[
          {"match":{"segmentId":71,"recordingId":7,"filename":"b.wav","start":"2026-11-01 10:01:00","end":"2026-11-01 10:02:00"}},
          {"match":{"segmentId":70,"recordingId":7,"filename":"a.wav","start":"2026-11-01 10:00:00","end":"2026-11-01 10:01:00"}}]}})",
        JsonHeaders()));
  });
  auto r = env.MakeClient().GetRecording("7");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->ani, "7777");
  EXPECT_EQ(r->dnis, "5555");
  ASSERT_EQ(r->segments.size(), 2u);
  EXPECT_EQ(r->segments[0].segment_id, "70") << "ordered by start";
  EXPECT_FALSE(r->InProgress());
  auto missing = env.MakeClient().GetRecording("9");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(FaceClient, DownloadsSelectExactlyOneRecordingOrSegment) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, "RIFFdata", {{"Content-Type", "audio/wav"}}));
  });
  auto o = env.Options();
  Client client(o);
  auto a = client.DownloadRecording("11905071");
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(*a->ReadAll(), "RIFFdata");
  ccrec::face::Segment s;
  s.segment_id = "1214965";
  s.filename = "a b&c=d+e.wav";
  auto b = client.DownloadSegment(s);
  ASSERT_TRUE(b);
  o.segment_selector = ccrec::face::SegmentSelector::kFilename;
  auto c = Client(o).DownloadSegment(s);
  ASSERT_TRUE(c);
  auto requests = env.transport->Requests();
  std::vector<std::string> urls;
  for (auto const& r : requests) {
    if (r.method == "GET") urls.push_back(r.url);
  }
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(urls[0], std::string(kBaseUrl) + "/Face/audioRecording/download?token=t&recordingId=11905071");
  EXPECT_EQ(urls[1], std::string(kBaseUrl) + "/Face/audioRecording/segment/download?token=t&segmentId=1214965");
  EXPECT_EQ(urls[2],
            std::string(kBaseUrl) + "/Face/audioRecording/segment/download?token=t&filename=a%20b%26c%3Dd%2Be.wav");
}

TEST(FaceClient, DownloadErrorsInEveryShape) {
  struct Case {
    int status;
    std::string body;
    HttpHeaders headers;
    ErrorCode expected;
    std::string vendor;
  };
  std::vector<Case> cases = {
      {200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})", JsonHeaders(),
       ErrorCode::kNotFound, "19"},
      {200, "<result><code>2</code><message>Host Not Authorized</message></result>", XmlHeaders(),
       ErrorCode::kPermissionDenied, "2"},
      {200, "<?xml version=\"1.0\"?><result><code>1</code><message>Feature Not Licensed</message></result>", {},
       ErrorCode::kPermissionDenied, "1"},
      {200, R"({"result":{"code":-1,"message":"use audioRecording/segment/download"}})", {{"Content-Type", "text/plain"}},
       ErrorCode::kInvalidArgument, "-1"},
      {200, R"({"result":{"code":0,"message":"ACK"}})", JsonHeaders(), ErrorCode::kParse, ""},
      {200, "<html>proxy login</html>", {{"Content-Type", "text/html"}}, ErrorCode::kParse, ""},
      {500, "", {}, ErrorCode::kUnavailable, ""},
      {200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders(),
       ErrorCode::kInternal, "23"},
  };
  for (auto const& c : cases) {
    Env env;
    env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
    env.transport->Route("GET", "/Face/", [&](RecordedRequest const&) {
      return Result<HttpResponse>(MakeResponse(c.status, c.body, c.headers));
    });
    auto o = env.Options();
    o.retry.max_attempts = 2;
    auto r = Client(o).DownloadRecording("5");
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, c.expected) << c.body << " -> " << r.error().ToString();
    EXPECT_EQ(r.error().vendor_code, c.vendor) << c.body;
  }
}

TEST(FaceClient, DownloadWithoutContentTypeIsSniffed) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  std::string audio = "RIFF" + std::string(5000, 'x');
  env.transport->Route("GET", "/Face/", [&](RecordedRequest const&) {
    HttpResponse response;
    response.status = 200;
    response.body = ccrec::testing::MakeStringBodyReader(audio, 3);  // tiny chunks
    return Result<HttpResponse>(std::move(response));
  });
  auto r = env.MakeClient().DownloadRecording("5");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r->ReadAll(), audio) << "sniffed bytes are replayed";
  Env env2;
  env2.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env2.transport->Route("GET", "/Face/", [](RecordedRequest const&) {
    HttpResponse response;
    response.status = 200;
    response.body = ccrec::testing::MakeStringBodyReader("  <result><code>19</code></result>", 2);
    return Result<HttpResponse>(std::move(response));
  });
  auto e = env2.MakeClient().DownloadRecording("5");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().vendor_code, "19");
}

// Audio is never 0 bytes: an empty 200 labelled as audio is FACE failing, not a recording
// (stored, it would be exported with exit status 0). kIntegrity at once with "Content-Length: 0",
// on the first read of a body without one; for a recording and for a segment.
TEST(FaceClient, EmptyAudioBodyIsAnIntegrityError) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  bool declared = true;
  env.transport->Route("GET", "/Face/", [&declared](RecordedRequest const&) {
    auto response = MakeResponse(200, "", {{"Content-Type", "audio/wav"}});
    if (!declared) ccrec::RemoveHeader(response.headers, "Content-Length");
    return Result<HttpResponse>(std::move(response));
  });
  auto client = env.MakeClient();
  auto recording = client.DownloadRecording("5");
  ASSERT_FALSE(recording);
  EXPECT_EQ(recording.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(recording.error().message.find("audioRecording/download"), std::string::npos) << recording.error().message;
  EXPECT_NE(recording.error().message.find("empty body"), std::string::npos) << recording.error().message;
  ccrec::face::Segment segment;
  segment.segment_id = "s-1";
  auto part = client.DownloadSegment(segment);
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error().code, ErrorCode::kIntegrity);

  declared = false;
  auto chunked = client.DownloadRecording("5");
  ASSERT_TRUE(chunked) << chunked.error().ToString();
  auto read = chunked->ReadAll();
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kIntegrity);
}

TEST(FaceClient, Code11IsRetriedOnceThenFails) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  int calls = 0;
  env.transport->Route("GET", "/Face/", [&calls](RecordedRequest const&) {
    ++calls;
    return Result<HttpResponse>(
        MakeResponse(200, R"({"result":{"code":11,"message":"Error retrieving file with supplied criteria"}})", JsonHeaders()));
  });
  auto r = env.MakeClient().DownloadRecording("5");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().vendor_code, "11");
  EXPECT_EQ(calls, 2);
}

TEST(FaceClient, DownloadReloginOnTokenError) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  env.transport->Route("GET", "token=t1", ExpiredTokenXml);
  env.transport->Route("GET", "token=t2", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, "RIFF", {{"Content-Type", "application/octet-stream"}}));
  });
  auto r = env.MakeClient().DownloadRecording("5");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(logins, 2);
}

// Downloads and result calls share one re-login (Client::Impl::WithToken, issue 17): a token
// rejected again right after a fresh login fails the download and says so, after two logins.
TEST(FaceClient, DownloadTokenRejectedTwiceFailsAfterOneRelogin) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  env.transport->Route("GET", "/Face/audioRecording/", ExpiredTokenXml);
  auto r = env.MakeClient().DownloadRecording("5");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("rejected again right after a fresh login"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(logins, 2);
  std::size_t downloads = 0;
  for (auto const& req : env.transport->Requests()) downloads += req.url.find("/Face/audioRecording/") != std::string::npos;
  EXPECT_EQ(downloads, 2u) << "one retry after the re-login, not a loop";
  EXPECT_NE(env.AllLogs().find("logging in again and retrying once"), std::string::npos);
}

TEST(FaceClient, RedirectReturnsTheLocation) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/redirect", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(302, "", {{"Location", "http://10.10.249.103:8080/Recordings//a.wav"}}));
  });
  env.transport->Route("GET", "/Face/audioRecording/segment/redirect", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":19,"message":"x"}})", JsonHeaders()));
  });
  auto client = env.MakeClient();
  auto r = client.RedirectRecording("5");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, "http://10.10.249.103:8080/Recordings//a.wav");
  ccrec::face::Segment s;
  s.segment_id = "1";
  auto e = client.RedirectSegment(s);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().vendor_code, "19");
}

TEST(FaceClient, FileDownloadParameters) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/file/download", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, "data", {{"Content-Type", "application/octet-stream"}}));
  });
  auto client = env.MakeClient();
  EXPECT_EQ(client.DownloadFile({}).error().code, ErrorCode::kInvalidArgument);
  ccrec::face::FileSelector f;
  f.supplemental_file_id = "42";
  f.video = true;
  ASSERT_TRUE(client.DownloadFile(f));
  EXPECT_EQ(env.transport->Requests().back().url,
            std::string(kBaseUrl) + "/Face/file/download?token=t&supplementalFileId=42&type=video");
}

TEST(FaceClient, ControlCommandsAreTypedAndNeverRetried) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  int calls = 0;
  env.transport->Route("", "/Face/audioRecording/", [&calls](RecordedRequest const& r) -> Result<HttpResponse> {
    ++calls;
    if (Command(r.url) == "audioRecording/split") return MakeResponse(503, "", {});
    return MakeResponse(200, R"({"result":{"code":0,"message":"ok","recordingId":77}})", JsonHeaders());
  });
  env.transport->Route("", "/Face/eventNotify", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":0,"message":"ok"}})", JsonHeaders()));
  });
  auto client = env.MakeClient();
  ccrec::face::StartParams start;
  start.ani = "+1 555";
  start.dnis = "5555";
  start.codec_profile = ccrec::face::CodecProfile::kBestQuality;
  auto started = client.Start(start);
  ASSERT_TRUE(started) << started.error().ToString();
  EXPECT_EQ(started->recording_id, "77");
  SearchCriteria target;
  target.recording_id = "77";
  ccrec::face::PauseOptions pause;
  pause.fill_with_silence = true;
  ASSERT_TRUE(client.Pause(target, pause));
  ASSERT_TRUE(client.Resume(target));
  ccrec::face::MetadataUpdate meta;
  meta.agent_id = "agent 7";
  meta.custom_fields = {{"campaign", "x"}};
  ASSERT_TRUE(client.Stop(target, meta));
  ASSERT_TRUE(client.Delete(target));
  ccrec::face::EventNotifyParams ev;
  ev.event = "AudioRecordingEnded";
  ASSERT_TRUE(client.EventNotify(ev));
  calls = 0;
  auto split = client.Split(target);
  ASSERT_FALSE(split);
  EXPECT_EQ(calls, 1) << "control commands are not idempotent: no retries";
  std::vector<RecordedRequest> sent;
  for (auto& r : env.transport->Requests()) {
    if (r.url.find("/login") == std::string::npos) sent.push_back(r);
  }
  ASSERT_EQ(sent.size(), 7u);
  EXPECT_EQ(sent[0].url, std::string(kBaseUrl) + "/Face/audioRecording/start?token=t&ani=%2B1%20555&dnis=5555&codecProfile=4");
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_TRUE(sent[0].body.empty());
  EXPECT_EQ(sent[1].url, std::string(kBaseUrl) + "/Face/audioRecording/pause?token=t&recordingId=77&fillWithSilence=true");
  EXPECT_EQ(sent[3].method, "POST") << "metadata goes in a POST body";
  EXPECT_EQ(sent[3].body, "agentId=agent%207&campaign=x");
  EXPECT_EQ(sent[3].Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(sent[5].url, std::string(kBaseUrl) + "/Face/eventNotify?token=t&event=AudioRecordingEnded");
  ccrec::face::StartParams bad;
  EXPECT_EQ(client.Start(bad).error().code, ErrorCode::kInvalidArgument);
}

TEST(FaceClient, ControlCommandErrorCodes) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/stop", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":13,"message":"Recording is started by another session or not started, cannot end recording."}})",
        JsonHeaders()));
  });
  SearchCriteria target;
  target.recording_id = "1";
  auto r = env.MakeClient().Stop(target);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().vendor_code, "13");
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(FaceClient, VersionNeedsNoToken) {
  Env env;
  env.transport->Route("GET", "/Face/version", [](RecordedRequest const&) {
    return Result<HttpResponse>(
        MakeResponse(200, "<result><version>5.2.0M1P0 build 2016.12.15_13.29</version></result>", XmlHeaders()));
  });
  auto v = env.MakeClient().Version();
  ASSERT_TRUE(v) << v.error().ToString();
  EXPECT_EQ(*v, "5.2.0M1P0 build 2016.12.15_13.29");
  EXPECT_EQ(env.transport->RequestCount(), 1u);
  EXPECT_EQ(env.transport->Requests()[0].url.find("token"), std::string::npos);
}

}  // namespace
}  // namespace face_test
