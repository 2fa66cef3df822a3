// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: small-file reading and atomic file replacement. Not installed.

#include <ccrec/core/result.hpp>

#include <functional>
#include <string>
#include <sys/types.h>

namespace ccrec::detail {

/// Reads a file of at most `max_bytes`; kNotFound when it does not exist.
Result<std::string> ReadSmallFile(std::string const& path, std::size_t max_bytes = 16u << 20);
/// Writes `data` to a temporary file beside `path` (same directory, named
/// `<file name of path>.tmp-<12 lowercase hex digits>`, see IsAtomicWriteTempName(); mode exactly
/// `mode`: the umask neither widens nor narrows it; for credentials, which must be 0600), fsyncs it,
/// renames it over `path` and fsyncs the directory. On failure the temporary file is removed
/// and `path` is untouched.
Result<void> WriteFileAtomic(std::string const& path, std::string const& data, mode_t mode);
/// WriteFileAtomic(), but the temporary file is created by open(2) with `mode` and the kernel
/// applies the process umask (mode & ~umask; a default ACL of the directory takes precedence);
/// no chmod. The rename keeps that mode. For data files whose mode the user narrows by umask.
Result<void> WriteFileAtomicUnderUmask(std::string const& path, std::string const& data, mode_t mode);
/// Whether `name` (a file name, without its directory) is exactly the name of a temporary file
/// that WriteFileAtomic() or WriteFileAtomicUnderUmask() creates: a non-empty final name, then
/// `.tmp-` and 12 lowercase hex digits. A crash or SIGKILL during the write leaves such a file.
bool IsAtomicWriteTempName(std::string const& name);
/// Directory part of `path` ("." when none).
std::string DirName(std::string const& path);
/// mkdir -p; each directory it creates gets `mode` & ~umask (mkdir(2) applies the umask), existing
/// directories are left as they are (never chmod-ed). With `sync_new`, each directory
/// this call creates is made durable: the first directory created is fsynced into its (existing)
/// parent, then each further one into the one created before it, and the last one itself, so a
/// crash cannot forget a directory a later fsynced file was renamed into.
Result<void> MakeDirs(std::string const& path, bool sync_new, mode_t mode);
/// fsync a directory (after a rename inside it).
Result<void> SyncDir(std::string const& dir);
/// fsync(2) `fd`, which is the file or directory `what` (reported to the test observer).
/// Returns fsync's result; errno is kept.
int Fsync(int fd, std::string const& what);
/// Tests only: called with `what` on every Fsync()/SyncDir() (nullptr: none). Not thread-safe
/// against concurrent fsyncs: set it before the code under test runs.
void SetFsyncObserverForTesting(std::function<void(std::string const&)> observer);
/// Tests only: called with `what` on every Fsync()/SyncDir(), after the observer; a non-zero
/// return is an errno that this fsync fails with (fsync(2) is not called), 0 lets it run (nullptr:
/// none). Not thread-safe against concurrent fsyncs: set it before the code under test runs.
void SetFsyncFaultForTesting(std::function<int(std::string const&)> fault);

}  // namespace ccrec::detail
