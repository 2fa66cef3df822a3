// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal, tests only: simulates a crash (SIGKILL, power loss after the fsyncs) of the
// filesystem sink between the steps of ObjectWriter::Finish(), so that unit tests can check
// what a later run makes of the state left behind. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <functional>
#include <string>

namespace ccrec::detail {

/// The steps of the filesystem sink's Finish() after which a crash can be simulated.
enum class FilesystemCrashPoint {
  /// The temporary file is complete and fsynced and the object's metadata file
  /// (`.ccrec-meta/KEY`) is written, but the object is not published yet.
  kMetadataWritten,
  /// The object is published (renamed, or hard-linked with if_none_match, the temporary name not
  /// yet removed), its directory not fsynced yet.
  kPublished,
};

/// Tests only: `crash` is asked at each FilesystemCrashPoint with the object's key; when it
/// returns true, Finish() stops right there as a killed process would, cleaning up nothing (the
/// temporary file, the metadata file and the published object stay as they are), and returns
/// kInternal "simulated crash". nullptr (the default): no crash. Not thread-safe against
/// concurrent writers: set it before the code under test runs.
void SetFilesystemCrashForTesting(std::function<bool(FilesystemCrashPoint, std::string const& key)> crash);

}  // namespace ccrec::detail
