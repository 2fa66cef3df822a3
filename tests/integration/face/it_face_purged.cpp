// SPDX-License-Identifier: Apache-2.0
// Integration (issue 11, "nothing lost, ever"): a FACE recording that the listing returned and that is
// purged before ccrec fetches its details ends as a counted failed manifest line, against
// tests/emulators/face_server.py (knob /_emulator/purge-after-list).

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <string>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using face_it::kDayStart;

using ccrec_it::Json;

TEST(FacePurgedBetweenListAndFetch, IsAFailedLineCountedInTheSummary) {
  std::unique_ptr<ServerProcess> face = ServerProcess::Start(
      "face_server.py", {"--recordings", "6", "--in-progress", "0", "--same-start-cluster", "0",
                         "--segment-min-bytes", "64", "--segment-max-bytes", "256"});
  std::string url = face->Get("base_url"), ca = face->Get("ca_file");
  auto [status, text] = ccrec_it::HttpGet(
      url + "/_emulator/recordings?from=" + std::to_string(kDayStart) + "&to=" + std::to_string(kDayStart + 86400000), ca);
  ASSERT_EQ(status, 200) << text;
  auto truth = Json(text);
  ASSERT_EQ(truth["recordings"].Size(), 6u);
  auto const& victim = truth["recordings"][2];
  std::string victim_id = victim["recordingId"].GetString();
  std::string victim_call = victim["isrUcid"].GetString();
  std::size_t other_segments = 0;
  for (auto const& r : truth["recordings"].GetArray()) {
    if (std::string(r["recordingId"].GetString()) != victim_id) other_segments += r["segments"].Size();
  }
  auto [armed, armed_text] = ccrec_it::HttpPost(url + "/_emulator/purge-after-list",
                                                R"({"recording_ids":[)" + victim_id + "]}", "application/json", ca);
  ASSERT_EQ(armed, 200) << armed_text;

  TempDir dir("ccrec-it-face-purged");
  std::string manifest = dir / "run.jsonl";
  auto run = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "face", "--face-url", url, "--user-email", face->Get("user_email"),
                                   "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--dest",
                                   dir / "out", "--manifest", manifest, "--ca-file", ca},
                                  {{"CCREC_FACE_PASSWORD", face->Get("password")}});
  EXPECT_EQ(run.exit_code, 3) << "a failed item: " << run.err << run.out;
  std::string last = run.LastLine();
  EXPECT_EQ(last.substr(0, last.find(" bytes=")),
            "exported=" + std::to_string(other_segments) + " skipped=0 failed=1 pending=0");
  int failed = 0;
  for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
    auto doc = Json(line);
    if (std::string(doc["status"].GetString()) != "failed") continue;
    ++failed;
    EXPECT_EQ(std::string(doc["recording_id"].GetString()), victim_id) << line;
    EXPECT_EQ(std::string(doc["task_id"].GetString()), victim_call) << line;
    EXPECT_NE(std::string(doc["error"].GetString()).find("listed and then not found"), std::string::npos) << line;
  }
  EXPECT_EQ(failed, 1);
}

}  // namespace
