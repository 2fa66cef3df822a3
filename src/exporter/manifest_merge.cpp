// SPDX-License-Identifier: Apache-2.0
// One manifest from several instances' manifests (exporter/manifest_merge.hpp).
#include <ccrec/exporter/manifest_merge.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace ccrec::exporter {

namespace {

using Identity = std::tuple<std::string, std::string, std::string, std::string>;

int Rank(ItemStatus status) {
  switch (status) {
    case ItemStatus::kExported:
      return 3;
    case ItemStatus::kSkipped:
      return 2;
    case ItemStatus::kFailed:
    case ItemStatus::kPending:
      return 1;
  }
  return 0;
}

}  // namespace

Result<ManifestMergeReport> MergeManifests(std::vector<std::shared_ptr<Manifest>> const& inputs, Manifest& output) {
  if (inputs.empty()) return MakeError(ErrorCode::kInvalidArgument, "manifest merge: no input manifest");
  std::optional<std::string> destination;
  std::optional<std::string> key_template;
  std::string bound_by;
  for (auto const& in : inputs) {
    if (!in || in->Path().empty()) return MakeError(ErrorCode::kInvalidArgument, "manifest merge: a null manifest");
    auto dest = in->Destination();
    if (!dest) {
      if (!in->Entries().empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "manifest merge: " + in->Path() + " has entries but no destination header");
      }
      continue;  // never bound, never written: nothing to merge
    }
    auto tmpl = in->KeyTemplate();
    if (!tmpl) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "manifest merge: " + in->Path() + " does not tell its key template");
    }
    if (!destination) {
      destination = dest;
      key_template = tmpl;
      bound_by = in->Path();
    } else if (*destination != *dest || *key_template != *tmpl) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "manifest merge: " + in->Path() + " belongs to destination " + *dest + " with key template \"" +
                           *tmpl + "\", but " + bound_by + " to " + *destination + " with key template \"" +
                           *key_template + "\"; merge only the manifests of one destination");
    }
  }
  ManifestMergeReport report;
  if (!destination) return report;  // every input empty
  auto bound = output.Bind(*destination, *key_template);
  if (!bound) return std::move(bound).error();

  std::map<Identity, ManifestEntry> kept;
  std::map<Identity, int> seen;
  for (auto const& in : inputs) {
    for (auto& e : in->Entries()) {
      Identity id{e.source, e.task_id, e.recording_id, e.segment_id};
      int const times = ++seen[id];
      auto it = kept.find(id);
      if (it == kept.end()) {
        kept.emplace(std::move(id), std::move(e));
        continue;
      }
      if (times == 2) ++report.duplicates;
      ManifestEntry& have = it->second;
      if (have.status == ItemStatus::kExported && e.status == ItemStatus::kExported && have.key != e.key) {
        ++report.conflicting_exports;
      }
      if (Rank(e.status) > Rank(have.status)) have = std::move(e);
    }
  }
  for (auto const& [id, entry] : kept) {
    auto appended = output.Append(entry);
    if (!appended) return std::move(appended).error();
    ++report.items;
    report.Count(entry.status);
  }
  auto synced = output.Sync();
  if (!synced) return std::move(synced).error();
  return report;
}

}  // namespace ccrec::exporter
