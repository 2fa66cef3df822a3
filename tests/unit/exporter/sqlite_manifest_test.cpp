// SPDX-License-Identifier: Apache-2.0
// What only the SQLite manifest promises (manifest_sqlite/sqlite_manifest.hpp): its schema (one
// row per recording under a unique key, the history, the binding in ccrec_meta), WAL with
// synchronous=FULL, readers that are not ccrec while a run holds it, and files that are not a
// manifest. The behaviour shared with JSON Lines is in manifest_contract_test.cpp.

#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>

#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace {

using ccrec::ErrorCode;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::ManifestEntry;
using ccrec::manifest_sqlite::OpenSqliteManifest;

ManifestEntry Entry(std::string task, ItemStatus status) {
  ManifestEntry e;
  e.source = "webex";
  e.task_id = std::move(task);
  e.recording_id = "r1";
  e.key = "k/" + e.task_id;
  e.status = status;
  return e;
}

/// A plain sqlite3 connection, as a user's query would open one.
class Db {
 public:
  explicit Db(std::string const& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(Db const&) = delete;
  Db& operator=(Db const&) = delete;
  /// The first column of the first row, as text ("" when none).
  std::string One(std::string const& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    std::string out;
    if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
      out = reinterpret_cast<char const*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SqliteManifest, OneRowPerRecordingPlusHistoryAndTheBinding) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.sqlite";
  auto m = OpenSqliteManifest(path);
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_TRUE((*m)->Bind("s3://bucket/prefix/", "{task_id}{ext}"));
  ASSERT_TRUE((*m)->Append(Entry("t1", ItemStatus::kFailed)));
  ASSERT_TRUE((*m)->Append(Entry("t1", ItemStatus::kExported)));
  ASSERT_TRUE((*m)->Append(Entry("t1", ItemStatus::kSkipped)));
  ASSERT_TRUE((*m)->Append(Entry("t2", ItemStatus::kPending)));
  // Queried while the run still holds the manifest (WAL: readers do not wait for the writer).
  Db db(path);
  EXPECT_EQ(db.One("SELECT count(*) FROM recordings"), "2") << "the unique key keeps one row per recording";
  EXPECT_EQ(db.One("SELECT status FROM recordings WHERE task_id = 't1'"), "skipped");
  EXPECT_EQ(db.One("SELECT count(*) FROM history"), "4");
  EXPECT_EQ(db.One("SELECT group_concat(status, ',') FROM (SELECT status FROM history ORDER BY id)"),
            "failed,exported,skipped,pending");
  EXPECT_EQ(db.One("SELECT count(*) FROM last_exported"), "1");
  EXPECT_EQ(db.One("SELECT value FROM ccrec_meta WHERE name = 'destination'"), "s3://bucket/prefix/");
  EXPECT_EQ(db.One("SELECT value FROM ccrec_meta WHERE name = 'key_template'"), "{task_id}{ext}");
  EXPECT_EQ(db.One("SELECT value FROM ccrec_meta WHERE name = 'schema_version'"), "1");
  EXPECT_EQ(db.One("PRAGMA journal_mode"), "wal");
  EXPECT_NE(db.One("SELECT time FROM recordings LIMIT 1").find('Z'), std::string::npos);
  // The unique key is in the schema, for users who insert rows of their own too.
  EXPECT_NE(db.One("SELECT sql FROM sqlite_master WHERE name = 'recordings'")
                .find("UNIQUE(source, task_id, recording_id, segment_id)"),
            std::string::npos);
}

TEST(SqliteManifest, TheWriteAheadLogIsAsPrivateAsTheDatabase) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.sqlite";
  ccrec_test::ScopedUmask umask(022);
  auto m = OpenSqliteManifest(path);
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_TRUE((*m)->Append(Entry("t1", ItemStatus::kExported)));
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u);
  EXPECT_EQ(ccrec_test::FileMode(path + "-wal"), 0600u) << "the WAL holds the same rows";
}

TEST(SqliteManifest, AFileThatIsNotADatabaseIsAClearError) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.db";
  ccrec_test::WriteFile(path, "{\"ccrec_manifest\":1}\nnot sqlite at all, a JSON Lines manifest perhaps\n");
  auto m = OpenSqliteManifest(path);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message.find(path), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("not a usable SQLite database"), std::string::npos) << m.error().message;
}

TEST(SqliteManifest, ANewerSchemaIsRefused) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.sqlite";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE ccrec_meta(name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
                           "INSERT INTO ccrec_meta VALUES ('schema_version', '2');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto m = OpenSqliteManifest(path);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message.find("schema_version 2"), std::string::npos) << m.error().message;
}

TEST(SqliteManifest, OpenErrorsNameThePath) {
  auto m = OpenSqliteManifest("/nonexistent-dir-ccrec/m.sqlite");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message.find("/nonexistent-dir-ccrec/m.sqlite"), std::string::npos) << m.error().message;
}

}  // namespace
