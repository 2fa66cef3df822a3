// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// An ObjectSink that writes objects as files under a root directory.

#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ccrec {
inline namespace v1 {

/// Options for MakeFilesystemSink().
struct FilesystemSinkOptions {
  /// Root directory; created (mkdir -p, each new directory with dir_mode) if missing. Required.
  std::string root;
  /// Make each object durable before Finish() returns: fsync the temporary file before the
  /// rename, fsync its directory after it, and fsync every directory the sink creates into its
  /// parent (the whole new part of a mkdir -p chain). Default true. With false a crash can lose
  /// objects Finish() reported as written; only for scratch destinations.
  bool fsync = true;
  /// Permission bits of the files the sink creates: the objects (recordings, sidecars) and the
  /// metadata files under `.ccrec-meta/`. Call recordings are personal data, so the default is
  /// 0600 (owner read/write only).
  ///
  /// Each file is created by open(2) with this mode, so the kernel applies the process umask:
  /// a file gets `file_mode & ~umask` (0600 under the usual umask 022, under 077 and under 0;
  /// 0640 with umask 027 gives 0640) and is never chmod-ed wider than the umask allows. The
  /// temporary file an object is written to is created with that mode and the rename (or
  /// link, with PutOptions::if_none_match) keeps it. A default ACL on the directory takes the
  /// umask's place, as for any file. Replacing an object replaces its file, so the new file has
  /// this mode, not the old one's. Only the permission bits 0777 are allowed (no setuid,
  /// setgid or sticky bit): otherwise MakeFilesystemSink() returns kInvalidArgument.
  std::uint32_t file_mode = 0600;
  /// Permission bits of the directories the sink creates (the root when missing, the new part
  /// of every mkdir -p chain below it, `.ccrec-meta/` and its subdirectories). Default 0700.
  ///
  /// Each directory is created by mkdir(2) with this mode, so it gets `dir_mode & ~umask`.
  /// Directories that already exist keep their mode and owner: the sink never chmods a
  /// directory. Only the bits 0777 are allowed and the owner needs all of 0700 (the sink
  /// creates, lists and fsyncs entries in its directories); otherwise MakeFilesystemSink()
  /// returns kInvalidArgument. A umask that takes the owner's bits away (e.g. 0277) leaves new
  /// directories the sink cannot write into: Open() then fails with kInternal.
  std::uint32_t dir_mode = 0700;
  /// Remove temporary files that interrupted writers left behind (a killed process cannot
  /// unlink its `.<name>.ccrec-tmp-…` file). Done once per directory, the first time this sink
  /// writes into a directory that already existed. A temporary file is removed when its owner
  /// is known to be gone (it names this host and a process id that no longer runs) or when it
  /// was last modified more than `stale_temp_age` ago (a live writer writes every few seconds;
  /// this also covers writers on other hosts sharing the directory, and files of older versions
  /// that named no owner). Default true.
  ///
  /// The same first write also sweeps the directory's mirror under `.ccrec-meta/` (when it
  /// exists) for the temporary files of interrupted metadata writes, `<name>.tmp-<12 lowercase hex
  /// digits>`: those last modified more than `stale_temp_age` ago are removed (they name no owner,
  /// so never with `stale_temp_age` zero). Only regular files with exactly that name, never a
  /// symlink, a directory or a metadata file whose object exists (a key may end like a temporary
  /// name). The object sweep never looks into `.ccrec-meta/`. Reference: docs/filesystem.md,
  /// "Atomic, durable writes".
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
/// A Finish() that fails before the publish (e.g. its metadata file cannot be written: ENOSPC)
/// publishes nothing; one that fails after the object is in place (the directory fsync) removes
/// the object again, then the metadata file it wrote, so a retry finds nothing to refuse; it only
/// removes the file it created (same device and inode), never one another writer put there
/// meanwhile, and with overwrite the object it replaced is gone either way. The error message
/// says when the object could not be removed.
/// With fsync on, once Finish() returns the object survives a crash or power loss. With PutOptions::if_none_match the final step fails instead of replacing an
/// existing file (a hard link, which the kernel refuses atomically; on file systems without hard
/// links, a check then rename): EnforcesIfNoneMatch() is true. Keys must be relative and must not contain empty, "." or ".." segments,
/// backslashes or NUL bytes (kInvalidArgument).
///
/// User metadata (PutOptions::metadata) is kept in a mirror tree of small JSON files,
/// `root/.ccrec-meta/<key>` =
/// `{"bytes":N,"sha256":"hex","file":{"dev":"D","ino":"I","mtime_ns":"M"},"metadata":{...}}`
/// (plain files: no extended attributes, so any file system works). It is written atomically
/// (and, with fsync, durably) *before* the object is published, and `file` ties it to the
/// object's file: the device and inode numbers and modification time of the temporary file,
/// which the rename or link keeps. So a crash or SIGKILL at any step leaves either no object (a
/// metadata file without its object describes nothing and the retry replaces it) or the object
/// with its metadata: never an object without its identity, which the export engine would have
/// to refuse until someone removed it. An object written without metadata has its old metadata
/// file removed, also before the publish. With PutOptions::if_none_match an object already at
/// the name is refused before its metadata file is touched. Keys whose first segment is
/// `.ccrec-meta` are rejected (kInvalidArgument), and so are keys with a segment named like the
/// sink's temporary files (`.<name>.ccrec-tmp-…`), which the stale-temporary sweep would remove.
///
/// Stat() reports the size of an existing file, plus its SHA-256 and user metadata when its
/// metadata file describes that file: same size, and either the tie matches (the file it was
/// written for), or the tie does not match but the file's content has the recorded SHA-256 (a
/// copy or restore of the archive, which changes inodes; Stat() then reads the whole file once
/// to hash it), or the document has no tie (written by an earlier version: only the size is
/// checked, as then). Metadata of another file at the name is never reported (a file replaced or
/// changed by another tool; only a change in place that keeps the size and the modification
/// time as the file system records it goes unnoticed: one made back-dated, or within the same
/// timestamp tick as the write, often a few milliseconds; as with any tool that trusts
/// modification times). Uri() is
/// `file://` + the percent-encoded absolute root (symlinks resolved) + "/" + key.
///
/// Two writers of one key in different processes (e.g. two runs with different manifests into
/// one directory): with if_none_match one wins and the other is refused; when both got past the
/// check for an existing object, the loser may have replaced the winner's metadata file, and
/// the winner's object then reports no metadata, or the loser's when both wrote the same bytes
/// (the tie and the SHA-256 never let it describe other content).
///
/// Permissions: new files get `file_mode & ~umask` (default 0600), new directories
/// `dir_mode & ~umask` (default 0700); existing directories are never changed. The sink never
/// reads or changes the umask: the kernel applies it when open(2) and mkdir(2) create.
///
/// @return kInvalidArgument when root is empty or not a directory, or file_mode or dir_mode is
/// not allowed (see there); kInternal when root cannot be created. The sink's Stat() returns
/// kInternal when the object must be hashed and cannot be read, and kCancelled or
/// kDeadlineExceeded when its CallContext ends while hashing (checked every MiB).
/// @par Thread safety
/// The sink is thread-safe; each writer is used by one thread. The umask is the process's, read
/// by the kernel at each creation: a program that changes it while a sink writes gets files
/// created under either value (the sink itself never calls umask()).
CCREC_EXPORT Result<std::shared_ptr<ObjectSink>> MakeFilesystemSink(FilesystemSinkOptions options);

}  // namespace v1
}  // namespace ccrec
