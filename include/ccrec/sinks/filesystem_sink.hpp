#pragma once
/// @file
/// An ObjectSink that writes objects as files under a root directory.

#include <ccrec/core/export.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include <memory>
#include <string>

namespace ccrec {
inline namespace v1 {

/// Options for MakeFilesystemSink().
struct FilesystemSinkOptions {
  /// Root directory; created (mkdir -p) if missing. Required.
  std::string root;
  /// fsync each file and its directory before Finish() returns. Default true.
  bool fsync = true;
  /// Permission bits of created files (before umask is ignored: applied exactly). Default 0644.
  unsigned file_mode = 0644;
};

/// Creates a sink writing `root/<key>`.
///
/// Each object is written to a hidden temporary file beside its final name
/// (`.<name>.ccrec-tmp-<random>`), fsynced, then renamed into place, so a reader never sees a
/// partial file and a failed or aborted write leaves nothing behind (the temporary file is
/// removed). With PutOptions::if_none_match the final step fails instead of replacing an
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
