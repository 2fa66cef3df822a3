// SPDX-License-Identifier: Apache-2.0
// The FACE recording source through the export engine (MemorySink, no sockets): one object per
// segment, sidecars, in-progress recordings pending, concatenation, re-runs.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <fstream>
#include <unistd.h>

namespace face_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::detail::FromEpochMs;

struct Fixture {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();

  /// `pre` may register routes that take precedence over the fake server's.
  explicit Fixture(std::function<void(FakeHttpTransport&)> const& pre = {}) {
    if (pre) pre(*env.transport);
    fake = std::make_unique<FakeFace>(env.transport);
    FakeFace& face = *fake;
    FakeRecording single;
    single.id = "100";
    single.start_ms = kDayStart + 1000;
    single.ani = "+14155550123";
    single.isr_ucid = "x-isr-ucid-1-100@10.0.0.1";
    single.segments = {{"1001", "../../etc/passwd.wav", kDayStart + 1000, kDayStart + 2000, "SINGLE-AUDIO"}};
    face.Add(single);
    FakeRecording multi;
    multi.id = "200";
    multi.start_ms = kDayStart + 5000;
    multi.segments = {{"2001", "m.seg0.wav", kDayStart + 5000, kDayStart + 6000, "SEG-ONE|"},
                      {"2002", "m.seg1.wav", kDayStart + 6000, kDayStart + 7000, "SEG-TWO|"},
                      {"2003", "m.seg2.wav", kDayStart + 7000, kDayStart + 8000, "SEG-THREE"}};
    face.Add(multi);
    FakeRecording running;
    running.id = "300";
    running.start_ms = kDayStart + 9000;
    running.isr_ucid = "x-isr-ucid-1-300@10.0.0.1";
    running.segments = {{"3001", "r.seg0.wav", kDayStart + 9000, kDayStart + 9500, "DONE"},
                        {"3002", "r.seg1.rpdd", kDayStart + 9500, std::nullopt, "RUNNING"}};
    face.Add(running);
  }

  ccrec::exporter::ExportSummary Run(bool concatenate = false, std::shared_ptr<ccrec::exporter::Manifest> manifest = {}) {
    return RunFaceExport(env, sink, std::move(manifest), concatenate);
  }
};

TEST(FaceSource, OneObjectPerSegmentWithSidecarsAndPendingInProgress) {
  Fixture f;
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 4u);
  EXPECT_EQ(summary.pending, 1u);
  EXPECT_EQ(summary.failed, 0u);
  auto objects = f.sink->Objects();
  EXPECT_EQ(objects.size(), 8u);
  EXPECT_EQ(f.sink->Get("face/100/1001.wav"), "SINGLE-AUDIO");
  EXPECT_EQ(f.sink->Get("face/200/2001.wav"), "SEG-ONE|");
  EXPECT_EQ(f.sink->Get("face/200/2002.wav"), "SEG-TWO|");
  EXPECT_EQ(f.sink->Get("face/200/2003.wav"), "SEG-THREE");
  EXPECT_FALSE(f.sink->Get("face/300/3001.wav")) << "an in-progress recording is pending as a whole";
  // Downloads: the single-segment recording via audioRecording/download, the others per segment;
  // never a POST, never a control command, never a download of the running segment.
  for (auto const& r : f.env.transport->Requests()) {
    std::string command = Command(r.url);
    if (command == "login") continue;
    EXPECT_EQ(r.method, "GET") << r.url;
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(command == "audioRecording/details" || command == "audioRecording/download" ||
                command == "audioRecording/segment/download")
        << command;
    auto p = Params(r.url);
    if (command == "audioRecording/download") {
      EXPECT_EQ(p["recordingId"], "100");
    }
    if (command == "audioRecording/segment/download") {
      EXPECT_NE(p["segmentId"].substr(0, 1), "3");
    }
  }
  // Sidecar of a segment.
  auto sidecar = f.sink->Get("face/200/2002.wav.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc);
  EXPECT_STREQ((*doc)["source"].GetString(), "face");
  EXPECT_STREQ((*doc)["recordingId"].GetString(), "200");
  EXPECT_STREQ((*doc)["segmentId"].GetString(), "2002");
  EXPECT_EQ((*doc)["sequence"].GetInt(), 2);
  EXPECT_STREQ((*doc)["ani"].GetString(), "7777");
  EXPECT_STREQ((*doc)["dnis"].GetString(), "5555");
  EXPECT_STREQ((*doc)["customData"]["customerId"].GetString(), "C-200");
  EXPECT_FALSE((*doc)["recording"].HasMember("segments"));
  EXPECT_STREQ((*doc)["segment"]["filename"].GetString(), "m.seg1.wav");
  auto single_sidecar = f.sink->Get("face/100/1001.wav.json");
  ASSERT_TRUE(single_sidecar);
  EXPECT_NE(single_sidecar->find("+14155550123"), std::string::npos);
  EXPECT_EQ(single_sidecar->find("tok-"), std::string::npos) << "no token in sidecars";
}

TEST(FaceSource, ManifestLinesAndReRunDownloadsNothing) {
  Fixture f;
  char path[] = "/tmp/face-manifest-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto manifest = ccrec::exporter::Manifest::Open(path);
  ASSERT_TRUE(manifest);
  auto first = f.Run(false, *manifest);
  EXPECT_EQ(first.exported, 4u);
  int exported = 0, pending = 0;
  for (auto const& line : ccrec_test::ManifestRecordLines(path)) {
    auto doc = ccrec::detail::ParseJson(line, "manifest line");
    ASSERT_TRUE(doc);
    EXPECT_STREQ((*doc)["source"].GetString(), "face");
    std::string status = (*doc)["status"].GetString();
    // Issue 11 item 12: the recordingId on every line, the call id (isrUcid) as task_id.
    ASSERT_TRUE(doc->HasMember("recording_id")) << line;
    std::string recording_id = (*doc)["recording_id"].GetString();
    std::string task_id = (*doc)["task_id"].GetString();
    std::map<std::string, std::string> const call_ids{
        {"100", "x-isr-ucid-1-100@10.0.0.1"}, {"200", ""}, {"300", "x-isr-ucid-1-300@10.0.0.1"}};
    ASSERT_TRUE(call_ids.count(recording_id)) << line;
    EXPECT_EQ(task_id, call_ids.at(recording_id)) << line;
    if (status == "exported") {
      ++exported;
      EXPECT_TRUE(recording_id == "100" || recording_id == "200") << line;
      EXPECT_FALSE(std::string((*doc)["segment_id"].GetString()).empty());
      EXPECT_EQ(std::string((*doc)["sha256"].GetString()).size(), 64u);
    } else if (status == "pending") {
      ++pending;
      EXPECT_EQ(recording_id, "300") << line;
    }
  }
  EXPECT_EQ(exported, 4);
  EXPECT_EQ(pending, 1);
  f.env.transport->ClearRequests();
  auto second = f.Run(false, *manifest);
  EXPECT_EQ(second.exported, 0u);
  EXPECT_EQ(second.skipped, 4u);
  for (auto const& r : f.env.transport->Requests()) {
    EXPECT_EQ(r.url.find("download"), std::string::npos) << "re-run downloaded " << r.url;
  }
  std::remove(path);
}

TEST(FaceSource, ConcatenatedSegments) {
  // Issue 16 item 6: these segments are not WAV files, so they are never glued together byte for
  // byte (that made one object with several headers, stored as audio/wav): one object per
  // segment instead. A one-segment recording is exported as served. (wav_test.cpp: WAV segments.)
  Fixture f;
  auto summary = f.Run(true);
  ASSERT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported, 4u);
  EXPECT_FALSE(f.sink->Get("face/200.wav"));
  EXPECT_EQ(f.sink->Get("face/200_seg2001.wav"), "SEG-ONE|");
  EXPECT_EQ(f.sink->Get("face/200_seg2003.wav"), "SEG-THREE");
  EXPECT_EQ(f.sink->Get("face/100.wav"), "SINGLE-AUDIO");
  auto sidecar = f.sink->Get("face/100.wav.json");
  ASSERT_TRUE(sidecar);
  EXPECT_NE(sidecar->find("\"segmentIds\":[\"1001\"]"), std::string::npos) << *sidecar;
  auto segment_sidecar = f.sink->Get("face/200_seg2002.wav.json");
  ASSERT_TRUE(segment_sidecar);
  EXPECT_NE(segment_sidecar->find("\"concatenation\":\"not concatenated: segment 2001 (sequence 1) is not a WAV file"),
            std::string::npos)
      << *segment_sidecar;
}

TEST(FaceSource, LoginFailureIsFatal) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":-1,"message":"Login failed"}})", JsonHeaders()));
  });
  ccrec::face::FaceSourceOptions so;
  so.from = FromEpochMs(kDayStart);
  so.to = FromEpochMs(kDayStart + 1000);
  ExporterOptions eo;
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), std::make_shared<ccrec::testing::MemorySink>(),
                    nullptr, eo);
  auto summary = exporter.Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ccrec::ErrorCode::kUnauthenticated);
}

TEST(FaceSource, DetailsFailureOfOneRecordingFailsOnlyThatItem) {
  int n = 0;
  Fixture f([&n](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/details?token=tok-1&recordingId=100", [&n](RecordedRequest const&) {
      ++n;
      return Result<HttpResponse>(
          MakeResponse(200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders()));
    });
  });
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(n, 1);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.exported, 3u);
  EXPECT_EQ(summary.pending, 1u);
}

TEST(FaceSource, FailedMetadataLineCarriesTheRecordingIdAndCallId) {
  Fixture f([](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/details?token=tok-1&recordingId=100", [](RecordedRequest const&) {
      return Result<HttpResponse>(
          MakeResponse(200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders()));
    });
  });
  char path[] = "/tmp/face-manifest-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto manifest = ccrec::exporter::Manifest::Open(path);
  ASSERT_TRUE(manifest);
  auto summary = f.Run(false, *manifest);
  EXPECT_EQ(summary.failed, 1u);
  int failed = 0;
  for (auto const& line : ccrec_test::ManifestRecordLines(path)) {
    auto doc = ccrec::detail::ParseJson(line, "manifest line");
    ASSERT_TRUE(doc);
    if (std::string((*doc)["status"].GetString()) != "failed") continue;
    ++failed;
    EXPECT_STREQ((*doc)["recording_id"].GetString(), "100") << line;
    EXPECT_STREQ((*doc)["task_id"].GetString(), "x-isr-ucid-1-100@10.0.0.1") << "the list's isrUcid: " << line;
  }
  EXPECT_EQ(failed, 1);
  std::remove(path);
}

TEST(FaceSource, HostNotAuthorizedIsFatal) {
  Fixture f([](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/details?token=tok-1&recordingId=", [](RecordedRequest const&) {
      return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":2,"message":"Host Not Authorized"}})", JsonHeaders()));
    });
  });
  auto summary = f.Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->vendor_code, "2");
}

// Issue 11: a recording the listing returned and whose details then answer code 19 (purged
// between list and fetch) ends as a failed manifest line, counted, never silently skipped.
TEST(FaceSource, RecordingListedThenNotFoundIsAFailedLine) {
  Fixture f([](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/details?token=tok-1&recordingId=100", [](RecordedRequest const&) {
      return Result<HttpResponse>(
          MakeResponse(200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})", JsonHeaders()));
    });
  });
  char path[] = "/tmp/face-manifest-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  auto manifest = ccrec::exporter::Manifest::Open(path);
  ASSERT_TRUE(manifest);
  auto summary = f.Run(false, *manifest);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.exported, 3u);
  EXPECT_EQ(summary.pending, 1u);
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 1000)) << "the vanished recording's start";
  int failed = 0;
  for (auto const& line : ccrec_test::ManifestRecordLines(path)) {
    auto doc = ccrec::detail::ParseJson(line, "manifest line");
    ASSERT_TRUE(doc);
    if (std::string((*doc)["status"].GetString()) != "failed") continue;
    ++failed;
    EXPECT_STREQ((*doc)["recording_id"].GetString(), "100") << line;
    EXPECT_STREQ((*doc)["task_id"].GetString(), "x-isr-ucid-1-100@10.0.0.1") << line;
    std::string error = (*doc)["error"].GetString();
    EXPECT_NE(error.find("listed and then not found"), std::string::npos) << line;
    EXPECT_NE(error.find("vendor 19"), std::string::npos) << line;
  }
  EXPECT_EQ(failed, 1);
  std::remove(path);
}

// Issue 11: FACE items carry window_time (the recording's start), so a pending recording holds
// the --since-last-run checkpoint (ExportSummary::earliest_unfinished) at its start.
TEST(FaceSource, PendingRecordingHoldsTheCheckpoint) {
  Fixture f;
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.pending, 1u);
  ASSERT_TRUE(summary.earliest_unfinished) << "a pending FACE recording must hold the checkpoint";
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 9000));
}

// A failed download holds the checkpoint at the recording's start too (items carry window_time).
TEST(FaceSource, FailedDownloadHoldsTheCheckpoint) {
  Fixture f([](FakeHttpTransport& t) {
    t.Route("GET", "audioRecording/segment/download?token=tok-1&segmentId=2002", [](RecordedRequest const&) {
      return Result<HttpResponse>(
          MakeResponse(200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders()));
    });
  });
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 1u);
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 5000)) << "recording 200 started first";
}

// Items hold the checkpoint at the start the lister judged the recording by (the list entry's),
// not at a later details startTime: a checkpoint after the listed start would leave the recording
// out of the next run's listing (it starts before that run's window), lost with exit 0.
TEST(FaceSource, PendingRecordingWithALaterDetailsStartHoldsTheCheckpointAtTheListedStart) {
  Fixture f;
  FakeRecording late;
  late.id = "400";
  late.start_ms = kDayStart + 3000;
  late.details_start_ms = kDayStart + 20'000;
  late.segments = {{"4001", "l.seg0.rpdd", kDayStart + 3000, std::nullopt, "RUNNING"}};
  f.fake->Add(late);
  auto summary = f.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.pending, 2u);
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 3000)) << "recording 400's listed start";
}

TEST(FaceSource, FailedDownloadWithALaterDetailsStartHoldsTheCheckpointAtTheListedStart) {
  for (bool concatenate : {false, true}) {
    Fixture f([](FakeHttpTransport& t) {
      t.Route("GET", "audioRecording/download?token=tok-1&recordingId=400", [](RecordedRequest const&) {
        return Result<HttpResponse>(MakeResponse(
            200, R"({"result":{"code":23,"message":"Could not convert file to playable format"}})", JsonHeaders()));
      });
    });
    FakeRecording late;
    late.id = "400";
    late.start_ms = kDayStart + 3000;
    late.details_start_ms = kDayStart + 20'000;
    late.segments = {{"4001", "l.wav", kDayStart + 3000, kDayStart + 4000, "DONE"}};
    f.fake->Add(late);
    auto summary = f.Run(concatenate);
    ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
    EXPECT_EQ(summary.failed, 1u) << concatenate;
    ASSERT_TRUE(summary.earliest_unfinished) << concatenate;
    EXPECT_EQ(*summary.earliest_unfinished, FromEpochMs(kDayStart + 3000)) << "recording 400's listed start";
  }
}

}  // namespace
}  // namespace face_test
