#pragma once
// Internal: small-file reading and atomic file replacement. Not installed.

#include <ccrec/core/result.hpp>

#include <string>
#include <sys/types.h>

namespace ccrec {
inline namespace v1 {
namespace internal {

/// Reads a file of at most `max_bytes`; kNotFound when it does not exist.
CCREC_EXPORT Result<std::string> ReadSmallFile(std::string const& path, std::size_t max_bytes = 16u << 20);
/// Writes `data` to a temporary file beside `path` (same directory, mode `mode`), fsyncs it,
/// renames it over `path` and fsyncs the directory. On failure the temporary file is removed
/// and `path` is untouched.
CCREC_EXPORT Result<void> WriteFileAtomic(std::string const& path, std::string const& data, mode_t mode);
/// Directory part of `path` ("." when none).
CCREC_EXPORT std::string DirName(std::string const& path);
/// mkdir -p with mode 0755 (existing directories are fine).
CCREC_EXPORT Result<void> MakeDirs(std::string const& path);
/// fsync a directory (after a rename inside it).
CCREC_EXPORT Result<void> SyncDir(std::string const& dir);

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
