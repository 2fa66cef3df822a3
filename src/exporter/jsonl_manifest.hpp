// SPDX-License-Identifier: Apache-2.0
#pragma once
// The JSON Lines manifest (Manifest::Open()); its contract is Manifest's.

#include <ccrec/exporter/manifest.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace exporter {
namespace detail {

class JsonlManifest final : public Manifest {
 public:
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

 private:
  JsonlManifest() = default;
  Result<void> SyncLocked();                         // mu_ held
  Result<void> WriteLine(std::string const& line);  // mu_ held
  using ItemKey = std::tuple<std::string, std::string, std::string, std::string>;
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  std::map<ItemKey, ManifestEntry> latest_;
  std::map<ItemKey, ManifestEntry> last_exported_;
  std::size_t malformed_lines_ = 0;
  std::size_t unsynced_lines_ = 0;                   // guarded by mu_
  std::chrono::steady_clock::time_point last_sync_;  // guarded by mu_
  std::optional<std::string> destination_;           // from the header
  std::optional<std::string> key_template_;          // from the header
  bool conflicting_headers_ = false;
};

}  // namespace detail
}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
