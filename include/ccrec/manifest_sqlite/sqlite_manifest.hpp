// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The SQLite export manifest (optional target `ccrec::manifest_sqlite`, built when SQLite 3 is
/// found): an exporter::Manifest kept in a SQLite database, for users who query their archive.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/manifest.hpp>

#include <memory>
#include <string>

namespace ccrec::manifest_sqlite {

/// The schema version this library writes (table `ccrec_meta`, name `schema_version`).
inline constexpr int kSchemaVersion = 1;

/// Opens (creating if needed) the SQLite manifest database `path` and returns it as an
/// exporter::Manifest that keeps the whole Manifest contract (exporter/manifest.hpp).
///
/// Schema (version kSchemaVersion; every text column is UTF-8 as ccrec got it, `time` is the UTC
/// time of the row, ISO 8601 with a Z):
/// - `ccrec_meta(name TEXT PRIMARY KEY, value TEXT)`: `schema_version`, and once bound
///   `destination` (ObjectSink::Uri("")) and `key_template`: the identity binding, checked like
///   the JSON Lines header (another destination or template: kInvalidArgument, nothing written).
/// - `recordings(source, task_id, recording_id, segment_id, key, uri, bytes, sha256, status,
///   error, time)` with `UNIQUE(source, task_id, recording_id, segment_id)`: the latest outcome
///   of each recording (Manifest::Latest()); `segment_id` is '' when the source has none;
///   `status` is 'exported', 'skipped', 'failed' or 'pending'; `error` went through
///   RedactSecrets.
/// - `last_exported`: the same columns and key, the last 'exported' outcome of each recording
///   (Manifest::LastExported()).
/// - `history`: the same columns plus `id INTEGER PRIMARY KEY`, every outcome ever recorded, in
///   order.
/// Example query: `SELECT key, bytes FROM recordings WHERE status = 'exported' AND
/// time >= '2026-01-01'`.
///
/// Durability: the database is in WAL mode with `synchronous=FULL`, and every Append() is one
/// transaction (the latest row, the history row and, for exported, the last_exported row), so an
/// outcome is durable when Append() returns and a crash never leaves a partial one; Sync() has
/// nothing left to do. (NORMAL would lose the last commits on power loss; one fsync per
/// recording is cheap next to its download.)
///
/// Lock: with ManifestOptions::lock (the default) the manifest holds an exclusive flock(2) on the
/// database file while it lives, so a second ccrec run on it is refused at once (kInvalidArgument,
/// vendor_code exporter::kManifestInUse; the CLI exits 2), like the JSON Lines manifest. Readers
/// that are not ccrec (the sqlite3 shell, a reporting job) can query it meanwhile: WAL lets them
/// read while the run writes.
///
/// A new database file is created with ManifestOptions::file_mode & ~umask (default 0600; SQLite
/// gives its -wal and -shm files the same mode) and its directory is fsynced.
///
/// @return kInvalidArgument when the file cannot be created, opened or locked, is not a SQLite
/// database, has a newer schema_version, or options.file_mode has bits beyond 0777;
/// kInvalidArgument with vendor_code kManifestInUse when another run holds it.
/// @par Thread safety
/// The returned Manifest is thread-safe (one connection, serialised by a mutex).
CCREC_EXPORT Result<std::shared_ptr<exporter::Manifest>> OpenSqliteManifest(
    std::string const& path, exporter::ManifestOptions const& options = {});

}  // namespace ccrec::manifest_sqlite
