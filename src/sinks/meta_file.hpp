// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal piece of the filesystem sink (filesystem_sink.cpp): the metadata file
// ROOT/.ccrec-meta/KEY that holds an object's size, SHA-256 and user metadata, and the rule that
// decides whether it describes the file now at ROOT/KEY. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>

namespace ccrec::detail {

/// What ties a metadata file to exactly one file: its device and inode numbers, its size and its
/// modification time in nanoseconds. link(2) and rename(2) keep all four (they change the ctime,
/// which is why it is not part of the tie), so the tie taken from the temporary file before it is
/// published matches the published object; a copy, a restore or another file at the name does
/// not match (see ReadMetaFile()).
struct FileTie {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t bytes = 0;
  std::int64_t mtime_ns = 0;
};

/// The tie of the file `st` describes.
FileTie TieOf(struct stat const& st);

/// The metadata document of the file `tie` describes:
/// `{"bytes":N,"sha256":"hex","file":{"dev":"D","ino":"I","mtime_ns":"M"},"metadata":{...}}`
/// (the tie's numbers as decimal strings, so that no JSON reader rounds them). Readers of
/// earlier versions read bytes, sha256 and metadata and ignore "file".
std::string MetaFileDocument(FileTie const& tie, std::string const& sha256_hex,
                             std::map<std::string, std::string> const& metadata);

/// Fills `info.sha256_hex` and `info.metadata` from the metadata file `meta_path` when it
/// describes the file at `path`, whose stat(2) is `st` (info.bytes is st's size). It does when:
///  - its "bytes" is the file's size, and
///  - its "file" tie matches `st` (the file it was written for, published by link or rename), or
///    it has no tie (written by an earlier version: the size is all that is checked, as then), or
///    the tie does not match but the file's content has the SHA-256 it records (a copy or
///    restore of the object, which changes the inode; the file is read once to hash it).
/// Otherwise (no metadata file, unreadable or malformed, another size, a tie of another file and
/// other content) nothing is filled in: never metadata of another file.
/// @return kInternal when the file must be hashed and cannot be read; kCancelled when
/// `ctx.cancel` fires while hashing (checked every 1 MiB).
/// @par Thread safety
/// Reentrant; reads only.
Result<void> ReadMetaFile(std::string const& meta_path, std::string const& path, struct stat const& st,
                          ObjectInfo& info, CallContext const& ctx);

}  // namespace ccrec::detail
