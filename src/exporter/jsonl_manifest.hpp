// SPDX-License-Identifier: Apache-2.0
#pragma once
// The JSON Lines manifest (Manifest::Open()); its contract is Manifest's.

#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/manifest_compact.hpp>

#include "exporter/manifest_index.hpp"

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::exporter::detail {

/// Tests only: called with the path in JsonlManifest::OpenJsonl() between open(2) and flock(2),
/// where a concurrent CompactManifest() may replace the file (nullptr: none). Not thread-safe
/// against concurrent opens: set it before the code under test runs.
void SetOpenHookForTesting(std::function<void(std::string const& path)> hook);

/// Keeps no parsed line in memory: a ManifestIndex (24 bytes of offsets per item behind a
/// 128-bit identity digest) built by one streaming pass at Open(), and pread(2) of the one line a
/// lookup needs (issue 14, item 6).
class JsonlManifest final : public Manifest {
 public:
  /// Open() without the upcast. `end_last_line`: end a last line that lacks its newline (Open()
  /// does); CompactManifest() rewrites the file instead, so it changes nothing before it decided.
  static Result<std::shared_ptr<JsonlManifest>> OpenJsonl(std::string const& path, ManifestOptions const& options,
                                                          bool end_last_line = true);
  static Result<std::shared_ptr<Manifest>> Open(std::string const& path, ManifestOptions const& options);
  ~JsonlManifest() override;

  Result<void> CheckDestination(std::string const& destination_uri, std::string const& key_template) const override;
  Result<void> Bind(std::string const& destination_uri, std::string const& key_template) override;
  std::optional<std::string> Destination() const override;
  std::optional<std::string> KeyTemplate() const override;
  Result<void> Append(ManifestEntry const& entry) override;
  std::optional<ManifestEntry> Latest(std::string const& source, std::string const& task_id,
                                      std::string const& recording_id, std::string const& segment_id) const override;
  std::optional<ManifestEntry> LastExported(std::string const& source, std::string const& task_id,
                                            std::string const& recording_id,
                                            std::string const& segment_id) const override;
  std::vector<ManifestEntry> Entries() const override;
  std::size_t MalformedLines() const override { return malformed_lines_; }
  Result<void> Sync() override;
  std::string const& Path() const override { return path_; }

  /// The work of CompactManifest() (manifest_compact.cpp), on a manifest opened with its lock.
  Result<ManifestCompaction> Compact(ManifestCompactOptions const& options);

 private:
  JsonlManifest() = default;
  Result<void> SyncLocked();                         // mu_ held
  /// mu_ held: appends one whole line with its '\n'; returns the offset where it starts. A
  /// failed write leaves no part of the line in the file (DropTornLine).
  Result<std::uint64_t> WriteLine(std::string const& line);
  /// mu_ held: after a write of a line of `line_size` bytes failed at end_offset_, cuts off the
  /// part that reached the file, or (when it cannot) sets torn_.
  void DropTornLine(std::size_t line_size);
  /// The entry at `line` if it is an entry of exactly this item; otherwise (a digest collision, or
  /// the file changed under us) the last matching line found by reading the whole file.
  std::optional<ManifestEntry> ReadItem(LineRef line, ManifestEntry const& item, bool exported_only) const;  // mu_ held
  std::optional<ManifestEntry> ScanFor(ManifestEntry const& item, bool exported_only) const;  // mu_ held
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  ManifestIndex index_;                              // guarded by mu_
  std::uint64_t end_offset_ = 0;                     // guarded by mu_: where the next line starts
  bool torn_ = false;                                // guarded by mu_: the file ends inside a line
  std::size_t lines_ = 0;                            // guarded by mu_: header and entry lines
  std::size_t malformed_lines_ = 0;
  std::size_t unsynced_lines_ = 0;                   // guarded by mu_
  std::chrono::steady_clock::time_point last_sync_;  // guarded by mu_
  std::optional<std::string> destination_;           // from the header
  std::optional<std::string> key_template_;          // from the header
  bool conflicting_headers_ = false;
};

}  // namespace ccrec::exporter::detail
