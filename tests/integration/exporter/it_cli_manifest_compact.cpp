// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 6: `ccrec-export manifest compact` rewrites a JSON Lines manifest with only the
// lines a run reads, keeps the old file as MANIFEST.1, and refuses what it must not touch.
#include "integration/harness.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

ccrec_it::ProgramResult Cli(std::vector<std::string> args) {
  args.insert(args.begin(), CCREC_EXPORT_BIN);
  return ccrec_it::RunProgram(args);
}

std::string Read(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(std::string const& path, std::string const& text) { std::ofstream(path, std::ios::binary) << text; }

std::string Line(std::string const& task, std::string const& status) {
  return R"({"source":"face","task_id":")" + task + R"(","recording_id":"r","key":"k/)" + task +
         R"(.wav","uri":"file:///d/k/)" + task + R"(.wav","bytes":5,"sha256":"","status":")" + status +
         R"(","error":"","time":"2026-11-01T00:00:00.000Z"})" + "\n";
}

TEST(CliManifestCompact, KeepsLatestAndExportedLinesAndTheOldFile) {
  ccrec_it::TempDir dir;
  std::string const path = dir.Path() + "/m.jsonl";
  std::string const header = R"({"ccrec_manifest":1,"destination":"file:///d/","key_template":"{task_id}"})" "\n";
  std::string const text = header + Line("a", "exported") + Line("a", "skipped") + Line("a", "skipped") +
                           Line("b", "failed") + Line("b", "failed") + "garbage\n";
  Write(path, text);
  auto run = Cli({"manifest", "compact", "--manifest", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("6 lines -> 4 lines (2 items, 1 malformed dropped)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("the previous file is " + path + ".1"), std::string::npos) << run.out;
  EXPECT_EQ(Read(path + ".1"), text);
  std::string const now = Read(path);
  EXPECT_NE(now.find(Line("a", "exported")), std::string::npos) << now;
  EXPECT_EQ(now.find(Line("a", "skipped")), now.rfind(Line("a", "skipped"))) << "one skipped line left: " << now;
  EXPECT_NE(now.find(Line("b", "failed")), std::string::npos) << now;
  EXPECT_EQ(now.find("garbage"), std::string::npos) << now;

  auto again = Cli({"manifest", "compact", "--manifest", path, "--no-backup"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("4 lines -> 4 lines"), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("previous file"), std::string::npos) << again.out;
}

TEST(CliManifestCompact, MissingOrForeignFilesAreUsageErrorsAndUntouched) {
  ccrec_it::TempDir dir;
  auto missing = Cli({"manifest", "compact", "--manifest", dir.Path() + "/none.jsonl"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  std::string const sqlite = dir.Path() + "/m.sqlite";
  std::string const bytes = std::string("SQLite format 3") + '\0' + "pages";
  Write(sqlite, bytes);
  auto foreign = Cli({"manifest", "compact", "--manifest", sqlite});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("not a JSON Lines manifest"), std::string::npos) << foreign.err;
  EXPECT_EQ(Read(sqlite), bytes);
  auto no_action = Cli({"manifest"});
  EXPECT_EQ(no_action.exit_code, 2);
}

}  // namespace
