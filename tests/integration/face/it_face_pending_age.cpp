// SPDX-License-Identifier: Apache-2.0
// Integration: `ccrec-export face --pending-max-age` against tests/emulators/face_server.py. A
// recording whose segment stays `.rpdd` (a crashed recorder) holds the --since-last-run checkpoint
// until --pending-max-age has passed since its start; then it is one failed line (exit 3), the
// checkpoint moves on, and a run that lists it again records nothing more.

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;
using face_it::kDayStart;

constexpr long long kDayEnd = kDayStart + 86'400'000;

TEST(FacePendingMaxAgeCli, ARecordingThatNeverEndsIsGivenUpOnceAndReleasesTheCheckpoint) {
  // The emulator's recordings start on 2026-11-01: "1000d" keeps them young, the default (3d) not.
  std::unique_ptr<ServerProcess> face = ServerProcess::Start(
      "face_server.py", {"--recordings", "6", "--in-progress", "2", "--same-start-cluster", "0",
                         "--segment-min-bytes", "64", "--segment-max-bytes", "256"});
  std::string const url = face->Get("base_url"), ca = face->Get("ca_file");
  auto [status, text] = ccrec_it::HttpGet(
      url + "/_emulator/recordings?from=" + std::to_string(kDayStart) + "&to=" + std::to_string(kDayEnd), ca);
  ASSERT_EQ(status, 200) << text;
  auto truth = Json(text);
  std::map<std::string, long long> stuck;  // recordingId -> start (epoch ms)
  for (auto const& r : truth["recordings"].GetArray()) {
    if (r["inProgress"].GetBool()) stuck[r["recordingId"].GetString()] = r["startMs"].GetInt64();
  }
  ASSERT_EQ(stuck.size(), 2u);
  long long first_stuck = stuck.begin()->second;
  for (auto const& [id, start] : stuck) first_stuck = std::min(first_stuck, start);

  TempDir dir("ccrec-it-face-pending-age");
  std::string const manifest = dir / "run.jsonl";
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "face",    "--face-url", url,         "--user-email",
                                     face->Get("user_email"), "--to", "2026-11-02T00:00:00Z", "--dest", dir / "out",
                                     "--manifest",            manifest, "--ca-file", ca};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_FACE_PASSWORD", face->Get("password")}});
  };
  auto checkpoint = [&] { return Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"))["next_from_ms"].GetInt64(); };

  // Younger than --pending-max-age: pending, holding the checkpoint at the first one's start.
  auto young = run({"--from", "2026-11-01T00:00:00Z", "--pending-max-age", "1000d"});
  ASSERT_EQ(young.exit_code, 0) << young.err << young.out;
  EXPECT_NE(young.LastLine().find(" failed=0 pending=2 "), std::string::npos) << young.LastLine();
  EXPECT_EQ(checkpoint(), first_stuck);

  // The default, 3 days, has passed since they started: one failed line each, and the checkpoint
  // moves to the window's end.
  auto old = run({"--since-last-run"});
  EXPECT_EQ(old.exit_code, 3) << old.err << old.out;
  EXPECT_NE(old.LastLine().find(" failed=2 pending=0 "), std::string::npos) << old.LastLine();
  EXPECT_EQ(checkpoint(), kDayEnd) << old.err;
  std::map<std::string, std::string> failed;  // recording_id -> error
  for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
    auto doc = Json(line);
    if (std::string(doc["status"].GetString()) == "failed") failed[doc["recording_id"].GetString()] = doc["error"].GetString();
  }
  ASSERT_EQ(failed.size(), 2u);
  for (auto const& [id, start] : stuck) {
    ASSERT_TRUE(failed.count(id)) << id;
    EXPECT_NE(failed[id].find("still in progress after 3d: FACE recording " + id), std::string::npos) << failed[id];
    EXPECT_NE(failed[id].find(".rpdd) never finalised"), std::string::npos) << failed[id];
  }

  // The whole window again: listed again, nothing more recorded for them.
  auto again = run({"--from", "2026-11-01T00:00:00Z"});
  EXPECT_EQ(again.exit_code, 0) << again.err << again.out;
  EXPECT_NE(again.LastLine().find(" failed=0 pending=0 "), std::string::npos) << again.LastLine();

  // A value that is not a duration is a usage error naming the flag; nothing is written.
  auto bad = run({"--from", "2026-11-01T00:00:00Z", "--pending-max-age", "soon"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--pending-max-age"), std::string::npos) << bad.err;
}

}  // namespace
