// SPDX-License-Identifier: Apache-2.0
// Integration: FACE listing when list times are coarser than the search bounds (issue 11 item 2),
// when the server reads date parameters only to the second, and the FACE manifest identity
// (item 12), against tests/emulators/face_server.py.
//
// The emulator writes list times to the second (`list_times_in_seconds`, as the reference's
// list examples do) while it filters on the exact millisecond, and lists at most two matches
// per request, so the lister splits the day into many windows whose bounds fall at odd
// milliseconds, inside the seconds of recordings.

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using face_it::kDayStart;

using ccrec_it::Json;

std::chrono::system_clock::time_point At(long long epoch_ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms));
}

struct Recording {
  std::string id, isr_ucid;
  long long start_ms = 0;
  bool in_progress = false;
  std::size_t segments = 0;
};

class FaceCoarseListTimesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    face_ = ServerProcess::Start("face_server.py", {"--recordings", "151", "--in-progress", "2", "--same-start-cluster",
                                                    "0", "--list-cap", "3", "--list-times-in-seconds", "true",
                                                    "--segment-min-bytes", "64", "--segment-max-bytes", "256"})
                .release();
  }
  static void TearDownTestSuite() {
    delete face_;
    face_ = nullptr;
  }

  static std::string Url() { return face_->Get("base_url"); }
  static std::string Ca() { return face_->Get("ca_file"); }
  static std::map<std::string, Recording> Truth() { return TruthOf(*face_); }

  static ccrec::face::Client MakeClient(ServerProcess& face) {
    ccrec::face::ClientOptions o;
    o.base_url = face.Get("base_url");
    o.user_email = face.Get("user_email");
    o.password = face.Get("password");
    ccrec::CurlOptions co;
    co.ca_file = face.Get("ca_file");
    o.transport = ccrec::MakeCurlTransport(co);
    return ccrec::face::Client(o);
  }

  static std::map<std::string, Recording> TruthOf(ServerProcess& face) {
    std::string const day = "from=" + std::to_string(kDayStart) + "&to=" + std::to_string(kDayStart + 86400000);
    auto [status, text] = ccrec_it::HttpGet(face.Get("base_url") + "/_emulator/recordings?" + day, face.Get("ca_file"));
    EXPECT_EQ(status, 200) << text;
    auto doc = Json(text);
    std::map<std::string, Recording> out;
    for (auto const& r : doc["recordings"].GetArray()) {
      Recording rec;
      rec.id = r["recordingId"].GetString();
      rec.isr_ucid = r["isrUcid"].GetString();
      rec.start_ms = r["startMs"].GetInt64();
      rec.in_progress = r["inProgress"].GetBool();
      rec.segments = r["segments"].Size();
      out[rec.id] = rec;
    }
    return out;
  }

  static ServerProcess* face_;
};

ServerProcess* FaceCoarseListTimesTest::face_ = nullptr;

TEST_F(FaceCoarseListTimesTest, ListRecordingsLosesNoSubSecondStartInSplitWindows) {
  auto truth = Truth();
  ASSERT_EQ(truth.size(), 151u);
  std::size_t sub_second = 0;
  for (auto const& [id, r] : truth) sub_second += r.start_ms % 1000 != 0 ? 1 : 0;
  ASSERT_GT(sub_second, 140u) << "the data set must have sub-second starts";

  auto client = MakeClient(*face_);
  ccrec::face::ListQuery q;
  q.from = At(kDayStart);
  q.to = At(kDayStart + 86400000);
  q.max_list_length = 3;
  std::multiset<std::string> listed;
  std::size_t seconds_only = 0;
  for (auto& m : client.ListRecordings(q)) {
    ASSERT_TRUE(m) << m.error().ToString();
    seconds_only += m->start_text.value_or("").size() == 19 ? 1 : 0;
    listed.insert(m->recording_id);
  }
  EXPECT_GT(seconds_only, 0u) << "the emulator lists to the second";
  std::set<std::string> missing;
  for (auto const& [id, r] : truth) {
    if (!listed.count(id)) missing.insert(id);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << truth.size() << " recordings were not listed, e.g. "
                               << *missing.begin();
  EXPECT_EQ(listed.size(), truth.size()) << "each recording once";
}

TEST_F(FaceCoarseListTimesTest, ExportCountsEveryRecordingAndManifestLinesCarryTheIdentity) {
  auto truth = Truth();
  std::size_t finished_segments = 0, in_progress = 0;
  for (auto const& [id, r] : truth) {
    if (r.in_progress) {
      ++in_progress;
    } else {
      finished_segments += r.segments;
    }
  }
  ASSERT_EQ(in_progress, 2u);
  TempDir dir("ccrec-it-face-coarse");
  std::string manifest = dir / "run.jsonl";
  auto run = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "face", "--face-url", Url(), "--user-email",
                                   face_->Get("user_email"), "--from", "2026-11-01T00:00:00Z", "--to",
                                   "2026-11-02T00:00:00Z", "--max-list-length", "3", "--dest", dir / "out",
                                   "--manifest", manifest, "--ca-file", Ca(), "--concurrency", "4", "--pending-max-age", "0"},
                                  {{"CCREC_FACE_PASSWORD", face_->Get("password")}});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  std::string last = run.LastLine();
  EXPECT_EQ(last.substr(0, last.find(" bytes=")), "exported=" + std::to_string(finished_segments) +
                                                      " skipped=0 failed=0 pending=" + std::to_string(in_progress));
  // Item 12: every line names its FACE recordingId, and its call (isrUcid) as task_id.
  std::set<std::string> recordings_in_manifest;
  std::size_t pending = 0;
  for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
    auto doc = Json(line);
    ASSERT_TRUE(doc.HasMember("recording_id")) << line;
    std::string id = doc["recording_id"].GetString();
    ASSERT_TRUE(truth.count(id)) << line;
    EXPECT_EQ(std::string(doc["task_id"].GetString()), truth[id].isr_ucid) << line;
    recordings_in_manifest.insert(id);
    if (std::string(doc["status"].GetString()) == "pending") {
      ++pending;
      EXPECT_TRUE(truth[id].in_progress) << line;
    }
  }
  EXPECT_EQ(pending, in_progress);
  EXPECT_EQ(recordings_in_manifest.size(), truth.size()) << "every listed recording ends in the manifest";
}

// The date-parameter format is undocumented (reference oracle-face.md §4 [U]); this server reads
// `...:27.141` as `...:27`. Adjacent runs whose edges fall one millisecond after a recording's start
// (inside its second) must still list every recording in exactly one run: with milliseconds on the
// wire, each such recording was in neither.
TEST_F(FaceCoarseListTimesTest, AdjacentRunsLoseNothingWhenTheServerReadsDatesToTheSecond) {
  auto face = ServerProcess::Start("face_server.py", {"--recordings", "151", "--same-start-cluster", "0",
                                                      "--list-cap", "3", "--date-fractions-ignored", "true"});
  auto truth = TruthOf(*face);
  ASSERT_EQ(truth.size(), 151u);
  std::vector<long long> edges = {kDayStart};
  std::size_t i = 0;
  for (auto const& [id, r] : truth) {
    if (++i % 10 == 0 && r.start_ms % 1000 != 999) edges.push_back(r.start_ms + 1);
  }
  edges.push_back(kDayStart + 86400000);
  std::sort(edges.begin(), edges.end());
  ASSERT_GT(edges.size(), 12u);
  auto client = MakeClient(*face);
  std::multiset<std::string> listed;
  for (std::size_t w = 0; w + 1 < edges.size(); ++w) {
    if (edges[w] == edges[w + 1]) continue;
    ccrec::face::ListQuery q;
    q.from = At(edges[w]);
    q.to = At(edges[w + 1]);
    q.max_list_length = 3;
    for (auto& m : client.ListRecordings(q)) {
      ASSERT_TRUE(m) << m.error().ToString();
      listed.insert(m->recording_id);
    }
  }
  std::set<std::string> missing;
  for (auto const& [id, r] : truth) {
    if (!listed.count(id)) missing.insert(id);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << truth.size() << " recordings were in no run, e.g. "
                               << *missing.begin();
  EXPECT_EQ(listed.size(), truth.size()) << "each recording in exactly one run";
}

}  // namespace
