// SPDX-License-Identifier: Apache-2.0
#include <ccrec/exporter/manifest.hpp>

#include "exporter/jsonl_manifest.hpp"

#include <ccrec/core/log.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <chrono>

namespace ccrec::exporter {

std::string_view ToString(ItemStatus status) noexcept {
  switch (status) {
    case ItemStatus::kExported: return "exported";
    case ItemStatus::kSkipped: return "skipped";
    case ItemStatus::kFailed: return "failed";
    case ItemStatus::kPending: return "pending";
  }
  return "failed";
}

std::optional<ItemStatus> ParseItemStatus(std::string_view name) noexcept {
  if (name == "exported") return ItemStatus::kExported;
  if (name == "skipped") return ItemStatus::kSkipped;
  if (name == "failed") return ItemStatus::kFailed;
  if (name == "pending") return ItemStatus::kPending;
  return std::nullopt;
}

void ItemStatusCounts::Count(ItemStatus status) noexcept {
  switch (status) {
    case ItemStatus::kExported: ++exported; break;
    case ItemStatus::kSkipped: ++skipped; break;
    case ItemStatus::kFailed: ++failed; break;
    case ItemStatus::kPending: ++pending; break;
  }
}

std::string ItemStatusCounts::Line() const {
  return "exported=" + std::to_string(exported) + " skipped=" + std::to_string(skipped) +
         " failed=" + std::to_string(failed) + " pending=" + std::to_string(pending);
}

std::string Manifest::ToJsonLine(ManifestEntry const& e) {
  using ::ccrec::detail::JsonEscape;
  std::string out = "{\"source\":\"" + JsonEscape(e.source) + "\",\"task_id\":\"" + JsonEscape(e.task_id) +
                    "\",\"recording_id\":\"" + JsonEscape(e.recording_id) + "\"";
  if (!e.segment_id.empty()) out += ",\"segment_id\":\"" + JsonEscape(e.segment_id) + "\"";
  out += ",\"key\":\"" + JsonEscape(e.key) + "\"";
  if (!e.uri.empty()) out += ",\"uri\":\"" + JsonEscape(e.uri) + "\"";
  out += ",\"bytes\":" + std::to_string(e.bytes) + ",\"sha256\":\"" +
         JsonEscape(e.sha256) + "\",\"status\":\"" + std::string(ToString(e.status)) + "\",\"error\":\"" +
         JsonEscape(RedactSecrets(e.error)) + "\",\"time\":\"" + ::ccrec::detail::FormatIso8601(std::chrono::system_clock::now()) + "\"}";
  return out;
}

Result<std::shared_ptr<Manifest>> Manifest::Open(std::string const& path) { return Open(path, ManifestOptions{}); }

Result<std::shared_ptr<Manifest>> Manifest::Open(std::string const& path, ManifestOptions const& options) {
  return detail::JsonlManifest::Open(path, options);
}

Manifest::~Manifest() = default;

bool Manifest::IsDone(std::string const& source, std::string const& task_id, std::string const& recording_id,
                      std::string const& segment_id) const {
  auto e = Latest(source, task_id, recording_id, segment_id);
  return e && (e->status == ItemStatus::kExported || e->status == ItemStatus::kSkipped);
}

namespace {
/// Records nothing, binds to anything.
class NullManifest final : public Manifest {
 public:
  Result<void> CheckDestination(std::string const&, std::string const&) const override { return {}; }
  Result<void> Bind(std::string const&, std::string const&) override { return {}; }
  std::optional<std::string> Destination() const override { return std::nullopt; }
  Result<void> Append(ManifestEntry const&) override { return {}; }
  std::optional<ManifestEntry> Latest(std::string const&, std::string const&, std::string const&,
                                      std::string const&) const override {
    return std::nullopt;
  }
  std::optional<ManifestEntry> LastExported(std::string const&, std::string const&, std::string const&,
                                            std::string const&) const override {
    return std::nullopt;
  }
  std::vector<ManifestEntry> Entries() const override { return {}; }
  Result<void> Sync() override { return {}; }
  std::string const& Path() const override { return path_; }

 private:
  std::string path_;
};
}  // namespace

std::shared_ptr<Manifest> Manifest::Null() { return std::make_shared<NullManifest>(); }

}  // namespace ccrec::exporter
