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

std::optional<Error> KeyClaims::Claim(RecordingIdentity const& id,
                                      std::optional<std::chrono::system_clock::time_point> window_time,
                                      std::string const& key, bool sidecar,
                                      std::function<void(CollisionVictim const&)> const& on_victim) {
  std::optional<Error> mine;
  std::lock_guard<std::mutex> lock(mu_);
  auto take = [&](std::string const& wanted, Use use) {
    Entry claim;
    claim.id = id;
    claim.use = use;
    claim.recording_key = key;
    claim.window_time = window_time;
    auto [it, inserted] = entries_.try_emplace(wanted, claim);
    Entry const& holder = it->second;
    if (inserted || (holder.id == id && holder.use == use)) return;  // new, or the same recording listed twice
    if (!mine) mine = Collision(wanted, claim, holder);
    Entry& other = entries_.at(holder.recording_key);  // where the holder's outcome is kept
    if (other.collision) return;                         // failed already
    other.collision = Collision(wanted, holder, claim);
    if (other.state != ItemStatus::kExported && other.state != ItemStatus::kSkipped) return;  // fails on Complete()
    on_victim(CollisionVictim{other.id, holder.recording_key, other.state, other.bytes, other.window_time,
                              *other.collision});
    other.state = ItemStatus::kFailed;
  };
  take(key, Use::kRecording);
  if (sidecar) take(key + ".json", Use::kSidecar);
  return mine;
}

std::optional<Error> KeyClaims::Complete(std::string const& key, ItemStatus status, std::uint64_t bytes,
                                         std::function<void()> const& record) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (it->second.collision) return it->second.collision;
    it->second.state = status;
    if (status == ItemStatus::kExported) it->second.bytes = bytes;
  }
  record();
  return std::nullopt;
}

}  // namespace ccrec::exporter::detail
