// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MemorySink`: an ObjectSink that keeps objects in memory, for tests.

#include <ccrec/core/export.hpp>
#include <ccrec/core/object_sink.hpp>

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::testing {

/// Stores finished objects in a map; unfinished writers leave nothing behind. Stat() reports
/// the size, SHA-256 and user metadata (PutOptions::metadata) of a stored object; Uri() is
/// "memory://KEY".
///
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT MemorySink : public ObjectSink {
 public:
  struct Object {
    std::string data;
    PutOptions options;
  };

  Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                             CallContext const& ctx = {}) override;
  Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const& ctx = {}) override;
  std::string Describe(std::string const& key) const override;

  /// True unless SetEnforcesIfNoneMatch(false) or SetIgnoresIfNoneMatch(true): the existence
  /// check and the insert of an if_none_match writer happen under one lock.
  bool EnforcesIfNoneMatch() const override;
  /// What EnforcesIfNoneMatch() answers (default true), to test callers against a sink that does
  /// not claim it. Commits keep refusing existing keys either way (unless SetIgnoresIfNoneMatch()).
  void SetEnforcesIfNoneMatch(bool enforces);
  /// Makes commits ignore PutOptions::if_none_match and replace an existing object, as an
  /// S3-compatible store that ignores `If-None-Match: *` does (default false); while set,
  /// EnforcesIfNoneMatch() is false. To test that callers never overwrite through such a sink.
  void SetIgnoresIfNoneMatch(bool ignores);
  /// Finished objects by key.
  std::map<std::string, Object> Objects() const;
  std::optional<std::string> Get(std::string const& key) const;
  /// Number of writers aborted (explicitly or by destruction before Finish()).
  std::size_t AbortCount() const;
  /// Makes the Nth (1-based, counted from now, across all writers) Write() call fail with
  /// `error`, once; 0 means the next call, like 1. The failing writer is aborted.
  void FailWriteAfter(std::size_t writes, Error error);

 private:
  friend class MemoryWriter;
  /// Stores `object`; with `if_absent`, only when `key` is not stored yet (returns false then).
  bool Commit(std::string const& key, Object object, bool if_absent);
  void NoteAbort();
  std::optional<Error> NextWriteFailure();

  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;
  std::size_t aborts_ = 0;
  std::size_t writes_until_failure_ = 0;
  std::optional<Error> write_failure_;
  bool enforces_if_none_match_ = true;
  bool ignores_if_none_match_ = false;
};

}  // namespace ccrec::testing
