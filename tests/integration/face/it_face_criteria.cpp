// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 item 5): every documented search criterion is a ccrec-export face flag, and
// a run with one exports exactly the matching recordings, against tests/emulators/face_server.py
// (which filters by isrUcid, ingressCallId, aor, filename, custom data fields and inProgress).

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using face_it::kDayStart;

using ccrec_it::Json;

bool Plain(std::string const& s) {
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return !s.empty();
}

class FaceCriteriaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    face_ = ServerProcess::Start("face_server.py", {"--recordings", "8", "--in-progress", "1", "--same-start-cluster",
                                                    "0", "--segment-min-bytes", "64", "--segment-max-bytes", "256"})
                .release();
  }
  static void TearDownTestSuite() {
    delete face_;
    face_ = nullptr;
  }

  static rapidjson::Document Truth() {
    auto [status, text] = ccrec_it::HttpGet(face_->Get("base_url") + "/_emulator/recordings?from=" +
                                                std::to_string(kDayStart) + "&to=" + std::to_string(kDayStart + 86400000),
                                            face_->Get("ca_file"));
    EXPECT_EQ(status, 200) << text;
    return Json(text);
  }

  /// Runs ccrec-export face over the day with `extra` flags into a fresh directory.
  static ccrec_it::ProgramResult Run(std::vector<std::string> const& extra) {
    TempDir dir("ccrec-it-face-criteria");
    std::vector<std::string> args = {CCREC_EXPORT_BIN, "face", "--face-url", face_->Get("base_url"), "--user-email",
                                     face_->Get("user_email"), "--from", "2026-11-01T00:00:00Z", "--to",
                                     "2026-11-02T00:00:00Z", "--dest", dir / "out", "--ca-file", face_->Get("ca_file"),
                                     "--pending-max-age", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return ccrec_it::RunProgram(args, {{"CCREC_FACE_PASSWORD", face_->Get("password")}});
  }

  static std::string Expect(std::size_t exported, std::size_t pending) {
    return "exported=" + std::to_string(exported) + " skipped=0 failed=0 pending=" + std::to_string(pending);
  }
  static std::string Counts(ccrec_it::ProgramResult const& run) {
    std::string last = run.LastLine();
    return last.substr(0, last.find(" bytes="));
  }

  static ServerProcess* face_;
};

ServerProcess* FaceCriteriaTest::face_ = nullptr;

TEST_F(FaceCriteriaTest, EachCriterionExportsExactlyTheMatchingRecording) {
  auto truth = Truth();
  ASSERT_EQ(truth["recordings"].Size(), 8u);
  int checked = 0;
  for (auto const& r : truth["recordings"].GetArray()) {
    if (r["inProgress"].GetBool()) continue;
    std::size_t segments = r["segments"].Size();
    std::string id = r["recordingId"].GetString();
    SCOPED_TRACE("recording " + id);
    auto by_call = Run({"--isr-ucid", r["isrUcid"].GetString()});
    EXPECT_EQ(by_call.exit_code, 0) << by_call.err;
    EXPECT_EQ(Counts(by_call), Expect(segments, 0)) << "--isr-ucid";
    auto by_ingress = Run({"--ingress-call-id", r["ingressCallId"].GetString()});
    EXPECT_EQ(Counts(by_ingress), Expect(segments, 0)) << "--ingress-call-id";
    auto by_egress = Run({"--egress-call-id", r["ingressCallId"].GetString()});
    EXPECT_EQ(Counts(by_egress), Expect(0, 0)) << "--egress-call-id is its own field, not ingress";
    for (auto const& c : r["custom"].GetObject()) {
      std::string name = c.name.GetString();
      if (name != "customerId") continue;
      auto by_custom = Run({"--custom", name + "=" + c.value.GetString()});
      // Plus the recording in progress: custom data is judged once it has ended (pending until then).
      EXPECT_EQ(Counts(by_custom), Expect(segments, 1)) << "--custom " << name;
    }
    std::string file = r["segments"][0]["filename"].GetString();
    if (Plain(file)) {
      auto by_file = Run({"--filename", file});
      EXPECT_EQ(Counts(by_file), Expect(segments, 0)) << "--filename " << file;
    }
    if (++checked == 2) break;
  }
  EXPECT_EQ(checked, 2);
  auto third = Run({"--thirdparty-id", "observeit-1"});  // the emulator's recordings have none
  EXPECT_EQ(Counts(third), Expect(0, 0));
  auto nobody = Run({"--isr-ucid", "no-such-call@127.0.0.1", "--custom", "customerId=nobody"});
  EXPECT_EQ(nobody.exit_code, 0) << nobody.err;
  EXPECT_EQ(Counts(nobody), Expect(0, 0));
}

// --in-progress true listed the recording in progress as pending; once it ended it matched no
// more, so no run ever exported it and each ended 0. It is refused before anything is sent.
TEST_F(FaceCriteriaTest, InProgressTrueIsAUsageErrorSinceNoneCouldBeExported) {
  auto running = Run({"--in-progress", "true"});
  EXPECT_EQ(running.exit_code, 2) << running.err;
  EXPECT_NE(running.err.find("--in-progress true selects recordings only while they are being recorded"),
            std::string::npos)
      << running.err;
}

// Issue 14 item 4: --since-last-run for face: the checkpoint stays at the recording still in
// progress (pending), so the next run lists it again.
TEST_F(FaceCriteriaTest, SinceLastRunKeepsTheCheckpointAtTheRecordingInProgress) {
  auto truth = Truth();
  long long in_progress_start = -1;
  for (auto const& r : truth["recordings"].GetArray()) {
    if (r["inProgress"].GetBool()) in_progress_start = r["startMs"].GetInt64();
  }
  ASSERT_GE(in_progress_start, 0);
  TempDir dir("ccrec-it-face-since");
  std::string manifest = dir / "m.jsonl";
  auto run = Run({"--manifest", manifest});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto checkpoint = Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"));
  ASSERT_TRUE(checkpoint.IsObject());
  EXPECT_STREQ(checkpoint["source"].GetString(), "face");
  EXPECT_EQ(checkpoint["next_from_ms"].GetInt64(), in_progress_start) << "held at the recording in progress";
  auto next = Run({"--manifest", manifest, "--since-last-run"});
  EXPECT_EQ(next.exit_code, 2) << "--from (given by Run) with an existing checkpoint is refused: " << next.err;
  EXPECT_NE(next.err.find("--since-last-run continues from"), std::string::npos) << next.err;
}

TEST_F(FaceCriteriaTest, BadCriteriaAreUsageErrors) {
  for (auto const& extra : std::vector<std::vector<std::string>>{
           {"--custom", "customerId"}, {"--custom", "=C-1"}, {"--in-progress", "maybe"}}) {
    auto run = Run(extra);
    EXPECT_EQ(run.exit_code, 2) << extra[0] << " " << extra[1] << ": " << run.err;
  }
  auto run = Run({"--custom", "customerId"});
  EXPECT_NE(run.err.find("NAME=VALUE"), std::string::npos) << run.err;
}

// --custom with --since-last-run: the CTI sets the custom data in the stop request's body, so while
// the call records it matches no filter. It is pending and holds the checkpoint; once stopped (with
// campaign=autumn, which no recording of the emulator has), the next run exports it. Before the fix it was never listed: no pending line,
// the checkpoint moved to --to, and it was lost with exit 0. Its own emulator: it stops a recording.
class FaceVolatileFilterTest : public FaceCriteriaTest {};

TEST_F(FaceVolatileFilterTest, CustomFilterRecordingInProgressIsPendingUntilItEndsThenExported) {
  auto truth = Truth();
  std::string running_id;
  long long running_start = -1;
  for (auto const& r : truth["recordings"].GetArray()) {
    if (!r["inProgress"].GetBool()) continue;
    running_id = r["recordingId"].GetString();
    running_start = r["startMs"].GetInt64();
  }
  ASSERT_FALSE(running_id.empty());
  TempDir dir("ccrec-it-face-volatile");
  std::string manifest = dir / "m.jsonl";
  std::vector<std::string> base = {CCREC_EXPORT_BIN, "face", "--face-url", face_->Get("base_url"), "--user-email",
                                   face_->Get("user_email"), "--to", "2026-11-02T00:00:00Z", "--dest", dir / "out",
                                   "--ca-file", face_->Get("ca_file"), "--manifest", manifest, "--since-last-run",
                                   "--custom", "campaign=autumn", "--pending-max-age", "0"};
  std::map<std::string, std::string> env{{"CCREC_FACE_PASSWORD", face_->Get("password")}};
  auto first_args = base;
  first_args.insert(first_args.end(), {"--from", "2026-11-01T00:00:00Z"});
  auto first = ccrec_it::RunProgram(first_args, env);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Counts(first), Expect(0, 1)) << first.err;
  auto manifest_text = ccrec_it::ReadFile(manifest);
  EXPECT_NE(manifest_text.find("judged once it has ended"), std::string::npos) << manifest_text;
  auto checkpoint = Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"));
  ASSERT_TRUE(checkpoint.IsObject());
  EXPECT_EQ(checkpoint["next_from_ms"].GetInt64(), running_start) << "held at the recording in progress";

  // The call ends: the stop request's body sets the custom data the export filters on.
  ccrec::face::ClientOptions o;
  o.base_url = face_->Get("base_url");
  o.user_email = face_->Get("user_email");
  o.password = face_->Get("password");
  ccrec::CurlOptions co;
  co.ca_file = face_->Get("ca_file");
  o.transport = ccrec::MakeCurlTransport(co);
  ccrec::face::Client client(o);
  ccrec::face::SearchCriteria target;
  target.recording_id = running_id;
  ccrec::face::MetadataUpdate metadata;
  metadata.custom_fields = {{"campaign", "autumn"}};
  auto stopped = client.Stop(target, metadata);
  ASSERT_TRUE(stopped) << stopped.error().ToString();

  auto second = ccrec_it::RunProgram(base, env);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  std::size_t segments = 0;
  auto const after = Truth();  // kept alive: the loop reads its members
  for (auto const& r : after["recordings"].GetArray()) {
    if (r["recordingId"].GetString() == running_id) segments = r["segments"].Size();
  }
  ASSERT_GT(segments, 0u);
  EXPECT_EQ(Counts(second), Expect(segments, 0)) << second.err;
}

}  // namespace
