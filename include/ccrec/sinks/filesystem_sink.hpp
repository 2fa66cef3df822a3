#pragma once
/// @file
/// An ObjectSink that writes objects as files under a root directory.

#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ccrec {
inline namespace v1 {

/// Options for MakeFilesystemSink().
struct FilesystemSinkOptions {
  /// Root directory; created (mkdir -p) if missing. Required.
  std::string root;
  /// Make each object durable before Finish() returns: fsync the temporary file before the
  /// rename, fsync its directory after it, and fsync every directory the sink creates into its
  /// parent (the whole new part of a mkdir -p chain). Default true. With false a crash can lose
  /// objects Finish() reported as written; only for scratch destinations.
  bool fsync = true;
  /// Permission bits of created files (before umask is ignored: applied exactly). Default 0644.
  unsigned file_mode = 0644;
  /// Remove temporary files that interrupted writers left behind (a killed process cannot
  /// unlink its `.<name>.ccrec-tmp-…` file). Done once per directory, the first time this sink
  /// writes into a directory that already existed. A temporary file is removed when its owner
  /// is known to be gone (it names this host and a process id that no longer runs) or when it
  /// was last modified more than `stale_temp_age` ago (a live writer writes every few seconds;
  /// this also covers writers on other hosts sharing the directory, and files of older versions
  /// that named no owner). Default true.
  bool remove_stale_temp_files = true;
  /// See remove_stale_temp_files. Zero: only files of gone processes of this host are removed.
  /// Default 24 h.
  std::chrono::seconds stale_temp_age{std::chrono::hours(24)};
  /// Receives one Info line per stale temporary file removed. Default: none.
  Logger logger = {};
};

/// Creates a sink writing `root/<key>`.
///
/// Each object is written to a hidden temporary file beside its final name
/// (`.<name>.ccrec-tmp-<host>-<pid>-<random>`: 8 hex digits of the host name's SHA-256, the
/// writing process id, 12 random hex digits), fsynced, then renamed into place, so a reader never
/// sees a partial file and a failed or aborted write leaves nothing behind (the temporary file is
/// removed). A crash or SIGKILL can leave the temporary file: see remove_stale_temp_files.
/// With fsync on, once Finish() returns the object survives a crash or power loss. With PutOptions::if_none_match the final step fails instead of replacing an
/// existing file. Keys must be relative and must not contain empty, "." or ".." segments,
/// backslashes or NUL bytes (kInvalidArgument).
///
/// User metadata (PutOptions::metadata) is kept in a mirror tree of small JSON files,
/// `root/.ccrec-meta/<key>` = `{"bytes":N,"sha256":"hex","metadata":{...}}`, written atomically
/// right after the object is in place (plain files: no extended attributes, so any file system
/// works). An object written without metadata has its old metadata file removed. Keys whose first
/// segment is `.ccrec-meta` are rejected (kInvalidArgument).
///
/// Stat() reports the size of an existing file, plus its SHA-256 and user metadata when its
/// metadata file describes a file of that size (no hash otherwise: computing one would read
/// the file). Uri() is `file://` + the percent-encoded absolute root (symlinks resolved) + "/" +
/// key.
///
/// @return kInvalidArgument when root is empty or not a directory, kInternal when it cannot be created.
/// @par Thread safety
/// The sink is thread-safe; each writer is used by one thread.
CCREC_EXPORT Result<std::shared_ptr<ObjectSink>> MakeFilesystemSink(FilesystemSinkOptions options);

}  // namespace v1
}  // namespace ccrec
