// SPDX-License-Identifier: Apache-2.0
#include "exporter/key_claims.hpp"

#include <utility>

namespace ccrec::exporter::detail {

Error KeyClaims::Collision(std::string const& key, Entry const& mine, Entry const& theirs) const {
  std::string const where = describe_(key);
  if (mine.use == Use::kRecording && theirs.use == Use::kRecording) {
    return MakeError(ErrorCode::kIntegrity, "key collision: " + where + " is the key of both " + mine.id.ToString() +
                                                " and " + theirs.id.ToString() + " in this run; neither is exported "
                                                "there. Use a key template with the placeholders that identify a "
                                                "recording");
  }
  auto name = [](Entry const& e) { return (e.use == Use::kSidecar ? "the sidecar of " : "") + e.id.ToString(); };
  return MakeError(ErrorCode::kIntegrity, "key collision: " + where + " is the key of both " + name(mine) + " and " +
                                              name(theirs) + " in this run (a recording's key is another recording's "
                                              "key + \".json\"); neither recording is exported. Use a key template "
                                              "whose keys cannot end in \".json\", or write no sidecars");
}

std::optional<Error> KeyClaims::Claim(RecordingIdentity const& id, std::string const& key, bool sidecar,
                                      std::function<void(CollisionVictim const&)> const& on_victim) {
  std::optional<Error> mine;
  std::lock_guard<std::mutex> lock(mu_);
  auto take = [&](std::string const& wanted, Use use) {
    Entry claim;
    claim.id = id;
    claim.use = use;
    claim.recording_key = key;
    auto [it, inserted] = entries_.try_emplace(wanted, claim);
    Entry const& holder = it->second;
    if (inserted || (holder.id == id && holder.use == use)) return;  // new, or the same recording listed twice
    if (!mine) mine = Collision(wanted, claim, holder);
    Entry& other = entries_.at(holder.recording_key);  // where the holder's outcomes are kept
    if (other.collision) return;                         // failed already
    other.collision = Collision(wanted, holder, claim);
    if (other.completions.empty()) return;  // in flight: its listings fail on Complete()
    // Every listing that completed is taken back (the same recording listed twice completed
    // twice), so that each listed item ends in exactly one count.
    on_victim(CollisionVictim{other.id, holder.recording_key, std::move(other.completions), *other.collision});
    other.completions.clear();
  };
  take(key, Use::kRecording);
  if (sidecar) take(key + ".json", Use::kSidecar);
  return mine;
}

std::optional<Error> KeyClaims::Complete(std::string const& key, ItemStatus status, std::uint64_t bytes,
                                         std::optional<std::chrono::system_clock::time_point> window_time,
                                         std::function<void()> const& record) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (it->second.collision) return it->second.collision;
    it->second.completions.push_back(Completion{status, status == ItemStatus::kExported ? bytes : 0, window_time});
  }
  record();
  return std::nullopt;
}

}  // namespace ccrec::exporter::detail
