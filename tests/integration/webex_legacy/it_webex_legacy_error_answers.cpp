// SPDX-License-Identifier: Apache-2.0
// Integration: `ccrec-export webex-legacy --format csv` against the v1 emulator answering CSV queries
// with HTTP 200, Content-Type text/csv and an error text or no byte at all (knob csv_error_answer).
// Before, the text `Error: timed out` parsed as a one-column header with no rows, and an empty body
// was a window without records: every window was stored empty and recorded exported, exit 0, and
// never fetched again.
#include "integration/webex_legacy/webex_legacy_it.hpp"

#include <ccrec/webex_legacy/csv.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace webex_legacy_it {
namespace {

TEST_F(WebexLegacyTest, CliCsvErrorAnswersFailEveryWindowStoreNothingAndARerunExportsThem) {
  TempDir dir("ccrec-it-legacy-error-answer");
  std::string const dest = dir / "out";
  std::string const manifest = dir / "m.jsonl";
  auto const args = CliArgs(dest, {"--format", "csv", "--manifest", manifest, "--from", "2026-11-01T09:00:00Z", "--to",
                                   "2026-11-01T11:00:00Z"});
  struct Kind {
    char const* knob;
    char const* says;
  };
  for (Kind const kind : {Kind{"text", "\"Error: timed out\", reads like a message"},
                          Kind{"html", "starts with '<', an HTML or XML page"},
                          Kind{"json", "starts with '{', a JSON object"},
                          Kind{"empty", "the CSV answer was empty (no header row), but a JSON query of the same "
                                        "window returned a record"}}) {
    SCOPED_TRACE(kind.knob);
    Config(std::string(R"({"csv_error_answer":")") + kind.knob + "\"}");
    auto run = ccrec_it::RunProgram(args, KeyEnv());
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_EQ(run.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
    EXPECT_NE(run.err.find(kind.says), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find(emu_->Get("api_key")), std::string::npos);
    EXPECT_TRUE(Files(dest).empty()) << "nothing is stored for a window answered with an error text";
    for (auto const& line : Lines(ccrec_it::ReadFile(manifest))) {
      auto doc = Json(line);
      if (!doc.HasMember("status")) continue;
      EXPECT_STREQ(doc["status"].GetString(), "failed") << line;
      EXPECT_NE(std::string(doc["error"].GetString()).find("(CSV) for ["), std::string::npos) << line;
    }
  }
  EXPECT_GE(Control("/_emulator/stats")["csv_error_answers_served"].GetInt(), 8);

  // The failed windows are not recorded exported: once the service answers, a re-run with the
  // same manifest exports every record of the range.
  Config(R"({"csv_error_answer":"off"})");
  auto rerun = ccrec_it::RunProgram(args, KeyEnv());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  std::set<std::string> sids;
  for (auto const& [path, content] : Files(dest)) {
    auto table = legacy::ParseCsv(content);
    ASSERT_TRUE(table) << path << ": " << table.error().ToString();
    auto sid = table->ColumnIndex("sid");
    ASSERT_TRUE(sid) << path;
    for (auto const& row : table->rows) EXPECT_TRUE(sids.insert(row[*sid]).second) << "duplicate " << row[*sid];
  }
  EXPECT_EQ(sids, TruthIds("csrs", kDayStart + 9 * 3600000, kDayStart + 11 * 3600000));
}

}  // namespace
}  // namespace webex_legacy_it
