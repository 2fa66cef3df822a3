// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 14 item 5: ccrec-export with a SQLite --manifest (PATH ending in .sqlite or
// .db, or --manifest-format sqlite): the run records one row per recording, a re-run skips
// everything, another destination and a second run on the same database exit 2, and
// --manifest-format picks the format whatever the extension. Against the Webex CC emulator into
// a directory (no S3 needed).
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>

#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

class ExportSqliteManifestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "8", "--day", "2026-11-01"}).release();
    dir_ = new TempDir("ccrec-it-sqlite");
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete token_file_;
    delete dir_;
  }
  std::map<std::string, std::string> Env() {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }
  std::vector<std::string> Args(std::string const& dest, std::string const& manifest) {
    return {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
            "--token-url",    webex_->Get("token_url"), "--token-file", *token_file_,
            "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
            "--dest",         dest,           "--manifest",     manifest,
            "--ca-file",      webex_->Get("ca_file"),   "--concurrency", "4", "--pending-max-age", "0"};
  }

  static ServerProcess* webex_;
  static TempDir* dir_;
  static std::string* token_file_;
};

ServerProcess* ExportSqliteManifestTest::webex_ = nullptr;
TempDir* ExportSqliteManifestTest::dir_ = nullptr;
std::string* ExportSqliteManifestTest::token_file_ = nullptr;

TEST_F(ExportSqliteManifestTest, RecordsResumesAndRefusesLikeTheJsonLinesManifest) {
  TempDir out("ccrec-it-sqlite-run");
  std::string const dest = "file://" + out.Path() + "/a";
  std::string const manifest = out.Path() + "/archive.sqlite";
  auto first = ccrec_it::RunProgram(Args(dest, manifest), Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto const pos = first.out.find("exported=");
  ASSERT_NE(pos, std::string::npos) << first.out;
  auto const exported = std::stoul(first.out.substr(pos + 9));
  ASSERT_GT(exported, 0u);
  EXPECT_NE(ccrec_it::ReadFile(manifest).rfind("SQLite format 3", 0), std::string::npos) << "a SQLite database";

  {  // What the run recorded, read through the library (without the lock, as a reader).
    ccrec::exporter::ManifestOptions o;
    o.lock = false;
    auto m = ccrec::manifest_sqlite::OpenSqliteManifest(manifest, o);
    ASSERT_TRUE(m) << m.error().ToString();
    EXPECT_EQ((*m)->Destination(), std::optional<std::string>(dest + "/"));
    std::size_t done = 0;
    for (auto const& e : (*m)->Entries()) done += e.status == ccrec::exporter::ItemStatus::kExported;
    EXPECT_EQ(done, exported);
  }

  auto again = ccrec_it::RunProgram(Args(dest, manifest), Env());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("exported=0 skipped=" + std::to_string(exported) + " failed=0"), std::string::npos)
      << again.out;

  auto elsewhere = ccrec_it::RunProgram(Args("file://" + out.Path() + "/b", manifest), Env());
  EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere.err;
  EXPECT_NE(elsewhere.err.find("belongs to destination " + dest + "/"), std::string::npos) << elsewhere.err;

  {  // A second run while one holds the database.
    auto held = ccrec::manifest_sqlite::OpenSqliteManifest(manifest);
    ASSERT_TRUE(held) << held.error().ToString();
    auto second = ccrec_it::RunProgram(Args(dest, manifest), Env());
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_NE(second.err.find("in use by another run"), std::string::npos) << second.err;
  }
}

TEST_F(ExportSqliteManifestTest, ManifestFormatOverridesTheExtension) {
  TempDir out("ccrec-it-sqlite-format");
  std::string const dest = "file://" + out.Path() + "/a";
  auto jsonl = Args(dest, out.Path() + "/m.db");
  jsonl.insert(jsonl.end(), {"--manifest-format", "jsonl"});
  auto r = ccrec_it::RunProgram(jsonl, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ccrec_it::ReadFile(out.Path() + "/m.db").rfind("{\"ccrec_manifest\":1", 0), 0u) << "JSON Lines";

  auto sqlite = Args(dest + "2", out.Path() + "/m.log");
  sqlite.insert(sqlite.end(), {"--manifest-format", "sqlite"});
  r = ccrec_it::RunProgram(sqlite, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ccrec_it::ReadFile(out.Path() + "/m.log").rfind("SQLite format 3", 0), 0u);

  auto bad = Args(dest, out.Path() + "/m.x");
  bad.insert(bad.end(), {"--manifest-format", "csv"});
  r = ccrec_it::RunProgram(bad, Env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--manifest-format"), std::string::npos) << r.err;
}

}  // namespace
