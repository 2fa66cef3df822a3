// SPDX-License-Identifier: Apache-2.0
// The SQLite export manifest (manifest_sqlite/sqlite_manifest.hpp).
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>

#include <ccrec/core/log.hpp>

#include "internal/file_util.hpp"
#include "internal/time_util.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace ccrec::manifest_sqlite {
namespace {

using exporter::ItemStatus;
using exporter::ManifestEntry;

constexpr char kColumns[] = "source, task_id, recording_id, segment_id, key, uri, bytes, sha256, status, error, time";

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS ccrec_meta(name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS recordings("
    " source TEXT NOT NULL, task_id TEXT NOT NULL, recording_id TEXT NOT NULL, segment_id TEXT NOT NULL,"
    " key TEXT NOT NULL, uri TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('exported','skipped','failed','pending')),"
    " error TEXT NOT NULL, time TEXT NOT NULL,"
    " UNIQUE(source, task_id, recording_id, segment_id));"
    "CREATE TABLE IF NOT EXISTS last_exported("
    " source TEXT NOT NULL, task_id TEXT NOT NULL, recording_id TEXT NOT NULL, segment_id TEXT NOT NULL,"
    " key TEXT NOT NULL, uri TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " status TEXT NOT NULL, error TEXT NOT NULL, time TEXT NOT NULL,"
    " UNIQUE(source, task_id, recording_id, segment_id));"
    "CREATE TABLE IF NOT EXISTS history(id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL, task_id TEXT NOT NULL, recording_id TEXT NOT NULL, segment_id TEXT NOT NULL,"
    " key TEXT NOT NULL, uri TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " status TEXT NOT NULL, error TEXT NOT NULL, time TEXT NOT NULL);"
    "INSERT OR IGNORE INTO ccrec_meta(name, value) VALUES ('schema_version', '1');";

/// One prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, std::string const& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement const&) = delete;
  Statement& operator=(Statement const&) = delete;
  bool Ok() const { return rc_ == SQLITE_OK; }
  void Bind(int i, std::string const& text) { sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT); }
  void Bind(int i, std::uint64_t v) { sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v)); }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int i) {
    auto const* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<char const*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
             : std::string();
  }
  std::uint64_t Uint(int i) { return static_cast<std::uint64_t>(sqlite3_column_int64(stmt_, i)); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteManifest final : public exporter::Manifest {
 public:
  static Result<std::shared_ptr<exporter::Manifest>> Open(std::string const& path,
                                                         exporter::ManifestOptions const& options);
  ~SqliteManifest() override {
    if (db_) sqlite3_close_v2(db_);
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  Result<void> CheckDestination(std::string const& destination_uri, std::string const& key_template) const override {
    std::lock_guard<std::mutex> lock(mu_);
    return CheckLocked(destination_uri, key_template);
  }
  Result<void> Bind(std::string const& destination_uri, std::string const& key_template) override;
  std::optional<std::string> Destination() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return destination_;
  }
  std::optional<std::string> KeyTemplate() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return key_template_;
  }
  Result<void> Append(ManifestEntry const& entry) override;
  std::optional<ManifestEntry> Latest(std::string const& source, std::string const& task_id,
                                      std::string const& recording_id, std::string const& segment_id) const override {
    return Find("recordings", source, task_id, recording_id, segment_id);
  }
  std::optional<ManifestEntry> LastExported(std::string const& source, std::string const& task_id,
                                            std::string const& recording_id,
                                            std::string const& segment_id) const override {
    return Find("last_exported", source, task_id, recording_id, segment_id);
  }
  std::vector<ManifestEntry> Entries() const override;
  Result<void> Sync() override { return {}; }  // synchronous=FULL: every commit is durable
  std::string const& Path() const override { return path_; }

 private:
  SqliteManifest() = default;
  Error DbError(std::string const& what) const {
    return MakeError(ErrorCode::kInternal, "manifest " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
  }
  Result<void> Exec(char const* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return MakeError(ErrorCode::kInternal, "manifest " + path_ + ": " + text);
  }
  Result<void> CheckLocked(std::string const& destination_uri, std::string const& key_template) const;
  std::optional<std::string> Meta(char const* name) const;
  std::optional<ManifestEntry> Find(char const* table, std::string const& source, std::string const& task_id,
                                    std::string const& recording_id, std::string const& segment_id) const;
  static ManifestEntry Row(Statement& s);

  mutable std::mutex mu_;  // serialises every use of db_
  std::string path_;
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  std::optional<std::string> destination_;   // from ccrec_meta
  std::optional<std::string> key_template_;  // from ccrec_meta
};

Result<std::shared_ptr<exporter::Manifest>> SqliteManifest::Open(std::string const& path,
                                                                exporter::ManifestOptions const& options) {
  auto invalid = [&](std::string const& what) { return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": " + what); };
  if ((options.file_mode & ~std::uint32_t{0777}) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "0%o", static_cast<unsigned>(options.file_mode));
    return invalid(std::string("file_mode ") + mode + " has bits beyond 0777 (setuid, setgid or sticky are not allowed)");
  }
  std::shared_ptr<SqliteManifest> m(new SqliteManifest());
  m->path_ = path;
  // Create the file ourselves (the mode, under the umask) and lock it before SQLite reads it.
  bool const existed = ::access(path.c_str(), F_OK) == 0;
  m->lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, static_cast<mode_t>(options.file_mode));
  if (m->lock_fd_ < 0) return invalid(std::string("cannot open: ") + std::strerror(errno));
  if (options.lock && ::flock(m->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int const err = errno;
    Error e = invalid(err == EWOULDBLOCK ? "is in use by another run (it holds the manifest's lock); wait for that "
                                           "run to end, or give this run a manifest of its own"
                                         : std::string("cannot lock: ") + std::strerror(err));
    if (err == EWOULDBLOCK) e.vendor_code = exporter::kManifestInUse;
    return e;
  }
  if (sqlite3_open_v2(path.c_str(), &m->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return invalid(std::string("cannot open as a SQLite database: ") + (m->db_ ? sqlite3_errmsg(m->db_) : "out of memory"));
  }
  sqlite3_extended_result_codes(m->db_, 1);
  sqlite3_busy_timeout(m->db_, 10000);  // a reader's checkpoint or lock is brief
  for (char const* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
    if (auto done = m->Exec(pragma); !done) return invalid("is not a usable SQLite database: " + done.error().message);
  }
  if (auto created = m->Exec(kSchema); !created) {
    return invalid("is not a usable SQLite database: " + created.error().message);
  }
  auto version = m->Meta("schema_version");
  if (!version || *version != std::to_string(kSchemaVersion)) {
    return invalid("has schema_version " + version.value_or("(none)") + "; this ccrec reads version " +
                   std::to_string(kSchemaVersion) + " (use the ccrec that wrote it, or a new manifest)");
  }
  m->destination_ = m->Meta("destination");
  m->key_template_ = m->Meta("key_template");
  if (m->destination_ && !m->key_template_) m->key_template_ = std::string();
  if (!existed) {  // created: its directory entry must survive a crash like its rows
    auto synced = ::ccrec::detail::SyncDir(::ccrec::detail::DirName(path));
    if (!synced) return invalid(synced.error().message);
  }
  return std::shared_ptr<exporter::Manifest>(std::move(m));
}

std::optional<std::string> SqliteManifest::Meta(char const* name) const {
  Statement s(db_, "SELECT value FROM ccrec_meta WHERE name = ?1");
  if (!s.Ok()) return std::nullopt;
  s.Bind(1, std::string(name));
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return s.Text(0);
}

Result<void> SqliteManifest::CheckLocked(std::string const& destination_uri, std::string const& key_template) const {
  if (!destination_) return {};
  if (*destination_ == destination_uri && *key_template_ == key_template) return {};
  return MakeError(ErrorCode::kInvalidArgument,
                   "manifest " + path_ + " belongs to destination " + *destination_ + " with key template \"" +
                       *key_template_ + "\", but this run writes to " + destination_uri + " with key template \"" +
                       key_template + "\"; its rows say nothing about this destination. Use a new --manifest file "
                       "for a new destination or key template, or the original --dest and --key-template");
}

Result<void> SqliteManifest::Bind(std::string const& destination_uri, std::string const& key_template) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto checked = CheckLocked(destination_uri, key_template); !checked) return checked;
  if (destination_) return {};
  Statement s(db_,
              "INSERT INTO ccrec_meta(name, value) VALUES ('destination', ?1), ('key_template', ?2), "
              "('bound_time', ?3)");
  if (!s.Ok()) return DbError("cannot bind");
  s.Bind(1, destination_uri);
  s.Bind(2, key_template);
  s.Bind(3, ::ccrec::detail::FormatIso8601(std::chrono::system_clock::now()));
  if (s.Step() != SQLITE_DONE) return DbError("cannot bind");
  destination_ = destination_uri;
  key_template_ = key_template;
  return {};
}

Result<void> SqliteManifest::Append(ManifestEntry const& entry) {
  std::string const time = ::ccrec::detail::FormatIso8601(std::chrono::system_clock::now());
  std::string const error = RedactSecrets(entry.error);
  std::string const values = std::string(" (") + kColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  std::lock_guard<std::mutex> lock(mu_);
  if (auto begun = Exec("BEGIN IMMEDIATE"); !begun) return begun;
  auto write = [&](std::string const& sql) {
    Statement s(db_, sql);
    if (!s.Ok()) return false;
    s.Bind(1, entry.source);
    s.Bind(2, entry.task_id);
    s.Bind(3, entry.recording_id);
    s.Bind(4, entry.segment_id);
    s.Bind(5, entry.key);
    s.Bind(6, entry.uri);
    s.Bind(7, entry.bytes);
    s.Bind(8, entry.sha256);
    s.Bind(9, std::string(exporter::ToString(entry.status)));
    s.Bind(10, error);
    s.Bind(11, time);
    return s.Step() == SQLITE_DONE;
  };
  bool ok = write("INSERT OR REPLACE INTO recordings" + values) && write("INSERT INTO history" + values) &&
            (entry.status != ItemStatus::kExported || write("INSERT OR REPLACE INTO last_exported" + values));
  if (!ok) {
    Error e = DbError("cannot record " + entry.source + " task " + entry.task_id + " recording " + entry.recording_id);
    (void)Exec("ROLLBACK");
    return e;
  }
  if (auto committed = Exec("COMMIT"); !committed) {
    (void)Exec("ROLLBACK");
    return committed;
  }
  return {};
}

ManifestEntry SqliteManifest::Row(Statement& s) {
  ManifestEntry e;
  e.source = s.Text(0);
  e.task_id = s.Text(1);
  e.recording_id = s.Text(2);
  e.segment_id = s.Text(3);
  e.key = s.Text(4);
  e.uri = s.Text(5);
  e.bytes = s.Uint(6);
  e.sha256 = s.Text(7);
  e.status = exporter::ParseItemStatus(s.Text(8)).value_or(ItemStatus::kFailed);
  e.error = s.Text(9);
  return e;
}

std::optional<ManifestEntry> SqliteManifest::Find(char const* table, std::string const& source,
                                                  std::string const& task_id, std::string const& recording_id,
                                                  std::string const& segment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, std::string("SELECT ") + kColumns + " FROM " + table +
                       " WHERE source = ?1 AND task_id = ?2 AND recording_id = ?3 AND segment_id = ?4");
  if (!s.Ok()) return std::nullopt;
  s.Bind(1, source);
  s.Bind(2, task_id);
  s.Bind(3, recording_id);
  s.Bind(4, segment_id);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return Row(s);
}

std::vector<ManifestEntry> SqliteManifest::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ManifestEntry> out;
  // BINARY collation compares bytes (memcmp), like std::string.
  Statement s(db_, std::string("SELECT ") + kColumns +
                       " FROM recordings ORDER BY source, task_id, recording_id, segment_id");
  if (!s.Ok()) return out;
  while (s.Step() == SQLITE_ROW) out.push_back(Row(s));
  return out;
}

}  // namespace

Result<std::shared_ptr<exporter::Manifest>> OpenSqliteManifest(std::string const& path,
                                                              exporter::ManifestOptions const& options) {
  return SqliteManifest::Open(path, options);
}

}  // namespace ccrec::manifest_sqlite
