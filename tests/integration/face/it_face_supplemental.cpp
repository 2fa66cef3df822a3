// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 item 7): `ccrec-export face --include-supplemental` against the FACE
// emulator (`--video-files true`: recordings with a text and a video supplemental file). Each file
// is exported byte for byte beside its recording, the video one through `type=video`, with its own
// manifest line and sidecar; `{kind}` in a key template separates audio from supplemental files.

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using face_it::kDayStart;

TEST(FaceSupplementalIntegration, FilesAreExportedBesideTheirRecording) {
  auto face = ServerProcess::Start("face_server.py", {"--recordings", "24", "--in-progress", "1", "--video-files", "true"});
  std::string url = face->Get("base_url");
  std::string ca = face->Get("ca_file");
  auto [status, text] = ccrec_it::HttpGet(url + "/_emulator/recordings?from=" + std::to_string(kDayStart) +
                                              "&to=" + std::to_string(kDayStart + 86400000),
                                          ca);
  ASSERT_EQ(status, 200) << text;
  auto truth = Json(text);

  TempDir dir("ccrec-it-face-supp");
  auto run_export = [&](std::string const& dest, std::string const& manifest, std::vector<std::string> extra) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "face",   "--face-url", url,       "--user-email",
                                     face->Get("user_email"), "--from", "2026-11-01T00:00:00Z",
                                     "--to",   "2026-11-02T00:00:00Z", "--dest", dest, "--manifest", manifest,
                                     "--ca-file", ca, "--include-supplemental", "--pending-max-age", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_FACE_PASSWORD", face->Get("password")}});
  };
  std::string dest = dir / "out";
  auto run = run_export(dest, dir / "run.jsonl", {});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;

  std::size_t files = 0, videos = 0, segments = 0;
  std::string some_rid, some_sid;
  for (auto const& rec : truth["recordings"].GetArray()) {
    if (rec["inProgress"].GetBool()) continue;
    std::string rid = rec["recordingId"].GetString();
    segments += rec["segments"].Size();
    for (auto const& f : rec["supplemental"].GetArray()) {
      ++files;
      std::string sid = f["supplementalFileId"].GetString();
      std::string name = f["filename"].GetString();
      std::string ext = name.substr(name.rfind('.'));
      std::string key = dest + "/face/" + rid + "/supplemental-" + sid + ext;
      EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(key)), f["sha256"].GetString()) << key;
      auto sidecar = Json(ccrec_it::ReadFile(key + ".json"));
      EXPECT_EQ(std::string(sidecar["supplementalFileId"].GetString()), sid);
      EXPECT_EQ(std::string(sidecar["filename"].GetString()), name);
      if (f["type"].IsString()) {
        ++videos;
        EXPECT_EQ(std::string(sidecar["type"].GetString()), "video");
      }
      some_rid = rid;
      some_sid = sid;
    }
  }
  EXPECT_GE(files, 2u);
  EXPECT_GE(videos, 1u) << "the data set must hold a video file (downloadable only with type=video)";
  std::size_t exported = 0, supplemental_lines = 0;
  for (auto const& line : ccrec_it::ManifestRecordLines(dir / "run.jsonl")) {
    auto l = Json(line);
    if (std::string(l["status"].GetString()) != "exported") continue;
    ++exported;
    if (std::string(l["segment_id"].GetString()).rfind("supplemental-", 0) == 0) ++supplemental_lines;
  }
  EXPECT_EQ(supplemental_lines, files);
  EXPECT_EQ(exported, segments + files);

  // {kind} in the key template.
  std::string by_kind = dir / "by-kind";
  auto kinds = run_export(by_kind, dir / "kinds.jsonl", {"--key-template", "face/{kind}/{recording_id}/{segment_id}{ext}"});
  ASSERT_EQ(kinds.exit_code, 0) << kinds.err << kinds.out;
  auto listing = ccrec_it::RunProgram({"/bin/sh", "-c", "cd '" + by_kind + "' && find face -type f -not -name '*.json' | sort"});
  EXPECT_NE(listing.out.find("face/supplemental/" + some_rid + "/supplemental-" + some_sid), std::string::npos)
      << listing.out;
  EXPECT_NE(listing.out.find("face/audio/"), std::string::npos) << listing.out;
}

}  // namespace
