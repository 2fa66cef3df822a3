// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 7: supplemental files (`supplementalFiles` of a recording's details) exported
// beside the recording with `include_supplemental`: file/download by supplementalFileId (or
// filename) and type=video, own manifest lines and sidecars, unique keys in every template.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "internal/crypto.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <set>
#include <string>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;

constexpr char kFiles[] =
    R"([{"supplementalFile":{"supplementalFileId":555,"filename":"notes.txt","size":5,"type":"text"}},)"
    R"({"supplementalFile":{"supplementalFileId":"556","filename":"screen.mp4","type":"Video"}},)"
    R"({"supplementalFile":{"filename":"../../x"}},)"
    R"({"supplementalFile":{"size":3}},{"supplementalFile":{}}])";

struct SuppRun {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();

  SuppRun() {
    env.transport->Route("GET", "/Face/file/download", [](RecordedRequest const& r) {
      auto p = Params(r.url);
      bool video = p.count("type") > 0;
      bool by_id = p.count("supplementalFileId") > 0;
      if (p["supplementalFileId"] == "555" && !video) return Result<HttpResponse>(MakeResponse(200, "hello", {}));
      if (p["supplementalFileId"] == "556" && video && p["type"] == "video") {
        return Result<HttpResponse>(MakeResponse(200, "MP4DATA", {{"Content-Type", "video/mp4"}}));
      }
      if (!by_id && p["filename"] == "../../x" && !video) {
        return Result<HttpResponse>(MakeResponse(200, "by name", {}));
      }
      return Result<HttpResponse>(MakeResponse(
          200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})", JsonHeaders()));
    });
    fake = std::make_unique<FakeFace>(env.transport);
    FakeRecording r;
    r.id = "100";
    r.start_ms = kDayStart + 1000;
    r.segments = {{"1001", "a.wav", kDayStart + 1000, kDayStart + 2000, "AUDIO"}};
    r.supplemental_files_json = kFiles;
    fake->Add(r);
  }

  ccrec::exporter::ExportSummary Run(bool include, std::string key_template, bool concatenate = false,
                                     std::shared_ptr<ccrec::exporter::Manifest> manifest = {}) {
    ccrec::face::FaceSourceOptions so;
    so.from = FromEpochMs(kDayStart);
    so.to = FromEpochMs(kDayStart + 86'400'000);
    so.include_supplemental = include;
    so.concatenate_segments = concatenate;
    ccrec::exporter::ExporterOptions eo;
    eo.concurrency = 2;
    eo.key_template = std::move(key_template);
    eo.sleeper = env.sleeper;
    eo.clock = env.clock;
    ccrec::exporter::Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink, std::move(manifest), eo);
    return exporter.Run();
  }

  int FileDownloads() const {
    int n = 0;
    for (auto const& r : env.transport->Requests()) n += Command(r.url) == "file/download" ? 1 : 0;
    return n;
  }
};

TEST(FaceSupplemental, EntriesAreParsedWithTheirRawJson) {
  SuppRun run;
  auto rec = run.env.MakeClient().GetRecording("100");
  ASSERT_TRUE(rec) << rec.error().ToString();
  ASSERT_EQ(rec->supplemental_files.size(), 4u) << "the empty entry is ignored";
  auto const& f = rec->supplemental_files;
  EXPECT_EQ(f[0].supplemental_file_id, "555");
  EXPECT_EQ(f[0].size, 5u);
  EXPECT_EQ(f[0].type, "text");
  EXPECT_FALSE(f[0].IsVideo());
  EXPECT_EQ(f[0].raw_json, R"({"supplementalFileId":555,"filename":"notes.txt","size":5,"type":"text"})");
  EXPECT_TRUE(f[1].IsVideo()) << "type compared case-insensitively";
  EXPECT_FALSE(f[2].supplemental_file_id);
  EXPECT_EQ(f[2].filename, "../../x");
  EXPECT_FALSE(f[3].filename);
}

TEST(FaceSupplemental, OffByDefault) {
  SuppRun run;
  auto summary = run.Run(false, ccrec::face::kDefaultKeyTemplate);
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(run.FileDownloads(), 0);
}

TEST(FaceSupplemental, ExportedBesideTheRecordingWithOwnLinesAndSidecars) {
  SuppRun run;
  char path[] = "/tmp/face-supp-manifest-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto manifest = ccrec::exporter::Manifest::Open(path);
  ASSERT_TRUE(manifest);
  auto summary = run.Run(true, ccrec::face::kDefaultKeyTemplate, false, *manifest);
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 4u) << "audio + 3 files";
  EXPECT_EQ(summary.failed, 1u) << "the entry without id or name";
  EXPECT_EQ(run.sink->Get("face/100/1001.wav"), "AUDIO");
  EXPECT_EQ(run.sink->Get("face/100/supplemental-555.txt"), "hello");
  EXPECT_EQ(run.sink->Get("face/100/supplemental-556.mp4"), "MP4DATA") << "type=video sent for a video file";
  auto objects = run.sink->Objects();
  int by_name = 0;
  for (auto const& [key, value] : objects) {
    EXPECT_EQ(key.find(".."), std::string::npos) << key;
    if (value.data == "by name") {
      ++by_name;
      EXPECT_EQ(key.rfind("face/100/supplemental-name-", 0), 0u) << key;
      EXPECT_NE(key.find(".bin"), std::string::npos) << "no extension: .bin, never .wav: " << key;
    }
  }
  EXPECT_EQ(by_name, 1);
  auto sidecar = run.sink->Get("face/100/supplemental-555.txt.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc);
  EXPECT_STREQ((*doc)["source"].GetString(), "face");
  EXPECT_STREQ((*doc)["recordingId"].GetString(), "100");
  EXPECT_STREQ((*doc)["supplementalFileId"].GetString(), "555");
  EXPECT_STREQ((*doc)["type"].GetString(), "text");
  EXPECT_EQ((*doc)["size"].GetInt(), 5);
  EXPECT_NE(sidecar->find(R"("supplementalFile":{"supplementalFileId":555,)"), std::string::npos) << *sidecar;
  std::set<std::string> ids;
  std::string failed_error;
  for (auto const& line : ccrec_test::ManifestRecordLines(path)) {
    auto l = ccrec::detail::ParseJson(line, "manifest line");
    ASSERT_TRUE(l);
    EXPECT_STREQ((*l)["recording_id"].GetString(), "100");
    ids.insert((*l)["segment_id"].GetString());
    if (std::string((*l)["status"].GetString()) == "failed") failed_error += std::string((*l)["error"].GetString()) + "\n";
  }
  EXPECT_TRUE(ids.count("1001") && ids.count("supplemental-555") && ids.count("supplemental-556") &&
              ids.count("supplemental-name-" + ccrec::detail::Sha256Hex("../../x").substr(0, 16)) && ids.count("supplemental-4"));
  EXPECT_EQ(failed_error.find("\n"), failed_error.rfind("\n")) << "one failed line: " << failed_error;
  EXPECT_NE(failed_error.find("supplemental file #4 has neither supplementalFileId nor filename"), std::string::npos)
      << failed_error;
  for (auto const& r : run.env.transport->Requests()) {
    if (Command(r.url) != "file/download") continue;
    auto p = Params(r.url);
    EXPECT_EQ(p.count("type"), p["supplementalFileId"] == "556" ? 1u : 0u) << r.url;
  }
  std::remove(path);
}

TEST(FaceSupplemental, KeysStayUniqueWithTheConcatenatedTemplateAndKind) {
  SuppRun run;
  auto summary = run.Run(true, ccrec::face::kDefaultConcatenatedKeyTemplate, true);
  EXPECT_EQ(summary.exported, 4u);
  EXPECT_EQ(run.sink->Get("face/100.wav"), "AUDIO");
  EXPECT_EQ(run.sink->Get("face/100_supplemental-555.txt"), "hello");
  EXPECT_EQ(run.sink->Get("face/100_supplemental-556.mp4"), "MP4DATA");

  SuppRun kinds;
  auto by_kind = kinds.Run(true, "face/{kind}/{recording_id}/{segment_id}{ext}");
  ASSERT_FALSE(by_kind.fatal) << by_kind.fatal->ToString();
  EXPECT_EQ(kinds.sink->Get("face/audio/100/1001.wav"), "AUDIO");
  EXPECT_EQ(kinds.sink->Get("face/supplemental/100/supplemental-555.txt"), "hello");
}

}  // namespace
}  // namespace face_test
